"""Helpers shared by the mock server tests (a uniquely named module, so it cannot shadow another conftest)."""

from __future__ import annotations

from datetime import UTC, datetime

import requests

from mock_server.testing import RunningMock

FROZEN = "2026-11-01T12:00:00Z"
NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


def set_clock(running: RunningMock, **change: object) -> dict:
    """Change a mock's clock through the admin route."""
    answer = requests.post(f"{running.root}/admin/clock", json=change, timeout=10)
    answer.raise_for_status()
    return answer.json()


def page_recorded(session: requests.Session, url: str, web_id: str, start: str, end: str, max_count: int) -> list[dict]:
    """The correct client: page by time, drop the events at the last timestamp and re-read from it.

    A page made of one instant only is re-read with a larger maxCount (bounded), so the loop always ends.
    """
    collected: list[dict] = []
    for _ in range(10_000):
        answer = session.get(
            f"{url}/streams/{web_id}/recorded",
            params={"startTime": start, "endTime": end, "maxCount": max_count},
            timeout=30,
        )
        answer.raise_for_status()
        items = answer.json()["Items"]
        if len(items) < max_count:
            return collected + items
        last = items[-1]["Timestamp"]
        head = [v for v in items if v["Timestamp"] != last]
        if not head:
            max_count *= 2
            assert max_count <= 150_000, "a single instant holds more events than the server can return"
            continue
        collected += head
        start = last
    raise AssertionError("paging did not finish")
