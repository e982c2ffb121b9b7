"""Summaries over HTTP against the archive's ground truth: Count per window and per interval, event- and
time-weighted statistics, non-numeric points, defaults, descending intervals, errors and stream-set shapes."""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta

import pytest
import requests
from mock_helpers_pi import NOW, set_clock

from mock_server.pitime import format_ticks, to_ticks

HOUR = timedelta(hours=1)


def _get(url: str, params: list[tuple[str, str]] | dict[str, str]) -> requests.Response:
    return requests.get(url, params=params, timeout=60)


def _summary(mock, web_id: str, *types: str, **params: str) -> dict[str, dict]:
    """Type -> TimedValue of a one-interval summary of one stream."""
    answer = _get(f"{mock.url}/streams/{web_id}/summary", [("summaryType", t) for t in types] + list(params.items()))
    assert answer.status_code == 200, answer.text
    return {item["Type"]: item["Value"] for item in answer.json()["Items"]}


def _iso(moment: datetime) -> str:
    return format_ticks(to_ticks(moment))


def _point(mock, kind: str):
    points = mock.archive.points()
    if kind == "fastest":
        return max(points, key=lambda p: p.events_per_hour)
    if kind == "burst":
        return mock.archive.point_by_name("DIAG.BurstEvents.PV")
    if kind == "busy-float":  # enough events in a day for system states to occur
        return next(p for p in points if p.point_type == "Float32" and 300 <= p.events_per_hour <= 4000)
    return next(p for p in points if p.point_type == kind)


@pytest.mark.parametrize("kind", ["Float32", "Float64", "Int32", "Digital", "String", "burst", "fastest"])
def test_event_weighted_count_equals_the_recorded_events(mock, kind) -> None:
    point = _point(mock, kind)
    start = NOW - 6 * HOUR
    found = _summary(mock, point.webid, "Count", calculationBasis="EventWeighted", startTime=_iso(start))
    assert found["Count"]["Value"] == len(mock.archive.recorded(point.webid, start, NOW))
    assert found["Count"]["Good"] is True and found["Count"]["Timestamp"] == _iso(start)


def test_stream_set_hourly_counts_equal_the_recorded_events_of_each_hour(mock) -> None:
    points = [_point(mock, k) for k in ("Float32", "Digital", "String", "burst", "fastest")]
    params = [("webId", p.webid) for p in points] + [
        ("summaryType", "Count"),
        ("calculationBasis", "EventWeighted"),
        ("summaryDuration", "1h"),
        ("startTime", _iso(NOW - 4 * HOUR)),
        ("endTime", "*"),
    ]
    answer = _get(f"{mock.url}/streamsets/summary", params)
    assert answer.status_code == 200, answer.text
    items = answer.json()["Items"]
    assert [i["WebId"] for i in items] == [p.webid for p in points]  # request order: stream sets do not sort here
    for point, item in zip(points, items, strict=True):
        truth = mock.archive.recorded(point.webid, NOW - 4 * HOUR, NOW)
        starts = [NOW - (4 - h) * HOUR for h in range(4)]
        expected = [sum(1 for e in truth if s <= e["timestamp"] < s + HOUR) for s in starts]  # several: [start, end)
        assert [v["Value"]["Value"] for v in item["Items"]] == expected
        assert [v["Value"]["Timestamp"] for v in item["Items"]] == [_iso(s) for s in starts]


def test_event_weighted_statistics_match_the_good_recorded_values(mock) -> None:
    point = _point(mock, "busy-float")
    truth = mock.archive.recorded(point.webid, NOW - 24 * HOUR, NOW)
    good = [e for e in truth if e["good"]]
    values = [e["value"] for e in good]
    assert len(good) < len(truth), "the window should hold system states"
    found = _summary(mock, point.webid, "All", calculationBasis="EventWeighted")
    assert list(found) == [
        "Total",
        "Average",
        "Minimum",
        "Maximum",
        "Range",
        "StdDev",
        "PopulationStdDev",
        "Count",
        "PercentGood",
    ]
    approx = lambda x: pytest.approx(x, rel=1e-9)  # noqa: E731
    assert found["Total"]["Value"] == approx(sum(values))
    assert found["Average"]["Value"] == approx(statistics.fmean(values))
    assert found["StdDev"]["Value"] == approx(statistics.stdev(values))
    assert found["PopulationStdDev"]["Value"] == approx(statistics.pstdev(values))
    assert found["Range"]["Value"] == approx(max(values) - min(values))
    assert found["PercentGood"]["Value"] == approx(100 * len(good) / len(truth))
    assert found["PercentGood"]["UnitsAbbreviation"] == "%" and found["Average"]["UnitsAbbreviation"] == point.units
    lowest = min(good, key=lambda e: (e["value"], e["timestamp"]))
    assert found["Minimum"]["Value"] == lowest["value"]
    assert found["Minimum"]["Timestamp"].startswith(lowest["timestamp"].strftime("%Y-%m-%dT%H:%M:%S"))
    assert found["Maximum"]["Value"] == max(values)


def _time_weighted_average(mock, point, start: datetime, stepped: bool) -> float:
    """Independent time-weighted average from the ground truth: interpolate, hold after bad values, stop at now."""
    before = mock.archive.recorded(point.webid, start - 24 * HOUR, start - timedelta(microseconds=1))[-1:]
    events = before + mock.archive.recorded(point.webid, start, NOW)
    area = weight = 0.0
    for i, event in enumerate(events):
        if not event["good"]:
            continue
        t0, v0 = event["timestamp"], event["value"]
        following = events[i + 1] if i + 1 < len(events) else None
        t1 = following["timestamp"] if following else NOW
        v1 = following["value"] if following and following["good"] and not stepped else v0
        lo, hi = max(t0, start), t1
        if hi <= lo:
            continue
        span = (t1 - t0).total_seconds()

        def at(moment: datetime, t0=t0, v0=v0, v1=v1, span=span) -> float:
            return v0 + (v1 - v0) * ((moment - t0).total_seconds() / span if span else 0.0)

        seconds = (hi - lo).total_seconds()
        area += (at(lo) + at(hi)) / 2 * seconds
        weight += seconds
    return area / weight


@pytest.mark.parametrize(("kind", "stepped"), [("busy-float", False), ("Int32", True)])
def test_time_weighted_average_interpolates_between_events(mock, kind, stepped) -> None:
    point = _point(mock, kind)
    start = NOW - 3 * HOUR - timedelta(minutes=17)  # edges fall between events: values are interpolated there
    found = _summary(mock, point.webid, "Average", startTime=_iso(start))
    expected = _time_weighted_average(mock, point, start, stepped)
    assert found["Average"]["Value"] == pytest.approx(expected, rel=1e-6)  # truth keeps microseconds only


def test_time_weighted_count_and_percent_good_measure_good_time(mock) -> None:
    point = _point(mock, "busy-float")
    found = _summary(mock, point.webid, "Count", "PercentGood", startTime="*-2h", endTime="*+1h")
    good_seconds = found["Count"]["Value"]
    assert found["Count"]["UnitsAbbreviation"] == "s"
    assert good_seconds == pytest.approx(found["PercentGood"]["Value"] / 100 * 3 * 3600)
    assert 0.9 * 7200 < good_seconds <= 7200  # nothing is recorded after now


@pytest.mark.parametrize("kind", ["Digital", "String"])
def test_non_numeric_points_answer_count_and_flag_other_types(mock, kind) -> None:
    point = _point(mock, kind)
    found = _summary(mock, point.webid, "Average", "Count", "PercentGood", calculationBasis="EventWeighted")
    assert found["Count"]["Value"] == len(mock.archive.recorded(point.webid, NOW - 24 * HOUR, NOW))
    assert 0 < found["PercentGood"]["Value"] <= 100
    failed = found["Average"]
    assert failed["Good"] is False and failed["Value"]["Name"] == "Calc Failed" and failed["Value"]["IsSystem"]
    assert failed["Errors"][0]["FieldName"] == "Value" and "non-numeric" in failed["Errors"][0]["Message"][0]


def test_defaults_are_one_time_weighted_total_over_the_last_day(mock) -> None:
    point = _point(mock, "Float64")
    answer = _get(f"{mock.url}/streams/{point.webid}/summary", {}).json()
    (item,) = answer["Items"]
    assert item["Type"] == "Total" and item["Value"]["Timestamp"] == _iso(NOW - 24 * HOUR)
    average = _summary(mock, point.webid, "Average")["Average"]["Value"]
    assert item["Value"]["Value"] == pytest.approx(average * 1.0)  # per-day rate over one day, scaled for bad time


def test_descending_intervals_come_newest_first_and_take_their_most_recent_end(mock) -> None:
    point = _point(mock, "busy-float")
    params = {"startTime": "*", "endTime": "*-3h", "summaryDuration": "1h", "calculationBasis": "EventWeighted"}
    answer = _get(f"{mock.url}/streams/{point.webid}/summary", {**params, "summaryType": "Count"})
    items = answer.json()["Items"]
    truth = mock.archive.recorded(point.webid, NOW - 3 * HOUR, NOW)
    ends = [NOW - h * HOUR for h in range(3)]
    assert [i["Value"]["Timestamp"] for i in items] == [_iso(e) for e in ends]
    assert [i["Value"]["Value"] for i in items] == [
        sum(1 for e in truth if end - HOUR < e["timestamp"] <= end) for end in ends
    ]


@pytest.mark.parametrize(
    ("basis", "take_start", "take_end"),
    [
        ("EventWeighted", True, False),
        ("EventWeightedExcludeMostRecentEvent", True, False),
        ("EventWeightedExcludeEarliestEvent", False, True),
        ("EventWeightedIncludeBothEnds", True, True),
    ],
)
def test_event_weighted_variants_decide_who_takes_the_events_on_an_edge(mock, basis, take_start, take_end) -> None:
    point = _point(mock, "burst")  # 1,500 events at every full hour: the edges below
    params = {"startTime": "*-2h", "endTime": "*", "summaryDuration": "1h", "calculationBasis": basis}
    items = _get(f"{mock.url}/streams/{point.webid}/summary", {**params, "summaryType": "Count"}).json()["Items"]
    truth = [e["timestamp"] for e in mock.archive.recorded(point.webid, NOW - 2 * HOUR, NOW)]
    expected = [
        sum(1 for t in truth if (lo < t < lo + HOUR) or (take_start and t == lo) or (take_end and t == lo + HOUR))
        for lo in (NOW - 2 * HOUR, NOW - HOUR)
    ]
    assert [i["Value"]["Value"] for i in items] == expected
    assert truth.count(NOW - HOUR) == mock.settings.burst_size  # the shared edge really holds events


@pytest.mark.parametrize(
    ("params", "status", "names"),
    [
        ({"summaryType": "Median"}, 400, "summaryType"),
        ({"calculationBasis": "Weighted"}, 400, "calculationBasis"),
        ({"summaryDuration": "often"}, 400, "summaryDuration"),
        ({"timeType": "Noon"}, 400, "timeType"),
        ({"sampleType": "Sometimes"}, 400, "sampleType"),
        ({"startTime": "yesterday-ish"}, 400, "startTime"),
        ({"summaryDuration": "1s", "startTime": "*-3d"}, 400, "summaryDuration"),
        ({"filterExpression": "'.' > 0"}, 409, "filter expression"),
    ],
)
def test_bad_parameters_are_refused_naming_the_problem(mock, params, status, names) -> None:
    answer = _get(f"{mock.url}/streams/{_point(mock, 'Float32').webid}/summary", params)
    assert answer.status_code == status
    assert names in answer.json()["Errors"][0]


def test_selected_fields_keep_only_the_chosen_summary_fields(mock) -> None:
    point = _point(mock, "Float32")
    params = [
        ("webId", point.webid),
        ("summaryType", "Count"),
        ("selectedFields", "Items.WebId;Items.Items.Value.Value"),
    ]
    body = _get(f"{mock.url}/streamsets/summary", params).json()
    assert body == {"Items": [{"WebId": point.webid, "Items": [{"Value": {"Value": pytest.approx(86400, rel=0.05)}}]}]}


def test_unknown_webids_fail_alone_in_a_set_and_whole_on_a_stream(mock) -> None:
    point = _point(mock, "Float32")
    params = [("webId", "F1DPnope"), ("webId", point.webid), ("summaryType", "Count")]
    items = _get(f"{mock.url}/streamsets/summary", params).json()["Items"]
    assert items[0]["WebException"]["StatusCode"] == 404 and "Items" not in items[0]
    assert items[1]["Items"][0]["Type"] == "Count"
    assert _get(f"{mock.url}/streams/F1DPnope/summary", {}).status_code == 404


def test_batch_sub_requests_reach_the_summary_route(mock, http) -> None:
    point = _point(mock, "Int32")
    resource = f"{mock.url}/streamsets/summary?webId={point.webid}&summaryType=Count&calculationBasis=EventWeighted"
    answer = http.post(f"{mock.url}/batch", json={"c": {"Method": "GET", "Resource": resource}}, timeout=30)
    assert answer.status_code == 207
    content = answer.json()["c"]["Content"]
    assert content["Items"][0]["Items"][0]["Value"]["Value"] == len(
        mock.archive.recorded(point.webid, NOW - 24 * HOUR, NOW)
    )


def _frame_with_point_attribute(mock) -> tuple[dict, list[dict], dict]:
    """(closed frame, its summary items, the item of its PI point attribute)."""
    params = {"summaryType": "Count", "calculationBasis": "EventWeighted"}
    for frame in mock.archive.event_frames(NOW - 24 * HOUR, NOW - 4 * HOUR):
        if frame["end"] is None or frame["end"] >= NOW:
            continue
        items = _get(f"{mock.url}/streamsets/{frame['webid']}/summary", params).json()["Items"]
        for item in items:
            attribute = requests.get(item["Links"]["Source"], timeout=10).json()
            if "Point" in attribute["Links"]:
                return frame, items, dict(item, point_webid=attribute["Links"]["Point"].rsplit("/", 1)[1])
    raise AssertionError("no closed event frame with a PI point attribute")


def test_event_frame_attributes_default_to_the_frame_time_range(mock) -> None:
    frame, items, point_item = _frame_with_point_attribute(mock)
    (count,) = point_item["Items"]
    assert count["Value"]["Timestamp"].startswith(_iso(frame["start"])[:-1])  # the truth keeps microseconds
    truth = mock.archive.recorded(point_item["point_webid"], frame["start"], frame["end"])
    assert count["Value"]["Value"] == len(truth)
    static_counts = [i["Items"][0]["Value"]["Value"] for i in items if i["WebId"] != point_item["WebId"]]
    assert static_counts and set(static_counts) == {0}  # a static value is no recorded event


def test_late_events_are_counted_once_they_arrive(fresh) -> None:
    point = max(fresh.archive.points(), key=lambda p: p.events_per_hour)
    start, end = NOW - timedelta(minutes=20), NOW
    params = {
        "summaryType": "Count",
        "calculationBasis": "EventWeighted",
        "startTime": _iso(start),
        "endTime": _iso(end),
    }
    early = _summary(fresh, point.webid, **params)["Count"]["Value"]
    assert early == len(fresh.archive.recorded(point.webid, start, end))
    set_clock(fresh, advance_seconds=900)
    later = _summary(fresh, point.webid, **params)["Count"]["Value"]
    assert later == len(fresh.archive.recorded(point.webid, start, end)) > early


def test_a_day_of_a_ten_hertz_point_is_counted_without_serialising_it(mock) -> None:
    point = _point(mock, "fastest")
    began = time.perf_counter()
    found = _summary(mock, point.webid, "Count", calculationBasis="EventWeighted")
    assert found["Count"]["Value"] > 800_000
    assert time.perf_counter() - began < 5.0  # a recorded read of these events takes tens of seconds
