"""The AF hierarchy: navigation, searches, attributes with PI point references, templates."""

from __future__ import annotations

import pytest
import requests


@pytest.fixture(scope="module")
def database(mock) -> dict:
    server = requests.get(f"{mock.url}/assetservers", timeout=10).json()["Items"][0]
    return requests.get(server["Links"]["Databases"], timeout=10).json()["Items"][0]


def _elements(database: dict, **params) -> list[dict]:
    return requests.get(database["Links"]["Elements"], params=params, timeout=10).json()["Items"]


def test_database_is_plant_on_piaf01(database) -> None:
    assert database["Name"] == "Plant" and database["Path"] == "\\\\PIAF01\\Plant"


def test_hierarchy_runs_enterprise_site_area_unit_equipment(mock, database) -> None:
    path = []
    element = _elements(database)[0]
    while element:
        path.append(element["TemplateName"])
        children = requests.get(element["Links"]["Elements"], timeout=10).json()["Items"]
        element = children[0] if children else None
    assert path[:4] == ["Enterprise", "Site", "Area", "Unit"]
    assert path[4] in {"Pump", "Compressor", "Heat Exchanger", "Tank", "Valve"}


def test_full_hierarchy_search_filters_by_template_category_and_name(database) -> None:
    pumps = _elements(database, searchFullHierarchy="true", templateName="Pump")
    rotating = _elements(database, searchFullHierarchy="true", categoryName="Rotating Equipment")
    named = _elements(database, searchFullHierarchy="true", nameFilter="P-1*")
    assert pumps and all(e["TemplateName"] == "Pump" for e in pumps)
    assert {e["TemplateName"] for e in rotating} == {"Pump", "Compressor"}
    assert named and all(e["Name"].startswith("P-1") for e in named)


def test_search_pages_with_start_index(database) -> None:
    everything = _elements(database, searchFullHierarchy="true")
    pages = _elements(database, searchFullHierarchy="true", maxCount=7) + _elements(
        database, searchFullHierarchy="true", maxCount=7, startIndex=7
    )
    assert [e["WebId"] for e in pages] == [e["WebId"] for e in everything[:14]]


def test_pi_point_attributes_link_to_their_point(database) -> None:
    pump = _elements(database, searchFullHierarchy="true", templateName="Pump")[0]
    attributes = requests.get(pump["Links"]["Attributes"], timeout=10).json()["Items"]
    referenced = [a for a in attributes if a["DataReferencePlugIn"] == "PI Point"]
    static = [a for a in attributes if a["DataReferencePlugIn"] == ""]
    assert referenced and static and all("Point" not in a["Links"] for a in static)
    point = requests.get(referenced[0]["Links"]["Point"], timeout=10).json()
    assert referenced[0]["ConfigString"].startswith(f"\\\\PISRV01\\{point['Name']};")


def test_about_one_point_in_twenty_is_not_referenced_from_af(mock) -> None:
    unreferenced = [p for p in mock.archive.points() if not p.referenced]
    assert len(unreferenced) == len(mock.archive.points()) // 20


def test_element_templates_include_equipment_and_event_frame_templates(database) -> None:
    names = {t["Name"] for t in requests.get(database["Links"]["ElementTemplates"], timeout=10).json()["Items"]}
    assert {
        "Site",
        "Area",
        "Unit",
        "Pump",
        "Compressor",
        "Heat Exchanger",
        "Tank",
        "Valve",
        "Batch",
        "Downtime",
        "Alarm",
    } <= names


@pytest.mark.parametrize("id_type", ["IDOnly", "PathOnly"])
def test_web_id_types_resolve_to_the_same_element(database, id_type) -> None:
    full = _elements(database)[0]
    other = _elements(database, webIdType=id_type)[0]
    assert other["WebId"] != full["WebId"] and other["WebId"][0] == id_type[0]
    assert requests.get(other["Links"]["Self"], timeout=10).json()["Path"] == full["Path"]


def test_unknown_element_is_a_404(mock) -> None:
    assert requests.get(f"{mock.url}/elements/F1EmUNKNOWN", timeout=10).status_code == 404


def test_element_stream_set_values_cover_its_attributes(database) -> None:
    pump = _elements(database, searchFullHierarchy="true", templateName="Pump")[0]
    values = requests.get(pump["Links"]["Value"], timeout=10).json()["Items"]
    attributes = requests.get(pump["Links"]["Attributes"], timeout=10).json()["Items"]
    assert {v["Name"] for v in values} == {a["Name"] for a in attributes}


def test_point_attributes_list_raw_pi_point_attributes(mock) -> None:
    point = mock.archive.points()[0]
    url = f"{mock.url}/points/{point.webid}/attributes"
    found = {a["Name"]: a["Value"] for a in requests.get(url, timeout=10).json()["Items"]}
    assert found["tag"] == point.name and found["pointtype"] == point.point_type and found["engunits"] == point.units
    assert requests.get(url, params={"name": ["span", "nosuch"]}, timeout=10).status_code == 400


def test_ground_truth_lists_elements_with_their_points(mock) -> None:
    pumps = [e for e in mock.archive.elements() if e.template == "Pump"]
    point_names = {p.webid: p for p in mock.archive.points()}
    assert pumps and all(point_names[w].attribute_path.startswith(pumps[0].path + "|") for w in pumps[0].point_webids)
