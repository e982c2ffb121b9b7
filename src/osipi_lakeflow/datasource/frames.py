r"""`format("osipi_event_frames")`: AF event-frame history, landing only what changed.

Usage::

    spark.readStream.format("osipi_event_frames").options(piUrl=..., afDatabase=r"\\\\PIAF01\\Plant").load()

Each micro-batch is one read of the AF database: the frames overlapping [window start, server now], and the
attribute values of those whose values can have moved. The window start is `eventFrameStart` resolved against the
server clock, never later than the previous read, so a frame that was open then is found again however long ago
it started (PI's `Overlapped` search treats an open frame's end as infinite). The offset keeps, for every frame in
the window, a digest of its fields, a digest of its attribute values and its end; a micro-batch lands rows only
for what changed:

- `frame` and `attribute` rows for a frame that is new, changed (closed, acknowledged, annotated, renamed, an
  attribute edited) or still open (its attribute values move with time);
- a `deleted` row for a frame that was in the window and is gone from PI, confirmed by a 404 on the frame itself.

Attribute values are read again for new, open and changed frames and for frames whose values PI has not captured
(`AreValuesCaptured` false: data references evaluated on each read). A closed frame's captured values change only
by an edit, which PI Web API reports nowhere on the frame, so those are checked in rotation: each read re-reads the
next share of them in WebId order, sized by the time since the previous read, so every frame is checked at least
once per `VALUES_RECHECK`. Reading every frame's values on every run cost a 7,000-frame window about 10 s a run.

A frame that aged out of the window (it ended before the window start) keeps its last rows and leaves the offset,
so the offset stays the size of the window. The tables users query keep the latest rows of every frame ever read
(`pipeline.frames`). A batch read returns the window as it is now (every frame, read_seq 0).
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

import orjson
import pyarrow as pa
from pyspark.sql.datasource import DataSource, DataSourceReader, DataSourceStreamReader, InputPartition
from pyspark.sql.pandas.types import from_arrow_schema
from pyspark.sql.streaming.datasource import SupportsTriggerAvailableNow
from pyspark.sql.types import StructType

from osipi_lakeflow import contract
from osipi_lakeflow.client import EVENT_FRAME_VALUE_SCHEMA, PIWebAPI
from osipi_lakeflow.datasource.offsets import clock_read_seq
from osipi_lakeflow.datasource.options import AFOptions
from osipi_lakeflow.errors import PIWebAPIError
from osipi_lakeflow.models import EventFrame
from osipi_lakeflow.pitime import format_time, parse_timestamp, resolve_time
from osipi_lakeflow.schema import UTC_MICROS

log = logging.getLogger("osipi_lakeflow.datasource")

FRAME, ATTRIBUTE, DELETED = "frame", "attribute", "deleted"
"""The values of `row_kind` in the event-frame reads table."""

_TAGS = pa.list_(pa.string())
FRAME_FIELDS: tuple[pa.Field, ...] = (
    pa.field("event_frame_id", pa.string()),
    pa.field("name", pa.string()),
    pa.field("path", pa.string()),
    pa.field("template", pa.string()),
    pa.field("start_time", UTC_MICROS),
    pa.field("end_time", UTC_MICROS),
    pa.field("duration_seconds", pa.float64()),
    pa.field("is_open", pa.bool_()),
    pa.field("severity", pa.string()),
    pa.field("primary_element_webid", pa.string()),
    pa.field("categories", _TAGS),
    pa.field("description", pa.string()),
    pa.field("can_be_acknowledged", pa.bool_()),
    pa.field("acknowledged", pa.bool_()),
    pa.field("acknowledged_by", pa.string()),
    pa.field("acknowledged_at", UTC_MICROS),
    pa.field("is_annotated", pa.bool_()),
)
"""What PI says of a frame; `end_time` and `duration_seconds` are null while it is open."""
_VALUE_FIELDS = tuple(f.with_nullable(True) for f in EVENT_FRAME_VALUE_SCHEMA if f.name != "event_frame_webid")

READ_SCHEMA: pa.Schema = pa.schema(
    [
        pa.field("event_frame_webid", pa.string(), nullable=False),
        pa.field("row_kind", pa.string(), nullable=False),
        pa.field("read_seq", pa.int64(), nullable=False),
        pa.field("ingested_at", UTC_MICROS, nullable=False),
        *FRAME_FIELDS,
        *_VALUE_FIELDS,
    ]
)
"""Rows of the event-frame reads table: a `frame` row (frame columns), its `attribute` rows (one per attribute:
attribute and value columns, meaning what they mean in `EVENT_FRAME_VALUE_SCHEMA`) and `deleted` rows (the frame
is gone from PI), each stamped with its read: `read_seq` grows with time, `ingested_at` is the server time."""


def frame_record(frame: EventFrame, now: datetime) -> dict:
    """The frame columns of one frame (`is_open` as of server time `now`)."""
    return {
        "event_frame_id": frame.id,
        "name": frame.name,
        "path": frame.path,
        "template": frame.template or None,
        "start_time": frame.start,
        "end_time": frame.end,
        "duration_seconds": (frame.end - frame.start).total_seconds() if frame.end else None,
        "is_open": frame.end is None or frame.end > now,
        "severity": frame.severity,
        "primary_element_webid": frame.ref_element_webids[0] if frame.ref_element_webids else None,
        "categories": list(frame.categories),
        "description": frame.description or None,
        "can_be_acknowledged": frame.can_be_acknowledged,
        "acknowledged": frame.is_acknowledged,
        "acknowledged_by": frame.acknowledged_by or None,
        "acknowledged_at": frame.acknowledged_date,
        "is_annotated": frame.is_annotated,
    }


def _attribute_records(values: pa.Table) -> dict[str, list[dict]]:
    """Attribute rows by frame WebId, in attribute order (so digests do not depend on PI's listing order)."""
    by_frame: dict[str, list[dict]] = {}
    for row in values.to_pylist():
        by_frame.setdefault(row.pop("event_frame_webid"), []).append(row)
    return {webid: sorted(rows, key=lambda r: r["attribute_webid"]) for webid, rows in by_frame.items()}


VALUES_RECHECK = timedelta(hours=6)
"""The longest a closed frame's captured attribute values go unread: an edit of one lands within this."""


def _digest(value: object) -> str:
    text = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS, default=str)
    return hashlib.blake2b(text, digest_size=8).hexdigest()


def frame_digest(frame: dict) -> str:
    """A short digest of what PI says of a frame (`is_open` aside: it follows the clock)."""
    return _digest({k: v for k, v in frame.items() if k != "is_open"})


def values_digest(attributes: list[dict]) -> str:
    """A short digest of a frame's attribute rows (in attribute order)."""
    return _digest(attributes)


class FrameState(NamedTuple):
    """What an offset keeps of a frame: the digests of its fields and of its attribute values, and its end."""

    fields: str
    values: str
    end: datetime | None


def _state(entry: list) -> FrameState:
    """A `known` entry of the JSON form; an older offset's `[digest, end]` compares unequal, so it is read again."""
    end = parse_timestamp(entry[-1]) if entry[-1] else None
    return FrameState(entry[0], entry[1], end) if len(entry) == 3 else FrameState("", "", end)


@dataclass(frozen=True)
class FrameOffset:
    """A read of the event frames: its sequence and time, every frame of its window, and what it lands.

    JSON form::

        {"read_seq": 1793491199110784, "read_at": "2026-11-01T00:00:00.000000Z",
         "known": {"<frame WebId>": ["<fields digest>", "<values digest>", "<end, ISO-8601, or null while open>"]},
         "recheck_after": "<frame WebId>", "changed": ["<frame WebId>", ...], "deleted": ["<frame WebId>", ...]}

    `recheck_after` is the last frame whose captured values the rotation read (`values_due`).
    """

    read_seq: int = 0
    read_at: datetime | None = None
    known: dict[str, FrameState] = field(default_factory=dict)
    changed: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    recheck_after: str = ""

    def to_json(self) -> dict:
        """The JSON form kept in the checkpoint."""
        return {
            "read_seq": self.read_seq,
            "read_at": format_time(self.read_at) if self.read_at else None,
            "known": {w: [f, v, format_time(end) if end else None] for w, (f, v, end) in sorted(self.known.items())},
            "recheck_after": self.recheck_after,
            "changed": list(self.changed),
            "deleted": list(self.deleted),
        }

    @classmethod
    def from_json(cls, data: dict) -> FrameOffset:
        """Read the JSON form."""
        return cls(
            read_seq=int(data.get("read_seq") or 0),
            read_at=parse_timestamp(data["read_at"]) if data.get("read_at") else None,
            known={w: _state(entry) for w, entry in (data.get("known") or {}).items()},
            changed=tuple(data.get("changed") or ()),
            deleted=tuple(data.get("deleted") or ()),
            recheck_after=data.get("recheck_after") or "",
        )


@dataclass(frozen=True)
class Window:
    """One read of the window: every frame found and its columns, and the attribute rows of some.

    `attributes` holds the frames whose values were read (`values_read`); `recheck_after` is where the rotation of
    captured values stopped.
    """

    start: datetime
    now: datetime
    frames: dict[str, EventFrame]
    records: dict[str, dict]
    fields: dict[str, str]
    attributes: dict[str, list[dict]]
    values_read: frozenset[str]
    recheck_after: str = ""

    def states(self, previous: Mapping[str, FrameState]) -> dict[str, FrameState]:
        """Each frame's state for the next offset; a frame whose values were not read keeps their last digest."""
        return {
            w: FrameState(
                self.fields[w],
                values_digest(self.attributes.get(w, [])) if w in self.values_read else previous[w].values,
                frame.end,
            )
            for w, frame in self.frames.items()
        }


def values_due(
    previous: FrameOffset, frames: Mapping[str, EventFrame], fields: Mapping[str, str], now: datetime
) -> tuple[set[str], str]:
    """The frames whose attribute values a read takes, and the last frame of its turn of the rotation.

    Every frame that is new, open, changed or not captured; of the others (closed, captured, unchanged), the next
    ones in WebId order after `previous.recheck_after`, as many as the time since the previous read is a share of
    `VALUES_RECHECK` (all of them when there is no previous read or it is that old).
    """
    due: set[str] = set()
    settled: list[str] = []
    for webid, frame in frames.items():
        state = previous.known.get(webid)
        moving = frame.end is None or frame.end > now or not frame.values_captured
        if state is None or moving or state.fields != fields[webid]:
            due.add(webid)
        else:
            settled.append(webid)
    elapsed = now - previous.read_at if previous.read_at else VALUES_RECHECK
    share = min(len(settled), math.ceil(len(settled) * max(elapsed / VALUES_RECHECK, 0.0)))
    settled.sort()
    first = bisect.bisect_right(settled, previous.recheck_after)
    turn = (settled[first:] + settled[:first])[:share]
    return due | set(turn), turn[-1] if turn else previous.recheck_after


def _window(
    pi: PIWebAPI, frames: dict[str, EventFrame], start: datetime, now: datetime, previous: FrameOffset | None
) -> Window:
    """The read of `frames` at server time `now`: their columns, and the values due (all without `previous`)."""
    records = {w: frame_record(f, now) for w, f in frames.items()}
    fields = {w: frame_digest(r) for w, r in records.items()}
    due, recheck_after = values_due(previous, frames, fields, now) if previous is not None else (set(frames), "")
    attributes = _attribute_records(pi.event_frame_values(frames[w] for w in sorted(due))) if due else {}
    return Window(start, now, frames, records, fields, attributes, frozenset(due), recheck_after)


def read_window(pi: PIWebAPI, opts: AFOptions, previous: FrameOffset) -> Window:
    """Every frame overlapping [start, now], the values `values_due`; start never after the previous read."""
    now = pi.server_time()
    start = resolve_time(opts.event_frame_start, now)
    if previous.read_at is not None:
        start = min(start, previous.read_at)
    database = pi.asset_database(opts.database)
    frames = {f.webid: f for f in pi.event_frames(database, start=start, end=now, search_mode="Overlapped")}
    return _window(pi, frames, start, now, previous)


def next_frame_offset(
    previous: FrameOffset, window: Window, lookups: Mapping[str, EventFrame | None], read_seq: int
) -> FrameOffset:
    """The offset after reading `window`: every frame's state, the frames to land, the frames deleted.

    A frame lands when it is new or its fields or values differ from the previous read. `lookups` are the previous
    frames missing from the window (`missing`) as PI answers for each by WebId: None when deleted (404), else the
    frame, which an edit moved out of the window: its last state lands too.
    """
    known = window.states(previous.known)
    changed = {w for w, state in known.items() if w not in previous.known or previous.known[w][:2] != state[:2]}
    moved = {w for w, frame in lookups.items() if frame is not None}
    gone = sorted(w for w, frame in lookups.items() if frame is None)
    return FrameOffset(
        read_seq=read_seq, read_at=window.now, known=known, changed=tuple(sorted(changed | moved)),
        deleted=tuple(gone), recheck_after=window.recheck_after,
    )  # fmt: skip


def missing(previous: FrameOffset, window: Window) -> list[str]:
    """Frames of the previous read absent now that should still be in the window: deleted, or moved out of it.

    A frame that ended before the window start aged out: it is dropped quietly.
    """
    return sorted(
        w
        for w, state in previous.known.items()
        if w not in window.frames and (state.end is None or state.end >= window.start)
    )


@dataclass(frozen=True)
class FrameRead(InputPartition):
    """What one micro-batch lands: frames to read again and write, frames deleted in PI."""

    read_seq: int
    read_at: datetime
    changed: tuple[str, ...]
    deleted: tuple[str, ...]


def _table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=READ_SCHEMA)


def frame_rows(window: Window, read_seq: int) -> list[dict]:
    """`frame` and `attribute` rows of every frame of a read, stamped with the read's sequence and server time."""
    stamp = {"read_seq": read_seq, "ingested_at": window.now}
    rows = []
    for webid in sorted(window.frames):
        rows.append({"event_frame_webid": webid, "row_kind": FRAME, **stamp, **window.records[webid]})
        rows += [
            {"event_frame_webid": webid, "row_kind": ATTRIBUTE, **stamp, **attribute}
            for attribute in window.attributes.get(webid, [])
        ]
    return rows


def read_changes(pi: PIWebAPI, part: FrameRead) -> pa.Table:
    """The rows of a micro-batch: the changed frames as PI holds them now, and the deleted ones.

    The frames are read again by WebId (the driver's read stays on the driver), so a replayed micro-batch after a
    restart lands the same frames; one deleted in between lands as deleted.
    """
    found = pi.event_frames_by_webid(list(part.changed))
    changed = _window(pi, {w: f for w, f in found.items() if f is not None}, part.read_at, part.read_at, None)
    stamp = {"read_seq": part.read_seq, "ingested_at": part.read_at}
    gone = sorted({*part.deleted, *(w for w, f in found.items() if f is None)})
    deleted = [{"event_frame_webid": w, "row_kind": DELETED, **stamp} for w in gone]
    return _table(frame_rows(changed, part.read_seq) + deleted)


class PIEventFramesDataSource(DataSource):
    """Event-frame reads; see the module docstring for what a micro-batch lands."""

    @classmethod
    def name(cls) -> str:
        """The format name."""
        return contract.FORMAT_EVENT_FRAMES

    def schema(self) -> StructType:
        """`READ_SCHEMA` as a Spark schema."""
        return from_arrow_schema(READ_SCHEMA)

    def reader(self, schema: StructType) -> FrameSnapshotReader:
        """Every frame of the window now, with its attributes (read_seq 0)."""
        return FrameSnapshotReader(AFOptions.parse(self.options, contract.EVENT_FRAMES))

    def streamReader(self, schema: StructType) -> FrameStreamReader:
        """One read of the window per micro-batch, landing what changed."""
        return FrameStreamReader(AFOptions.parse(self.options, contract.EVENT_FRAMES))


class FrameSnapshotReader(DataSourceReader):
    """The window as it is now, in one task."""

    def __init__(self, opts: AFOptions) -> None:
        self.opts = opts

    def read(self, partition: InputPartition) -> Iterator[pa.RecordBatch]:
        """Frame and attribute rows of every frame of the window."""
        with self.opts.connection.open() as pi:
            window = read_window(pi, self.opts, FrameOffset())
        yield from _table(frame_rows(window, 0)).to_batches(max_chunksize=50_000)


class FrameStreamReader(DataSourceStreamReader, SupportsTriggerAvailableNow):
    """A micro-batch per read of the window; a triggered run reads it once."""

    def __init__(self, opts: AFOptions) -> None:
        self.opts = opts
        self._triggered = False
        self._read_once = False

    def initialOffset(self) -> dict:
        """Nothing read yet."""
        return FrameOffset().to_json()

    def prepareForTriggerAvailableNow(self) -> None:
        """A triggered run reads the window once: its first micro-batch ends the run's work."""
        self._triggered = True

    def latestOffset(self, start: dict | None = None, limit: object = None) -> dict:
        """Read the window and compare it with the previous read: the next offset, or `start` if nothing changed."""
        start = start if start is not None else self.initialOffset()
        if self._triggered and self._read_once:
            return start
        previous = FrameOffset.from_json(start)
        try:
            with self.opts.connection.open() as pi:
                window = read_window(pi, self.opts, previous)
                candidates = missing(previous, window)
                found = pi.event_frames_by_webid(candidates) if candidates else {}
        except PIWebAPIError as error:
            log.error("event frames: %s", error)
            raise
        self._read_once = True
        end = next_frame_offset(previous, window, found, max(clock_read_seq(), previous.read_seq + 1))
        if not end.changed and not end.deleted:
            return start
        log.info(
            "event frames: %d in the window, values read of %d, %d new or changed, %d deleted in PI, %d aged out",
            len(window.frames), len(window.values_read), len(end.changed), len(end.deleted),
            len(previous.known) - len(candidates) - len(previous.known.keys() & window.frames.keys()),
        )  # fmt: skip
        return end.to_json()

    def partitions(self, start: dict, end: dict) -> Sequence[InputPartition]:
        """One task landing the micro-batch's changes; [] when nothing moved."""
        if start == end:
            return []
        offset = FrameOffset.from_json(end)
        assert offset.read_at is not None
        return [FrameRead(offset.read_seq, offset.read_at, offset.changed, offset.deleted)]

    def read(self, partition: InputPartition) -> Iterator[pa.RecordBatch]:
        """The changed frames' rows and the deleted frames' rows (runs on an executor)."""
        assert isinstance(partition, FrameRead)
        with self.opts.connection.open() as pi:
            table = read_changes(pi, partition)
        yield from table.to_batches(max_chunksize=50_000)

    def commit(self, end: dict) -> None:
        """Nothing to do: the checkpoint is the record of what was read."""
