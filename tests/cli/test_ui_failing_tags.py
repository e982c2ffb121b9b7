"""Failing and vanished tags on a hand-made bronze table (no Spark): a failed latest read, a tag left behind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from osipi_app.ui import ingestion
from osipi_lakeflow import monitoring

NOON = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
UTC_US = pa.timestamp("us", tz="UTC")


SCHEMA = pa.schema([("tag_webid", pa.string()), ("tag", pa.string()), ("timestamp", UTC_US),
                    ("ingested_at", UTC_US), ("row_kind", pa.string()), ("read_seq", pa.int64()),
                    ("covered_until", UTC_US), ("read_error", pa.string())])  # fmt: skip


def _bronze(root: Path, rows: list[dict]) -> Path:
    folder = root / "warehouse" / "osipi.db" / "pi_timeseries_p0001"
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows, SCHEMA), folder / "part-0.parquet")
    (folder / "_SUCCESS").touch()
    return root


def _row(tag: str, kind: str, seq: int, until: datetime | None = None, error: str | None = None) -> dict:
    start = (until or NOON) - timedelta(minutes=10)
    return {"tag_webid": f"W{tag}", "tag": tag, "timestamp": start, "ingested_at": NOON, "row_kind": kind,
            "read_seq": seq, "covered_until": until, "read_error": error}  # fmt: skip


ROWS = [
    _row("A", "coverage", 1, NOON), _row("A", "gap", 2, NOON, "[-10400] No Read Access - Secure Object"),
    _row("B", "coverage", 1, NOON - timedelta(hours=1)), _row("B", "gap", 1, NOON, "old"),
    _row("B", "coverage", 2, NOON), _row("B", "event", 2),
    _row("C", "coverage", 1, NOON - timedelta(minutes=90)),
]  # fmt: skip
"""Tag A's latest read failed; B failed once, then read again; C stopped 90 minutes behind its partition."""


def test_a_failed_latest_read_and_a_tag_left_behind_are_listed_with_why(tmp_path: Path):
    warehouse = _bronze(tmp_path, ROWS)
    listed = {t.tag: t for t in ingestion.failing_tags(warehouse)}
    assert set(listed) == {"A", "C"}
    assert listed["A"].status == monitoring.FAILING
    assert listed["A"].last_error == "[-10400] No Read Access - Secure Object"
    assert listed["C"].status == monitoring.STALE and listed["C"].behind == timedelta(minutes=90)
    assert [t.tag for t in ingestion.failing_tags(warehouse)] == ["A", "C"]  # failing first
