"""`osipi export`: a local table's committed rows, or a view's current rows, as one Parquet file."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from osipi_app.local import export_through_engine, open_table
from osipi_lakeflow import contract
from osipi_lakeflow.errors import PIConfigError

VIEWS = frozenset({contract.TIMESERIES_VIEW, contract.TIMESERIES_READS_VIEW})
"""Names Spark must evaluate (the local engine starts for them); tables are read from their committed files."""


def export_table(warehouse: Path, table: str, schema: str, target: Path) -> int:
    """Write `schema.table` to `target` (written beside it and renamed: never half-written); the exit code."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if table in VIEWS:
            outcome = export_through_engine(warehouse, {table: target}, schema)[table]
            if not outcome["ok"]:
                print(f"error: exporting {schema}.{table} failed: {outcome['error']} (see {warehouse}/logs/engine.log)")
                return 1
            rows = outcome["rows"]
        else:
            data = open_table(warehouse, table, schema).to_table()
            partial = target.with_name(f".{target.name}.partial")
            pq.write_table(data, partial)
            partial.replace(target)
            rows = data.num_rows
    except PIConfigError as error:
        print(f"error: {error}")
        return 2
    print(f"wrote {rows:,} rows of {schema}.{table} to {target}")
    return 0
