"""Odd values real archives hold: PI error objects, nulls, NaN and infinities (two spellings), Int64 attributes."""

from __future__ import annotations

import math
from collections.abc import Iterator

import orjson
import pytest
import requests
from mock_helpers_pi import (
    FROZEN,
    loads,
    put_behaviours,
    recorded_items,
    served_rows,
    truth_at,
    truth_rows,
)

from mock_server import MockSettings
from mock_server.changes import ERROR_OBJECTS
from mock_server.pitime import TICKS_PER_HOUR, parse_iso
from mock_server.testing import RunningMock, running_mock

NOW = parse_iso(FROZEN)
WINDOW = (NOW - 2 * TICKS_PER_HOUR, NOW)


@pytest.fixture()
def odd() -> Iterator[RunningMock]:
    settings = MockSettings(
        tags=120,
        seed=5,
        clock=FROZEN,
        require_csrf=False,
        error_value_fraction=0.1,
        null_value_fraction=0.1,
        nonfinite_fraction=0.15,
    )
    with running_mock(settings) as running:
        yield running


def _float_point(running: RunningMock):
    return next(
        p for p in running.archive.points() if p.point_type in ("Float32", "Float64") and p.events_per_hour >= 360
    )


def _served_matches_truth(running: RunningMock, webid: str) -> list[dict]:
    served = recorded_items(running, webid, *WINDOW)
    assert served_rows(served) == truth_rows(truth_at(running, webid, *WINDOW, NOW))
    return served


def test_error_objects_are_bad_values_in_served_data_and_truth(odd) -> None:
    point = _float_point(odd)
    served = _served_matches_truth(odd, point.webid)
    errors = [i for i in served if isinstance(i["Value"], dict) and "Errors" in i["Value"]]
    assert errors and all(not i["Good"] and i["UnitsAbbreviation"] == "" for i in errors)
    assert {tuple(i["Value"]["Errors"]) for i in errors} == {tuple(e["Errors"]) for e in ERROR_OBJECTS}
    truth = truth_at(odd, point.webid, *WINDOW, NOW)
    assert [r["value"] for r in truth if isinstance(r["value"], dict) and "Errors" in r["value"]] == [
        i["Value"] for i in errors
    ]


def test_two_different_error_objects_share_one_instant(odd) -> None:
    def pairs():
        for point in odd.archive.points():
            if 360 <= point.events_per_hour <= 3600:
                truth = truth_at(odd, point.webid, NOW - 6 * TICKS_PER_HOUR, NOW, NOW)
                for a, b in zip(truth, truth[1:], strict=False):
                    if a["timestamp"] == b["timestamp"] and isinstance(a["value"], dict) and a["value"] != b["value"]:
                        if "Errors" in a["value"] and isinstance(b["value"], dict) and "Errors" in b["value"]:
                            yield point, a, b

    point, a, b = next(pairs())
    start = parse_iso(a["timestamp"].isoformat())
    served = [i for i in recorded_items(odd, point.webid, start, start + 10) if isinstance(i["Value"], dict)]
    assert [i["Value"] for i in served[:2]] == [a["value"], b["value"]] and not any(i["Good"] for i in served[:2])


def test_null_values_are_served_and_true(odd) -> None:
    point = _float_point(odd)
    served = _served_matches_truth(odd, point.webid)
    nulls = [i for i in served if i["Value"] is None]
    assert nulls and all(i["Good"] is False for i in nulls)
    assert sum(r["value"] is None for r in truth_at(odd, point.webid, *WINDOW, NOW)) == len(nulls)


def test_nan_and_infinities_are_strings_by_default(odd) -> None:
    point = _float_point(odd)
    answer = requests.get(
        f"{odd.url}/streams/{point.webid}/recorded",
        params={"startTime": "*-2h", "endTime": "*", "maxCount": 100_000},
        timeout=30,
    )
    for text in (b'"Value":"NaN"', b'"Value":"Infinity"', b'"Value":"-Infinity"'):
        assert text in answer.content
    orjson.loads(answer.content)  # plain JSON
    truth = truth_at(odd, point.webid, *WINDOW, NOW)
    assert any(isinstance(r["value"], float) and math.isnan(r["value"]) for r in truth)
    assert {r["value"] for r in truth if r["value"] in (math.inf, -math.inf)} == {math.inf, -math.inf}
    _served_matches_truth(odd, point.webid)


def test_nan_format_symbol_writes_bare_tokens_everywhere(odd) -> None:
    point = _float_point(odd)
    assert put_behaviours(odd, nan_format="symbol").status_code == 200
    answer = requests.get(
        f"{odd.url}/streams/{point.webid}/recorded",
        params={"startTime": "*-2h", "endTime": "*", "maxCount": 100_000},
        timeout=30,
    )
    for text in (b'"Value":NaN', b'"Value":Infinity', b'"Value":-Infinity'):
        assert text in answer.content
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(answer.content)  # strict parsers refuse them: that is the point of the switch
    _served_matches_truth(odd, point.webid)
    nan_at = next(i for i in loads(answer.content)["Items"] if isinstance(i["Value"], float) and math.isnan(i["Value"]))
    at = nan_at["Timestamp"]
    value = requests.get(f"{odd.url}/streams/{point.webid}/value", params={"time": at}, timeout=10)
    stream_set = requests.get(
        f"{odd.url}/streamsets/recorded", params={"webId": point.webid, "startTime": at, "endTime": at}, timeout=10
    )
    batch = requests.post(
        f"{odd.url}/batch",
        json={"1": {"Method": "GET", "Resource": f"streams/{point.webid}/recorded?startTime={at}&endTime={at}"}},
        timeout=10,
    )
    for body in (value.content, stream_set.content, batch.content):
        assert b'"Value":NaN' in body
    assert put_behaviours(odd, nan_format="string").status_code == 200
    again = requests.get(f"{odd.url}/streams/{point.webid}/value", params={"time": at}, timeout=10)
    assert orjson.loads(again.content)["Value"] == "NaN"


@pytest.mark.parametrize("share", [1.0, 0.0])
def test_int64_event_frame_attributes_are_exact_integers_above_2_53(share) -> None:
    settings = MockSettings(tags=120, seed=5, clock=FROZEN, int64_frame_fraction=share)
    with running_mock(settings) as running:
        archive = running.archive
        now = archive.now()
        frames = archive.event_frames(now.replace(hour=0), now)
        frame = frames[0]
        attributes = requests.get(f"{running.url}/eventframes/{frame['webid']}/attributes", timeout=10).json()
        int64 = [a for a in attributes["Items"] if a["Type"] == "Int64"]
        if share == 0:
            assert not int64 and all("SequenceNumber" not in f["attributes"] for f in frames)
            return
        assert all(f["attributes"]["SequenceNumber"] > 2**53 for f in frames)
        assert [a["Name"] for a in int64] == ["SequenceNumber"]
        value = requests.get(f"{running.url}/streams/{int64[0]['WebId']}/value", timeout=10)
        expected = frame["attributes"]["SequenceNumber"]
        assert f'"Value":{expected},'.encode() in value.content  # an exact JSON integer, no float rounding
        assert value.json()["Value"] == expected and float(expected) != expected
        values = requests.get(f"{running.url}/streamsets/{frame['webid']}/value", timeout=10).json()
        assert expected in [i["Value"]["Value"] for i in values["Items"]]
