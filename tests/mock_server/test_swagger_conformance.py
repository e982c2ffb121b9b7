"""Every route and query parameter the mock serves exists in the official PI Web API 2018 SP1 swagger, and the
responses use the swagger models' field names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from mock_server.routes import ROUTER

SWAGGER = Path(__file__).resolve().parents[1] / "fixtures" / "piwebapi_swagger_2018SP1.json"


@pytest.fixture(scope="module")
def swagger() -> dict[str, Any]:
    return json.loads(SWAGGER.read_text(encoding="utf-8"))


def _operations(swagger: dict) -> dict[tuple[str, str], set[str]]:
    """(METHOD, path) -> query parameter names; `#name` variants of a path merge into it."""
    found: dict[tuple[str, str], set[str]] = {}
    for path, methods in swagger["paths"].items():
        for method, op in methods.items():
            names = {p["name"].lower() for p in op.get("parameters", []) if p.get("in") == "query"}
            found.setdefault((method.upper(), path.split("#")[0].lower()), set()).update(names)
    return found


def test_every_route_exists_in_the_swagger(swagger) -> None:
    operations = _operations(swagger)
    missing = [f"{r.method} {r.template}" for r in ROUTER.routes if (r.method, r.template.lower()) not in operations]
    assert missing == []


def test_every_query_parameter_exists_in_the_swagger(swagger) -> None:
    operations = _operations(swagger)
    unknown = [
        f"{r.method} {r.template}?{p}"
        for r in ROUTER.routes
        for p in r.params
        if p.lower() not in operations.get((r.method, r.template.lower()), set())
    ]
    assert unknown == []


def _schema_of(swagger: dict, method: str, template: str) -> dict | None:
    for path, methods in swagger["paths"].items():
        if path.split("#")[0].lower() == template.lower() and method.lower() in methods:
            responses = methods[method.lower()]["responses"]
            for status in ("200", "207", "201"):
                if status in responses and "schema" in responses[status]:
                    return responses[status]["schema"]
    return None


def _resolve(swagger: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = swagger["definitions"][schema["$ref"].split("/")[-1]]
    return schema


def _unknown_fields(swagger: dict, value: Any, schema: dict, where: str) -> list[str]:
    schema = _resolve(swagger, schema)
    problems = []
    if isinstance(value, dict) and "properties" in schema:
        for key, inner in value.items():
            if key not in schema["properties"]:
                problems.append(f"{where}.{key}")
            else:
                problems += _unknown_fields(swagger, inner, schema["properties"][key], f"{where}.{key}")
    elif isinstance(value, list) and "items" in schema:
        for item in value[:3]:
            problems += _unknown_fields(swagger, item, schema["items"], f"{where}[]")
    return problems


def _sample_urls(mock) -> list[tuple[str, str]]:
    """(route template, URL) pairs reaching every GET route with real ids."""
    get = lambda url, **p: requests.get(url, params=p, timeout=10).json()  # noqa: E731
    u = mock.url
    server = get(f"{u}/dataservers")["Items"][0]
    point = get(server["Links"]["Points"], maxCount=1)["Items"][0]
    af = get(f"{u}/assetservers")["Items"][0]
    db = get(af["Links"]["Databases"])["Items"][0]
    pump = get(db["Links"]["Elements"], searchFullHierarchy="true", templateName="Pump")["Items"][0]
    attribute = get(pump["Links"]["Attributes"])["Items"][0]
    frame = get(db["Links"]["EventFrames"], startTime="*-1d")["Items"][0]
    template = get(db["Links"]["ElementTemplates"])["Items"][0]
    category = get(db["Links"]["ElementCategories"])["Items"][0]
    w, p = point["WebId"], point["WebId"]
    alarms = get(db["Links"]["EventFrames"], startTime="*-1d", templateName="Alarm")["Items"]
    annotated = next(f for f in alarms if f["IsAnnotated"])
    note = get(annotated["Links"]["Annotations"])["Items"][0]
    rule = get(f"{u}/notificationrules/search", databaseWebId=db["WebId"], maxCount=1)["Items"][0]
    equipment = mock.archive.notification_rules()[0]["path"].rpartition("\\NotificationRules[")[0]
    return [
        ("/notificationrules/search", f"{u}/notificationrules/search?databaseWebId={db['WebId']}"),
        ("/notificationrules/{webId}", f"{u}/notificationrules/{rule['WebId']}"),
        (
            "/notificationrules/{webId}/notificationrulesubscribers",
            f"{u}/notificationrules/{rule['WebId']}/notificationrulesubscribers",
        ),
        ("/elements/{webId}/notificationrules", get(f"{u}/elements", path=equipment)["Links"]["NotificationRules"]),
        ("/eventframes/{webId}/annotations", annotated["Links"]["Annotations"]),
        ("/eventframes/{webId}/annotations/{id}", note["Links"]["Self"]),
        ("/streams/{webId}/recorded", f"{u}/streams/{w}/recorded?associations=Annotations&startTime=*-3d"),
        ("/", f"{u}/"),
        ("/dataservers", f"{u}/dataservers"),
        ("/dataservers/{webId}", server["Links"]["Self"]),
        ("/dataservers/{webId}/points", server["Links"]["Points"]),
        ("/points", f"{u}/points?path={point['Path']}"),
        ("/points/{webId}", point["Links"]["Self"]),
        ("/points/{webId}/attributes", point["Links"]["Attributes"]),
        ("/elements/{webId}/eventframes", pump["Links"]["EventFrames"] + "?startTime=*-30d"),
        ("/assetservers", f"{u}/assetservers"),
        ("/assetservers/{webId}", af["Links"]["Self"]),
        ("/assetservers/{webId}/assetdatabases", af["Links"]["Databases"]),
        ("/assetdatabases/{webId}", db["Links"]["Self"]),
        ("/assetdatabases", f"{u}/assetdatabases?path={db['Path']}"),
        ("/assetdatabases/{webId}/elements", db["Links"]["Elements"]),
        ("/elements/{webId}", pump["Links"]["Self"]),
        ("/elements", f"{u}/elements?path={pump['Path']}"),
        ("/elements/{webId}/elements", pump["Links"]["Parent"] + "/elements"),
        ("/elements/{webId}/attributes", pump["Links"]["Attributes"]),
        ("/attributes/{webId}", attribute["Links"]["Self"]),
        ("/attributes", f"{u}/attributes?path={attribute['Path']}"),
        ("/assetdatabases/{webId}/elementtemplates", db["Links"]["ElementTemplates"]),
        ("/elementtemplates/{webId}", template["Links"]["Self"]),
        ("/assetdatabases/{webId}/elementcategories", db["Links"]["ElementCategories"]),
        ("/elementcategories/{webId}", category["Links"]["Self"]),
        ("/elementcategories", f"{u}/elementcategories?path={category['Path']}"),
        ("/elements/{webId}/categories", pump["Links"]["Categories"]),
        ("/streams/{webId}/recorded", f"{u}/streams/{w}/recorded"),
        ("/streams/{webId}/interpolated", f"{u}/streams/{w}/interpolated"),
        ("/streams/{webId}/plot", f"{u}/streams/{w}/plot"),
        ("/streams/{webId}/value", f"{u}/streams/{w}/value"),
        ("/streams/{webId}/end", f"{u}/streams/{w}/end"),
        ("/streams/{webId}/summary", point["Links"]["SummaryData"] + "?summaryType=All"),
        ("/streamsets/recorded", f"{u}/streamsets/recorded?webId={p}&webId=bogus"),
        ("/streamsets/interpolated", f"{u}/streamsets/interpolated?webId={p}"),
        ("/streamsets/plot", f"{u}/streamsets/plot?webId={p}"),
        ("/streamsets/value", f"{u}/streamsets/value?webId={p}"),
        ("/streamsets/end", f"{u}/streamsets/end?webId={p}"),
        ("/streamsets/summary", f"{u}/streamsets/summary?webId={p}&webId=bogus&summaryType=Count"),
        ("/streamsets/{webId}/summary", pump["Links"]["SummaryData"] + "?summaryType=Average&summaryType=Count"),
        ("/streamsets/{webId}/value", pump["Links"]["Value"]),
        ("/streamsets/{webId}/recorded", frame["Links"]["RecordedData"]),
        ("/assetdatabases/{webId}/eventframes", db["Links"]["EventFrames"] + "?startTime=*-1d"),
        ("/eventframes/{webId}", frame["Links"]["Self"]),
        ("/eventframes/{webId}/attributes", frame["Links"]["Attributes"]),
        ("/eventframes/{webId}/referencedelements", frame["Links"]["ReferencedElements"]),
    ]


def test_responses_use_swagger_field_names(mock, swagger) -> None:
    problems, covered = [], set()
    for template, url in _sample_urls(mock):
        answer = requests.get(url, timeout=10)
        assert answer.status_code == 200, f"{url}: {answer.text[:200]}"
        schema = _schema_of(swagger, "GET", template)
        assert schema is not None, template
        problems += _unknown_fields(swagger, answer.json(), schema, template)
        covered.add(template)
    assert problems == []
    served_gets = {r.template for r in ROUTER.routes if r.method == "GET" and "updates" not in r.template}
    assert served_gets <= covered


def test_update_and_batch_responses_use_swagger_field_names(mock, swagger) -> None:
    headers = {"X-Requested-With": "XmlHttpRequest"}
    point = mock.archive.points()[0]
    register = requests.post(f"{mock.url}/streamsets/updates?webId={point.webid}", headers=headers, timeout=10).json()
    marker = register["Items"][0]["LatestMarker"]
    single = requests.get(f"{mock.url}/streams/updates/{marker}", timeout=10).json()
    many = requests.get(f"{mock.url}/streamsets/updates?marker={marker}", timeout=10).json()
    batch = requests.post(
        f"{mock.url}/batch", json={"1": {"Method": "GET", "Resource": "dataservers"}}, headers=headers, timeout=10
    ).json()
    problems = (
        _unknown_fields(swagger, register, _schema_of(swagger, "POST", "/streamsets/updates"), "register")
        + _unknown_fields(swagger, single, _schema_of(swagger, "GET", "/streams/updates/{marker}"), "retrieve")
        + _unknown_fields(swagger, many, _schema_of(swagger, "GET", "/streamsets/updates"), "retrieve-set")
        + _unknown_fields(swagger, batch, _schema_of(swagger, "POST", "/batch"), "batch")
    )
    assert problems == []
