"""Compression-discarded snapshots: served (as the snapshot) only until the tag's next event arrives, then gone."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import requests
from mock_helpers_pi import FROZEN, recorded_items, served_rows, set_clock_ticks, truth_at, truth_rows

from mock_server import MockSettings
from mock_server.pitime import TICKS_PER_HOUR, parse_iso, to_ticks
from mock_server.testing import RunningMock, running_mock

NOW = parse_iso(FROZEN)
DAY = 24 * TICKS_PER_HOUR


@pytest.fixture()
def compressed() -> Iterator[RunningMock]:
    with running_mock(MockSettings(tags=120, seed=5, clock=FROZEN, snapshot_discard_fraction=0.3)) as running:
        yield running


def _discard(running: RunningMock) -> tuple[str, int, int]:
    """(WebId, arrival of the event that discarded a snapshot, the snapshot's microsecond) of one Float point."""
    archive = running.archive
    for info in archive.points():
        if not 30 <= info.events_per_hour <= 720 or info.point_type not in ("Float32", "Float64"):
            continue
        updates = archive.updates_between(info.index, NOW - 6 * TICKS_PER_HOUR, NOW)
        for i in np.flatnonzero(updates.discarded).tolist():
            at = int(updates.at[i])
            newest = truth_at(running, info.webid, at - TICKS_PER_HOUR, at, at - 1)[-1]
            return info.webid, at, to_ticks(newest["timestamp"]) // 10
    raise AssertionError("no discarded snapshot")


def _served_and_true(running: RunningMock, webid: str, start: int, clock: int) -> list[dict]:
    set_clock_ticks(running, clock)
    served = recorded_items(running, webid, start, clock)
    assert served_rows(served) == truth_rows(truth_at(running, webid, start, clock, clock))
    return served


def _micros(items: list[dict]) -> list[int]:
    return [parse_iso(i["Timestamp"]) // 10 for i in items]


def test_a_snapshot_only_event_is_served_until_the_next_event_arrives(compressed) -> None:
    webid, at, snapshot = _discard(compressed)
    start = snapshot * 10 - TICKS_PER_HOUR
    before = _served_and_true(compressed, webid, start, at - 1)
    assert _micros(before)[-1] == snapshot  # the tag's snapshot, newest of /recorded
    set_clock_ticks(compressed, at - 1)
    value = requests.get(f"{compressed.url}/streams/{webid}/value", timeout=10).json()
    assert value["Timestamp"] == before[-1]["Timestamp"]

    after = _served_and_true(compressed, webid, start, at)
    assert snapshot not in _micros(after) and _micros(after)[-1] > snapshot  # discarded; the new one is the snapshot
    later = _served_and_true(compressed, webid, start, at + 3 * DAY)
    assert snapshot not in _micros(later)


def test_the_ground_truth_excludes_discarded_snapshots_for_good(compressed) -> None:
    webid, at, snapshot = _discard(compressed)
    window = (snapshot * 10 - TICKS_PER_HOUR, snapshot * 10 + TICKS_PER_HOUR)
    seen = [to_ticks(r["timestamp"]) // 10 for r in truth_at(compressed, webid, *window, at - 1)]
    gone = [to_ticks(r["timestamp"]) // 10 for r in truth_at(compressed, webid, *window, at + 30 * DAY)]
    assert snapshot in seen and snapshot not in gone


def test_about_the_configured_share_of_events_is_snapshot_only(compressed) -> None:
    archive = compressed.archive
    point = next(p for p in archive.points() if p.events_per_hour >= 3600)
    hours = [archive.hour(point.index, NOW // TICKS_PER_HOUR - h) for h in range(1, 4)]
    events = sum(len(h.events) for h in hours)
    discarded = sum(int((h.changes.gone < np.iinfo(np.int64).max).sum()) for h in hours)
    assert 0.15 * events < discarded < 0.3 * events  # 30 % drawn; only events followed in time qualify
