"""Reading recorded values of many tags: pages in flight on a thread pool, batches streamed as they arrive.

`RecordedRead` is what `PIWebAPI.recorded` and `PIWebAPI.read_incremental` return. Iterating it yields Arrow
record batches in `RECORDED_SCHEMA` as pages arrive (at most `concurrency` pages are held at once, so history is
never held whole); afterwards `.watermarks`, `.failures` and `.stats` tell where every tag stands.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np
import pyarrow as pa

from osipi_lakeflow.client.decode import INTEGER_POINT_TYPES, NUMERIC_POINT_TYPES, StreamValues, decode_streams
from osipi_lakeflow.client.fetch import Fetcher, PageRequest, TagError
from osipi_lakeflow.client.paging import PageOutcome, TagCursor, judge_page
from osipi_lakeflow.client.session import MaxCountExceededError
from osipi_lakeflow.errors import PIWebAPIError
from osipi_lakeflow.models import ReadStats, TagFailure, Watermark


class CountLimit:
    """The largest `maxCount` per HTTP call; lowered for good when the server names a smaller limit."""

    def __init__(self, value: int) -> None:
        self._value = value
        self._lock = threading.Lock()

    @property
    def value(self) -> int:
        """The current limit."""
        return self._value

    def lower(self, named: int | None, requested: int) -> int:
        """React to a refused call of `requested` values: adopt the limit the server named, else halve.

        Several calls refused at once each report here; one that asked for more than the current limit was
        sent under an older, higher limit and changes nothing.
        """
        with self._lock:
            if requested > self._value:
                return self._value
            target = named if named and named < requested else requested // 2
            if target < 1:
                raise PIWebAPIError("the server refuses every maxCount; check MaxReturnedItemsPerCall on the server")
            self._value = min(self._value, target)
            return self._value


@dataclass(slots=True)
class _ChunkResult:
    """What one HTTP page did for its tags."""

    batch: pa.RecordBatch | None
    outcomes: dict[str, PageOutcome] = field(default_factory=dict)
    errors: dict[str, TagError] = field(default_factory=dict)
    calls: int = 0
    retries: int = 0
    limit_refused: int | None = None


@dataclass(frozen=True, slots=True)
class ReadPlan:
    """The fixed settings of one read."""

    end: datetime
    names: Mapping[str, str]
    types: Mapping[str, str]
    concurrency: int
    tags_per_request: int
    max_tag_attempts: int
    backoff: float
    max_values: int | None = None


class RecordedRead:
    """An iterable of record batches for many tags; iterate once, then read `.watermarks`/`.failures`/`.stats`.

    Usage::

        read = pi.recorded(webids, "*-1h", "*")
        for batch in read:          # pyarrow.RecordBatch in RECORDED_SCHEMA
            sink.write(batch)
        read.watermarks, read.failures, read.stats
    """

    def __init__(
        self,
        fetch: Fetcher,
        cursors: Sequence[TagCursor],
        plan: ReadPlan,
        limit: CountLimit,
        watermarks: Mapping[str, Watermark],
    ) -> None:
        self._fetch = fetch
        self._cursors = list(cursors)
        self._plan = plan
        self._limit = limit
        self._started = False
        self.watermarks: dict[str, Watermark] = dict(watermarks)
        self.failures: dict[str, TagFailure] = {}
        self.stats = ReadStats(failures=self.failures)

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        if self._started:
            raise PIWebAPIError("a RecordedRead can be iterated only once; call recorded()/read_incremental() again")
        self._started = True
        return self._run()

    def to_table(self) -> pa.Table:
        """Every batch in one table (for small reads and tests; large reads should stream the batches)."""
        from osipi_lakeflow.schema import RECORDED_SCHEMA

        return pa.Table.from_batches(list(self), schema=RECORDED_SCHEMA)

    def _run(self) -> Iterator[pa.RecordBatch]:
        ready: deque[TagCursor] = deque(self._cursors)
        waiting: list[tuple[float, int, TagCursor]] = []
        order = itertools.count()
        inflight: dict[Future[_ChunkResult], list[TagCursor]] = {}
        pool = ThreadPoolExecutor(self._plan.concurrency, thread_name_prefix="pi-read")
        try:
            while ready or waiting or inflight:
                now = time.monotonic()
                while waiting and waiting[0][0] <= now:
                    ready.append(heapq.heappop(waiting)[2])
                while ready and len(inflight) < self._plan.concurrency:
                    chunk = self._take_chunk(ready)
                    inflight[pool.submit(self._read_chunk, chunk)] = chunk
                if not inflight:
                    time.sleep(max(0.0, waiting[0][0] - time.monotonic()))
                    continue
                timeout = max(0.0, waiting[0][0] - time.monotonic()) if waiting else None
                done, _ = wait(list(inflight), timeout=timeout, return_when=FIRST_COMPLETED)
                for future in done:
                    chunk = inflight.pop(future)
                    result = future.result()
                    self._apply(chunk, result, ready, waiting, order)
                    if result.batch is not None and result.batch.num_rows:
                        self.stats.values += result.batch.num_rows
                        yield result.batch
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _take_chunk(self, ready: deque[TagCursor]) -> list[TagCursor]:
        """Tags for one HTTP call: up to `tags_per_request`, their page sizes within the server limit."""
        limit = self._limit.value
        chunk: list[TagCursor] = []
        total = 0
        while ready and len(chunk) < self._plan.tags_per_request:
            count = min(ready[0].page_count, limit)
            if chunk and total + count > limit:
                break
            cursor = ready.popleft()
            chunk.append(replace(cursor, page_count=count))
            total += count
        return chunk

    def _read_chunk(self, chunk: list[TagCursor]) -> _ChunkResult:
        """Fetch and decode one page for each tag of the chunk (runs on a pool thread)."""
        pages = [PageRequest(c.webid, c.watermark.timestamp, c.end or self._plan.end, c.page_count) for c in chunk]
        try:
            fetched = self._fetch(pages)
        except MaxCountExceededError as error:
            return _ChunkResult(None, limit_refused=error.limit or 0)
        streams: list[StreamValues] = []
        cursors: list[TagCursor] = []
        result = _ChunkResult(None, calls=fetched.calls, retries=fetched.retries)
        for cursor in chunk:
            got = fetched.results[cursor.webid]
            if isinstance(got, TagError):
                result.errors[cursor.webid] = got
                continue
            name = self._plan.names.get(cursor.webid) or got.name
            point_type = self._plan.types.get(cursor.webid, "")
            streams.append(
                StreamValues(
                    got.webid, name, got.units, got.values, point_type in NUMERIC_POINT_TYPES,
                    point_type in INTEGER_POINT_TYPES,
                )
            )  # fmt: skip
            cursors.append(cursor)
        if not streams:
            return result
        page = decode_streams(streams)
        keep = np.zeros(len(page.ts_us), dtype=bool)
        for i, cursor in enumerate(cursors):
            lo, hi = int(page.offsets[i]), int(page.offsets[i + 1])
            outcome = judge_page(
                cursor, page.ts_us[lo:hi], cursor.page_count, limit=self._limit.value, max_values=self._plan.max_values
            )
            keep[lo + outcome.keep_from : hi] = True
            result.outcomes[cursor.webid] = outcome
        result.batch = page.batch if keep.all() else page.batch.filter(pa.array(keep))
        return result

    def _apply(
        self,
        chunk: list[TagCursor],
        result: _ChunkResult,
        ready: deque[TagCursor],
        waiting: list[tuple[float, int, TagCursor]],
        order: itertools.count,
    ) -> None:
        """Move each tag of a finished chunk on: done, next page, retry later, or failed."""
        self.stats.requests += result.calls
        self.stats.retries += result.retries
        if result.limit_refused is not None:
            self._limit.lower(result.limit_refused, sum(c.page_count for c in chunk))
            ready.extend(chunk)
            return
        for cursor in chunk:
            outcome = result.outcomes.get(cursor.webid)
            if outcome is not None:
                self.watermarks[cursor.webid] = outcome.cursor.watermark
                if outcome.stuck_at is not None:
                    self._fail(cursor, None, _stuck_message(outcome.stuck_at, self._limit.value))
                elif outcome.more:
                    ready.append(outcome.cursor)
                continue
            error = result.errors[cursor.webid]
            if error.limit is not None:
                self._limit.lower(error.limit, cursor.page_count)
                ready.append(cursor)
            elif error.retryable and cursor.attempts + 1 < self._plan.max_tag_attempts:
                delay = self._plan.backoff * 2**cursor.attempts
                heapq.heappush(
                    waiting, (time.monotonic() + delay, next(order), replace(cursor, attempts=cursor.attempts + 1))
                )
                self.stats.retries += 1
            else:
                self._fail(cursor, error.status, error.message)

    def _fail(self, cursor: TagCursor, status: int | None, message: str) -> None:
        self.failures[cursor.webid] = TagFailure(cursor.webid, status, message, self._plan.names.get(cursor.webid))


def _stuck_message(at: datetime, limit: int) -> str:
    return (
        f"more than {limit} events share the instant {at.isoformat()}, more than one call may return; "
        "raise the server's MaxReturnedItemsPerCall (and ClientConfig.max_count) to read past it"
    )
