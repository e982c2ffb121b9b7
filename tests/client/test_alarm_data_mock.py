"""Notification rules and annotations read by the client equal the mock's ground truth, every field typed, and a
server older than PI Web API 2018 raises PIUnsupportedError naming the release needed."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest

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
    with PIWebAPI(clean_mock.url, config=config(max_count=2000)) as pi:
        table = pi.value_annotations(point.webid, start, end)
    truth = clean_mock.archive.value_annotations(point.webid, start, end)
    assert truth
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


def test_a_server_before_2018_raises_a_clear_unsupported_error() -> None:
    with running_mock(MockSettings(seed=7, tags=200, clock=CLOCK, release="2017 R2")) as old:
        with PIWebAPI(old.url, config=config()) as pi, pytest.raises(PIUnsupportedError) as caught:
            pi.notification_rules(DB)
    assert "PI Web API 2018" in str(caught.value)
    assert caught.value.required == "PI Web API 2018"
    assert caught.value.status == 404
