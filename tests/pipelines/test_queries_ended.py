"""The grace a pipeline's last progress events get: counted from the end of its queries, not after later work."""

from __future__ import annotations

import time

from osipi_app.local.worker import LISTENER_GRACE, QueriesEnded


def test_work_after_the_queries_ended_passes_inside_the_grace() -> None:
    ended = QueriesEnded()
    ended.mark()
    time.sleep(LISTENER_GRACE)  # counting the tables took the whole grace
    began = time.monotonic()
    ended.wait()
    assert time.monotonic() - began < LISTENER_GRACE / 2


def test_without_a_mark_the_whole_grace_is_waited() -> None:
    began = time.monotonic()
    QueriesEnded().wait()
    assert time.monotonic() - began >= LISTENER_GRACE
