from datetime import UTC, datetime, timedelta

import pytest

from osipi_lakeflow.datasource.offsets import StreamOffset, batch_span, initial_offset, next_offset, reconcile
from osipi_lakeflow.datasource.partitions import stream_partitions

T = datetime(2026, 11, 1, tzinfo=UTC)
H = timedelta(hours=1)


def plan(start, now, **kw):
    args = {"max_window": timedelta(days=1), "late_window": H, "rates": {}, "max_values": None} | kw
    return next_offset(start, now, **args)


def test_offset_round_trips_through_json():
    offset = StreamOffset(T, {"a": T - H, "b": T}, late_scan_at=T - H, late_from=T - 2 * H)
    assert StreamOffset.from_json(offset.to_json()) == offset


def test_offset_json_uses_the_watermark_form():
    data = initial_offset(dict.fromkeys(["a"], T - H), T).to_json()
    assert data["tags"] == {"a": ["2026-10-31T23:00:00.000000Z", 0]}
    assert data["late_from"] == ""


def test_mid_instant_watermark_is_rejected():
    data = initial_offset(dict.fromkeys(["a"], T), T).to_json()
    data["tags"]["a"][1] = 2
    with pytest.raises(ValueError, match="inside an instant"):
        StreamOffset.from_json(data)


def test_nothing_to_read_returns_start_itself():
    start = StreamOffset(T, {"a": T}, late_scan_at=T)
    assert plan(start, T + timedelta(minutes=1)) is not start  # the tag moved a minute
    assert plan(start, T) is start


def test_tags_advance_to_now_bounded_by_max_window():
    start = initial_offset(dict.fromkeys(["a", "b"], T - 10 * H), T)
    end = plan(start, T, max_window=3 * H)
    assert end.tags == {"a": T - 7 * H, "b": T - 7 * H}


def test_value_budget_shortens_the_span_from_tag_rates():
    assert batch_span(["a", "b"], {"a": 1.0, "b": 1.0}, timedelta(days=1), 7200) == H


def test_unknown_rate_assumes_one_hertz():
    assert batch_span(["a"], {}, timedelta(days=1), 3600) == H


def test_late_scan_is_due_after_a_quarter_window_and_recorded():
    start = StreamOffset(T, {"a": T}, late_scan_at=T)
    assert plan(start, T + timedelta(minutes=10)).late_from is None
    end = plan(start, T + timedelta(minutes=20))
    assert end.late_scan_at == T + timedelta(minutes=20)
    assert end.late_from == T - H


def test_late_scan_reach_is_capped_inside_the_dedupe_horizon():
    start = StreamOffset(T, {"a": T}, late_scan_at=T - 10 * H)
    end = plan(start, T + 10 * H)
    assert end.late_from == T - H * 7 / 4


def test_runs_spaced_far_apart_still_rescan_behind_the_old_position():
    start = StreamOffset(T, {"a": T}, late_scan_at=T)
    end = plan(start, T + 4 * H, max_window=2 * H)
    ranges = [(r.start, r.end) for p in stream_partitions("p", start, end, 10) for r in p.ranges]
    assert ranges == [(T - H, T + 2 * H)]


def test_consecutive_batches_tile_time_without_gap_or_overlap():
    start = initial_offset(dict.fromkeys(["a"], T - 5 * H), T - 5 * H)
    ranges = []
    now = T
    for _ in range(6):
        end = plan(start, now, max_window=2 * H, late_window=timedelta(days=9))
        ranges += [(r.start, r.end) for p in stream_partitions("p", start, end, 10) for r in p.ranges]
        start = end
    assert ranges == [(T - 5 * H, T - 3 * H), (T - 3 * H, T - H), (T - H, T)]


def test_late_scan_rereads_behind_the_watermark_only_for_recent_tags():
    start = StreamOffset(T, {"recent": T, "old": T - 5 * H}, late_scan_at=T - H)
    end = plan(start, T + H, max_window=H)
    parts = stream_partitions("p", start, end, 10)
    ranges = {r.webid: (r.start, r.end) for p in parts for r in p.ranges}
    assert ranges["recent"] == (end.late_from, T + H)
    assert ranges["old"] == (T - 5 * H, T - 4 * H)


def test_partitions_group_tags_and_stamp_server_time():
    start = initial_offset(dict.fromkeys([f"t{i}" for i in range(5)], T - H), T - H)
    end = plan(start, T)
    parts = stream_partitions("p0001", start, end, 2)
    assert [len(p.ranges) for p in parts] == [2, 2, 1]
    assert {p.ingested_at for p in parts} == {T}


def test_new_tag_joins_at_history_start_and_removed_tag_leaves():
    start = StreamOffset(T, {"a": T, "gone": T}, late_scan_at=T)
    merged = reconcile(start, {"a": T - 5 * H, "new": T - 2 * H})
    assert merged.tags == {"a": T, "new": T - 2 * H}


def test_late_window_off_never_schedules_a_scan():
    start = StreamOffset(T, {"a": T}, late_scan_at=T - 10 * H)
    end = plan(start, T + H, late_window=timedelta(0))
    assert end.late_from is None and end.late_scan_at == T - 10 * H
