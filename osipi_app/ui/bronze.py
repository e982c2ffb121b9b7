"""The local tables the pages read, as pyarrow tables with UTC-microsecond times (what Spark committed only)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from osipi_app.cli.tablestats import UTC_MICROS
from osipi_app.local import list_tables
from osipi_app.local.tables import open_table
from osipi_lakeflow import contract


def _utc(table: pa.Table) -> pa.Table:
    """Times as UTC microseconds whatever the files hold (Spark's INT96 reads back as naive nanoseconds)."""
    for i, column in enumerate(table.schema):
        if pa.types.is_timestamp(column.type):
            table = table.set_column(i, column.name, table.column(i).cast(UTC_MICROS))
    return table


def read(warehouse: Path, name: str, columns: list[str]) -> pa.Table:
    """The committed rows of one table, only `columns`."""
    return _utc(open_table(warehouse, name).to_table(columns=columns))


def partitions(warehouse: Path, columns: list[str]) -> dict[str, pa.Table]:
    """Partition id -> the committed rows of its bronze table, only `columns` (tables with no rows left out)."""
    prefix = contract.TIMESERIES_TABLE_PREFIX
    return {
        t.name.removeprefix(prefix): read(warehouse, t.name, columns)
        for t in list_tables(warehouse)
        if contract.is_partition_table(t.name) and t.files
    }


def has_table(warehouse: Path, name: str) -> bool:
    """The warehouse holds committed files of table `name` (a materialized view being rewritten has none yet)."""
    return any(t.name == name and t.files for t in list_tables(warehouse))


def newest(column: pa.ChunkedArray) -> datetime | None:
    """The latest time of a column (None when empty)."""
    return pc.max(column).as_py() if len(column) else None
