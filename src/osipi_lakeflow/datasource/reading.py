"""The executor side of the time-series source: read one `TagBatch` through the client as Arrow batches.

Every tag's range ends in one of three ways, all recorded as rows of the micro-batch:
- read: its events, then a coverage row for the range (the latest coverage of an instant supersedes older reads);
- failed for good (a denied, deleted or conflicting point, an instant holding more events than the server returns
  in one call): a gap row with the cause; the other tags of the batch land, and the next micro-batch's probe holds
  the tag and reads the range again once it answers;
- failed for a reason that passes (the tag answers its probe again): the micro-batch fails and Spark reads it
  again, over the same ranges.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from osipi_lakeflow.client import PIWebAPI
from osipi_lakeflow.datasource.options import ReaderOptions
from osipi_lakeflow.datasource.partitions import TagBatch, TagRange
from osipi_lakeflow.errors import PIWebAPIError
from osipi_lakeflow.models import TagFailure, Watermark
from osipi_lakeflow.schema import BRONZE_SCHEMA, BRONZE_SCHEMA_DDL, COVERAGE, EVENT, GAP, UTC_MICROS

log = logging.getLogger("osipi_lakeflow.datasource")

SOURCE_SCHEMA = BRONZE_SCHEMA
SOURCE_SCHEMA_DDL = BRONZE_SCHEMA_DDL


class PIReadError(PIWebAPIError):
    """Tags of a partition failed for a reason that may pass (they answer their probe); the batch is read again."""


def open_client(opts: ReaderOptions) -> PIWebAPI:
    """A client for this task, built where the read runs from the options the pipeline handed over."""
    return opts.connection.open()


def _constant(value: object, arrow_type: pa.DataType, n: int) -> pa.Array:
    return pa.array([value], arrow_type).take(np.zeros(n, dtype=np.int32))


def _stamp(batch: pa.RecordBatch, partition: TagBatch) -> pa.RecordBatch:
    n = batch.num_rows
    columns = [
        *batch.columns,
        _constant(partition.ingested_at, UTC_MICROS, n),
        _constant(partition.read_seq, pa.int64(), n),
        _constant(EVENT, pa.string(), n),
        pa.nulls(n, UTC_MICROS),
        pa.nulls(n, pa.string()),
    ]
    return pa.RecordBatch.from_arrays(columns, schema=SOURCE_SCHEMA)


def range_rows(partition: TagBatch, ranges: list[tuple[TagRange, str, str | None]]) -> pa.RecordBatch:
    """Coverage or gap rows: (range, kind, error) each, stamped with the partition's read."""
    names = {webid: name for webid, name, _ in partition.points}
    rows = [
        {
            "tag_webid": r.webid,
            "tag": names.get(r.webid),
            "timestamp": r.start,
            "event_ordinal": 0,
            "is_system_state": False,
            "good": kind == COVERAGE,
            "questionable": False,
            "substituted": False,
            "annotated": False,
            "ingested_at": partition.ingested_at,
            "read_seq": partition.read_seq,
            "row_kind": kind,
            "covered_until": r.end,
            "read_error": error,
        }
        for r, kind, error in ranges
    ]
    return pa.RecordBatch.from_pylist(rows, schema=SOURCE_SCHEMA)


def _label(failure: TagFailure, webid: str) -> str:
    return f"{failure.name} ({webid})" if failure.name else webid


def persistent_failures(pi: PIWebAPI, partition_id: str, failures: Mapping[str, TagFailure]) -> dict[str, str]:
    """The failures that hold (the tag's probe fails too), with their cause; raise when any other failure passed.

    Raises:
        PIReadError: a tag failed its read but answers its probe: the micro-batch is read again.
    """
    if not failures:
        return {}
    statuses = pi.stream_statuses(sorted(failures))
    lasting: dict[str, str] = {}
    passing = []
    for webid, failure in sorted(failures.items()):
        status = statuses.get(webid)
        stuck = failure.status is None and "share the instant" in failure.message
        if stuck or failure.status == 404 or (status is not None and not status.ok):
            cause = f"status {failure.status}: {failure.message}" if failure.status else failure.message
            log.error("partition %s: tag %s cannot be read (%s); recorded as a gap, the other tags land",
                      partition_id, _label(failure, webid), cause)  # fmt: skip
            lasting[webid] = cause
        else:
            log.error("partition %s: tag %s failed (status %s): %s", partition_id, _label(failure, webid),
                      failure.status, failure.message)  # fmt: skip
            passing.append(_label(failure, webid))
    if passing:
        raise PIReadError(
            f"partition {partition_id}: {len(passing)} tag(s) failed but answer again ({', '.join(passing[:5])}); "
            "the micro-batch is not committed and is read again over the same ranges"
        )
    return lasting


def reads_of(ranges: Sequence[TagRange]) -> list[dict[str, TagRange]]:
    """The ranges as reads of at most one range per tag: the k-th range of each tag goes to the k-th read."""
    reads: list[dict[str, TagRange]] = []
    for r in ranges:
        read = next((read for read in reads if r.webid not in read), None)
        if read is None:
            reads.append(read := {})
        read[r.webid] = r
    return reads


@dataclass(frozen=True)
class TagEnds:
    """Each tag's end as Arrow arrays, built once per read: a backfill filters many record batches against them."""

    tags: pa.Array
    limits: pa.Array

    @classmethod
    def of(cls, ends: Mapping[str, datetime]) -> TagEnds:
        """The ends of one read (WebId -> end)."""
        return cls(pa.array(list(ends), pa.string()), pa.array(list(ends.values()), UTC_MICROS))

    def before(self, batch: pa.RecordBatch) -> pa.Array:
        """Per row, whether its time is before its tag's end."""
        at = pc.index_in(batch.column("tag_webid"), value_set=self.tags)
        return pc.less(batch.column("timestamp"), self.limits.take(at))


def read_tag_batch(partition: TagBatch, opts: ReaderOptions) -> Iterator[pa.RecordBatch]:
    """Yield the partition's rows in `SOURCE_SCHEMA`: events in each tag's range, then coverage and gap rows.

    Each tag's range ends where it ends, and ranges of different tags share HTTP calls (many tags per call), so a
    few changed instants of many tags cost a few calls, not one each; a tag with several ranges (changed instants
    read again) is read once per range. Rows at or after a streaming range's end are dropped here, because the
    next micro-batch reads them.
    """
    names = {webid: name for webid, name, _ in partition.points}
    types = {webid: point_type for webid, _, point_type in partition.points}
    failures: dict[str, TagFailure] = {}
    try:
        with open_client(opts) as pi:
            for ranges in reads_of(partition.ranges):
                marks = {webid: Watermark(r.start, 0) for webid, r in ranges.items()}
                ends = {webid: r.end for webid, r in ranges.items()}
                read = pi.read_incremental(marks, names=names, types=types, ends=ends)
                cut = None if partition.end_inclusive else TagEnds.of(ends)
                for batch in read:
                    if cut is not None:
                        batch = batch.filter(cut.before(batch))
                    if batch.num_rows:
                        yield _stamp(batch, partition)
                failures.update(read.failures)
            lasting = persistent_failures(pi, partition.partition_id, failures)
    except PIWebAPIError as error:
        tags = ", ".join(r.webid for r in partition.ranges[:5])
        log.error("partition %s: reading tags %s failed: %s", partition.partition_id, tags, error)
        raise
    marked = [(r, GAP, lasting[r.webid]) if r.webid in lasting else (r, COVERAGE, None) for r in partition.ranges]
    if partition.end_inclusive:  # a batch read reports its gaps but no coverage: it supersedes nothing
        marked = [m for m in marked if m[1] == GAP]
    if marked:
        yield range_rows(partition, marked)
