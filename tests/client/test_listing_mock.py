"""`batch_get_each` against the mock over HTTP: a 404 sub-request is left out, any other failure raises."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from mock_server import MockSettings
from mock_server.testing import RunningMock, running_mock
from osipi_lakeflow.client.listing import batch_get_each
from osipi_lakeflow.client.session import Transport
from osipi_lakeflow.errors import PIResponseError
from tests.client.conftest import CLOCK, config

UNKNOWN = "F1DPnotAAAAAAAAAAAAAAAAAAAAAUElTUlYwMVxOT1BF"


@pytest.fixture(scope="module")
def mock() -> Iterator[RunningMock]:
    """Points 1, 2 and 3 denied (500 on data calls), vanished (404 on every call) and conflicting (409)."""
    with running_mock(MockSettings(seed=7, tags=20, clock=CLOCK)) as running:
        denied, vanished, conflict = (p.name for p in running.archive.points()[1:4])
        change = {"denied_points": [denied], "vanished_points": [vanished], "conflict_points": [conflict]}
        requests.put(f"{running.root}/admin/behaviours", json=change, timeout=10).raise_for_status()
        yield running


@pytest.fixture()
def transport(mock: RunningMock) -> Iterator[Transport]:
    transport = Transport(mock.url, None, config())
    yield transport
    transport.close()


def webids(mock: RunningMock) -> list[str]:
    return [p.webid for p in mock.archive.points()[:7]]


def test_ids_answered_404_are_left_out_the_others_come_in_order_across_calls(mock, transport):
    ids = webids(mock)
    asked = [*ids[:3], UNKNOWN, *ids[3:]]  # an unknown WebId and the vanished point (ids[2]) both answer 404
    got = list(batch_get_each(transport, asked, "points/{}", [("selectedFields", "WebId;Name")], per_call=2))
    assert [webid for webid, _ in got] == [w for w in ids if w != ids[2]]
    assert all(content["WebId"] == webid for webid, content in got)


@pytest.mark.parametrize(("failing", "status", "words"), [(1, 500, "No Read Access"), (3, 409, "conflicts")])
def test_any_other_failed_status_raises_the_mapped_error_naming_the_url(mock, transport, failing, status, words):
    ids = webids(mock)
    asked = [ids[0], ids[2], ids[failing]]  # the vanished point's 404 is skipped, the failure after it raises
    with pytest.raises(PIResponseError) as caught:
        list(batch_get_each(transport, asked, "streams/{}/value", [], per_call=2))
    assert caught.value.status == status
    assert ids[failing] in caught.value.url and words in str(caught.value)
