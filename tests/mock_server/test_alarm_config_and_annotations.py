"""Notification rules and annotations: PI's routes and shapes, 404s, the pre-2018 server, and annotations that
exist only from their creation time on the server clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests
from mock_helpers_pi import FROZEN, set_clock

from mock_server import MockSettings
from mock_server.pitime import parse_iso
from mock_server.testing import running_mock

RULE_FIELDS = {
    "WebId", "Id", "Name", "Description", "Path", "AutoCreated", "CategoryNames", "Criteria",
    "MultiTriggerEventOption", "NonrepetitionInterval", "ResendInterval", "Status", "TemplateName",
}  # fmt: skip
ANNOTATION_FIELDS = {
    "Id",
    "Name",
    "Description",
    "Value",
    "Creator",
    "CreationDate",
    "Modifier",
    "ModifyDate",
    "Errors",
}


def _database(url: str) -> dict:
    server = requests.get(f"{url}/assetservers", timeout=10).json()["Items"][0]
    return requests.get(server["Links"]["Databases"], timeout=10).json()["Items"][0]


def test_rules_search_pages_the_database_rules_with_pi_fields(mock) -> None:
    db = _database(mock.url)
    truth = mock.archive.notification_rules()
    seen, start = [], 0
    while True:
        page = requests.get(
            f"{mock.url}/notificationrules/search",
            params={"databaseWebId": db["WebId"], "startIndex": start, "maxCount": 7},
            timeout=10,
        ).json()
        seen += page["Items"]
        if "Next" not in page["Links"]:
            break
        start += 7
    assert [r["WebId"] for r in seen] == [r["webid"] for r in truth]
    assert all(set(r) == RULE_FIELDS for r in seen)
    assert {r["Status"] for r in seen} == {"Enabled", "Disabled"}
    assert all(r["NonrepetitionInterval"].startswith("PT") for r in seen)


def test_rules_of_an_element_one_rule_and_its_subscribers(mock) -> None:
    rule = mock.archive.notification_rules()[0]
    element_path = rule["path"].rpartition("\\NotificationRules[")[0]
    element = requests.get(f"{mock.url}/elements", params={"path": element_path}, timeout=10).json()
    rules = requests.get(element["Links"]["NotificationRules"], timeout=10).json()["Items"]
    assert rule["webid"] in [r["WebId"] for r in rules]
    one = requests.get(f"{mock.url}/notificationrules/{rule['webid']}", timeout=10).json()
    assert (one["Name"], one["Criteria"]) == (rule["name"], rule["criteria"])
    subs = requests.get(
        f"{mock.url}/notificationrules/{rule['webid']}/notificationrulesubscribers",
        params={"selectedFields": "Items.Name;Items.PlugInName"},
        timeout=10,
    ).json()["Items"]
    assert subs == [{"Name": s["name"], "PlugInName": s["plug_in_name"]} for s in rule["subscribers"]]


def test_rule_search_by_name_and_selected_fields(mock) -> None:
    db = _database(mock.url)
    found = requests.get(
        f"{mock.url}/notificationrules/search",
        params={"databaseWebId": db["WebId"], "query": "Name:=Critical*", "selectedFields": "Items.Name"},
        timeout=10,
    ).json()["Items"]
    assert found and all(r == {"Name": "Critical Alarm Escalation"} for r in found)
    bad = requests.get(
        f"{mock.url}/notificationrules/search", params={"databaseWebId": db["WebId"], "query": "Foo:=1"}, timeout=10
    )
    assert bad.status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "notificationrules/F1NRbogus",
        "notificationrules/bogus/notificationrulesubscribers",
        "elements/bogus/notificationrules",
        "notificationrules/search?databaseWebId=bogus",
        "eventframes/bogus/annotations",
    ],
)
def test_unknown_webids_answer_404_with_pi_errors(mock, path) -> None:
    answer = requests.get(f"{mock.url}/{path}", timeout=10)
    assert answer.status_code == 404
    assert "bogus" in answer.json()["Errors"][0]


def test_a_server_before_2018_has_no_notification_rule_controller() -> None:
    with running_mock(MockSettings(tags=200, seed=5, clock=FROZEN, release="2017 R2")) as old:
        db = _database(old.url)
        rule = old.archive.notification_rules()[0]
        for path in (f"notificationrules/search?databaseWebId={db['WebId']}", f"notificationrules/{rule['webid']}"):
            answer = requests.get(f"{old.url}/{path}", timeout=10)
            assert answer.status_code == 404
            assert answer.json()["Errors"][0].startswith("No HTTP resource was found")
        element = requests.get(f"{old.url}/elements", params={"path": db["Path"] + "\\Enterprise"}, timeout=10).json()
        assert "NotificationRules" not in element["Links"]


def test_frame_annotations_appear_at_their_creation_time(fresh) -> None:
    db = _database(fresh.url)
    alarms = requests.get(
        db["Links"]["EventFrames"], params={"startTime": "*-1d", "templateName": "Alarm"}, timeout=10
    ).json()["Items"]
    annotated = [f for f in alarms if f["IsAnnotated"]]
    assert annotated
    notes = requests.get(annotated[0]["Links"]["Annotations"], timeout=10).json()["Items"]
    assert notes and all(set(n) == ANNOTATION_FIELDS | {"Links"} for n in notes)
    assert notes[0]["Creator"] == annotated[0]["AcknowledgedBy"]
    assert notes[0]["CreationDate"] == annotated[0]["AcknowledgedDate"]
    # the first annotation written after the server's now: before it, the frame (once started) has none
    now = parse_iso(FROZEN)
    day = now // (86400 * 10**7)
    frame, note = min(
        (
            (frame, a)
            for d in (day, day + 1)
            for frame in fresh.archive.frames.day(d)
            for a in fresh.archive.annotations_of(frame, 2**62)
            if a.created > now
        ),
        key=lambda pair: pair[1].created,
    )
    webid = fresh.archive.frame_webid(frame)
    set_clock(fresh, advance_seconds=(note.created - now) / 10**7 - 1)
    assert requests.get(f"{fresh.url}/eventframes/{webid}/annotations", timeout=10).json()["Items"] == []
    assert requests.get(f"{fresh.url}/eventframes/{webid}", timeout=10).json()["IsAnnotated"] is False
    set_clock(fresh, advance_seconds=1)
    after = requests.get(f"{fresh.url}/eventframes/{webid}/annotations", timeout=10).json()["Items"]
    assert [a["Id"] for a in after] == [a["id"] for a in fresh.archive.frame_annotations(webid)]
    assert after[-1]["Value"] == note.value
    assert requests.get(f"{fresh.url}/eventframes/{webid}", timeout=10).json()["IsAnnotated"] is True


def test_recorded_values_carry_annotations_when_asked(mock) -> None:
    point = next(p for p in mock.archive.points() if p.events_per_hour >= 60)
    params = {"startTime": "*-2d", "endTime": "*", "maxCount": 150000}
    plain = requests.get(f"{mock.url}/streams/{point.webid}/recorded", params=params, timeout=30).json()["Items"]
    assert all("Annotations" not in v for v in plain)
    params |= {"associations": "Annotations", "selectedFields": "Items.Timestamp;Items.Annotated;Items.Annotations"}
    values = requests.get(f"{mock.url}/streams/{point.webid}/recorded", params=params, timeout=30).json()["Items"]
    annotated = [v for v in values if v["Annotated"]]
    assert annotated and all(len(v["Annotations"]) == 1 for v in annotated)
    assert all("Annotations" not in v for v in values if not v["Annotated"])
    start, end = datetime(2026, 10, 30, 12, tzinfo=UTC), datetime(2026, 11, 1, 12, tzinfo=UTC)
    truth = mock.archive.value_annotations(point.webid, start, end)
    assert [a["Annotations"][0]["Id"] for a in annotated] == [t["id"] for t in truth]
    assert set(annotated[0]["Annotations"][0]) == ANNOTATION_FIELDS
    refused = requests.get(f"{mock.url}/streams/{point.webid}/recorded", params={"associations": "Paths"}, timeout=10)
    assert refused.status_code == 409


def test_the_annotated_filter_returns_only_annotated_values_before_max_count_counts(mock) -> None:
    point = next(p for p in mock.archive.points() if p.events_per_hour >= 60)
    url = f"{mock.url}/streams/{point.webid}/recorded"
    params = {
        "startTime": "*-2d",
        "endTime": "*",
        "maxCount": 150000,
        "selectedFields": "Items.Timestamp;Items.Annotated",
    }
    every = requests.get(url, params=params, timeout=30).json()["Items"]
    annotated = [v["Timestamp"] for v in every if v["Annotated"]]
    assert 3 <= len(annotated) < len(every)
    params |= {"filterExpression": """IsSet('.', "a")"""}
    assert [v["Timestamp"] for v in requests.get(url, params=params, timeout=30).json()["Items"]] == annotated
    first_two = requests.get(url, params=params | {"maxCount": 2}, timeout=30).json()["Items"]
    assert [v["Timestamp"] for v in first_two] == annotated[:2]
    for refused in ({"filterExpression": "'.' > 0"}, {"includeFilteredValues": "true"}):
        answer = requests.get(url, params=params | refused, timeout=10)
        assert answer.status_code == 409, answer.text
