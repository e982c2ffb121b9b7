"""Paging recorded values by time, per tag, so that every event is taken exactly once.

PI Web API has no continuation token for values: a page is `[startTime, endTime]` with `boundaryType=Inside`
and at most `maxCount` values. A tag's position is a `Watermark` (t, k): every event before t and the first k
events at t are taken. The next page starts at t (re-reading the instant t in full, so event ordinals stay
right) and drops those k events. A page with no new event that is still full means more than `maxCount`
events share one instant: `maxCount` grows (up to the server limit) instead of looping.

Everything here is pure: a page is judged from its timestamps only, with no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import numpy as np

from osipi_lakeflow.models import Watermark

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_micros(value: datetime) -> int:
    """A UTC datetime as integer microseconds since the epoch (exact, no float rounding)."""
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    """Integer microseconds since the epoch as a UTC datetime."""
    return _EPOCH + timedelta(microseconds=int(micros))


@dataclass(frozen=True, slots=True)
class TagCursor:
    """Where one tag's read stands, and how its next page is asked for.

    Attributes:
        webid: the tag's WebId.
        watermark: what is already taken; the next page starts at `watermark.timestamp`.
        page_count: `maxCount` of the next page for this tag.
        taken: values taken by this read so far (for `max_values_per_tag`).
        attempts: failed attempts in a row (per-item errors), reset by any success.
        end: where this tag's read ends (inclusive); None: the read's end.
    """

    webid: str
    watermark: Watermark
    page_count: int
    taken: int = 0
    attempts: int = 0
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class PageOutcome:
    """What one page means for its tag.

    Attributes:
        keep_from: rows of the page before this index were taken earlier and are dropped.
        cursor: the tag's cursor after the page.
        more: ask for another page.
        stuck_at: set when more than the server limit of events share one instant; the tag cannot progress.
    """

    keep_from: int
    cursor: TagCursor
    more: bool
    stuck_at: datetime | None = None


def judge_page(
    cursor: TagCursor,
    ts_us: np.ndarray,
    requested: int,
    *,
    limit: int,
    max_values: int | None = None,
) -> PageOutcome:
    """Decide which rows of one tag's page are new and where the tag goes next.

    Args:
        cursor: the tag's cursor when the page was requested.
        ts_us: the page's timestamps (int64 µs, ascending, as the server returned them).
        requested: the `maxCount` the page was asked with; a page this long may have more behind it.
        limit: the largest `maxCount` the server accepts, for widening past a crowded instant.
        max_values: stop the tag once this read has taken about this many values.
    """
    n = len(ts_us)
    start_us = to_micros(cursor.watermark.timestamp)
    at_start = int(np.searchsorted(ts_us, start_us, side="right")) if n and ts_us[0] <= start_us else 0
    keep_from = min(cursor.watermark.taken_at_timestamp, at_start)
    full = n >= requested
    if keep_from >= n:  # nothing new in this page
        if not full:
            return PageOutcome(keep_from=n, cursor=replace(cursor, attempts=0), more=False)
        if requested >= limit:
            return PageOutcome(keep_from=n, cursor=cursor, more=False, stuck_at=cursor.watermark.timestamp)
        wider = min(limit, max(requested * 2, cursor.watermark.taken_at_timestamp + 1))
        return PageOutcome(keep_from=n, cursor=replace(cursor, page_count=wider, attempts=0), more=True)
    last = int(ts_us[-1])
    at_last = n - int(np.searchsorted(ts_us, last, side="left"))
    taken = cursor.taken + n - keep_from
    watermark = Watermark(from_micros(last), at_last)
    more = full and (max_values is None or taken < max_values)
    page_count = cursor.page_count
    if more and max_values is not None:
        page_count = max(1, min(page_count, max_values - taken + at_last))
    return PageOutcome(
        keep_from=keep_from,
        cursor=TagCursor(cursor.webid, watermark, page_count, taken, 0),
        more=more,
    )
