"""Edits and deletes: `/recorded` and the ground truth change together, exactly at the change's server time."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from mock_helpers_pi import (
    FROZEN,
    recorded_items,
    served_rows,
    set_clock_ticks,
    truth_at,
    truth_rows,
)

from mock_server import MockSettings
from mock_server.pitime import TICKS_PER_HOUR, TICKS_PER_SECOND, parse_iso
from mock_server.testing import RunningMock, running_mock

NOW = parse_iso(FROZEN)
DAY = 24 * TICKS_PER_HOUR
MINUTE = 60 * TICKS_PER_SECOND
ADD, UPDATE, DELETE = 0, 1, 2


@pytest.fixture()
def edited() -> Iterator[RunningMock]:
    settings = MockSettings(tags=120, seed=5, clock=FROZEN, edit_fraction=0.2, delete_fraction=0.1)
    with running_mock(settings) as running:
        yield running


def _changes(running: RunningMock, action: int, delay_range: tuple[int, int]):
    """(point, event ticks, value, change time) of changes whose delay after the event's arrival is in range.

    Arrivals and changes come from `archive.updates_between` (the ground truth of stream updates): an Add says
    when the event arrived, an Update or Delete when it changed.
    """
    archive = running.archive
    found = []
    for info in archive.points():
        if not 10 <= info.events_per_hour <= 720 or info.point_type not in ("Float32", "Float64"):
            continue
        updates = archive.updates_between(info.index, NOW - 4 * DAY, NOW)
        arrived = {}
        for ticks, at, kind in zip(updates.events.ticks, updates.at, updates.action, strict=True):
            if kind == ADD:
                arrived.setdefault(int(ticks), int(at))
        for i in np.flatnonzero(updates.action == action).tolist():
            ticks, at = int(updates.events.ticks[i]), int(updates.at[i])
            if ticks in arrived and delay_range[0] <= at - arrived[ticks] <= delay_range[1]:
                found.append((info, ticks, float(updates.events.values[i]), at, arrived[ticks]))
        if len(found) >= 3:
            return found
    raise AssertionError("no such change in the archive")


def _window(running: RunningMock, webid: str, ticks: int, clock: int) -> tuple[list[dict], list[dict]]:
    """Served and true events of ten minutes around `ticks`, with the server clock at `clock`."""
    set_clock_ticks(running, clock)
    start, end = ticks - 10 * MINUTE, ticks + 10 * MINUTE
    served = recorded_items(running, webid, start, end)
    assert served_rows(served) == truth_rows(truth_at(running, webid, start, end, clock))
    return [i for i in served if parse_iso(i["Timestamp"]) == ticks], served


def test_edit_delays_span_minutes_to_days(edited) -> None:
    delays = [at - arrived for *_, at, arrived in _changes(edited, UPDATE, (0, 10 * DAY))]
    minutes = _changes(edited, UPDATE, (MINUTE, 15 * MINUTE))
    days = _changes(edited, UPDATE, (DAY, 3 * DAY))
    assert min(delays) >= MINUTE and max(delays) <= 3 * DAY
    assert minutes and days


@pytest.mark.parametrize("delay", [(MINUTE, 15 * MINUTE), (TICKS_PER_HOUR, 3 * DAY)], ids=["minutes", "hours-days"])
def test_edit_replaces_the_value_at_its_edit_time(edited, delay) -> None:
    info, ticks, new_value, at, arrived = _changes(edited, UPDATE, delay)[0]
    before, _ = _window(edited, info.webid, ticks, at - 1)
    after, _ = _window(edited, info.webid, ticks, at)
    later, _ = _window(edited, info.webid, ticks, at + 7 * DAY)
    assert len(before) == len(after) == len(later) >= 1
    edited_item = next(i for i in after if i["Substituted"] and i not in before)
    assert edited_item["Good"] is True and edited_item["Value"] == pytest.approx(new_value)
    assert edited_item not in before and edited_item in later


def test_delete_removes_the_event_at_its_delete_time(edited) -> None:
    info, ticks, _, at, arrived = _changes(edited, DELETE, (MINUTE, 3 * DAY))[0]
    before, _ = _window(edited, info.webid, ticks, at - 1)
    after, _ = _window(edited, info.webid, ticks, at)
    later, _ = _window(edited, info.webid, ticks, at + 7 * DAY)
    assert len(before) == len(after) + 1 and later == after


def test_the_ground_truth_keeps_the_old_value_for_earlier_as_of_times(edited) -> None:
    info, ticks, new_value, at, _ = _changes(edited, UPDATE, (MINUTE, 3 * DAY))[0]
    old = truth_at(edited, info.webid, ticks, ticks, at - 1)
    new = truth_at(edited, info.webid, ticks, ticks, at)
    changed = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    assert len(changed) == 1
    assert changed[0][1]["value"] == pytest.approx(new_value) and changed[0][1]["substituted"]
    assert changed[0][0]["value"] != changed[0][1]["value"]
