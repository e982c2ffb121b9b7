"""Streaming offsets: where each tag stands, what the next micro-batch reads, and which tags are held.

An offset records, per tag, its position `pos` ("every event before pos has been read forward"), the start of the
range the micro-batch ending at this offset read (`read_from`, at or before the previous position), and the tag's
snapshot time seen when the offset was chosen (`snap`). A micro-batch from offset A to offset B reads, per tag,
`[B.read_from, B.pos)`: the forward range `[A.pos, B.pos)`, widened back over the tag's previous snapshot instant
(PI's compression may discard or replace a snapshot once the next value arrives) and, when a late scan is due,
back to `late_from`. Every read range is recorded in bronze as a coverage row, and the latest read covering an
instant supersedes older rows there (`pipeline.views`), so re-reading is always safe and never duplicates.
Because B is chosen before reading (in `latestOffset`), the checkpoint alone makes every micro-batch replayable.

A tag whose probe fails (a point-security denial, a deleted point, a 409) is *held*: its position stays (rewound
once to the start of its last read, which may have failed), it is reported with its cause, and it resumes from
there when it answers again, with no gap. Changes PI made to it meanwhile reached no late scan and, once its
stream-update marker lapsed, no marker: on resuming it also re-reads from `late_window` before the last scan it
took part in. The other tags advance.

JSON form (what Spark writes to the checkpoint)::

    {"server_time": "2026-11-01T00:00:00.000000Z", "read_seq": 1793491199110784,
     "tags": {"F1DP...": ["2026-11-01T00:00:00.000000Z", "2026-10-31T23:00:00.000000Z", "2026-10-31T23:59:58.000000Z"]},
     "late_scan_at": "2026-11-01T00:00:00.000000Z", "late_from": "",
     "held": {"F1DP...": [500, "[-10401] No Read Access - Secure Object", "2026-11-01T00:00:00.000000Z", 3]},
     "late_wave": ["2026-11-01T00:00:00.000000Z", "2026-10-31T22:15:00.000000Z", "F1DP..."]}

Checkpoints of the earlier form (`"tags": {"F1DP...": ["...Z", 0]}`) are read as positions with nothing held.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from osipi_lakeflow.models import StreamStatus, Watermark

DEFAULT_RATE_PER_S = 1.0
"""Events per second assumed for a tag whose rate is unknown (PI's typical 1 Hz scan class)."""


def clock_read_seq() -> int:
    """A read sequence from the wall clock (microseconds): later reads, in any pipeline, get higher ones."""
    return time.time_ns() // 1000


def _iso(value: datetime) -> str:
    return Watermark(value, 0).to_json()[0]


def _parse(value: str) -> datetime:
    return Watermark.from_json([value, 0]).timestamp


@dataclass(frozen=True, slots=True)
class TagState:
    """One tag in an offset.

    Attributes:
        pos: every event before it has been read forward.
        read_from: start of the range the micro-batch ending here read for the tag (== pos: nothing).
        snap: the tag's snapshot time when the offset was chosen (None: unknown).
    """

    pos: datetime
    read_from: datetime
    snap: datetime | None = None

    def to_json(self) -> list:
        """`[pos, read_from, snap or ""]`."""
        return [_iso(self.pos), _iso(self.read_from), _iso(self.snap) if self.snap else ""]

    @classmethod
    def from_json(cls, webid: str, value: list) -> TagState:
        """Parse both forms: `[pos, read_from, snap]`, and the earlier watermark form `[pos, 0]`."""
        if len(value) == 2 and not isinstance(value[1], str):
            if value[1]:
                raise ValueError(f"offset of tag {webid} stops inside an instant ({value}); this source never does")
            pos = _parse(value[0])
            return cls(pos, pos)
        return cls(_parse(value[0]), _parse(value[1]), _parse(value[2]) if value[2] else None)


@dataclass(frozen=True, slots=True)
class Hold:
    """Why a tag is held, since when, how many probes in a row it has failed, and its last late scan.

    `scanned` is the partition's last late scan before the hold (None: unknown, count from `since`): changes PI made
    to the tag from then on were seen by no scan and, once its stream-update marker lapsed, by no marker either, so
    the tag re-reads from `scanned - late_window` when it resumes.
    """

    status: int | None
    error: str
    since: datetime
    attempts: int = 1
    scanned: datetime | None = None

    def to_json(self) -> list:
        """`[status, error, since, attempts, scanned or ""]`."""
        return [self.status, self.error, _iso(self.since), self.attempts, _iso(self.scanned) if self.scanned else ""]

    @classmethod
    def from_json(cls, value: list) -> Hold:
        """Parse the form `to_json` writes, and the earlier one without `scanned` (the tag then counts from `since`)."""
        status, error, since, attempts, *scanned = value
        return cls(
            status, str(error), _parse(since), int(attempts), _parse(scanned[0]) if scanned and scanned[0] else None
        )


@dataclass(frozen=True, slots=True)
class ScanWave:
    """A late scan in progress, spread over micro-batches so fresh events never wait behind it.

    Begun at `began`, it re-reads each tag from `late_from`; the tags after `after` (in WebId order) are still to
    be scanned. When the last is, the scan counts as done at `began`: every change PI made since then is found by
    the next scan, whenever each tag's turn in it comes.
    """

    began: datetime
    late_from: datetime
    after: str = ""

    def to_json(self) -> list:
        """`[began, late_from, after]`."""
        return [_iso(self.began), _iso(self.late_from), self.after]

    @classmethod
    def from_json(cls, value: list) -> ScanWave:
        """Parse the form `to_json` writes."""
        began, late_from, after = value
        return cls(_parse(began), _parse(late_from), str(after))


@dataclass(frozen=True, slots=True)
class StreamOffset:
    """One streaming offset of a partition."""

    server_time: datetime
    tags: Mapping[str, TagState]
    late_scan_at: datetime
    late_from: datetime | None = None
    read_seq: int = 0
    held: Mapping[str, Hold] = field(default_factory=dict)
    rereads: Mapping[str, tuple[tuple[datetime, datetime], ...]] = field(default_factory=dict)
    markers: Mapping[str, str] = field(default_factory=dict)
    wave: ScanWave | None = None

    def to_json(self) -> dict:
        """The checkpoint form: strings, lists and ints only."""
        return {
            "server_time": _iso(self.server_time),
            "read_seq": self.read_seq,
            "tags": {t: s.to_json() for t, s in sorted(self.tags.items())},
            "late_scan_at": _iso(self.late_scan_at),
            "late_from": _iso(self.late_from) if self.late_from else "",
            "held": {t: h.to_json() for t, h in sorted(self.held.items())},
            "rereads": {t: [[_iso(a), _iso(b)] for a, b in r] for t, r in sorted(self.rereads.items())},
            "markers": dict(sorted(self.markers.items())),
            "late_wave": self.wave.to_json() if self.wave else [],
        }

    @classmethod
    def from_json(cls, data: Mapping) -> StreamOffset:
        """Parse the checkpoint form (either form of the tag entries)."""
        return cls(
            server_time=_parse(data["server_time"]),
            tags={webid: TagState.from_json(webid, value) for webid, value in data["tags"].items()},
            late_scan_at=_parse(data["late_scan_at"]),
            late_from=_parse(data["late_from"]) if data.get("late_from") else None,
            read_seq=int(data.get("read_seq") or 0),
            held={webid: Hold.from_json(value) for webid, value in (data.get("held") or {}).items()},
            rereads={
                webid: tuple((_parse(a), _parse(b)) for a, b in ranges)
                for webid, ranges in (data.get("rereads") or {}).items()
            },
            markers={str(k): str(v) for k, v in (data.get("markers") or {}).items()},
            wave=ScanWave.from_json(data["late_wave"]) if data.get("late_wave") else None,
        )

    def positions(self) -> dict[str, datetime]:
        """Each tag's position."""
        return {t: s.pos for t, s in self.tags.items()}


def initial_offset(starts: Mapping[str, datetime], server_now: datetime) -> StreamOffset:
    """Every tag at its own history start; the last late scan counts as done now.

    Nothing before the history start is wanted, and everything after it is read fresh by the first run, so the
    first late scan is due a quarter window later; an earlier one would re-read behind a recent history start.
    """
    return StreamOffset(server_now, {t: TagState(s, s) for t, s in starts.items()}, late_scan_at=server_now)


def reconcile(start: StreamOffset, starts: Mapping[str, datetime]) -> StreamOffset:
    """Align a checkpointed offset with the configured tags: new tags begin at their history start, removed ones go."""
    tags = {t: start.tags.get(t) or TagState(begin, begin) for t, begin in starts.items()}
    held = {t: h for t, h in start.held.items() if t in tags}
    markers = {t: m for t, m in start.markers.items() if t in tags}
    return replace(start, tags=tags, late_from=None, held=held, rereads={}, markers=markers)


def batch_span(
    behind: Sequence[str], rates: Mapping[str, float], max_window: timedelta, max_values: int | None
) -> timedelta:
    """The span each lagging tag advances this micro-batch: `max_window`, shortened so the values fit the budget."""
    if not max_values or not behind:
        return max_window
    per_second = sum(rates.get(t, DEFAULT_RATE_PER_S) for t in behind)
    if per_second <= 0:
        return max_window
    return max(timedelta(seconds=1), min(max_window, timedelta(seconds=max_values / per_second)))


INSTANT = timedelta(microseconds=1)
MAX_REREADS_PER_TAG = 32
"""More separate ranges of changed instants than this in one micro-batch are merged across their smallest gaps."""
FOLD_WITHIN = timedelta(minutes=5)
"""Changed instants this close behind a tag's range extend the range instead of being read on their own."""


def fold_recent(read_from: datetime, instants: Sequence[datetime], horizon: timedelta = FOLD_WITHIN) -> datetime:
    """Where a tag's range starts once the changed instants within `horizon` behind it are folded in.

    A small range is one more sub-request of a batch call (`reading.read_tag_batch`); reading the few minutes up to
    an instant just behind the range costs about the same and keeps the range whole. Older instants stay small
    ranges (`reread_ranges`), so an old edit never re-reads the history up to it.
    """
    recent = [t for t in instants if read_from - horizon <= t < read_from]
    return min(recent, default=read_from)


def reread_ranges(instants: Sequence[datetime], before: datetime) -> tuple[tuple[datetime, datetime], ...]:
    """The changed instants before `before` as ranges to read again, adjacent ones merged."""
    ranges: list[list[datetime]] = []
    for t in sorted({t for t in instants if t < before}):
        if ranges and t <= ranges[-1][1]:
            ranges[-1][1] = max(ranges[-1][1], t + INSTANT)
        else:
            ranges.append([t, t + INSTANT])
    if len(ranges) > MAX_REREADS_PER_TAG:  # each range is one more read: merge where the least time lies between
        by_gap = sorted(range(1, len(ranges)), key=lambda i: ranges[i][0] - ranges[i - 1][1])
        breaks = set(by_gap[len(ranges) - MAX_REREADS_PER_TAG :])
        merged = [ranges[0]]
        for i in range(1, len(ranges)):
            if i in breaks:
                merged.append(ranges[i])
            else:
                merged[-1][1] = ranges[i][1]
        ranges = merged
    return tuple((a, b) for a, b in ranges)


def wave_share(
    wave: ScanWave,
    tags: Mapping[str, TagState],
    held: Mapping[str, Hold],
    rates: Mapping[str, float],
    budget: int | None,
) -> list[str]:
    """The tags this micro-batch scans: the next ones of the wave in WebId order, about `budget` values (None: all).

    At least one, so a wave always advances.
    """
    chosen: list[str] = []
    values = 0.0
    for webid in sorted(t for t in tags if t > wave.after and t not in held):
        seconds = max(0.0, (tags[webid].pos - wave.late_from).total_seconds())
        cost = seconds * rates.get(webid, DEFAULT_RATE_PER_S)
        if budget is not None and chosen and values + cost > budget:
            break
        chosen.append(webid)
        values += cost
    return chosen


def next_offset(
    start: StreamOffset,
    now: datetime,
    probes: Mapping[str, StreamStatus],
    *,
    max_window: timedelta,
    late_window: timedelta,
    rates: Mapping[str, float],
    max_values: int | None,
    read_seq: int,
    changed: Mapping[str, Sequence[datetime]] | None = None,
    markers: Mapping[str, str] | None = None,
    scan_budget: int | None = None,
) -> StreamOffset:
    """Choose the end offset of the next micro-batch; returns `start` itself when there is nothing to read.

    Held and failing tags stay where they are; every other tag moves to min(now, position + span) and re-reads
    its previous snapshot instant when it is behind its position; a tag that resumes from a hold re-reads from
    `late_window` before the last late scan it took part in. A late scan is due when `late_window / 4` of
    server time has passed since the last one; it re-reads from max(last scan - late_window, previous batch's
    server time - 1.75 x late_window), so an event up to `late_window` late is found even when runs are spaced
    further apart than the scan interval. `read_seq` must exceed the start's (the caller passes a clock-based one).

    `changed` (from stream updates) names instants of each tag that changed since its marker: those shortly behind
    the range the tag reads anyway extend it (`fold_recent`), older ones are read again as small ranges (`rereads`),
    however old they are. `markers` are
    the stream-update markers to keep in the offset.

    `scan_budget` spreads a late scan over micro-batches (`ScanWave`): each re-reads about that many estimated
    values of it, the next tags in WebId order, so a partition that runs continuously never holds fresh events back
    behind an hour of re-reads. None scans every tag at once (a triggered run).
    """
    held = dict(start.held)
    tags: dict[str, TagState] = {}
    for webid, state in start.tags.items():
        probe = probes.get(webid, StreamStatus())
        if not probe.ok:
            before = held.get(webid)
            if before is None:  # its last read may have failed: read that range again once it answers
                held[webid] = Hold(probe.status, probe.error or "", now, scanned=start.late_scan_at)
                tags[webid] = TagState(state.read_from, state.read_from)
            else:
                attempts = before.attempts + 1
                held[webid] = replace(before, status=probe.status, error=probe.error or "", attempts=attempts)
                tags[webid] = TagState(state.pos, state.pos)
            continue
        held.pop(webid, None)
        tags[webid] = TagState(state.pos, state.pos, probe.snap)
    moving = [t for t, s in tags.items() if t not in held and s.pos < now]
    span = batch_span(moving, rates, max_window, max_values)
    wave = start.wave
    if wave is None and late_window > timedelta(0) and now - start.late_scan_at >= late_window / 4:
        wave = ScanWave(now, max(start.late_scan_at - late_window, start.server_time - late_window * 7 / 4))
    scanning = set(wave_share(wave, tags, held, rates, scan_budget)) if wave else set()
    late_from = wave.late_from if wave else None
    moved = wave is not None or held.keys() != start.held.keys()
    rereads: dict[str, tuple[tuple[datetime, datetime], ...]] = {}
    for webid, state in list(tags.items()):
        if webid in held:
            continue
        pos = min(now, state.pos + span) if state.pos < now else state.pos
        read_from = state.pos
        previous = start.tags[webid].snap
        if pos > state.pos and previous is not None and previous < state.pos:
            read_from = min(read_from, previous)  # the snapshot read earlier may have been discarded or replaced
        if late_from is not None and webid in scanning and state.pos > late_from:
            read_from = min(read_from, late_from)
        resumed = start.held.get(webid)
        if resumed is not None and late_window > timedelta(0):  # no scan or marker saw it while held
            read_from = min(read_from, (resumed.scanned or resumed.since) - late_window)
        instants = (changed or {}).get(webid, ())
        read_from = fold_recent(read_from, instants)
        tags[webid] = TagState(pos, read_from, state.snap)
        extra = reread_ranges(instants, read_from)
        if extra:
            rereads[webid] = extra
        moved = moved or pos > state.pos or read_from < state.pos or bool(extra)
    if not moved:
        return start
    after = max(scanning, default=wave.after if wave else "")
    finished = wave is not None and not any(t > after and t not in held for t in tags)
    return StreamOffset(
        server_time=now,
        tags=tags,
        late_scan_at=wave.began if wave is not None and finished else start.late_scan_at,
        late_from=late_from,
        read_seq=max(read_seq, start.read_seq + 1),
        held=held,
        rereads=rereads,
        markers=dict(start.markers if markers is None else markers),
        wave=None if wave is None or finished else replace(wave, after=after),
    )
