"""The alarm transforms on a classic local SparkSession with hand-made frames: what is an alarm, levels, as_of."""

import os
import sys
from datetime import UTC, datetime, timedelta

import pytest

from osipi_lakeflow.pipeline import alarms as al

pytestmark = pytest.mark.spark

T = datetime(2026, 11, 1, 12, tzinfo=UTC)
FRAMES = (
    "webid STRING, event_frame_id STRING, name STRING, template STRING, categories ARRAY<STRING>, severity STRING, "
    "start_time TIMESTAMP, end_time TIMESTAMP, duration_seconds DOUBLE, is_open BOOLEAN, can_be_acknowledged BOOLEAN, "
    "acknowledged BOOLEAN, acknowledged_by STRING, acknowledged_at TIMESTAMP, primary_element_webid STRING, "
    "is_annotated BOOLEAN, deleted_in_pi BOOLEAN, observed_at TIMESTAMP"
)
ATTRIBUTES = (
    "event_frame_webid STRING, attribute_name STRING, value_double DOUBLE, value_int BIGINT, value_string STRING, "
    "state_name STRING, units STRING"
)


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
        .getOrCreate()
    )
    yield session
    session.stop()


def frame(webid: str, template: str, *, severity: str = "None", ack: bool = False, open_: bool = False, **kw) -> tuple:
    start = T - timedelta(hours=1)
    end = None if open_ else start + timedelta(minutes=10)
    row = dict(
        webid=webid, event_frame_id=webid, name=webid, template=template, categories=[template + "s"],
        severity=severity, start_time=start, end_time=end, duration_seconds=None if open_ else 600.0, is_open=open_,
        can_be_acknowledged=ack, acknowledged=False, acknowledged_by=None, acknowledged_at=None,
        primary_element_webid="E1", is_annotated=False, deleted_in_pi=False, observed_at=T,
    )  # fmt: skip
    row.update(kw)
    return tuple(row.values())


@pytest.fixture(scope="module")
def tables(spark):
    frames = spark.createDataFrame(
        [
            frame("ackable", "Alarm", ack=True, open_=True, observed_at=T - timedelta(minutes=5)),
            frame("severe", "Excursion", severity="Critical"),
            frame("named", "Limit Violation"),
            frame("by_category", "Deviation"),
            frame("odd_severity", "Other", severity="Catastrophic"),
            frame("batch", "Batch"),
            frame("gone", "Alarm", ack=True, deleted_in_pi=True),
        ],
        FRAMES,
    )
    attributes = spark.createDataFrame(
        [("ackable", "Trigger Value", None, 7, None, None, "bar"), ("ackable", "Limit", 5.0, None, None, None, "bar")],
        ATTRIBUTES,
    )
    elements = spark.createDataFrame([("E1", "\\\\AF\\DB\\Unit\\E1")], "webid STRING, path STRING")
    found = al.alarms(frames, attributes, elements, ("Limit Violation", "Deviations"), "Trigger Value")
    return {r["alarm_webid"]: r for r in found.collect()}, found


def test_alarms_are_ackable_severe_or_named_by_template_or_category(tables):
    rows, _ = tables
    assert set(rows) == {"ackable", "severe", "named", "by_category", "odd_severity", "gone"}


def test_severity_levels_follow_af_and_an_unknown_name_has_none(tables):
    rows, _ = tables
    assert rows["severe"]["severity_level"] == 5 and rows["named"]["severity_level"] == 0
    assert rows["odd_severity"]["severity_level"] is None


def test_trigger_value_comes_from_the_named_attribute_int_values_included(tables):
    rows, _ = tables
    assert (rows["ackable"]["trigger_value"], rows["ackable"]["trigger_units"]) == (7.0, "bar")
    assert rows["severe"]["trigger_attribute"] is None and rows["severe"]["trigger_value"] is None
    assert rows["ackable"]["element_path"] == "\\\\AF\\DB\\Unit\\E1"


def test_open_alarms_are_active_up_to_the_latest_read_and_deleted_ones_are_not_counted(tables):
    rows, found = tables
    (active,) = al.active_alarms(found).collect()
    assert active["alarm_webid"] == "ackable" and active["as_of"] == T.replace(tzinfo=None)  # the newest observed_at
    assert active["active_seconds"] == 3600.0
    (summary,) = [r for r in al.alarm_summary(found).collect() if r["severity"] == "None"]
    assert rows["gone"]["deleted_in_pi"] and not rows["gone"]["is_active"]
    assert (summary["alarm_count"], summary["active_count"]) == (3, 1)  # ackable, named, by_category
    assert summary["total_active_seconds"] == 3600.0 + 600.0 + 600.0
