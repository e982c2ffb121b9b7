"""Same seed and size give the same answers; PI time syntax is understood; malformed times are a 400."""

from __future__ import annotations

import pytest
import requests
from mock_helpers_pi import FROZEN

from mock_server import MockSettings
from mock_server.pitime import PITimeError, format_ticks, parse_iso, parse_pi_time
from mock_server.testing import running_mock

NOW = parse_iso(FROZEN)


def _snapshot(mock) -> list[bytes]:
    points = mock.archive.points()[:5]
    urls = [
        f"{mock.url}/dataservers",
        f"{mock.url}/streamsets/recorded?startTime=*-3h&maxCount=500&" + "&".join(f"webId={p.webid}" for p in points),
    ]
    root = requests.get(f"{mock.url}/assetservers", timeout=10).json()["Items"][0]["Links"]["Databases"]
    urls.append(requests.get(root, timeout=10).json()["Items"][0]["Links"]["Elements"] + "?searchFullHierarchy=true")
    return [requests.get(u, timeout=10).content.replace(mock.root.encode(), b"ROOT") for u in urls]


def test_same_seed_gives_byte_identical_answers() -> None:
    settings = MockSettings(tags=150, seed=21, clock=FROZEN)
    with running_mock(settings) as first:
        one = _snapshot(first)
    with running_mock(settings) as second:
        two = _snapshot(second)
    assert one == two


def test_another_seed_gives_other_ids_and_values() -> None:
    with (
        running_mock(MockSettings(tags=150, seed=1, clock=FROZEN)) as a,
        running_mock(MockSettings(tags=150, seed=2, clock=FROZEN)) as b,
    ):
        assert a.archive.points()[0].webid != b.archive.points()[0].webid


def test_same_query_at_the_same_server_time_gives_the_same_answer(mock) -> None:
    url = f"{mock.url}/streams/{mock.archive.points()[7].webid}/recorded?startTime=*-2h"
    assert requests.get(url, timeout=10).content == requests.get(url, timeout=10).content


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("*", "2026-11-01T12:00:00Z"),
        ("*-1h", "2026-11-01T11:00:00Z"),
        ("*+30m", "2026-11-01T12:30:00Z"),
        ("t", "2026-11-01T00:00:00Z"),
        ("y", "2026-10-31T00:00:00Z"),
        ("t+8h", "2026-11-01T08:00:00Z"),
        ("today", "2026-11-01T00:00:00Z"),
        ("-2d", "2026-10-30T12:00:00Z"),
        ("*-1d-6h", "2026-10-31T06:00:00Z"),
        ("2026-10-01T05:06:07.1234567Z", "2026-10-01T05:06:07.1234567Z"),
        ("2026-10-01T07:06:07+02:00", "2026-10-01T05:06:07Z"),
    ],
)
def test_pi_time_syntax(text, expected) -> None:
    assert format_ticks(parse_pi_time(text, NOW)) == expected


@pytest.mark.parametrize("text", ["", "yesterday-ish", "*-1fortnight", "2026-13-01T00:00:00Z", "noon"])
def test_malformed_times_are_refused(text) -> None:
    with pytest.raises(PITimeError):
        parse_pi_time(text, NOW)


def test_relative_and_absolute_times_select_the_same_values(mock) -> None:
    web_id = mock.archive.points()[2].webid
    relative = requests.get(f"{mock.url}/streams/{web_id}/recorded?startTime=*-90m&endTime=*-30m", timeout=10).json()
    absolute = requests.get(
        f"{mock.url}/streams/{web_id}/recorded",
        params={"startTime": "2026-11-01T10:30:00Z", "endTime": "2026-11-01T11:30:00Z"},
        timeout=10,
    ).json()
    assert relative == absolute and relative["Items"]


def test_malformed_start_time_is_a_400_naming_the_parameter(mock) -> None:
    answer = requests.get(f"{mock.url}/streams/{mock.archive.points()[0].webid}/recorded?startTime=*-1x", timeout=10)
    assert answer.status_code == 400
    assert "startTime" in answer.json()["Errors"][0]


def test_unknown_webid_is_a_404_in_the_errors_shape(mock) -> None:
    answer = requests.get(f"{mock.url}/points/F1DPdoesnotexist", timeout=10)
    assert answer.status_code == 404 and set(answer.json()) == {"Errors"}


def test_unknown_route_is_a_404_not_a_stack_trace(mock) -> None:
    answer = requests.get(f"{mock.url}/no/such/route", timeout=10)
    assert answer.status_code == 404 and "Traceback" not in answer.text
