"""Values come in every shape PI serves: types, digital and system states, quality flags, 7-digit timestamps."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import requests


@pytest.fixture(scope="module")
def day(mock) -> dict[str, list[dict]]:
    """One day of recorded values of the first 120 points, by point type."""
    by_type: dict[str, list[dict]] = {}
    points = mock.archive.points()[:120]
    for start in range(0, len(points), 30):
        batch = points[start : start + 30]
        params = [("webId", p.webid) for p in batch] + [("startTime", "*-1d"), ("maxCount", "5000")]
        for point, item in zip(
            batch,
            requests.get(f"{mock.url}/streamsets/recorded", params=params, timeout=30).json()["Items"],
            strict=True,
        ):
            by_type.setdefault(point.point_type, []).extend(item["Items"])
    return by_type


def test_every_point_type_is_served(day) -> None:
    assert set(day) >= {"Float32", "Float64", "Int32", "String", "Digital"}


def test_digital_values_are_state_objects(day) -> None:
    good = [v["Value"] for v in day["Digital"] if v["Good"]]
    assert good and all(set(v) == {"Name", "Value", "IsSystem"} and v["IsSystem"] is False for v in good)


def test_system_states_come_with_good_false(day) -> None:
    bad = [v for values in day.values() for v in values if not v["Good"]]
    assert bad and all(v["Value"]["IsSystem"] is True for v in bad)
    assert {v["Value"]["Name"] for v in bad} & {"I/O Timeout", "Shutdown", "Bad Input", "Pt Created"}


def test_quality_flags_all_occur(day) -> None:
    counts = Counter(
        flag
        for values in day.values()
        for v in values
        for flag in ("Questionable", "Substituted", "Annotated")
        if v[flag]
    )
    assert counts["Questionable"] and counts["Substituted"] and counts["Annotated"]


def test_subsecond_timestamps_print_seven_fractional_digits(day) -> None:
    stamps = [v["Timestamp"] for values in day.values() for v in values]
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z", s) for s in stamps)
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", s) for s in stamps)


def test_rates_range_from_hourly_to_ten_per_second(mock) -> None:
    rates = {p.events_per_hour for p in mock.archive.points()}
    assert min(rates) <= 1 and max(rates) >= 36_000


def test_ground_truth_truncates_the_seventh_digit(mock) -> None:
    for point in mock.archive.points()[:50]:
        for text, event in zip(
            (
                v["Timestamp"]
                for v in requests.get(f"{mock.url}/streams/{point.webid}/recorded?startTime=*-1h", timeout=10).json()[
                    "Items"
                ]
            ),
            mock.archive.recorded(point.webid, *_hour(mock)),
            strict=False,
        ):
            if len(text) == 28:
                assert event["timestamp"].microsecond == int(text[20:26])
                return
    raise AssertionError("no 7-digit timestamp found")


def _hour(mock):
    from datetime import timedelta

    now = mock.archive.now()
    return now - timedelta(hours=1), now


def test_end_and_value_return_the_latest_visible_event(mock) -> None:
    point = mock.archive.points()[5]
    end = requests.get(f"{mock.url}/streams/{point.webid}/end", timeout=10).json()
    truth = mock.archive.recorded(point.webid, *_hour(mock))[-1]
    assert end["Value"] == truth["value"]
