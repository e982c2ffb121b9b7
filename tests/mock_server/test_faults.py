"""Fault injection: each fault happens at its configured rate (within tolerance) and in the shape clients meet."""

from __future__ import annotations

import math

import pytest
import requests

from mock_server import MockSettings
from mock_server.testing import running_mock

N = 400


def _within(count: int, rate: float, n: int = N) -> bool:
    """Binomial tolerance of five standard deviations."""
    sigma = math.sqrt(n * rate * (1 - rate))
    return abs(count - n * rate) <= 5 * sigma + 1


@pytest.mark.parametrize(("field", "status"), [("fault_503", 503), ("fault_429", 429)])
def test_status_faults_occur_at_their_rate(field, status) -> None:
    with running_mock(MockSettings(tags=20, clock="2026-11-01T12:00:00Z", fault_seed=3, **{field: 0.25})) as mock:
        with requests.Session() as session:
            statuses = [session.get(f"{mock.url}/dataservers", timeout=10).status_code for _ in range(N)]
    assert _within(statuses.count(status), 0.25)
    assert set(statuses) == {200, status}


def test_connection_resets_occur_at_their_rate() -> None:
    resets = 0
    with running_mock(MockSettings(tags=20, clock="2026-11-01T12:00:00Z", fault_seed=4, fault_reset=0.2)) as mock:
        for _ in range(200):
            try:
                requests.get(f"{mock.url}/dataservers", timeout=10).json()
            except requests.exceptions.RequestException:
                resets += 1
    assert _within(resets, 0.2, 200)


def test_webexception_arrives_inside_a_200() -> None:
    with running_mock(
        MockSettings(tags=20, clock="2026-11-01T12:00:00Z", fault_seed=5, fault_webexception=0.3)
    ) as mock:
        answers = [requests.get(f"{mock.url}/dataservers", timeout=10) for _ in range(N)]
    broken = [a for a in answers if "WebException" in a.json()]
    assert all(a.status_code == 200 for a in broken)
    assert broken[0].json() == {
        "WebException": {"Errors": ["Error occurred during writing of the output stream."], "StatusCode": 500}
    }
    assert _within(len(broken), 0.3)


def test_item_errors_inside_stream_sets_carry_a_webexception() -> None:
    with running_mock(MockSettings(tags=40, clock="2026-11-01T12:00:00Z", fault_seed=6, fault_item_error=0.2)) as mock:
        points = mock.archive.points()[:20]
        params = [("webId", p.webid) for p in points] + [("maxCount", "10")]
        items = [
            i
            for _ in range(20)
            for i in requests.get(f"{mock.url}/streamsets/recorded", params=params, timeout=10).json()["Items"]
        ]
    failed = [i for i in items if "WebException" in i]
    assert _within(len(failed), 0.2)
    assert all(i["Items"] == [] and i["WebException"]["StatusCode"] == 500 for i in failed)


def test_batch_items_fail_on_their_own() -> None:
    with running_mock(
        MockSettings(tags=20, clock="2026-11-01T12:00:00Z", fault_seed=7, fault_503=0.3, require_csrf=False)
    ) as mock:
        for _ in range(50):  # the outer request may itself draw a 503; retry until one gets through
            answer = requests.post(
                f"{mock.url}/batch",
                json={str(i): {"Method": "GET", "Resource": "dataservers"} for i in range(100)},
                timeout=30,
            )
            if answer.status_code == 207:
                break
    statuses = [v["Status"] for v in answer.json().values()]
    assert _within(statuses.count(503), 0.3, 100) and statuses.count(200) > 0


def test_faults_change_at_run_time_through_the_admin_route() -> None:
    with running_mock(MockSettings(tags=20, clock="2026-11-01T12:00:00Z")) as mock:
        assert requests.put(f"{mock.root}/admin/faults", json={"fault_503": 1.0}, timeout=10).status_code == 200
        assert requests.get(f"{mock.url}/dataservers", timeout=10).status_code == 503
        refused = requests.put(f"{mock.root}/admin/faults", json={"fault_503": 2.0}, timeout=10)
        assert refused.status_code == 400
        requests.put(f"{mock.root}/admin/faults", json={"fault_503": 0.0}, timeout=10)
        assert requests.get(f"{mock.url}/dataservers", timeout=10).status_code == 200


def test_slow_fault_delays_the_answer() -> None:
    import time

    with running_mock(MockSettings(tags=20, clock="2026-11-01T12:00:00Z", fault_slow=1.0, slow_seconds=0.3)) as mock:
        began = time.monotonic()
        requests.get(f"{mock.url}/dataservers", timeout=10)
        assert time.monotonic() - began >= 0.3


def test_item_errors_inside_batches_fail_single_items() -> None:
    settings = MockSettings(
        tags=20, clock="2026-11-01T12:00:00Z", fault_seed=8, fault_item_error=0.3, require_csrf=False
    )
    with running_mock(settings) as mock:
        body = {str(i): {"Method": "GET", "Resource": "dataservers"} for i in range(200)}
        answer = requests.post(f"{mock.url}/batch", json=body, timeout=30)
    statuses = [v["Status"] for v in answer.json().values()]
    assert answer.status_code == 207 and _within(statuses.count(500), 0.3, 200)
