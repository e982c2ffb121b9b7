"""Helpers shared by the mock server tests (a uniquely named module, so it cannot shadow another conftest)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import requests

from mock_server.pitime import format_ticks, from_ticks, parse_iso, to_ticks
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


# -- archive behaviours (edits, deletes, snapshots, odd values, point errors) ----------------------------------
def put_behaviours(running: RunningMock, **change: object) -> requests.Response:
    """Change archive behaviours at run time through the admin route (the answer is returned, not checked)."""
    return requests.put(f"{running.root}/admin/behaviours", json=change, timeout=10)


def loads(text: str | bytes) -> object:
    """JSON that may hold bare NaN / Infinity tokens (`nan_format=symbol`): Python's parser accepts them."""
    return json.loads(text)


def value_key(value: object) -> object:
    """A value comparable across formats: NaN and infinities as their JSON string spellings."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def served_rows(items: list[dict]) -> list[tuple]:
    """(microseconds, value, good, questionable, substituted, annotated) of served TimedValues."""
    return [
        (
            parse_iso(i["Timestamp"]) // 10,
            value_key(i["Value"]),
            i["Good"],
            i["Questionable"],
            i["Substituted"],
            i["Annotated"],
        )
        for i in items
    ]


def truth_rows(truth: list[dict]) -> list[tuple]:
    """The same tuples from `archive.recorded` (or `archive.changes`) dicts."""
    return [
        (to_ticks(r["timestamp"]) // 10, value_key(r["value"]), r["good"], r["questionable"], r["substituted"],
         r["annotated"])
        for r in truth
    ]  # fmt: skip


def recorded_items(running: RunningMock, web_id: str, start: int, end: int) -> list[dict]:
    """Served `/recorded` items of [start, end] (ticks) in one call (small windows only)."""
    answer = requests.get(
        f"{running.url}/streams/{web_id}/recorded",
        params={"startTime": format_ticks(start), "endTime": format_ticks(end), "maxCount": 150_000},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text[:300]
    items = loads(answer.text)["Items"]
    assert len(items) < 150_000
    return items


def truth_at(running: RunningMock, web_id: str, start: int, end: int, as_of: int) -> list[dict]:
    """Ground truth of [start, end] (ticks) at server time `as_of` (exact ticks)."""
    return running.archive.recorded(web_id, from_ticks(start), from_ticks(end), as_of=as_of)


def set_clock_ticks(running: RunningMock, ticks: int) -> None:
    """Freeze the server clock at exact ticks (7 fractional digits)."""
    set_clock(running, set=format_ticks(ticks))
