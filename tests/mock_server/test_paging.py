"""A correct client paging recorded values gets exactly the ground truth, duplicates and bursts included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mock_helpers_pi import NOW, page_recorded

from mock_server.pitime import parse_iso
from mock_server.testing import RunningMock


def _truth(mock: RunningMock, web_id: str, start: datetime, end: datetime) -> list[tuple]:
    return [(e["timestamp"], e["value"], e["good"]) for e in mock.archive.recorded(web_id, start, end, NOW)]


def _got(items: list[dict]) -> list[tuple]:
    def stamp(text: str) -> datetime:
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=parse_iso(text) // 10)

    return [(stamp(v["Timestamp"]), v["Value"], v["Good"]) for v in items]


def _tag_with_duplicates(mock: RunningMock, start: datetime, end: datetime) -> str:
    for point in mock.archive.points():
        stamps = [e["timestamp"] for e in mock.archive.recorded(point.webid, start, end, NOW)]
        if 300 < len(stamps) < 5000 and len(set(stamps)) < len(stamps) - 2:
            return point.webid
    raise AssertionError("no tag with duplicate timestamps")


def test_paging_through_duplicate_timestamps_returns_exactly_the_ground_truth(mock, http) -> None:
    start, end = NOW - timedelta(hours=3), NOW
    web_id = _tag_with_duplicates(mock, start, end)
    items = page_recorded(http, mock.url, web_id, "2026-11-01T09:00:00Z", "2026-11-01T12:00:00Z", 97)
    assert _got(items) == _truth(mock, web_id, start, end)


def test_paging_through_a_burst_larger_than_a_page_returns_every_event(mock, http) -> None:
    burst = mock.archive.point_by_name("DIAG.BurstEvents.PV")
    items = page_recorded(http, mock.url, burst.webid, "2026-11-01T09:30:00Z", "2026-11-01T11:30:00Z", 1000)
    truth = _truth(mock, burst.webid, NOW - timedelta(hours=2.5), NOW - timedelta(minutes=30))
    assert _got(items) == truth
    assert len(truth) >= 2 * mock.settings.burst_size


def test_burst_point_fills_a_default_page_at_one_instant(mock, http) -> None:
    burst = mock.archive.point_by_name("DIAG.BurstEvents.PV")
    answer = http.get(
        f"{mock.url}/streams/{burst.webid}/recorded", params={"startTime": "2026-11-01T10:00:00Z"}, timeout=10
    )
    stamps = {v["Timestamp"] for v in answer.json()["Items"]}
    assert len(answer.json()["Items"]) == 1000 and stamps == {"2026-11-01T10:00:00Z"}


def test_default_max_count_truncates_silently_at_1000(mock, http) -> None:
    busy = max(mock.archive.points(), key=lambda p: p.events_per_hour)
    answer = http.get(f"{mock.url}/streams/{busy.webid}/recorded", params={"startTime": "*-1h"}, timeout=10)
    assert answer.status_code == 200
    assert len(answer.json()["Items"]) == 1000
    assert set(answer.json()) == {"Items", "UnitsAbbreviation"}


def test_end_before_start_returns_newest_first(mock, http) -> None:
    point = mock.archive.points()[0]
    answer = http.get(
        f"{mock.url}/streams/{point.webid}/recorded",
        params={"startTime": "*", "endTime": "*-2h", "maxCount": 50},
        timeout=10,
    )
    stamps = [parse_iso(v["Timestamp"]) for v in answer.json()["Items"]]
    assert stamps == sorted(stamps, reverse=True) and len(stamps) > 1
