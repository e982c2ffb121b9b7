"""selectedFields projects every response: nested paths, arrays, unknown names ignored."""

from __future__ import annotations


def test_recorded_values_keep_only_selected_fields(mock, http) -> None:
    point = mock.archive.points()[1]
    answer = http.get(
        f"{mock.url}/streams/{point.webid}/recorded",
        params={"selectedFields": "Items.Timestamp;Items.Good", "maxCount": 20},
        timeout=10,
    )
    body = answer.json()
    assert set(body) == {"Items"}
    assert all(set(v) == {"Timestamp", "Good"} for v in body["Items"]) and body["Items"]


def test_stream_set_projection_reaches_values_inside_items(mock, http) -> None:
    points = mock.archive.points()[:3]
    answer = http.get(
        f"{mock.url}/streamsets/recorded",
        params=[("webId", p.webid) for p in points] + [("selectedFields", "Items.WebId;Items.Items.Value")],
        timeout=10,
    )
    items = answer.json()["Items"]
    assert [i["WebId"] for i in items] == [p.webid for p in points]
    assert all(set(i) == {"WebId", "Items"} and all(set(v) == {"Value"} for v in i["Items"]) for i in items)


def test_unknown_field_names_are_ignored(mock, http) -> None:
    answer = http.get(
        f"{mock.url}/dataservers", params={"selectedFields": "Items.Name;Items.NoSuchField;Bogus"}, timeout=10
    )
    assert answer.status_code == 200
    assert answer.json() == {"Items": [{"Name": "PISRV01"}]}


def test_selecting_an_object_keeps_it_whole(mock, http) -> None:
    answer = http.get(f"{mock.url}/dataservers", params={"selectedFields": "Items.Links"}, timeout=10)
    links = answer.json()["Items"][0]["Links"]
    assert {"Self", "Points"} <= set(links)


def test_projection_applies_to_object_routes(mock, http) -> None:
    point = mock.archive.points()[0]
    answer = http.get(f"{mock.url}/points/{point.webid}", params={"selectedFields": "Name;PointType"}, timeout=10)
    assert answer.json() == {"Name": point.name, "PointType": point.point_type}
