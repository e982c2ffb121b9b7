"""The executor side of the time-series source: read one `TagBatch` through the client as Arrow batches."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from osipi_lakeflow.client import PIWebAPI
from osipi_lakeflow.datasource.options import ReaderOptions
from osipi_lakeflow.datasource.partitions import TagBatch
from osipi_lakeflow.errors import PIWebAPIError
from osipi_lakeflow.models import TagFailure, Watermark
from osipi_lakeflow.schema import RECORDED_SCHEMA, RECORDED_SCHEMA_DDL, UTC_MICROS

log = logging.getLogger("osipi_lakeflow.datasource")

SOURCE_SCHEMA: pa.Schema = RECORDED_SCHEMA.append(pa.field("ingested_at", UTC_MICROS, nullable=False))
"""What the source yields: RECORDED_SCHEMA plus `ingested_at`, the PI server time of the micro-batch."""

SOURCE_SCHEMA_DDL = RECORDED_SCHEMA_DDL + ", ingested_at TIMESTAMP NOT NULL"


class PIReadError(PIWebAPIError):
    """Tags of a partition could not be read for a reason that may pass (not a vanished tag); the batch is retried."""


def open_client(opts: ReaderOptions) -> PIWebAPI:
    """A client for this task, built where the read runs from the options the pipeline handed over."""
    return opts.connection.open()


def _stamp(batch: pa.RecordBatch, ingested: pa.Scalar) -> pa.RecordBatch:
    column = pa.array(np.full(batch.num_rows, ingested.value, dtype=np.int64)).cast(UTC_MICROS)
    return pa.RecordBatch.from_arrays([*batch.columns, column], schema=SOURCE_SCHEMA)


def _report(partition_id: str, failures: dict[str, TagFailure]) -> None:
    """Log every failed tag; raise when a failure is not a vanished tag, so the batch is retried, not skipped."""
    retryable = []
    for webid, failure in sorted(failures.items()):
        tag = f"{failure.name} ({webid})" if failure.name else webid
        if failure.status == 404:
            log.error(
                "partition %s: tag %s no longer exists in PI (404: %s); skipped, the other tags keep flowing; "
                "remove it from osipi.tags or regenerate the bundle",
                partition_id,
                tag,
                failure.message,
            )
        else:
            log.error("partition %s: tag %s failed (status %s): %s", partition_id, tag, failure.status, failure.message)
            retryable.append(tag)
    if retryable:
        raise PIReadError(
            f"partition {partition_id}: {len(retryable)} tag(s) could not be read ({', '.join(retryable[:5])}); "
            "the micro-batch is not committed and is read again on the next run; check the pipeline log for causes"
        )


def read_tag_batch(partition: TagBatch, opts: ReaderOptions) -> Iterator[pa.RecordBatch]:
    """Yield the partition's rows in `SOURCE_SCHEMA`: for each tag, events in its range and nothing else.

    Tags sharing an end time are read in one incremental read (many tags per HTTP call); rows at or after a
    streaming range's end are dropped here, because the next micro-batch reads them.
    """
    ingested = pa.scalar(partition.ingested_at, type=UTC_MICROS)
    by_end: dict = defaultdict(dict)
    for r in partition.ranges:
        by_end[r.end][r.webid] = Watermark(r.start, 0)
    failures: dict[str, TagFailure] = {}
    try:
        names = dict(partition.names)
        with open_client(opts) as pi:
            for end, marks in sorted(by_end.items()):
                read = pi.read_incremental(marks, end, names=names)
                limit = pa.scalar(end, type=UTC_MICROS)
                for batch in read:
                    if not partition.end_inclusive:
                        batch = batch.filter(pc.less(batch.column("timestamp"), limit))
                    if batch.num_rows:
                        yield _stamp(batch, ingested)
                failures.update(read.failures)
    except PIWebAPIError as error:
        tags = ", ".join(r.webid for r in partition.ranges[:5])
        log.error("partition %s: reading tags %s failed: %s", partition.partition_id, tags, error)
        raise
    _report(partition.partition_id, failures)
