"""Points that cannot be read (security denial 500, conflict 409), points deleted at a server time (404), and
routes a misconfigured proxy answers 404: direct calls, batch sub-requests, stream-set items and ground truth."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests
from mock_helpers_pi import FROZEN, NOW, put_behaviours, set_clock

from mock_server import MockSettings
from mock_server.testing import RunningMock, running_mock

DATA_CALLS = ("recorded", "interpolated", "plot", "value", "end", "summary")


@pytest.fixture()
def plain() -> Iterator[RunningMock]:
    with running_mock(MockSettings(tags=120, seed=5, clock=FROZEN, require_csrf=False)) as running:
        yield running


def _referenced(running: RunningMock, count: int = 3):
    return [p for p in running.archive.points() if p.referenced][:count]


def _batch(running: RunningMock, resources: list[str]) -> dict:
    answer = requests.post(
        f"{running.url}/batch",
        json={str(i): {"Method": "GET", "Resource": r} for i, r in enumerate(resources)},
        timeout=30,
    )
    assert answer.status_code == 207
    return answer.json()


@pytest.mark.parametrize(
    ("field", "status", "state"), [("denied_points", 500, "denied"), ("conflict_points", 409, "conflict")]
)
def test_unreadable_points_fail_every_data_call(plain, field, status, state) -> None:
    bad, good = _referenced(plain, 2)
    before = plain.archive.recorded(bad.webid, NOW - timedelta(hours=1), NOW)
    assert before and plain.archive.point_status(bad.webid) == "ok"
    assert put_behaviours(plain, **{field: [bad.name]}).status_code == 200

    for call in DATA_CALLS:
        answer = requests.get(f"{plain.url}/streams/{bad.webid}/{call}", timeout=10)
        assert answer.status_code == status and answer.json()["Errors"], call
    if status == 500:
        assert requests.get(f"{plain.url}/streams/{bad.webid}/recorded", timeout=10).json() == {
            "Errors": ["[-10400] No Read Access - Secure Object"]
        }
    assert requests.get(f"{plain.url}/points/{bad.webid}", timeout=10).status_code == 200  # metadata stays readable
    assert requests.get(f"{plain.url}/streams/{good.webid}/recorded", timeout=10).status_code == 200

    batch = _batch(plain, [f"streams/{bad.webid}/recorded", f"streams/{good.webid}/recorded"])
    assert batch["0"]["Status"] == status and batch["0"]["Content"]["Errors"] and batch["1"]["Status"] == 200

    for call in ("recorded", "value", "end", "summary"):
        items = requests.get(
            f"{plain.url}/streamsets/{call}", params=[("webId", bad.webid), ("webId", good.webid)], timeout=10
        ).json()["Items"]
        assert items[0]["WebException"]["StatusCode"] == status and "WebException" not in items[1], call

    element = next(e for e in plain.archive.elements() if bad.webid in e.point_webids)
    items = requests.get(f"{plain.url}/streamsets/{element.webid}/recorded", timeout=10).json()["Items"]
    assert [i["WebException"]["StatusCode"] for i in items if "WebException" in i] == [status]

    assert plain.archive.point_status(bad.webid) == state
    assert plain.archive.recorded(bad.webid, NOW - timedelta(hours=1), NOW) == []
    assert put_behaviours(plain, **{field: []}).status_code == 200
    assert plain.archive.recorded(bad.webid, NOW - timedelta(hours=1), NOW) == before


def test_a_point_deleted_at_a_server_time_answers_404_from_then_on(plain) -> None:
    gone, kept = _referenced(plain, 2)
    when = "2026-11-01T13:00:00Z"
    assert put_behaviours(plain, vanished_points=[gone.webid], vanish_at=when).status_code == 200
    window = (NOW - timedelta(hours=1), NOW)
    truth_before = plain.archive.recorded(gone.webid, *window)
    assert truth_before and plain.archive.point_status(gone.webid) == "ok"
    assert requests.get(f"{plain.url}/streams/{gone.webid}/recorded", timeout=10).status_code == 200
    assert requests.get(f"{plain.url}/points/{gone.webid}", timeout=10).status_code == 200

    set_clock(plain, set=when)
    for url in (
        f"{plain.url}/streams/{gone.webid}/recorded",
        f"{plain.url}/streams/{gone.webid}/value",
        f"{plain.url}/points/{gone.webid}",
        f"{plain.url}/points?path={gone.path}",
    ):
        answer = requests.get(url, timeout=10)
        assert answer.status_code == 404 and answer.json()["Errors"], url
    batch = _batch(plain, [f"streams/{gone.webid}/recorded", f"streams/{kept.webid}/recorded"])
    assert batch["0"]["Status"] == 404 and batch["1"]["Status"] == 200
    items = requests.get(
        f"{plain.url}/streamsets/recorded", params=[("webId", gone.webid), ("webId", kept.webid)], timeout=10
    ).json()["Items"]
    assert items[0]["WebException"]["StatusCode"] == 404 and "WebException" not in items[1]
    server = requests.get(f"{plain.url}/dataservers", timeout=10).json()["Items"][0]
    listed = requests.get(server["Links"]["Points"], params={"maxCount": 1000}, timeout=10).json()["Items"]
    assert gone.webid not in {p["WebId"] for p in listed} and kept.webid in {p["WebId"] for p in listed}

    assert plain.archive.point_status(gone.webid) == "vanished"
    assert plain.archive.recorded(gone.webid, *window) == []
    assert plain.archive.recorded(gone.webid, *window, as_of=NOW) == truth_before  # the past is kept


def test_a_vanished_points_registration_gets_the_signup_removed_exception(plain) -> None:
    gone, kept = _referenced(plain, 2)
    headers = {"X-Requested-With": "XmlHttpRequest"}
    registered = requests.post(
        f"{plain.url}/streamsets/updates",
        params=[("webId", gone.webid), ("webId", kept.webid)],
        headers=headers,
        timeout=10,
    ).json()["Items"]
    markers = [i["LatestMarker"] for i in registered]
    assert put_behaviours(plain, vanished_points=[gone.name], vanish_at="2026-11-01T12:01:00Z").status_code == 200
    set_clock(plain, set="2026-11-01T12:02:00Z")
    items = requests.get(f"{plain.url}/streamsets/updates", params=[("marker", m) for m in markers], timeout=10).json()[
        "Items"
    ]
    assert items[0]["Exception"] == {"Errors": ["The signup was removed because it is no longer valid."]}
    assert items[0]["Events"] == [] and items[1]["Exception"] is None and items[1]["Events"]
    again = requests.get(f"{plain.url}/streams/updates/{markers[0]}", timeout=10)
    assert again.status_code == 404 and again.json()["Errors"][0] == "Cache not found"  # unregistered
    refused = requests.post(f"{plain.url}/streams/{gone.webid}/updates", headers=headers, timeout=10)
    assert refused.status_code == 404


def test_a_missing_route_answers_404_like_a_proxy_while_batch_still_reaches_it(plain) -> None:
    point = plain.archive.points()[0]
    stream_set = f"{plain.url}/streamsets/recorded?webId={point.webid}"
    assert requests.get(stream_set, timeout=10).status_code == 200
    assert put_behaviours(plain, missing_routes=["/streamsets/recorded"]).status_code == 200
    refused = requests.get(stream_set, timeout=10)
    assert refused.status_code == 404 and refused.headers["Content-Type"].startswith("text/html")
    assert b"404 Not Found" in refused.content
    assert requests.get(f"{plain.url}/streams/{point.webid}/recorded", timeout=10).status_code == 200
    batch = _batch(plain, [f"streamsets/recorded?webId={point.webid}"])
    assert batch["0"]["Status"] == 200
    assert put_behaviours(plain, missing_routes=[]).status_code == 200
    assert requests.get(stream_set, timeout=10).status_code == 200
