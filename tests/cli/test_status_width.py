"""`osipi status` fits an 80-column terminal: no line wider, and every table name and number shown whole."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console

from osipi_app.cli.status import status_table
from osipi_app.local import list_tables

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
NAMES = ("pi_event_frame_attributes", "pi_timeseries_p10000", "pi_af_elements")


def _warehouse(root: Path) -> Path:
    for i, name in enumerate(NAMES):
        folder = root / "warehouse" / "osipi.db" / name
        folder.mkdir(parents=True)
        times = [NOW - timedelta(minutes=90 * i, seconds=s) for s in range(1000)]
        table = pa.table(
            {"tag_webid": [f"W{s}" for s in range(1000)], "timestamp": pa.array(times, pa.timestamp("us", tz="UTC"))}
        )
        pq.write_table(table, folder / "part-0.parquet")
        (folder / "_SUCCESS").touch()
    return root


def test_status_fits_80_columns_and_truncates_nothing(tmp_path: Path):
    warehouse = _warehouse(tmp_path)
    counts = {"action": "warn", "passed": 123_456_789, "failed": 9_876_543}
    last_run = {"results": [{"expectations": {"pi_timeseries_p10000": {"good_quality": counts}}}]}
    console = Console(width=80, record=True)
    console.print(status_table(warehouse, list_tables(warehouse), NOW, last_run))
    lines = console.export_text().splitlines()
    assert max(len(line) for line in lines) <= 80, lines
    text = "\n".join(lines)
    assert "…" not in text
    for shown in (*NAMES, "123,456,789", "9,876,543", "1,000", "11-30 12:00", "1.5h", "3.0h"):
        assert shown in text, (shown, text)
