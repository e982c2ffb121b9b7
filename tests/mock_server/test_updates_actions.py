"""Stream updates carry Add / Update / Delete and PreviousEventArchived / PreviousEventDiscarded, in server-clock
order, with every value field; replaying them on the recorded state reproduces the later recorded state."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from mock_helpers_pi import FROZEN, loads, set_clock_ticks, truth_at, value_key

from mock_server import MockSettings
from mock_server.pitime import TICKS_PER_SECOND, parse_iso, to_ticks
from mock_server.testing import RunningMock, running_mock

NOW = parse_iso(FROZEN)
STEP = 120 * TICKS_PER_SECOND
HEADERS = {"X-Requested-With": "XmlHttpRequest"}
FIELDS = {
    "Action",
    "PreviousEventAction",
    "Timestamp",
    "Value",
    "UnitsAbbreviation",
    "Good",
    "Questionable",
    "Substituted",
    "Annotated",
}


@pytest.fixture()
def changing() -> Iterator[RunningMock]:
    settings = MockSettings(
        tags=120,
        seed=5,
        clock=FROZEN,
        edit_fraction=0.3,
        edit_delay=(1, 200),
        delete_fraction=0.2,
        delete_delay=(1, 200),
        snapshot_discard_fraction=0.3,
        error_value_fraction=0.05,
        nonfinite_fraction=0.05,
    )
    with running_mock(settings) as running:
        yield running


def _poll(running: RunningMock, webid: str, steps: int) -> tuple[list[dict], int]:
    """Register at the current clock, advance it `steps` times by STEP, reading each time with the latest marker."""
    marker = requests.post(f"{running.url}/streams/{webid}/updates", headers=HEADERS, timeout=10).json()["LatestMarker"]
    events: list[dict] = []
    clock = NOW
    for _ in range(steps):
        clock += STEP
        set_clock_ticks(running, clock)
        answer = requests.get(f"{running.url}/streams/updates/{marker}", timeout=10)
        assert answer.status_code == 200, answer.text[:300]
        body = loads(answer.text)
        assert body["RequestedMarker"] == marker and body["Status"] == "Updated" and body["Exception"] is None
        events += body["Events"]
        marker = body["LatestMarker"]
    return events, clock


def _row(event: dict) -> tuple:
    return (
        event["Action"],
        event["PreviousEventAction"],
        parse_iso(event["Timestamp"]) // 10,
        value_key(event["Value"]),
        event["Good"],
        event["Questionable"],
        event["Substituted"],
        event["Annotated"],
    )


def _true_row(change: dict) -> tuple:
    return (
        change["action"],
        change["previous_event_action"],
        to_ticks(change["timestamp"]) // 10,
        value_key(change["value"]),
        change["good"],
        change["questionable"],
        change["substituted"],
        change["annotated"],
    )


def _fast_float(running: RunningMock):
    return next(p for p in running.archive.points() if p.point_type == "Float32" and p.events_per_hour >= 3600)


def test_updates_carry_actions_in_server_clock_order_and_match_the_ground_truth(changing) -> None:
    point = _fast_float(changing)
    events, clock = _poll(changing, point.webid, 4)
    truth = changing.archive.changes(point.webid, NOW, clock)
    assert [_row(e) for e in events] == [_true_row(c) for c in truth]
    assert [c["at"] for c in truth] == sorted(c["at"] for c in truth)
    assert all(set(e) == FIELDS for e in events)
    assert {e["Action"] for e in events} == {"Add", "Update", "Delete"}
    assert {e["PreviousEventAction"] for e in events} == {"PreviousEventArchived", "PreviousEventDiscarded"}
    assert all(e["Substituted"] and e["Good"] for e in events if e["Action"] == "Update")


def test_stream_set_updates_follow_the_sample_shape(changing) -> None:
    points = [p for p in changing.archive.points() if p.events_per_hour >= 360][:2]
    registered = requests.post(
        f"{changing.url}/streamsets/updates", params=[("webId", p.webid) for p in points], headers=HEADERS, timeout=10
    ).json()["Items"]
    set_clock_ticks(changing, NOW + STEP)
    answer = requests.get(
        f"{changing.url}/streamsets/updates", params=[("marker", i["LatestMarker"]) for i in registered], timeout=10
    )
    items = loads(answer.text)["Items"]
    keys = {"Source", "SourceName", "SourcePath", "RequestedMarker", "LatestMarker", "Status", "Events", "Exception"}
    assert [set(i) for i in items] == [keys, keys]
    for item, point in zip(items, points, strict=True):
        truth = changing.archive.changes(point.webid, NOW, NOW + STEP)
        assert item["Source"] == point.webid and [_row(e) for e in item["Events"]] == [_true_row(c) for c in truth]


def test_selected_fields_limit_update_events(changing) -> None:
    point = _fast_float(changing)
    marker = requests.post(f"{changing.url}/streams/{point.webid}/updates", headers=HEADERS, timeout=10).json()
    set_clock_ticks(changing, NOW + STEP)
    answer = requests.get(
        f"{changing.url}/streams/updates/{marker['LatestMarker']}",
        params={"selectedFields": "Events.Action;Events.Timestamp;LatestMarker"},
        timeout=10,
    ).json()
    assert set(answer) == {"LatestMarker", "Events"}
    assert answer["Events"] and all(set(e) == {"Action", "Timestamp"} for e in answer["Events"])


def _replay(state: list[dict], changes: list[dict], start: int) -> list[dict]:
    """Apply stream updates to a recorded state, as a client keeping a copy of the archive would."""
    rows = [dict(r) for r in state]
    for change in changes:
        stamp = to_ticks(change["timestamp"])
        if change["action"] == "Add" and change["previous_event_action"] == "PreviousEventDiscarded":
            newest = max(range(len(rows)), key=lambda i: (to_ticks(rows[i]["timestamp"]), i))
            del rows[newest]  # compression discarded the previous snapshot
        if stamp < start:
            continue
        value = {k: change[k] for k in ("timestamp", "value", "good", "questionable", "substituted", "annotated")}
        at = [i for i, r in enumerate(rows) if r["timestamp"] == change["timestamp"]]
        if change["action"] == "Add":
            position = next((i for i, r in enumerate(rows) if to_ticks(r["timestamp"]) > stamp), len(rows))
            rows.insert(position, value)
        elif change["action"] == "Update":
            assert len(at) == 1
            rows[at[0]] = value
        else:
            assert len(at) == 1
            del rows[at[0]]
    return rows


def test_replaying_updates_on_the_recorded_state_gives_the_later_recorded_state(changing) -> None:
    later = NOW + 4 * STEP
    for point in changing.archive.points():
        if point.point_type not in ("Float32", "Float64") or not 120 <= point.events_per_hour <= 3600:
            continue
        start = NOW - 5 * 60 * TICKS_PER_SECOND
        first = truth_at(changing, point.webid, start, later, NOW)
        last = truth_at(changing, point.webid, start, later, later)
        if any(len({r["timestamp"] for r in rows}) < len(rows) for rows in (first, last)):
            continue  # an instant holding several events: which one an Update or Delete hits would be ambiguous
        changes = changing.archive.changes(point.webid, NOW, later)
        kinds = {c["action"] for c in changes} | {c["previous_event_action"] for c in changes}
        if not {"Update", "Delete", "PreviousEventDiscarded"} <= kinds:
            continue
        replayed = _replay(first, changes, start)
        assert [(r["timestamp"], value_key(r["value"]), r["substituted"]) for r in replayed] == [
            (r["timestamp"], value_key(r["value"]), r["substituted"]) for r in last
        ]
        return
    raise AssertionError("no point to replay")
