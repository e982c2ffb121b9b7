"""Streaming offsets: per-tag read positions, the server time of the micro-batch and the late-scan schedule.

An offset holds, per tag, a time t meaning "every event before t is taken" (a `Watermark(t, 0)`). A micro-batch
from offset A to offset B reads, per tag, the half-open range [A.t, B.t): PI's inclusive `endTime` reads events at
B.t too, and they are dropped here and read by the next batch, so consecutive batches neither overlap nor leave a
gap, and replaying a batch after a crash reads exactly the same range. Because B is chosen before reading (in
`latestOffset`), the checkpoint alone makes every batch reproducible.

JSON form (what Spark writes to the checkpoint)::

    {"server_time": "2026-11-01T00:00:00.000000Z",
     "tags": {"F1DP...": ["2026-10-31T00:00:00.000000Z", 0]},
     "late_scan_at": "2026-11-01T00:00:00.000000Z",
     "late_from": "2026-10-31T23:00:00.000000Z"}     # "" when this batch re-reads nothing
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from osipi_lakeflow.models import Watermark

DEFAULT_RATE_PER_S = 1.0
"""Events per second assumed for a tag whose rate is unknown (PI's typical 1 Hz scan class)."""


def _iso(value: datetime) -> str:
    return Watermark(value, 0).to_json()[0]


def _parse(value: str) -> datetime:
    return Watermark.from_json([value, 0]).timestamp


@dataclass(frozen=True, slots=True)
class StreamOffset:
    """One streaming offset; `tags` maps WebId to "every event before this time is taken"."""

    server_time: datetime
    tags: Mapping[str, datetime]
    late_scan_at: datetime
    late_from: datetime | None = None

    def to_json(self) -> dict:
        """The checkpoint form: strings, lists and ints only."""
        return {
            "server_time": _iso(self.server_time),
            "tags": {t: Watermark(ts, 0).to_json() for t, ts in sorted(self.tags.items())},
            "late_scan_at": _iso(self.late_scan_at),
            "late_from": _iso(self.late_from) if self.late_from else "",
        }

    @classmethod
    def from_json(cls, data: Mapping) -> StreamOffset:
        """Parse the checkpoint form; a watermark with k > 0 (mid-instant) is not produced by this source."""
        tags = {}
        for webid, value in data["tags"].items():
            mark = Watermark.from_json(value)
            if mark.taken_at_timestamp:
                raise ValueError(f"offset of tag {webid} stops inside an instant ({value}); this source never does")
            tags[webid] = mark.timestamp
        return cls(
            server_time=_parse(data["server_time"]),
            tags=tags,
            late_scan_at=_parse(data["late_scan_at"]),
            late_from=_parse(data["late_from"]) if data.get("late_from") else None,
        )


def initial_offset(starts: Mapping[str, datetime], server_now: datetime) -> StreamOffset:
    """Every tag at its own history start; the last late scan counts as done now.

    Nothing before the history start is wanted, and everything after it is read fresh by the first run, so the
    first late scan is due a quarter window later; an earlier one would re-read behind a recent history start.
    """
    return StreamOffset(server_now, dict(starts), late_scan_at=server_now)


def reconcile(start: StreamOffset, starts: Mapping[str, datetime]) -> StreamOffset:
    """Align a checkpointed offset with the configured tags: new tags begin at their history start, removed ones go."""
    positions = {t: start.tags.get(t, begin) for t, begin in starts.items()}
    return replace(start, tags=positions, late_from=None)


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


def next_offset(
    start: StreamOffset,
    now: datetime,
    *,
    max_window: timedelta,
    late_window: timedelta,
    rates: Mapping[str, float],
    max_values: int | None,
) -> StreamOffset:
    """Choose the end offset of the next micro-batch; returns `start` itself when there is nothing to read.

    Every tag moves to min(now, position + span). A late scan is due when `late_window / 4` of server time has
    passed since the last one; it re-reads from max(last scan - late_window, previous batch's server time - 1.75 x
    late_window), so an event up to `late_window` late is found even when runs are spaced further apart than the
    scan interval, while every re-read row was first ingested inside the bronze dedupe horizon (2 x late_window of
    `ingested_at` behind the previous batch, which is where Spark's watermark stands during this batch).
    """
    behind = [t for t, ts in start.tags.items() if ts < now]
    span = batch_span(behind, rates, max_window, max_values)
    tags = {t: (min(now, ts + span) if ts < now else ts) for t, ts in start.tags.items()}
    scan_due = late_window > timedelta(0) and now - start.late_scan_at >= late_window / 4
    if tags == dict(start.tags) and not scan_due:
        return start
    late_from = None
    late_scan_at = start.late_scan_at
    if scan_due:
        late_from = max(start.late_scan_at - late_window, start.server_time - late_window * 7 / 4)
        late_scan_at = now
    return StreamOffset(server_time=now, tags=tags, late_scan_at=late_scan_at, late_from=late_from)
