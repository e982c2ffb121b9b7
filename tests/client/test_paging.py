"""Paging by time never loses, never repeats and always ends: pure tests over an in-memory archive."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from osipi_lakeflow.client.paging import TagCursor, from_micros, judge_page, to_micros
from osipi_lakeflow.models import Watermark

T0 = datetime(2026, 11, 1, tzinfo=UTC)
BASE = to_micros(T0)


def read_all(
    archive: list[int],
    cursor: TagCursor,
    end: int,
    *,
    limit: int,
    max_values: int | None = None,
    max_pages: int = 10_000,
):
    """Drive judge_page like the client does: returns (rows taken, final cursor, pages, stuck)."""
    taken: list[int] = []
    for pages in range(1, max_pages + 1):
        start = to_micros(cursor.watermark.timestamp)
        window = [i for i, t in enumerate(archive) if start <= t <= end][: cursor.page_count]
        ts = np.array([archive[i] for i in window], dtype=np.int64)
        outcome = judge_page(cursor, ts, cursor.page_count, limit=limit, max_values=max_values)
        taken += window[outcome.keep_from :]
        cursor = outcome.cursor
        if outcome.stuck_at is not None:
            return taken, cursor, pages, True
        if not outcome.more:
            return taken, cursor, pages, False
    raise AssertionError("paging did not terminate")


def test_full_pages_with_duplicates_at_every_edge_take_each_event_once():
    archive = sorted(BASE + t for t in [0, 1, 1, 1, 2, 3, 3, 4, 5, 5, 5, 5, 6, 7, 7, 8])
    taken, cursor, pages, stuck = read_all(archive, TagCursor("W", Watermark(T0), 3), BASE + 100, limit=1000)
    assert taken == list(range(len(archive)))
    assert not stuck and pages > 5
    assert cursor.watermark == Watermark(from_micros(BASE + 8), 1)


def test_more_events_at_one_instant_than_a_page_widens_the_page():
    archive = [BASE] * 10 + [BASE + 1]
    taken, _, _, stuck = read_all(archive, TagCursor("W", Watermark(T0), 4), BASE + 10, limit=1000)
    assert taken == list(range(11)) and not stuck


def test_crowd_beyond_the_server_limit_stops_with_stuck_instead_of_looping():
    archive = [BASE] * 20
    taken, cursor, pages, stuck = read_all(archive, TagCursor("W", Watermark(T0), 4), BASE + 10, limit=8)
    assert stuck and pages < 10
    assert taken == list(range(8))  # what fitted is taken exactly once; the watermark says where it stands
    assert cursor.watermark == Watermark(T0, 8)


def test_watermark_mid_instant_skips_exactly_the_events_taken():
    archive = [BASE, BASE + 5, BASE + 5, BASE + 5, BASE + 6]
    taken, _, _, _ = read_all(archive, TagCursor("W", Watermark(from_micros(BASE + 5), 2), 100), BASE + 10, limit=1000)
    assert taken == [3, 4]


def test_watermark_ahead_of_the_data_reads_nothing_and_stays():
    archive = [BASE, BASE + 1]
    start = TagCursor("W", Watermark(from_micros(BASE + 1), 1), 100)
    taken, cursor, _, _ = read_all(archive, start, BASE + 10, limit=1000)
    assert taken == [] and cursor.watermark == start.watermark


def test_max_values_stops_near_the_limit_and_resumes_without_gaps():
    archive = sorted(BASE + t for t in [0, 1, 1, 2, 2, 2, 3, 4, 5, 6, 7, 8, 9])
    first, cursor, _, _ = read_all(archive, TagCursor("W", Watermark(T0), 4), BASE + 100, limit=1000, max_values=4)
    assert 4 <= len(first) < len(archive)
    rest, _, _, _ = read_all(archive, TagCursor("W", cursor.watermark, 100), BASE + 100, limit=1000)
    assert first + rest == list(range(len(archive)))


@settings(max_examples=150, deadline=None, database=None)
@given(
    gaps=st.lists(st.integers(min_value=0, max_value=3), min_size=0, max_size=80),
    page=st.integers(min_value=1, max_value=7),
    cut=st.integers(min_value=1, max_value=50),
)
def test_any_archive_any_page_size_any_split_reads_exactly_once(gaps, page, cut):
    archive = list(np.cumsum(gaps).astype(int) + BASE)  # gaps of 0 make crowded instants
    first, cursor, _, stuck = read_all(
        archive, TagCursor("W", Watermark(T0), page), BASE + 10_000, limit=64, max_values=cut
    )
    rest, _, _, stuck2 = read_all(archive, TagCursor("W", cursor.watermark, page), BASE + 10_000, limit=64)
    assert not stuck and not stuck2
    assert first + rest == list(range(len(archive)))
