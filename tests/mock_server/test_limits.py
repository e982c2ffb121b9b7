"""maxCount limits: 400 in the real error shape above MaxReturnedItemsPerCall, and bad values refused."""

from __future__ import annotations

import pytest

from mock_server import MockSettings
from mock_server.testing import running_mock


def test_max_count_above_the_server_limit_is_a_400_with_the_real_message(mock, http) -> None:
    point = mock.archive.points()[0]
    answer = http.get(f"{mock.url}/streams/{point.webid}/recorded", params={"maxCount": 150_001}, timeout=10)
    assert answer.status_code == 400
    assert answer.json() == {"Errors": ["Parameter 'maxCount' is greater than the maximum allowed (150000)."]}


@pytest.mark.parametrize("value", ["-1", "0", "ten"])
def test_invalid_max_count_is_a_400_naming_the_parameter(mock, http, value) -> None:
    point = mock.archive.points()[0]
    answer = http.get(f"{mock.url}/streams/{point.webid}/recorded", params={"maxCount": value}, timeout=10)
    assert answer.status_code == 400 and "maxCount" in answer.json()["Errors"][0]


def test_stream_set_total_above_the_limit_is_a_400(mock, http) -> None:
    points = mock.archive.points()[:4]
    params = [("webId", p.webid) for p in points] + [("maxCount", "40000")]
    answer = http.get(f"{mock.url}/streamsets/recorded", params=params, timeout=10)
    assert answer.status_code == 400
    assert "4 streams x maxCount 40000" in answer.json()["Errors"][0]


def test_per_stream_scope_checks_max_count_alone(http) -> None:
    with running_mock(MockSettings(tags=50, clock="2026-11-01T12:00:00Z", limit_scope="per_stream")) as mock:
        points = mock.archive.points()[:4]
        params = [("webId", p.webid) for p in points] + [("maxCount", "40000"), ("startTime", "*-10m")]
        assert http.get(f"{mock.url}/streamsets/recorded", params=params, timeout=10).status_code == 200


def test_points_collection_pages_by_start_index_and_max_count(mock, http) -> None:
    server = http.get(f"{mock.url}/dataservers", timeout=10).json()["Items"][0]
    names, url, params = [], server["Links"]["Points"], {"maxCount": 150, "selectedFields": "Items.Name;Links.Next"}
    for _ in range(10):
        page = http.get(url, params=params, timeout=10).json()
        names += [p["Name"] for p in page["Items"]]
        if "Next" not in page.get("Links", {}):
            break
        url, params = page["Links"]["Next"], None
    assert names == [p.name for p in mock.archive.points()]


@pytest.mark.parametrize(
    ("name_filter", "expected"), [("*.PV", r".*\.PV"), ("SITE1.AREA1.?-1*", r"SITE1\.AREA1\..-1.*")]
)
def test_points_name_filter_uses_pi_wildcards(mock, http, name_filter, expected) -> None:
    import re

    server = http.get(f"{mock.url}/dataservers", timeout=10).json()["Items"][0]
    found = http.get(server["Links"]["Points"], params={"nameFilter": name_filter, "selectedFields": "Items.Name"},
                     timeout=10).json()["Items"]  # fmt: skip
    truth = [p.name for p in mock.archive.points() if re.fullmatch(expected, p.name, re.IGNORECASE)]
    assert [p["Name"] for p in found] == truth and truth
