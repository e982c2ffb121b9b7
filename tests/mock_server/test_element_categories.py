"""Element categories: the database lists every category its elements and templates carry, and each resolves."""

from __future__ import annotations

import pytest
import requests


def _get(url: str, **params: str) -> requests.Response:
    return requests.get(url, params=params, timeout=10)


@pytest.fixture(scope="module")
def database(mock) -> dict:
    server = _get(f"{mock.url}/assetservers").json()["Items"][0]
    return _get(server["Links"]["Databases"]).json()["Items"][0]


@pytest.fixture(scope="module")
def categories(database) -> list[dict]:
    answer = _get(database["Links"]["ElementCategories"])
    assert answer.status_code == 200, answer.text
    return answer.json()["Items"]


def test_categories_cover_every_element_template_and_frame_category(mock, database, categories) -> None:
    names = [c["Name"] for c in categories]
    carried = {c for e in mock.archive.elements() for c in e.categories}
    templates = _get(database["Links"]["ElementTemplates"]).json()["Items"]
    frames = _get(database["Links"]["EventFrames"], startTime="*-1d").json()["Items"]
    assert names == sorted(names) and len(set(names)) == len(names)
    assert carried <= set(names)
    assert {c for t in templates for c in t["CategoryNames"]} <= set(names)
    assert {c for f in frames for c in f["CategoryNames"]} <= set(names)


def test_a_category_carries_the_swagger_fields_and_its_path(database, categories) -> None:
    equipment = next(c for c in categories if c["Name"] == "Equipment")
    assert equipment["Path"] == f"{database['Path']}\\CategoriesElement[Equipment]"
    assert equipment["Description"] and len(equipment["Id"]) == 36
    assert equipment["Links"]["Database"] == database["Links"]["Self"]


@pytest.mark.parametrize("id_type", ["Full", "IDOnly", "PathOnly"])
def test_each_webid_type_resolves_to_the_same_category(mock, database, id_type) -> None:
    listed = _get(database["Links"]["ElementCategories"], webIdType=id_type).json()["Items"]
    for category in listed:
        found = _get(f"{mock.url}/elementcategories/{category['WebId']}")
        assert found.status_code == 200, found.text
        assert found.json()["Name"] == category["Name"]


def test_a_category_is_found_by_path_and_unknown_ones_are_404(mock, categories) -> None:
    wanted = categories[-1]
    assert _get(f"{mock.url}/elementcategories", path=wanted["Path"]).json()["WebId"] == wanted["WebId"]
    assert _get(f"{mock.url}/elementcategories", path=wanted["Path"] + "x").status_code == 404
    assert _get(f"{mock.url}/elementcategories/I1ECnotacategory").status_code == 404
    assert _get(f"{mock.url}/elementcategories/{wanted['Links']['Database'].rsplit('/', 1)[1]}").status_code == 404


def test_an_element_lists_its_own_categories(mock, database) -> None:
    pump = _get(database["Links"]["Elements"], searchFullHierarchy="true", templateName="Pump").json()["Items"][0]
    found = _get(pump["Links"]["Categories"]).json()["Items"]
    assert [c["Name"] for c in found] == pump["CategoryNames"] == ["Equipment", "Rotating Equipment"]


def test_an_unknown_database_is_404(mock) -> None:
    answer = _get(f"{mock.url}/assetdatabases/F1RDnope/elementcategories")
    assert answer.status_code == 404 and "F1RDnope" in answer.json()["Errors"][0]
