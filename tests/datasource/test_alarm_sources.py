"""The alarm-data readers without Spark: notification rules on old and new servers, value annotations."""

import logging
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import requests

from mock_server import MockSettings
from mock_server.testing import running_mock
from osipi_lakeflow import contract
from osipi_lakeflow.datasource.annotations import VALUE, ValueAnnotations
from osipi_lakeflow.datasource.notifications import RULE_SCHEMA, read_rules
from osipi_lakeflow.datasource.options import AFOptions

DATABASE = "\\\\PIAF01\\Plant"


def options(url: str) -> AFOptions:
    return AFOptions.parse({"piUrl": url, "authMethod": "anonymous", "afDatabase": DATABASE}, contract.ALARMS)


def test_rules_have_durations_as_seconds():
    with running_mock(MockSettings(tags=30, seed=7)) as mock:
        table = read_rules(options(mock.url))
    assert table.schema == RULE_SCHEMA and table.num_rows == len(mock.archive.notification_rules())
    first = mock.archive.notification_rules()[0]
    row = next(r for r in table.to_pylist() if r["webid"] == first["webid"])
    assert row["resend_interval_seconds"] == first["resend_interval"].total_seconds()
    assert row["subscribers"][0]["retry_interval_seconds"] == first["subscribers"][0]["retry_interval"].total_seconds()


def test_a_server_before_2018_gives_no_rules_and_one_warning_naming_the_release(caplog):
    with running_mock(MockSettings(tags=30, seed=7, release="2017 R2")) as mock:
        with caplog.at_level(logging.WARNING, logger="osipi_lakeflow.datasource"):
            table = read_rules(options(mock.url))
    assert table.num_rows == 0 and table.schema == RULE_SCHEMA
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "PI Web API 2018" in warnings[0] and contract.NOTIFICATION_RULES in warnings[0]


def test_value_annotations_of_annotated_instants_equal_the_truth_and_a_refused_tag_is_skipped(caplog):
    clock = datetime(2026, 11, 1, tzinfo=UTC)
    with running_mock(MockSettings(tags=30, seed=7, clock=clock.isoformat())) as mock:
        points = [p for p in mock.archive.points() if p.point_type in ("Float32", "Float64")][:6]
        truth = {p.webid: mock.archive.value_annotations(p.webid, clock - timedelta(hours=6), clock) for p in points}
        denied = points[0]
        requests.put(f"{mock.root}/admin/behaviours", json={"denied_points": [denied.name]}, timeout=10)
        keys = pa.RecordBatch.from_pylist(
            [{"tag_webid": w, "timestamp": r["value_timestamp"]} for w, rows in truth.items() for r in rows]
        )
        with caplog.at_level(logging.WARNING, logger="osipi_lakeflow.datasource"):
            got = pa.Table.from_batches(list(ValueAnnotations(options(mock.url))(iter([keys])))).to_pylist()
    expected = [dict(r, owner_kind=VALUE) for w, rows in truth.items() if w != denied.webid for r in rows]
    assert len(expected) > 20
    key = ("owner_webid", "value_timestamp", "id")
    assert sorted(got, key=lambda r: [r[k] for k in key]) == sorted(expected, key=lambda r: [r[k] for k in key])
    assert any(denied.webid in m and "status 500" in m for m in caplog.messages)
