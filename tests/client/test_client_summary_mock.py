"""`PIWebAPI.event_rates` and `element_categories` against the mock's summary and category routes, over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests

from mock_server import MockSettings
from mock_server.testing import RunningMock, running_mock
from osipi_lakeflow.client import ClientConfig, PIWebAPI

DB = "\\\\PIAF01\\Plant"


@pytest.fixture(scope="module")
def summary_mock() -> Iterator[RunningMock]:
    """A mock of its own (its request counters are read), clock frozen, no faults."""
    with running_mock(MockSettings(seed=3, tags=300, clock="2026-11-01T12:00:00Z")) as mock:
        yield mock


def _stats(mock: RunningMock) -> dict[str, dict[str, int]]:
    return requests.get(f"{mock.root}/admin/stats", timeout=10).json()["requests"]


def _reset(mock: RunningMock) -> None:
    requests.post(f"{mock.root}/admin/stats/reset", timeout=10).raise_for_status()


@pytest.mark.parametrize("hours", [1, 3])
def test_event_rates_come_from_count_summaries_and_equal_the_recorded_events(summary_mock, hours) -> None:
    points = summary_mock.archive.points()
    tags = [p.webid for p in points[:250]]  # three stream-set calls at 100 tags each
    now = summary_mock.archive.now()
    with PIWebAPI(summary_mock.url, config=ClientConfig(tags_per_request=100)) as pi:
        _reset(summary_mock)
        rates = pi.event_rates(tags, window=f"*-{hours}h")
    truth = {t: len(summary_mock.archive.recorded(t, now - timedelta(hours=hours), now)) / hours for t in tags}
    assert rates == pytest.approx(truth, rel=1e-12)
    requests_made = _stats(summary_mock)
    assert requests_made["/streamsets/summary"] == {"200": 3}
    assert not [r for r in requests_made if "recorded" in r or r == "/batch"]  # no fallback read


def test_event_rates_of_burst_and_non_numeric_points_count_every_event(summary_mock) -> None:
    archive = summary_mock.archive
    chosen = [archive.point_by_name("DIAG.BurstEvents.PV")]
    chosen += [p for p in archive.points() if p.point_type in ("Digital", "String")][:4]
    now = archive.now()
    with PIWebAPI(summary_mock.url) as pi:
        rates = pi.event_rates([p.webid for p in chosen], window="*-2h")
    assert rates == {p.webid: len(archive.recorded(p.webid, now - timedelta(hours=2), now)) / 2 for p in chosen}
    assert rates[chosen[0].webid] >= summary_mock.settings.burst_size  # 1,500 events at each full hour


def test_element_categories_match_the_categories_elements_carry(summary_mock) -> None:
    with PIWebAPI(summary_mock.url) as pi:
        categories = pi.element_categories(DB)
    names = {c["Name"] for c in categories}
    assert {c for e in summary_mock.archive.elements() for c in e.categories} <= names
    assert all(c["Path"] == f"{DB}\\CategoriesElement[{c['Name']}]" for c in categories)
