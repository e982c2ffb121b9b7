"""`format("osipi")`: PI recorded values as a Spark Python data source, batch and streaming.

Usage::

    spark.dataSource.register(PIDataSource)
    (spark.readStream.format("osipi")
        .options(piUrl="https://pi/piwebapi", authMethod="basic", username=..., password=...,
                 tags="F1DP...,F1DP...", start="*-7d", partitionId="p0001")
        .load())

Options: the settings of `contract.settings_for("timeseries")` by their option names (`piUrl`, `lateWindow`,
`maxWindow`, `maxValues`, `tagsPerTask`, client settings), the credentials of the auth method, `tags`,
`tagStarts` (per-tag history starts, `ISO=WebId,WebId|...`), `start` (the start of tags without one, default
`*-1d`), `end` (batch reads, default `*`) and `partitionId`.

Spark partitions are groups of tags (`tagsPerTask`); streaming offsets are per-tag positions (see `offsets.py`)
kept in the query's checkpoint; each micro-batch is bounded by `maxWindow` per tag and `maxValues` (estimated from
each tag's event rate), so a long backfill advances in bounded steps.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime

import pyarrow as pa
from pyspark.sql.datasource import DataSource, DataSourceReader, DataSourceStreamReader, InputPartition
from pyspark.sql.streaming.datasource import ReadAllAvailable, ReadLimit, ReadMaxRows, SupportsTriggerAvailableNow
from pyspark.sql.types import StructType

from osipi_lakeflow import contract
from osipi_lakeflow.client import PIWebAPI
from osipi_lakeflow.datasource.offsets import StreamOffset, clock_read_seq, initial_offset, next_offset, reconcile
from osipi_lakeflow.datasource.options import ReaderOptions
from osipi_lakeflow.datasource.partitions import TagBatch, batch_partitions, stream_partitions
from osipi_lakeflow.datasource.reading import SOURCE_SCHEMA_DDL, open_client, read_tag_batch
from osipi_lakeflow.errors import PIResponseError, PIWebAPIError
from osipi_lakeflow.models import Point, StreamStatus
from osipi_lakeflow.pitime import resolve_time

log = logging.getLogger("osipi_lakeflow.datasource")


def _with_partition(error: PIWebAPIError, partition_id: str) -> PIWebAPIError:
    """The same kind of error, its message prefixed with the partition id, so the pipeline log names it."""
    message = f"partition {partition_id}: {error}"
    if isinstance(error, PIResponseError):
        return type(error)(message, status=error.status, url=error.url)
    return type(error)(message)


def history_starts(opts: ReaderOptions, now: datetime) -> dict[str, datetime]:
    """Each tag's history start: its own from `tagStarts`, else `start`, resolved against the server clock."""
    default = resolve_time(opts.start, now)
    return {t: resolve_time(opts.tag_starts[t], now) if t in opts.tag_starts else default for t in opts.tags}


class PIDataSource(DataSource):
    """PI recorded values of a set of tags; see the module docstring for options."""

    @classmethod
    def name(cls) -> str:
        """The format name: `spark.read.format("osipi")`."""
        return contract.FORMAT_RECORDED

    def schema(self) -> str:
        """The bronze schema: recorded values plus each row's read (`osipi_lakeflow.schema.BRONZE_SCHEMA`)."""
        return SOURCE_SCHEMA_DDL

    def reader(self, schema: StructType) -> PIBatchReader:
        """A batch reader of [start, end] (options `start`, `end`, default `*-1d` to `*`)."""
        return PIBatchReader(ReaderOptions.parse(self.options))

    def streamReader(self, schema: StructType) -> PIStreamReader:
        """A streaming reader whose offsets are per-tag positions."""
        return PIStreamReader(ReaderOptions.parse(self.options))


def tag_points(pi: PIWebAPI, opts: ReaderOptions) -> dict[str, Point]:
    """The tags' PI points (name, type), looked up once on the driver; without them the `tag` column stays empty."""
    try:
        return pi.points_by_webid(list(opts.tags))
    except PIWebAPIError as error:
        log.warning("partition %s: tag names unavailable (%s); the tag column stays empty", opts.partition_id, error)
        return {}


class PIBatchReader(DataSourceReader):
    """Reads every tag's recorded values in [start, end], resolved once against the server clock."""

    def __init__(self, opts: ReaderOptions) -> None:
        self.opts = opts
        with open_client(opts) as pi:
            now = pi.server_time()
            self.points = tag_points(pi, opts)
        self.now = now
        self.start = resolve_time(opts.start, now)
        self.end = resolve_time(opts.end, now)

    def partitions(self) -> Sequence[InputPartition]:
        """One task per group of `tagsPerTask` tags."""
        return batch_partitions(
            self.opts.partition_id, self.opts.tags, self.start, self.end, self.now, self.opts.tags_per_task,
            self.points,
        )  # fmt: skip

    def read(self, partition: InputPartition) -> Iterator[pa.RecordBatch]:
        """Arrow batches of one group of tags."""
        assert isinstance(partition, TagBatch)
        return read_tag_batch(partition, self.opts)


LIVE_SCAN_VALUES = 200_000
"""Estimated values of a late scan that one micro-batch of a continuously running partition re-reads (`ScanWave`):
well under a second of reading, so fresh events wait little behind it, and a 1,000-tag partition at 1 Hz with the
default 1 h late window finishes a scan in about 32 micro-batches. A triggered run scans every tag at once."""


class PIStreamReader(DataSourceStreamReader, SupportsTriggerAvailableNow):
    """Micro-batches of per-tag ranges; a run killed at any point resumes from the checkpoint with no gap or repeat.

    Each `latestOffset` asks the server for its clock and every tag's snapshot (one call per 100 tags): a tag
    whose snapshot call fails is held (see `offsets.py`) and reported; the others advance. It also retrieves the
    tags' stream updates (one call per 100 markers, registering tags without a live marker): an instant that
    changed behind a tag's position (a late event, an edit, a delete, however old) is read again. A triggered run
    retrieves them once, at its first micro-batch, so it always ends.
    """

    def __init__(self, opts: ReaderOptions) -> None:
        self.opts = opts
        self._target: datetime | None = None
        self._rates: dict[str, float] | None = None
        self._points: dict[str, Point] | None = None
        self._starts: dict[str, datetime] | None = None
        self._markers: dict[str, str] = {}
        self._updates_read = False

    def _fail(self, error: PIWebAPIError) -> PIWebAPIError:
        log.error("partition %s: %s", self.opts.partition_id, error)
        return _with_partition(error, self.opts.partition_id)

    def _now_and_starts(self) -> tuple[datetime, dict[str, datetime]]:
        """The server clock now and every tag's history start (resolved once per reader).

        Raises:
            PIWebAPIError: of the same kind as the client's, its message prefixed with the partition id.
        """
        try:
            with open_client(self.opts) as pi:
                now = pi.server_time()
                self._prepare(pi, now)
        except PIWebAPIError as error:
            raise self._fail(error) from error
        assert self._starts is not None
        return now, self._starts

    def _prepare(self, pi: PIWebAPI, now: datetime) -> None:
        """What a reader looks up once: history starts, event rates, points."""
        if self._starts is None:
            self._starts = history_starts(self.opts, now)
        if self._rates is None:
            self._rates = self._event_rates(pi)
        if self._points is None:
            self._points = tag_points(pi, self.opts)

    def _event_rates(self, pi: PIWebAPI) -> dict[str, float]:
        """Events per second per tag over the last hour, to size micro-batches; 1 Hz assumed when unknown."""
        try:
            return {t: per_hour / 3600.0 for t, per_hour in pi.event_rates(list(self.opts.tags)).items()}
        except PIWebAPIError as error:
            log.warning("partition %s: event rates unavailable (%s); assuming 1 Hz", self.opts.partition_id, error)
            return {}

    def _probe(self, markers: dict[str, str]) -> tuple[datetime, dict[str, StreamStatus], dict[str, list[datetime]]]:
        """The server clock, every tag's status and (once per triggered run) what changed since each marker.

        `markers` is updated in place: advanced, dropped where they lapsed, new ones for tags without one.
        """
        changed: dict[str, list[datetime]] = {}
        try:
            with open_client(self.opts) as pi:
                now = pi.server_time()
                self._prepare(pi, now)
                statuses = pi.stream_statuses(list(self.opts.tags))
                if not (self._updates_read and self._target is not None):
                    changed = self._retrieve(pi, markers, statuses)
                    self._updates_read = True
                return now, statuses, changed
        except PIWebAPIError as error:
            raise self._fail(error) from error

    def _retrieve(
        self, pi: PIWebAPI, markers: dict[str, str], statuses: dict[str, StreamStatus]
    ) -> dict[str, list[datetime]]:
        changed: dict[str, list[datetime]] = {}
        # a failing tag is held this batch, so what its marker reports would be dropped: leave the marker unread,
        # to report everything once the tag answers (or lapse, and the resumed tag re-reads `late_window` back)
        answering = {t for t in self.opts.tags if statuses.get(t, StreamStatus()).ok}
        live = {t: m for t, m in markers.items() if t in answering}
        for webid, result in pi.retrieve_updates(live).items():
            if result.marker:
                markers[webid] = result.marker
                changed[webid] = list(result.changed)
            else:  # expired, invalid or unregistered: register again (the late scan covers what it missed)
                markers.pop(webid, None)
        missing = [t for t in self.opts.tags if t in answering and t not in markers]
        if missing:
            markers.update(pi.register_updates(missing))
        return changed

    def initialOffset(self) -> dict:
        """Every tag at its history start (resolved against the server clock)."""
        now, starts = self._now_and_starts()
        return initial_offset(starts, now).to_json()

    def prepareForTriggerAvailableNow(self) -> None:
        """Fix the target: nothing after the server time of this call is read in this run."""
        self._target, _ = self._now_and_starts()

    def getDefaultReadLimit(self) -> ReadLimit:
        """At most `maxValues` estimated values per micro-batch."""
        return ReadMaxRows(self.opts.max_values)

    def latestOffset(self, start: dict | None = None, limit: ReadLimit | None = None) -> dict:
        """The end of the next micro-batch, or `start` itself when nothing is left to read."""
        if start is None:  # runtimes before 4.2 call latestOffset() without arguments
            start = self.initialOffset()
        previous = StreamOffset.from_json(start)
        markers = {**previous.markers, **self._markers}
        now, probes, changed = self._probe(markers)
        self._markers = markers
        if self._target is not None:
            now = min(now, self._target)
        if isinstance(limit, ReadMaxRows):
            budget: int | None = min(limit.max_rows, self.opts.max_values)
        elif isinstance(limit, ReadAllAvailable):
            budget = None
        else:
            budget = self.opts.max_values
        begin = reconcile(previous, self._starts or {})
        end = next_offset(
            begin, now, probes,
            max_window=self.opts.max_window, late_window=self.opts.late_window, rates=self._rates or {},
            max_values=budget, read_seq=clock_read_seq(), changed=changed, markers=markers,
            scan_budget=None if self._target is not None else LIVE_SCAN_VALUES,
        )  # fmt: skip
        self._report_holds(previous, end)
        if end is begin:
            return start if begin.tags == previous.tags else begin.to_json()
        # a tag new to this partition enters the offset at its history start and is read from there next batch:
        # `partitions` reads a tag only from a position the start offset holds, so advancing it now skips a window
        joined = {t: begin.tags[t] for t in begin.tags if t not in previous.tags}
        return replace(end, tags={**end.tags, **joined}).to_json() if joined else end.to_json()

    def _report_holds(self, previous: StreamOffset, end: StreamOffset) -> None:
        """Log each held tag when it is first held, then at 2, 4, 8, ... failed probes, and when it resumes."""
        names = self._points or {}
        for webid, hold in end.held.items():
            if hold.attempts & (hold.attempts - 1) == 0:
                label = f"{names[webid].name} ({webid})" if webid in names else webid
                log.error(
                    "partition %s: tag %s held since %s, %d probe(s) failed (status %s: %s); its position stays and "
                    "it resumes with no gap when it answers; the other tags keep flowing",
                    self.opts.partition_id, label, hold.since.isoformat(), hold.attempts, hold.status, hold.error,
                )  # fmt: skip
        for webid in previous.held.keys() - end.held.keys():
            log.warning("partition %s: tag %s answers again and resumes", self.opts.partition_id, webid)

    def partitions(self, start: dict, end: dict) -> Sequence[InputPartition]:
        """Tasks reading each tag's range of the end offset; [] when nothing moved."""
        if start == end:
            return []
        return stream_partitions(
            self.opts.partition_id, StreamOffset.from_json(end), self.opts.tags_per_task, self._points or {},
            self._rates or {},
        )  # fmt: skip

    def read(self, partition: InputPartition) -> Iterator[pa.RecordBatch]:
        """Arrow batches of one group of tags (runs on an executor)."""
        assert isinstance(partition, TagBatch)
        return read_tag_batch(partition, self.opts)

    def commit(self, end: dict) -> None:
        """Nothing to do: the checkpoint is the record of what was read."""
