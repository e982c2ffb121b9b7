"""Spark partitions of the time-series source: groups of tags, each with the time range every tag reads."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from pyspark.sql.datasource import InputPartition

from osipi_lakeflow.datasource.offsets import DEFAULT_RATE_PER_S, StreamOffset
from osipi_lakeflow.models import Point


@dataclass(frozen=True)
class TagRange:
    """One tag's read: events with `start` <= time < `end` (or <= `end` when the batch is `end_inclusive`)."""

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
        read_seq: the micro-batch's read sequence, stamped on every row (0 for batch reads).
        end_inclusive: batch reads include events at `end` (PI's recorded semantics); streaming reads do not.
        points: (WebId, PI point name, point type) of the tags, so rows carry the tag name and typed values.
    """

    partition_id: str
    ranges: tuple[TagRange, ...]
    ingested_at: datetime
    read_seq: int = 0
    end_inclusive: bool = False
    points: tuple[tuple[str, str, str], ...] = ()


def chunk(items: Sequence, size: int) -> list[tuple]:
    """Split in order into groups of at most `size`."""
    return [tuple(items[i : i + size]) for i in range(0, len(items), size)]


def _points_of(ranges: Sequence[TagRange], points: Mapping[str, Point]) -> tuple[tuple[str, str, str], ...]:
    tags = dict.fromkeys(r.webid for r in ranges if r.webid in points)
    return tuple((webid, points[webid].name, points[webid].point_type) for webid in tags)


MIN_VALUES_PER_TASK = 200_000
"""The smallest estimated read worth a task of its own: a task costs about a second on the local engine whatever it
reads (a client, a round trip to a Python worker, a file written), so a steady run's few minutes of many tags are
read by a few tasks, not one per `tags_per_task` tags."""


def task_count(by_tag: Sequence[Sequence[TagRange]], tags_per_task: int, rates: Mapping[str, float]) -> int:
    """Tasks for these tags: one per `tags_per_task`, fewer when they would read under `MIN_VALUES_PER_TASK` each.

    Values are estimated from each tag's rate (events per second, 1 Hz when unknown) over its ranges.
    """
    values = sum(
        (r.end - r.start).total_seconds() * rates.get(r.webid, DEFAULT_RATE_PER_S) for ranges in by_tag for r in ranges
    )
    return max(1, min(math.ceil(len(by_tag) / tags_per_task), math.ceil(values / MIN_VALUES_PER_TASK)))


def stream_partitions(
    partition_id: str,
    end: StreamOffset,
    tags_per_task: int,
    points: Mapping[str, Point] | None = None,
    rates: Mapping[str, float] | None = None,
) -> list[TagBatch]:
    """The tasks of a micro-batch: every tag's range `[read_from, pos)` and its rereads, held tags skipped.

    A task takes whole tags with all their ranges, so changed instants read again add no tasks: `tags_per_task`
    tags each in a large micro-batch, more in a small one (`task_count`).
    """
    by_tag = []
    for webid, state in end.tags.items():
        if webid in end.held:
            continue
        ranges = [TagRange(webid, a, b) for a, b in end.rereads.get(webid, ())]
        if state.read_from < state.pos:
            ranges.append(TagRange(webid, state.read_from, state.pos))
        if ranges:
            by_tag.append(ranges)
    per_task = math.ceil(len(by_tag) / task_count(by_tag, tags_per_task, rates or {})) if by_tag else tags_per_task
    groups = [tuple(r for ranges in tags for r in ranges) for tags in chunk(by_tag, per_task)]
    return [
        TagBatch(partition_id, group, end.server_time, end.read_seq, points=_points_of(group, points or {}))
        for group in groups
    ]


def batch_partitions(
    partition_id: str,
    tags: Sequence[str],
    start: datetime,
    end: datetime,
    ingested_at: datetime,
    size: int,
    points: Mapping[str, Point] | None = None,
) -> list[TagBatch]:
    """The tasks of a batch read of [start, end] for every tag."""
    batches = []
    for group in chunk(tags, size):
        ranges = tuple(TagRange(t, start, end) for t in group)
        batches.append(TagBatch(partition_id, ranges, ingested_at, 0, True, _points_of(ranges, points or {})))
    return batches
