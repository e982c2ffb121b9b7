"""Interpolated, plot, boundaries, point WebId types, the admin clock and the test helper itself."""

from __future__ import annotations

import socket

import pytest
import requests
from mock_helpers_pi import FROZEN

from mock_server import MockSettings
from mock_server.pitime import parse_iso
from mock_server.testing import running_mock


def _analog(mock):
    return next(p for p in mock.archive.points() if p.point_type == "Float64" and p.events_per_hour >= 60)


def test_interpolated_returns_one_value_per_interval_between_neighbours(mock, http) -> None:
    point = _analog(mock)
    items = http.get(
        f"{mock.url}/streams/{point.webid}/interpolated",
        params={"startTime": "*-2h", "endTime": "*", "interval": "30m"},
        timeout=10,
    ).json()["Items"]
    assert [v["Timestamp"] for v in items] == [
        f"2026-11-01T{h}Z" for h in ("10:00:00", "10:30:00", "11:00:00", "11:30:00", "12:00:00")
    ]
    recorded = http.get(
        f"{mock.url}/streams/{point.webid}/recorded", params={"startTime": "*-3h", "maxCount": 100000}, timeout=10
    ).json()["Items"]
    at = parse_iso(items[1]["Timestamp"])
    before = [v["Value"] for v in recorded if parse_iso(v["Timestamp"]) <= at and v["Good"]][-1]
    after = next(v["Value"] for v in recorded if parse_iso(v["Timestamp"]) > at and v["Good"])
    assert min(before, after) - 1e-6 <= items[1]["Value"] <= max(before, after) + 1e-6


def test_bad_interval_is_a_400(mock, http) -> None:
    answer = http.get(f"{mock.url}/streams/{_analog(mock).webid}/interpolated", params={"interval": "soon"}, timeout=10)
    assert answer.status_code == 400 and "interval" in answer.json()["Errors"][0]


def test_plot_keeps_extremes_of_each_interval(mock, http) -> None:
    point = _analog(mock)
    plot = http.get(
        f"{mock.url}/streams/{point.webid}/plot", params={"startTime": "*-2h", "intervals": 4}, timeout=10
    ).json()
    recorded = http.get(
        f"{mock.url}/streams/{point.webid}/recorded", params={"startTime": "*-2h", "maxCount": 100000}, timeout=10
    ).json()["Items"]
    numbers = [v["Value"] for v in recorded if v["Good"]]
    assert len(plot["Items"]) < len(recorded)
    assert max(numbers) in [v["Value"] for v in plot["Items"]] and min(numbers) in [v["Value"] for v in plot["Items"]]


def test_outside_boundary_adds_the_neighbouring_events(mock, http) -> None:
    point = _analog(mock)
    params = {"startTime": "2026-11-01T11:00:00.5Z", "endTime": "2026-11-01T11:30:00.5Z", "maxCount": 100000}
    inside = http.get(f"{mock.url}/streams/{point.webid}/recorded", params=params, timeout=10).json()["Items"]
    outside = http.get(
        f"{mock.url}/streams/{point.webid}/recorded", params=dict(params, boundaryType="Outside"), timeout=10
    ).json()["Items"]
    assert outside[1:-1] == inside
    assert (
        parse_iso(outside[0]["Timestamp"])
        < parse_iso(params["startTime"])
        < parse_iso(params["endTime"])
        < parse_iso(outside[-1]["Timestamp"])
    )


@pytest.mark.parametrize("id_type", ["IDOnly", "PathOnly"])
def test_point_web_id_types_resolve_to_the_same_point(mock, http, id_type) -> None:
    point = mock.archive.points()[9]
    other = http.get(f"{mock.url}/points/{point.webid}", params={"webIdType": id_type}, timeout=10).json()
    assert other["WebId"].startswith(id_type[0] + "1DP")
    assert http.get(f"{mock.url}/points/{other['WebId']}", timeout=10).json()["Name"] == point.name


def test_admin_clock_refuses_ambiguous_changes(fresh) -> None:
    answer = requests.post(f"{fresh.root}/admin/clock", json={"set": FROZEN, "advance_seconds": 5}, timeout=10)
    assert answer.status_code == 400
    assert requests.post(f"{fresh.root}/admin/clock", json={"set": "tomorrow"}, timeout=10).status_code == 400


def test_admin_clock_can_follow_the_wall_clock(fresh) -> None:
    answer = requests.post(f"{fresh.root}/admin/clock", json={"mode": "wall"}, timeout=10).json()
    assert answer["mode"] == "wall" and answer["now"] > "2026-11-22"


def test_running_mock_releases_its_port() -> None:
    with running_mock(MockSettings(tags=20, clock=FROZEN)) as mock:
        port = int(mock.root.rsplit(":", 1)[1])
        assert requests.get(f"{mock.url}/", timeout=10).status_code == 200
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_ground_truth_refuses_an_unknown_webid(mock) -> None:
    with pytest.raises(KeyError, match="no point"):
        mock.archive.recorded("F1DPnope", mock.archive.now(), mock.archive.now())


def test_keep_alive_requests_are_not_delayed_by_nagle(mock) -> None:
    import time

    with requests.Session() as session:
        session.get(f"{mock.url}/", timeout=10)
        began = time.monotonic()
        for _ in range(40):
            session.get(f"{mock.url}/", timeout=10)
        assert time.monotonic() - began < 1.2  # 40 ms delayed ACKs would make this 1.6 s or more
