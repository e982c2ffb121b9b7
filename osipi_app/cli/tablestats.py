"""Statistics of a landed table read from the Parquet files Spark committed, so `osipi status` needs no Spark."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from osipi_app.local.tables import LandedTable

UTC_MICROS = pa.timestamp("us", tz="UTC")
"""Times compare as UTC microseconds whatever the files hold (Spark's INT96 reads back as naive nanoseconds)."""

TAG_COLUMNS = ("tag_webid", "point_webid", "event_frame_webid", "attribute_webid", "webid", "id")
"""The column that identifies the thing a row is about, by preference: a time series row's tag, else the object."""

TIME_COLUMNS = ("timestamp", "start_time", "start")
"""The column that dates a row, by preference."""

COUNTED_KINDS = ("event", "frame")
"""In tables that keep every read (`row_kind`), the rows that count: PI events and event frames, not coverage,
gap, attribute or deletion rows."""


@dataclass(frozen=True)
class TableStats:
    """Rows, distinct keys and the time range of one table."""

    name: str
    rows: int
    keys: int
    key_column: str | None
    first: datetime | None
    last: datetime | None


def _first_present(names: tuple[str, ...], schema: pa.Schema) -> str | None:
    return next((n for n in names if n in schema.names), None)


def table_stats(table: LandedTable, batch_rows: int = 1_000_000) -> TableStats:
    """Scan the table's committed files once, projecting only the key and time columns.

    Distinct keys are accumulated batch by batch, so memory is bounded by the number of tags, not of rows.
    """
    name = table.name
    if not table.files:
        return TableStats(name, 0, 0, None, None, None)
    dataset = ds.dataset([str(f) for f in table.files], format="parquet")
    key = _first_present(TAG_COLUMNS, dataset.schema)
    time = _first_present(TIME_COLUMNS, dataset.schema)
    columns = [c for c in (key, time) if c]
    counted = ds.field("row_kind").isin(COUNTED_KINDS) if "row_kind" in dataset.schema.names else None
    rows, keys = 0, set()
    first = last = None
    for batch in dataset.to_batches(columns=columns, filter=counted, batch_size=batch_rows):
        rows += batch.num_rows
        if key:
            keys.update(pc.unique(batch.column(key)).to_pylist())
        if time and batch.num_rows:
            lo, hi = pc.min_max(batch.column(time).cast(UTC_MICROS)).values()
            if lo.is_valid:
                first = lo.as_py() if first is None else min(first, lo.as_py())
                last = hi.as_py() if last is None else max(last, hi.as_py())
    if not columns:
        rows = dataset.count_rows(filter=counted)
    keys.discard(None)
    return TableStats(name, rows, len(keys), key, first, last)
