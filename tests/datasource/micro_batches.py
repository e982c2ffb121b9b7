"""A stream reader's hooks called the way a triggered (availableNow) query calls them, shared by the reader tests
that run a pipeline run after run against the mock over HTTP and by `bench/model_scale.py`, which counts what each
hook sends."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa

from osipi_lakeflow.datasource.frames import FrameStreamReader
from osipi_lakeflow.datasource.timeseries import PIStreamReader


def run_until_settled(
    reader: FrameStreamReader | PIStreamReader,
    offset: dict | None,
    limit: object,
    max_batches: int,
    on_batch: Callable[[pa.RecordBatch], None],
    on_step: Callable[[str], None] = lambda _: None,
) -> tuple[dict, int]:
    """One triggered run of a fresh reader: micro-batches from the checkpointed `offset` until nothing is new.

    `offset` None starts from the reader's initial offset; `limit` is what Spark passes to `latestOffset`; at most
    `max_batches` micro-batches run, so a reader that never settles ends the run instead of hanging it. Each record
    batch read goes to `on_batch`; `on_step` hears "setup", "offset" or "read" before the hooks of that step run,
    so a caller can tell what each step costs. Returns the offset to carry to the next run and the micro-batches.
    """
    on_step("setup")
    reader.prepareForTriggerAvailableNow()
    start = offset or reader.initialOffset()
    batches = 0
    for _ in range(max_batches):
        on_step("offset")
        end = reader.latestOffset(start, limit)
        if end == start:
            break
        batches += 1
        on_step("read")
        for part in reader.partitions(start, end):
            for batch in reader.read(part):
                on_batch(batch)
        start = end
    return start, batches


def triggered_run(
    reader: FrameStreamReader | PIStreamReader, offset: dict | None, limit: object, max_batches: int
) -> tuple[dict, list[dict], int]:
    """`run_until_settled`, keeping the rows: the offset to carry to the next run, the rows landed, the batches."""
    rows: list[dict] = []
    end, batches = run_until_settled(reader, offset, limit, max_batches, lambda batch: rows.extend(batch.to_pylist()))
    return end, rows, batches
