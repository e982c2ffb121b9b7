"""Spark partitions of the time-series source: groups of tags, each with the time range every tag reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from pyspark.sql.datasource import InputPartition

from osipi_lakeflow.datasource.offsets import StreamOffset


@dataclass(frozen=True)
class TagRange:
    """One tag's read: events with `start` <= time < `end` (or <= `end` when `end_inclusive`)."""

    webid: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class TagBatch(InputPartition):
    """A Spark partition: some tags of one pipeline partition, read by one task through one client.

    Attributes:
        partition_id: the pipeline partition (for log lines).
        ranges: per tag, what to read.
        ingested_at: the PI server time of the micro-batch, stamped on every row.
        end_inclusive: batch reads include events at `end` (PI's recorded semantics); streaming reads do not.
        names: (WebId, PI point name) of the tags, so rows carry the tag name.
    """

    partition_id: str
    ranges: tuple[TagRange, ...]
    ingested_at: datetime
    end_inclusive: bool = False
    names: tuple[tuple[str, str], ...] = ()


def chunk(items: Sequence[str], size: int) -> list[tuple[str, ...]]:
    """Split in order into groups of at most `size`."""
    return [tuple(items[i : i + size]) for i in range(0, len(items), size)]


def _names_of(ranges: Sequence[TagRange], names: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple((r.webid, names[r.webid]) for r in ranges if r.webid in names)


def stream_partitions(
    partition_id: str,
    start: StreamOffset,
    end: StreamOffset,
    tags_per_partition: int,
    names: Mapping[str, str] | None = None,
) -> list[TagBatch]:
    """The tasks of one micro-batch; empty when nothing moved and no late scan is due.

    A tag reads [start, end); when the batch carries a late scan and the tag's position is inside the late window,
    it reads from `late_from` instead, so late events behind the position are seen (already-landed ones are dropped
    by the bronze table's dedupe).
    """
    ranges = []
    for webid, stop in end.tags.items():
        begin = start.tags.get(webid, stop)  # a tag new in `end` starts there: nothing to read this batch
        if end.late_from is not None and begin > end.late_from:
            begin = end.late_from
        if begin < stop:
            ranges.append(TagRange(webid, begin, stop))
    return [
        TagBatch(partition_id, tuple(group), end.server_time, names=_names_of(group, names or {}))
        for group in (ranges[i : i + tags_per_partition] for i in range(0, len(ranges), tags_per_partition))
    ]


def batch_partitions(
    partition_id: str,
    tags: Sequence[str],
    start: datetime,
    end: datetime,
    ingested_at: datetime,
    size: int,
    names: Mapping[str, str] | None = None,
) -> list[TagBatch]:
    """The tasks of a batch read of [start, end] for every tag."""
    batches = []
    for group in chunk(tags, size):
        ranges = tuple(TagRange(t, start, end) for t in group)
        batches.append(TagBatch(partition_id, ranges, ingested_at, True, _names_of(ranges, names or {})))
    return batches
