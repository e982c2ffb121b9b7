"""A stream reader's hooks called the way a triggered (availableNow) query calls them, shared by the reader tests
that run a pipeline run after run against the mock over HTTP."""

from __future__ import annotations

import pyarrow as pa

from osipi_lakeflow.datasource.frames import FrameStreamReader
from osipi_lakeflow.datasource.timeseries import PIStreamReader


def triggered_run(
    reader: FrameStreamReader | PIStreamReader, offset: dict | None, limit: object, max_batches: int
) -> tuple[dict, list[dict], int]:
    """One triggered run of a fresh reader: micro-batches from the checkpointed `offset` until nothing is new.

    `offset` None starts from the reader's initial offset; `limit` is what Spark passes to `latestOffset`; at most
    `max_batches` micro-batches run, so a reader that never settles ends the test instead of hanging it.
    Returns the offset to carry to the next run, the rows landed and the number of micro-batches.
    """
    reader.prepareForTriggerAvailableNow()
    start = offset or reader.initialOffset()
    rows: list[dict] = []
    batches = 0
    for _ in range(max_batches):
        end = reader.latestOffset(start, limit)
        if end == start:
            break
        batches += 1
        for part in reader.partitions(start, end):
            for batch in reader.read(part):
                rows.extend(pa.Table.from_batches([batch]).to_pylist())
        start = end
    return start, rows, batches
