"""The ingestion panels: freshness and lag per partition and per tag, values landed per hour, failing tags.

Lag is measured against the PI server time of the newest micro-batch in the warehouse (the latest `ingested_at`),
not this machine's clock: a local run reads the mock's clock, and a warehouse copied elsewhere still reads right.
The bundle's dashboard (`generator.dashboard`) computes the same panels in SQL on Databricks against the
warehouse clock; the thresholds come from `osipi_lakeflow.monitoring` for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from osipi_app.ui.bronze import newest, partitions
from osipi_lakeflow import monitoring
from osipi_lakeflow.schema import COVERAGE, EVENT, GAP


@dataclass(frozen=True)
class Freshness:
    """How current one partition (or tag) is: its newest value, its last read, and the lag behind the server."""

    key: str
    label: str
    newest_value: datetime | None
    last_read: datetime | None
    lag: timedelta | None


@dataclass(frozen=True)
class FailingTag:
    """A tag whose latest read failed (`failing`, with its error) or that stopped advancing (`stale`)."""

    partition_id: str
    tag: str
    tag_webid: str
    status: str
    last_error: str | None
    covered_until: datetime | None
    behind: timedelta | None


def server_time(warehouse: Path) -> datetime | None:
    """The PI server time of the newest micro-batch in any partition: what lag is measured against."""
    times = [newest(t.column("ingested_at")) for t in partitions(warehouse, ["ingested_at"]).values()]
    return max((t for t in times if t), default=None)


def _kind(table: pa.Table, kind: str) -> pa.Table:
    return table.filter(pc.equal(table.column("row_kind"), kind))


def _events(table: pa.Table) -> pa.Table:
    return _kind(table, EVENT)


def _lag(now: datetime | None, newest_value: datetime | None) -> timedelta | None:
    return max(timedelta(0), now - newest_value) if now and newest_value else None


def _worst_first(rows: list[Freshness]) -> list[Freshness]:
    return sorted(rows, key=lambda r: (r.lag is not None, r.lag or timedelta(0), r.key), reverse=True)


def partition_freshness(warehouse: Path) -> list[Freshness]:
    """Per partition: newest PI value and last read, the most behind first."""
    now = server_time(warehouse)
    rows = []
    for pid, table in partitions(warehouse, ["timestamp", "ingested_at", "row_kind"]).items():
        events = _events(table)
        value = newest(events.column("timestamp"))
        rows.append(Freshness(pid, pid, value, newest(table.column("ingested_at")), _lag(now, value)))
    return _worst_first(rows)


def tag_freshness(warehouse: Path) -> list[Freshness]:
    """Per tag (across partitions: a tag that moved counts once): newest PI value and last read, worst first."""
    now = server_time(warehouse)
    tables = [
        _events(t) for t in partitions(warehouse, ["tag_webid", "tag", "timestamp", "ingested_at", "row_kind"]).values()
    ]
    if not tables:
        return []
    grouped = (
        pa.concat_tables(tables)
        .group_by("tag_webid")
        .aggregate([("tag", "max"), ("timestamp", "max"), ("ingested_at", "max")])
    )
    return _worst_first([
        Freshness(r["tag_webid"], r["tag_max"] or r["tag_webid"], r["timestamp_max"], r["ingested_at_max"],
                  _lag(now, r["timestamp_max"]))
        for r in grouped.to_pylist()
    ])  # fmt: skip


def values_per_hour(warehouse: Path) -> list[tuple[datetime, int]]:
    """PI values landed per hour of landing (`ingested_at`), the last `HOURS_SHOWN` hours up to the server time."""
    now = server_time(warehouse)
    if now is None:
        return []
    since = now - timedelta(hours=monitoring.HOURS_SHOWN)
    counts: dict[datetime, int] = {}
    for table in partitions(warehouse, ["ingested_at", "row_kind"]).values():
        landed = _events(table).column("ingested_at")
        landed = landed.filter(pc.greater_equal(landed, pa.scalar(since, landed.type)))
        hours = pc.floor_temporal(landed, unit="hour").value_counts()
        for item in hours.to_pylist():
            counts[item["values"]] = counts.get(item["values"], 0) + item["counts"]
    return sorted(counts.items())


def _per_tag(table: pa.Table) -> dict[str, dict]:
    """tag_webid -> tag, newest coverage read (`covered_seq`), newest covered instant, newest failed read and error."""
    out = {
        r["tag_webid"]: {"tag": r["tag_max"], "covered_seq": -1, "covered_until": None, "gap": None}
        for r in table.group_by("tag_webid").aggregate([("tag", "max")]).to_pylist()
    }
    coverage = _kind(table, COVERAGE).group_by("tag_webid").aggregate([("read_seq", "max"), ("covered_until", "max")])
    for r in coverage.to_pylist():
        out[r["tag_webid"]].update(covered_seq=r["read_seq_max"], covered_until=r["covered_until_max"])
    for r in _kind(table, GAP).to_pylist():
        gap = out[r["tag_webid"]]["gap"]
        if gap is None or r["read_seq"] > gap[0]:
            out[r["tag_webid"]]["gap"] = (r["read_seq"], r["read_error"])
    return out


def failing_tags(warehouse: Path) -> list[FailingTag]:
    """Tags whose latest read failed, then tags `STALE_AFTER` or more behind their partition's newest coverage."""
    columns = ["tag_webid", "tag", "row_kind", "read_seq", "covered_until", "read_error"]
    rows = []
    for pid, table in partitions(warehouse, columns).items():
        tags = _per_tag(table)
        head = max((t["covered_until"] for t in tags.values() if t["covered_until"]), default=None)
        for webid, t in tags.items():
            covered_until = t["covered_until"]
            failing = t["gap"] is not None and t["gap"][0] > t["covered_seq"]
            behind = head - covered_until if head and covered_until else None
            if failing or covered_until is None or behind >= monitoring.STALE_AFTER:
                status = monitoring.FAILING if failing else monitoring.STALE
                error = t["gap"][1] if t["gap"] else None
                rows.append(FailingTag(pid, t["tag"] or webid, webid, status, error, covered_until, behind))
    return sorted(rows, key=lambda r: (r.status, -(r.behind or timedelta(0)).total_seconds(), r.tag))
