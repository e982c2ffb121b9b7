"""POST /batch: 207, JSONPath resources, Parameters, ParentIds, RequestTemplate, and the formats it refuses."""

from __future__ import annotations

import orjson


def _batch(http, mock, body) -> tuple[int, dict]:
    answer = http.post(
        f"{mock.url}/batch", data=orjson.dumps(body), headers={"Content-Type": "application/json"}, timeout=30
    )
    return answer.status_code, answer.json()


def test_batch_answers_207_keyed_by_request_id(mock, http) -> None:
    status, body = _batch(http, mock, {"servers": {"Method": "GET", "Resource": f"{mock.url}/dataservers"}})
    assert status == 207
    assert set(body) == {"servers"}
    assert body["servers"]["Status"] == 200 and body["servers"]["Content"]["Items"][0]["Name"] == "PISRV01"
    assert set(body["servers"]) == {"Status", "Headers", "Content"}


def test_jsonpath_resource_follows_a_parent_link(mock, http) -> None:
    status, body = _batch(
        http,
        mock,
        {
            "1": {"Method": "GET", "Resource": f"{mock.url}/dataservers"},
            "2": {"Method": "GET", "Resource": "$.1.Content.Items[0].Links.Points", "ParentIds": ["1"]},
        },
    )
    assert status == 207
    assert body["2"]["Status"] == 200
    assert body["2"]["Content"]["Items"][0]["Name"] == mock.archive.points()[0].name


def test_parameters_fill_placeholders_of_a_relative_resource(mock, http) -> None:
    point = mock.archive.points()[3]
    status, body = _batch(
        http,
        mock,
        {
            "p": {"Method": "GET", "Resource": f"points?path=\\\\PISRV01\\{point.name}"},
            "v": {
                "Method": "GET",
                "Resource": "streams/{0}/recorded?maxCount=5&selectedFields=Items.Timestamp",
                "Parameters": ["$.p.Content.WebId"],
                "ParentIds": ["p"],
            },
        },
    )
    assert body["p"]["Content"]["WebId"] == point.webid
    assert body["v"]["Status"] == 200 and len(body["v"]["Content"]["Items"]) == 5
    assert all(set(v) == {"Timestamp"} for v in body["v"]["Content"]["Items"])


def test_failed_item_carries_its_own_status_and_stops_its_children(mock, http) -> None:
    status, body = _batch(
        http,
        mock,
        {
            "bad": {"Method": "GET", "Resource": "points/F1DPnotapoint"},
            "child": {
                "Method": "GET",
                "Resource": "points/{0}",
                "Parameters": ["$.bad.Content.WebId"],
                "ParentIds": ["bad"],
            },
            "fine": {"Method": "GET", "Resource": "dataservers"},
        },
    )
    assert status == 207
    assert body["bad"]["Status"] == 404 and body["bad"]["Content"]["Errors"]
    assert body["child"]["Status"] == 409
    assert body["fine"]["Status"] == 200


def test_single_quoted_content_is_accepted(mock, http) -> None:
    point = mock.archive.points()[0]
    status, body = _batch(
        http,
        mock,
        {
            "reg": {"Method": "POST", "Resource": f"streams/{point.webid}/updates", "Content": "{'Reason': 'test'}"},
        },
    )
    assert body["reg"]["Status"] == 200 and body["reg"]["Content"]["Status"] == "Succeeded"


def test_request_template_makes_one_sub_request_per_token(mock, http) -> None:
    status, body = _batch(
        http,
        mock,
        {
            "pts": {
                "Method": "GET",
                "Resource": "dataservers/{0}/points?maxCount=4",
                "Parameters": ["$.ds.Content.Items[0].WebId"],
                "ParentIds": ["ds"],
            },
            "ds": {"Method": "GET", "Resource": "dataservers"},
            "ends": {
                "Method": "GET",
                "RequestTemplate": {"Resource": "streams/{0}/end"},
                "Parameters": ["$.pts.Content.Items[*].WebId"],
                "ParentIds": ["pts"],
            },
        },
    )
    items = body["ends"]["Content"]["Items"]
    assert len(items) == 4 and all(i["Status"] == 200 and "Timestamp" in i["Content"] for i in items)


def test_requests_list_format_is_refused_with_400(mock, http) -> None:
    answer = http.post(
        f"{mock.url}/batch", json={"Requests": [{"Method": "GET", "Resource": "dataservers"}]}, timeout=10
    )
    assert answer.status_code == 400
    assert "Requests" in answer.json()["Errors"][0]


def test_malformed_batch_json_is_a_400_without_a_stack_trace(mock, http) -> None:
    answer = http.post(f"{mock.url}/batch", data=b'{"1": {"Method": "GET", ', timeout=10)
    assert answer.status_code == 400
    assert "Traceback" not in answer.text and answer.json()["Errors"]


def test_unknown_parent_id_is_a_400(mock, http) -> None:
    answer = http.post(
        f"{mock.url}/batch", json={"1": {"Method": "GET", "Resource": "dataservers", "ParentIds": ["9"]}}, timeout=10
    )
    assert answer.status_code == 400 and "ParentIds" in answer.json()["Errors"][0]
