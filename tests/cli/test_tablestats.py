"""`osipi status` figures from committed Parquet files: only PI events and frames count in tables of reads."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq

from osipi_app.cli.tablestats import table_stats
from osipi_app.local.tables import LandedTable

T = [datetime(2026, 11, 1, h, tzinfo=UTC) for h in range(4)]


def test_coverage_and_gap_rows_are_not_counted_as_values(tmp_path):
    rows = pa.table(
        {
            "tag_webid": ["a", "a", "b", "c", "c"],
            "timestamp": pa.array(T + [T[0]], pa.timestamp("us", tz="UTC")),
            "row_kind": ["event", "event", "event", "coverage", "gap"],
        }
    )
    path = tmp_path / "part-0.parquet"
    pq.write_table(rows, path)
    stats = table_stats(LandedTable("osipi", "pi_timeseries_p0001", tmp_path, (path,), rows.num_rows))
    assert (stats.rows, stats.keys, stats.first, stats.last) == (3, 2, T[0], T[2])


def test_a_table_without_row_kind_counts_every_row(tmp_path):
    rows = pa.table({"webid": ["x", "y", "y"], "start_time": pa.array(T[:3], pa.timestamp("us", tz="UTC"))})
    path = tmp_path / "part-0.parquet"
    pq.write_table(rows, path)
    stats = table_stats(LandedTable("osipi", "pi_event_frames", tmp_path, (path,), rows.num_rows))
    assert (stats.rows, stats.keys, stats.last) == (3, 2, T[2])
