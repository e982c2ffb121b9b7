"""The local tables as Spark committed them: the only files any reader of this project looks at.

A time-series table is written by Spark's streaming file sink, which lists the files of every committed
micro-batch in `<table>/_spark_metadata`; the files of a micro-batch killed before its commit stay in the folder
but are in no log entry (the next run writes that micro-batch again). A materialized view (AF, event frames) is
rewritten in full by each run and marked `_SUCCESS` when the write completed. Reading every Parquet file of a folder
(pyarrow, DuckDB) can therefore count rows that never landed; `open_table` and `list_tables` read exactly what
Spark itself would.

Usage::

    from osipi_app.local import open_table
    table = open_table(".osipi/demo/warehouse", "pi_timeseries_p0001").to_table()   # pyarrow
    duckdb.sql("SELECT count(*) FROM read_parquet($files)", params={"files": [str(f) for f in
               open_table(warehouse, "pi_af_elements").files]})
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import orjson
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from osipi_lakeflow.errors import PIConfigError

SINK_LOG = "_spark_metadata"
WRITE_DONE = "_SUCCESS"
DEFAULT_SCHEMA = "osipi"


@dataclass(frozen=True)
class LandedTable:
    """One local table as Spark committed it.

    Attributes:
        schema, name: where it is registered.
        path: its folder.
        files: the committed Parquet files.
        rows: rows in them (from the Parquet footers).
        complete: False when a rewrite of a materialized view was interrupted (the next run writes it again).
    """

    schema: str
    name: str
    path: Path
    files: tuple[Path, ...]
    rows: int
    complete: bool = True


def _visible_parquet(table_dir: Path) -> list[Path]:
    return sorted(
        f
        for f in table_dir.rglob("*.parquet")
        if not any(part.startswith(("_", ".")) for part in f.relative_to(table_dir).parts)
    )


def _batch_id(entry: Path) -> int | None:
    stem = entry.name.removesuffix(".compact")
    return int(stem) if stem.isdigit() else None


def sink_log_files(log_dir: Path) -> list[Path]:
    """The files of every committed micro-batch: the newest compaction, then each later batch's entries."""
    batches = {b: p for p in log_dir.iterdir() if (b := _batch_id(p)) is not None and not p.name.startswith(".")}
    if not batches:
        return []
    compacts = [b for b, p in batches.items() if p.name.endswith(".compact")]
    begin = max(compacts) if compacts else -1
    live: dict[str, bool] = {}
    for batch in sorted(b for b in batches if b >= begin):
        for line in batches[batch].read_bytes().splitlines()[1:]:  # the first line is the version, "v1"
            if line.strip():
                entry = orjson.loads(line)
                live[entry["path"]] = entry.get("action", "add") != "delete"
    return sorted(Path(unquote(urlsplit(uri).path)) for uri, present in live.items() if present)


def committed_files(table_dir: Path) -> tuple[list[Path], bool]:
    """(the committed Parquet files of a table folder, whether its last write completed)."""
    log = table_dir / SINK_LOG
    if log.is_dir():
        return sink_log_files(log), True
    files = _visible_parquet(table_dir)
    return files, (table_dir / WRITE_DONE).exists() or not files


def uncommitted_files(table_dir: Path) -> list[Path]:
    """Parquet files of a streaming table that no committed micro-batch lists (a killed micro-batch left them)."""
    if not (table_dir / SINK_LOG).is_dir():
        return []
    kept = set(sink_log_files(table_dir / SINK_LOG))
    return [f for f in _visible_parquet(table_dir) if f not in kept]


def _table(schema: str, table_dir: Path) -> LandedTable:
    files, complete = committed_files(table_dir)
    rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    return LandedTable(schema, table_dir.name, table_dir, tuple(files), rows, complete)


def list_tables(warehouse: Path) -> list[LandedTable]:
    """Every table under `warehouse/warehouse/<schema>.db/`, sorted by schema and name, committed files only."""
    root = Path(warehouse) / "warehouse"
    return [
        _table(schema_dir.name.removesuffix(".db"), table_dir)
        for schema_dir in sorted(root.glob("*.db"))
        for table_dir in sorted(p for p in schema_dir.iterdir() if p.is_dir())
    ]


def open_table(warehouse: Path, name: str, schema: str = DEFAULT_SCHEMA) -> ds.Dataset:
    """A pyarrow dataset of exactly the files Spark committed for table `schema.name`.

    Raises:
        PIConfigError: no such table in the warehouse (the message lists the tables that exist).
    """
    table_dir = Path(warehouse) / "warehouse" / f"{schema}.db" / name
    if not table_dir.is_dir():
        known = [f"{t.schema}.{t.name}" for t in list_tables(warehouse)]
        raise PIConfigError(f"no table {schema}.{name} in {warehouse}; it has {known or 'none yet'}")
    files, _ = committed_files(table_dir)
    return ds.dataset([str(f) for f in files], format="parquet")
