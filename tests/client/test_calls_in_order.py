"""`calls_in_order`: many-tag calls side by side, answers in chunk order, failures in order, lazy chunks."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

from osipi_lakeflow.client.listing import calls_in_order, chunked
from osipi_lakeflow.errors import PIResponseError


def transport(concurrency: int) -> SimpleNamespace:
    """What `calls_in_order` reads of a transport: its client config."""
    return SimpleNamespace(config=SimpleNamespace(concurrency=concurrency))


class Calls:
    """A call that takes longer for earlier chunks and records how many run at once."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.lock = threading.Lock()
        self.running = self.most = 0
        self.started: list[int] = []
        self.fail_at = fail_at

    def __call__(self, chunk: list[int]) -> int:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.started.append(chunk[0])
        try:
            time.sleep(0.05 if chunk[0] % 8 == 0 else 0.01)  # every other chunk is slow: later ones finish first
            if chunk[0] == self.fail_at:
                raise PIResponseError(f"chunk {chunk[0]} refused")
            return sum(chunk)
        finally:
            with self.lock:
                self.running -= 1


def test_answers_come_in_chunk_order_with_at_most_concurrency_calls_in_flight():
    calls = Calls()
    chunks = chunked(list(range(40)), 4)
    began = time.perf_counter()
    answers = list(calls_in_order(transport(4), chunks, calls))
    seconds = time.perf_counter() - began
    assert [chunk for chunk, _ in answers] == chunks
    assert [answer for _, answer in answers] == [sum(c) for c in chunks]
    assert calls.most == 4, "four calls side by side, never more"
    assert seconds < 0.25, f"ten calls of 50 and 10 ms (0.3 s one after another) took {seconds:.2f} s"


def test_one_call_at_a_time_when_concurrency_is_one():
    calls = Calls()
    list(calls_in_order(transport(1), chunked(list(range(12)), 4), calls))
    assert calls.most == 1


def test_the_first_failing_chunk_raises_and_no_later_chunk_is_drawn():
    calls = Calls(fail_at=8)
    drawn: list[int] = []

    def chunks():
        for chunk in chunked(list(range(40)), 4):
            drawn.append(chunk[0])
            yield chunk

    seen = []
    with pytest.raises(PIResponseError, match="chunk 8 refused"):
        for chunk, _ in calls_in_order(transport(2), chunks(), calls):
            seen.append(chunk[0])
    assert seen == [0, 4], "the answers before the failure arrive, in order"
    assert max(drawn) <= 12, f"at most `concurrency` chunks past the failure are drawn: {drawn}"


def test_a_lazy_chunk_source_sees_every_answer_but_the_last_concurrency_ones():
    consumed: list[int] = []
    behind: list[int] = []

    def chunks():
        for start in range(0, 40, 4):
            behind.append(start // 4 - len(consumed))  # chunks drawn but not yet answered to the consumer
            yield [start, start + 1]

    for chunk, _ in calls_in_order(transport(3), chunks(), Calls()):
        consumed.append(chunk[0])
    assert max(behind) <= 3, behind
