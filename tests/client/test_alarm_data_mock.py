"""Notification rules and annotations read by the client equal the mock's ground truth, every field typed, and a
server older than PI Web API 2018 raises PIUnsupportedError naming the release needed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest
import requests

from mock_server import MockSettings
from mock_server.testing import running_mock
from osipi_lakeflow.client import ANNOTATION_SCHEMA, NOTIFICATION_RULE_SCHEMA, PIWebAPI
from osipi_lakeflow.errors import PIUnsupportedError

from .conftest import CLOCK, config

DB = r"\\PIAF01\Plant"


def test_notification_rules_equal_the_truth_with_typed_fields(clean_mock) -> None:
    with PIWebAPI(clean_mock.url, config=config(page_size=5, tags_per_request=3)) as pi:
        table = pi.notification_rules(DB)
    assert table.schema == NOTIFICATION_RULE_SCHEMA
    assert table.schema.field("nonrepetition_interval").type == pa.duration("us")
    assert table.schema.field("auto_created").type == pa.bool_()
    truth = clean_mock.archive.notification_rules()
    assert len(truth) > 5
    assert table.to_pylist() == truth


def test_event_frame_annotations_equal_the_truth(clean_mock) -> None:
    with PIWebAPI(clean_mock.url, config=config(tags_per_request=7)) as pi:
        frames = list(pi.event_frames(DB, start="*-2d", template_name="Alarm"))
        table = pi.event_frame_annotations(frames)
    assert table.schema == ANNOTATION_SCHEMA
    assert table.schema.field("creation_date").type == pa.timestamp("us", tz="UTC")
    truth = [row for f in frames for row in clean_mock.archive.frame_annotations(f.webid)]
    assert truth
    assert table.to_pylist() == truth


def test_value_annotations_equal_the_truth_across_pages(clean_mock) -> None:
    point = max(clean_mock.archive.points(), key=lambda p: p.events_per_hour if p.point_type == "Float32" else 0)
    start, end = datetime(2026, 10, 31, 12, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    with PIWebAPI(clean_mock.url, config=config(max_count=100)) as pi:
        table = pi.value_annotations(point.webid, start, end)
    truth = clean_mock.archive.value_annotations(point.webid, start, end)
    assert len(truth) > 300
    assert table.schema == ANNOTATION_SCHEMA
    assert table.to_pylist() == truth


def test_value_annotations_at_annotated_instants_equal_the_truth(clean_mock) -> None:
    start, end = datetime(2026, 10, 31, 12, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    points = [p for p in clean_mock.archive.points() if p.point_type == "Float32"][:5]
    truth = [row for p in points for row in clean_mock.archive.value_annotations(p.webid, start, end)]
    assert truth and any(row["value_timestamp"].microsecond for row in truth)
    instants = [(row["owner_webid"], row["value_timestamp"]) for row in truth]
    with PIWebAPI(clean_mock.url, config=config(tags_per_request=7)) as pi:
        table, refused = pi.value_annotations_at(instants)
    assert refused == {} and table.schema == ANNOTATION_SCHEMA
    key = ("owner_webid", "value_timestamp", "id")
    assert sorted(table.to_pylist(), key=lambda r: [r[k] for k in key]) == sorted(
        truth, key=lambda r: [r[k] for k in key]
    )


def _days_apart(rows: list[dict]) -> list[tuple[str, datetime]]:
    """(owner, time) of annotated values more than a day after the one before: each is read by its own range."""
    picked: list[tuple[str, datetime]] = []
    for row in sorted(rows, key=lambda r: r["value_timestamp"]):
        if not picked or row["value_timestamp"] - picked[-1][1] > timedelta(days=1, hours=1):
            picked.append((row["owner_webid"], row["value_timestamp"]))
    return picked


def test_value_annotations_at_reads_a_range_of_instants_per_sub_request(clean_mock) -> None:
    start, end = datetime(2026, 10, 31, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    points = [p for p in clean_mock.archive.points() if p.point_type == "Float32"][:3]
    truth = [row for p in points for row in clean_mock.archive.value_annotations(p.webid, start, end)]
    assert len(truth) > 3 * len(points)
    requests.post(f"{clean_mock.root}/admin/stats/reset", timeout=10).raise_for_status()
    with PIWebAPI(clean_mock.url, config=config(tags_per_request=7)) as pi:
        table, _ = pi.value_annotations_at((row["owner_webid"], row["value_timestamp"]) for row in truth)
    asked = requests.get(f"{clean_mock.root}/admin/stats", timeout=10).json()["requests"]
    assert table.num_rows == len(truth)
    streams = {row["owner_webid"] for row in truth}
    assert asked["batch:/streams/{webId}/recorded"] == {"200": len(streams)}  # a day of each stream in one


def test_value_annotations_at_does_not_ask_a_refused_stream_for_its_later_instants() -> None:
    start, end = datetime(2026, 10, 25, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    with running_mock(MockSettings(seed=7, tags=20, clock=CLOCK)) as mock:  # its own: a point is denied
        floats = [p for p in mock.archive.points() if p.point_type == "Float32"]
        apart = {p.webid: _days_apart(mock.archive.value_annotations(p.webid, start, end)) for p in floats}
        few = [p for p in floats if len(apart[p.webid]) >= 4]
        denied, kept = sorted(few, key=lambda p: p.webid)[:2]  # the denied stream's instants are asked first
        truth = [
            r
            for r in mock.archive.value_annotations(kept.webid, start, end)
            if (kept.webid, r["value_timestamp"]) in apart[kept.webid]
        ]
        deny = {"denied_points": [denied.name]}
        requests.put(f"{mock.root}/admin/behaviours", json=deny, timeout=10).raise_for_status()
        requests.post(f"{mock.root}/admin/stats/reset", timeout=10).raise_for_status()
        instants = apart[kept.webid] + apart[denied.webid]
        with PIWebAPI(mock.url, config=config(tags_per_request=2, concurrency=1)) as pi:  # one call at a time
            table, refused = pi.value_annotations_at(instants)
        asked = requests.get(f"{mock.root}/admin/stats", timeout=10).json()["requests"]
        requests.post(f"{mock.root}/admin/stats/reset", timeout=10).raise_for_status()
        with PIWebAPI(mock.url, config=config(tags_per_request=2, concurrency=2)) as pi:
            side_by_side, _ = pi.value_annotations_at(instants)
        asked_side_by_side = requests.get(f"{mock.root}/admin/stats", timeout=10).json()["requests"]
    assert list(refused) == [denied.webid] and "No Read Access" in refused[denied.webid]
    key = ("value_timestamp", "id")
    assert sorted(table.to_pylist(), key=lambda r: [r[k] for k in key]) == sorted(
        truth, key=lambda r: [r[k] for k in key]
    )
    # two ranges a call, a range per instant here: the denied stream's first call is refused, its later ranges
    # are never sent
    assert asked["batch:/streams/{webId}/recorded"] == {"500": 2, "200": len(apart[kept.webid])}
    # two calls in flight: the call sent beside the refused one is asked too, never more
    assert side_by_side.sort_by("id").equals(table.sort_by("id"))
    assert asked_side_by_side["batch:/streams/{webId}/recorded"] == {"500": 4, "200": len(apart[kept.webid])}


def test_a_server_before_2018_raises_a_clear_unsupported_error() -> None:
    with running_mock(MockSettings(seed=7, tags=200, clock=CLOCK, release="2017 R2")) as old:
        with PIWebAPI(old.url, config=config()) as pi, pytest.raises(PIUnsupportedError) as caught:
            pi.notification_rules(DB)
    assert "PI Web API 2018" in str(caught.value)
    assert caught.value.required == "PI Web API 2018"
    assert caught.value.status == 404
