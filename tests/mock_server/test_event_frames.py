"""Event frames: search modes and filters, open frames closing as the clock advances, alarms, attributes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from mock_helpers_pi import put_behaviours, set_clock

OPEN = "9999-12-31T23:59:59Z"


def _frames_url(running) -> str:
    server = requests.get(f"{running.url}/assetservers", timeout=10).json()["Items"][0]
    return requests.get(server["Links"]["Databases"], timeout=10).json()["Items"][0]["Links"]["EventFrames"]


@pytest.fixture(scope="module")
def frames_url(mock) -> str:
    return _frames_url(mock)


def _search(url: str, **params) -> list[dict]:
    answer = requests.get(url, params=params, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["Items"]


def test_default_search_covers_the_last_eight_hours(frames_url) -> None:
    default = {f["WebId"] for f in _search(frames_url)}
    explicit = {f["WebId"] for f in _search(frames_url, startTime="*-8h", endTime="*", searchMode="Overlapped")}
    day = {f["WebId"] for f in _search(frames_url, startTime="*-1d")}
    assert default == explicit and default < day


def test_all_three_templates_occur_and_some_frames_are_open(frames_url) -> None:
    frames = _search(frames_url, startTime="*-1d")
    assert {f["TemplateName"] for f in frames} == {"Batch", "Downtime", "Alarm"}
    open_share = sum(f["EndTime"] == OPEN for f in frames) / len(frames)
    assert 0.02 < open_share < 0.35


@pytest.mark.parametrize("mode", ["Inclusive", "StartInclusive", "EndInclusive", "InProgress"])
def test_search_modes_return_subsets_of_overlapped(frames_url, mode) -> None:
    window = {"startTime": "*-6h", "endTime": "*-1h"}
    overlapped = {f["WebId"] for f in _search(frames_url, searchMode="Overlapped", **window)}
    subset = _search(frames_url, searchMode=mode, **window)
    assert {f["WebId"] for f in subset} <= overlapped
    if mode == "Inclusive":
        assert all(f["EndTime"] != OPEN for f in subset)


def test_in_progress_frames_are_open(frames_url) -> None:
    frames = _search(frames_url, searchMode="InProgress", startTime="*-1d")
    assert frames and all(f["EndTime"] == OPEN for f in frames)


def test_unknown_search_mode_is_a_400(frames_url) -> None:
    assert requests.get(frames_url, params={"searchMode": "Sideways"}, timeout=10).status_code == 400


def test_filters_by_template_severity_and_acknowledgement(frames_url) -> None:
    alarms = _search(frames_url, startTime="*-1d", templateName="Alarm")
    critical = _search(frames_url, startTime="*-2d", templateName="Alarm", severity=["Major", "Critical"])
    unacked = _search(frames_url, startTime="*-1d", templateName="Alarm", isAcknowledged="false")
    assert alarms and all(a["CanBeAcknowledged"] for a in alarms)
    assert critical and {a["Severity"] for a in critical} <= {"Major", "Critical"}
    assert unacked and not any(a["IsAcknowledged"] for a in unacked)


def test_referenced_element_name_filter(frames_url) -> None:
    frames = _search(frames_url, startTime="*-1d", referencedElementNameFilter="P-*")
    for frame in frames[:5]:
        element = requests.get(frame["Links"]["ReferencedElements"], timeout=10).json()["Items"][0]
        assert element["Name"].startswith("P-")


def test_open_frame_closes_as_the_clock_advances(fresh) -> None:
    url = _frames_url(fresh)
    open_frame = next(f for f in _search(url, searchMode="InProgress", startTime="*-1d"))
    set_clock(fresh, advance_seconds=2 * 86400)
    closed = requests.get(open_frame["Links"]["Self"], timeout=10).json()
    assert closed["EndTime"] != OPEN and closed["EndTime"] > open_frame["StartTime"]


def test_frame_attributes_and_recorded_data_default_to_the_frame_range(frames_url) -> None:
    frame = next(f for f in _search(frames_url, startTime="*-1d", templateName="Batch") if f["EndTime"] != OPEN)
    names = {a["Name"] for a in requests.get(frame["Links"]["Attributes"], timeout=10).json()["Items"]}
    assert {"Product", "BatchID", "Process Value"} <= names
    data = requests.get(frame["Links"]["RecordedData"], params={"nameFilter": "Process Value"}, timeout=10).json()[
        "Items"
    ][0]
    stamps = [v["Timestamp"] for v in data["Items"]]
    assert stamps and frame["StartTime"] <= stamps[0] and stamps[-1] <= frame["EndTime"]


def test_point_attribute_value_reads_at_the_frame_end_once_closed_and_at_the_snapshot_while_open(fresh) -> None:
    """PI Web API: a value read without `time` takes the owner's time context (an event frame's time range)."""
    url = _frames_url(fresh)
    frames = _search(url, startTime="*-1d", templateName="Batch")
    closed = next(f for f in frames if f["EndTime"] != OPEN)
    running = next(f for f in frames if f["EndTime"] == OPEN)

    def point_value(frame: dict) -> dict:
        values = requests.get(frame["Links"]["Value"], params={"nameFilter": "Process Value"}, timeout=10).json()
        return values["Items"][0]["Value"]

    before = point_value(closed)
    assert before["Timestamp"] <= closed["EndTime"]
    open_before = point_value(running)
    set_clock(fresh, advance_seconds=600)
    assert point_value(closed) == before  # the archive did not change at the frame's end: neither does the value
    assert point_value(running)["Timestamp"] > open_before["Timestamp"]


def test_element_event_frames_reference_that_element(mock, frames_url) -> None:
    frame = _search(frames_url, startTime="*-1d", templateName="Downtime")[0]
    element = requests.get(frame["Links"]["PrimaryReferencedElement"], timeout=10).json()
    found = _search(element["Links"]["EventFrames"], startTime="*-1d")
    assert frame["WebId"] in {f["WebId"] for f in found}
    assert all(f["RefElementWebIds"] == [element["WebId"]] for f in found)


def test_ground_truth_event_frames_match_the_search(mock, frames_url) -> None:
    from datetime import timedelta

    now = mock.archive.now()
    truth = mock.archive.event_frames(now - timedelta(days=1), now)
    served = _search(frames_url, startTime="*-1d", maxCount=5000)
    assert [t["webid"] for t in truth] == [f["WebId"] for f in served]
    assert [t["end"] is None for t in truth] == [f["EndTime"] == OPEN for f in served]


def test_deleted_frames_leave_searches_and_answer_404_by_id(fresh) -> None:
    url = _frames_url(fresh)
    before = {f["WebId"]: f for f in _search(url, startTime="*-2d")}
    answer = put_behaviours(fresh, frame_delete_fraction=0.3, frame_delete_delay=[60.0, 3600.0])
    assert answer.status_code == 200, answer.text
    set_clock(fresh, advance_seconds=7200)  # every deleted frame that had started is gone by now
    after = {f["WebId"] for f in _search(url, startTime="*-50h")}
    deleted = set(before) - after
    assert 0.15 * len(before) < len(deleted) < 0.45 * len(before)
    truth = {
        f["webid"] for f in fresh.archive.event_frames(fresh.archive.now() - timedelta(days=3), fresh.archive.now())
    }
    assert after == truth & after and not deleted & truth
    for webid in sorted(deleted)[:3]:
        assert requests.get(before[webid]["Links"]["Self"], timeout=10).status_code == 404
    kept = next(iter(after & set(before)))
    assert requests.get(before[kept]["Links"]["Self"], timeout=10).status_code == 200
