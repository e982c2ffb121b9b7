from datetime import UTC, datetime, timedelta

import pytest

from osipi_lakeflow.datasource.offsets import (
    MAX_REREADS_PER_TAG,
    Hold,
    ScanWave,
    StreamOffset,
    TagState,
    batch_span,
    initial_offset,
    next_offset,
    reconcile,
    reread_ranges,
)
from osipi_lakeflow.datasource.partitions import stream_partitions
from osipi_lakeflow.models import StreamStatus

T = datetime(2026, 11, 1, tzinfo=UTC)
H = timedelta(hours=1)
OK = StreamStatus()
DENIED = StreamStatus(status=500, error="[-10401] No Read Access - Secure Object")


def plan(start, now, probes=None, **kw):
    args = {"max_window": timedelta(days=1), "late_window": H, "rates": {}, "max_values": None, "read_seq": 1} | kw
    return next_offset(start, now, probes or {}, **args)


def at(*tags, pos=T):
    return {t: TagState(pos, pos) for t in tags}


def ranges(end):
    return {r.webid: (r.start, r.end) for p in stream_partitions("p", end, 10) for r in p.ranges}


def test_offset_round_trips_through_json():
    offset = StreamOffset(
        T, {"a": TagState(T - H, T - 2 * H, T - H), "b": TagState(T, T)}, late_scan_at=T - H, late_from=T - 2 * H,
        read_seq=42, held={"b": Hold(500, "denied", T - H, 3)},
    )  # fmt: skip
    assert StreamOffset.from_json(offset.to_json()) == offset


def test_an_offset_of_the_earlier_watermark_form_is_read_as_positions():
    old = {"server_time": "2026-11-01T00:00:00.000000Z", "tags": {"a": ["2026-10-31T23:00:00.000000Z", 0]},
           "late_scan_at": "2026-11-01T00:00:00.000000Z", "late_from": ""}  # fmt: skip
    parsed = StreamOffset.from_json(old)
    assert parsed.tags == {"a": TagState(T - H, T - H)} and parsed.held == {} and parsed.read_seq == 0


def test_mid_instant_watermark_is_rejected():
    old = {"server_time": "2026-11-01T00:00:00Z", "tags": {"a": ["2026-11-01T00:00:00Z", 2]},
           "late_scan_at": "2026-11-01T00:00:00Z"}  # fmt: skip
    with pytest.raises(ValueError, match="inside an instant"):
        StreamOffset.from_json(old)


def test_nothing_to_read_returns_start_itself():
    start = StreamOffset(T, at("a"), late_scan_at=T)
    assert plan(start, T + timedelta(minutes=1)) is not start  # the tag moved a minute
    assert plan(start, T) is start


def test_tags_advance_to_now_bounded_by_max_window():
    start = initial_offset(dict.fromkeys(["a", "b"], T - 10 * H), T)
    end = plan(start, T, max_window=3 * H)
    assert end.positions() == {"a": T - 7 * H, "b": T - 7 * H}
    assert ranges(end) == {"a": (T - 10 * H, T - 7 * H), "b": (T - 10 * H, T - 7 * H)}


def test_read_seq_always_increases():
    start = StreamOffset(T, at("a"), late_scan_at=T, read_seq=100)
    assert plan(start, T + H, read_seq=5).read_seq == 101
    assert plan(start, T + H, read_seq=500).read_seq == 500


def test_value_budget_shortens_the_span_from_tag_rates():
    assert batch_span(["a", "b"], {"a": 1.0, "b": 1.0}, timedelta(days=1), 7200) == H


def test_unknown_rate_assumes_one_hertz():
    assert batch_span(["a"], {}, timedelta(days=1), 3600) == H


def test_the_previous_snapshot_instant_is_read_again_once_the_tag_moves_on():
    start = StreamOffset(T, {"a": TagState(T, T - H, snap=T - timedelta(seconds=5))}, late_scan_at=T)
    end = plan(start, T + timedelta(minutes=1), {"a": StreamStatus(snap=T + timedelta(seconds=30))})
    assert ranges(end) == {"a": (T - timedelta(seconds=5), T + timedelta(minutes=1))}
    assert end.tags["a"].snap == T + timedelta(seconds=30)


def test_a_snapshot_ahead_of_a_backfill_is_not_read_early():
    start = StreamOffset(T, {"a": TagState(T - 10 * H, T - 11 * H, snap=T)}, late_scan_at=T)
    end = plan(start, T, {"a": StreamStatus(snap=T)}, max_window=H)
    assert ranges(end) == {"a": (T - 10 * H, T - 9 * H)}


def test_a_failing_tag_is_held_rewound_to_its_last_read_and_the_others_advance():
    start = StreamOffset(T, {"bad": TagState(T, T - H), "good": TagState(T, T - H)}, late_scan_at=T)
    end = plan(start, T + H, {"bad": DENIED, "good": OK}, late_window=timedelta(0))
    assert end.held["bad"] == Hold(500, DENIED.error, T + H, 1, scanned=T)
    assert end.tags["bad"] == TagState(T - H, T - H)  # its last range may have failed: read it again later
    assert ranges(end) == {"good": (T, T + H)}


def test_a_held_tag_stays_counts_its_probes_and_resumes_with_no_gap():
    start = StreamOffset(T, {"bad": TagState(T - H, T - H), "good": TagState(T, T)}, late_scan_at=T,
                         held={"bad": Hold(500, "denied", T, 1)})  # fmt: skip
    still = plan(start, T + H, {"bad": DENIED}, late_window=timedelta(0))
    assert still.held["bad"].attempts == 2 and still.tags["bad"].pos == T - H and "bad" not in ranges(still)
    back = plan(still, T + 2 * H, {"bad": OK}, late_window=timedelta(0))
    assert back.held == {} and ranges(back)["bad"] == (T - H, T + 2 * H)


def test_a_resumed_tag_rereads_late_window_before_the_last_scan_it_took_part_in():
    # held at T + H after a scan at T; edits PI made while it was held reached no scan and no marker
    last_read = TagState(T + H, T + H - timedelta(minutes=5))
    start = StreamOffset(T + H, {"bad": last_read, "good": last_read}, late_scan_at=T)
    held = plan(start, T + H, {"bad": DENIED, "good": OK})
    assert held.held["bad"].scanned == T and "bad" not in ranges(held)
    back = plan(held, T + H + timedelta(minutes=5), {"bad": OK, "good": OK})
    assert back.held == {} and ranges(back)["bad"] == (T - H, T + H + timedelta(minutes=5))
    assert StreamOffset.from_json(held.to_json()).held == held.held


def test_a_hold_written_before_scans_were_recorded_counts_from_its_start():
    assert Hold.from_json([500, "denied", "2026-11-01T00:00:00.000000Z", 2]) == Hold(500, "denied", T, 2)


def test_a_route_that_answers_404_for_every_tag_holds_every_tag_and_skips_nothing():
    gone = StreamStatus(status=404, error="404 from http://proxy/piwebapi/streamsets/value")
    start = StreamOffset(T, {"a": TagState(T, T - H), "b": TagState(T, T - H)}, late_scan_at=T)
    end = plan(start, T + 3 * H, {"a": gone, "b": gone})
    assert set(end.held) == {"a", "b"} and ranges(end) == {}
    assert end.positions() == {"a": T - H, "b": T - H}


def test_late_scan_is_due_after_a_quarter_window_and_recorded():
    start = StreamOffset(T, at("a"), late_scan_at=T)
    assert plan(start, T + timedelta(minutes=10)).late_from is None
    end = plan(start, T + timedelta(minutes=20))
    assert end.late_scan_at == T + timedelta(minutes=20)
    assert end.late_from == T - H


def test_runs_spaced_far_apart_still_rescan_behind_the_old_position():
    start = StreamOffset(T, at("a"), late_scan_at=T)
    end = plan(start, T + 4 * H, max_window=2 * H)
    assert ranges(end) == {"a": (T - H, T + 2 * H)}


def test_consecutive_batches_tile_time_without_gap_or_overlap():
    start = initial_offset(dict.fromkeys(["a"], T - 5 * H), T - 5 * H)
    found = []
    for _ in range(6):
        end = plan(start, T, max_window=2 * H, late_window=timedelta(days=9))
        if end is start:
            break
        found.append(ranges(end)["a"])
        start = end
    assert found == [(T - 5 * H, T - 3 * H), (T - 3 * H, T - H), (T - H, T)]


def test_late_scan_rereads_behind_the_position_only_for_recent_tags():
    start = StreamOffset(T, {"recent": TagState(T, T), "old": TagState(T - 5 * H, T - 5 * H)}, late_scan_at=T - H)
    end = plan(start, T + H, max_window=H)
    assert ranges(end)["recent"] == (end.late_from, T + H)
    assert ranges(end)["old"] == (T - 5 * H, T - 4 * H)


def test_partitions_group_tags_and_stamp_server_time_and_read_seq():
    start = initial_offset(dict.fromkeys([f"t{i}" for i in range(5)], T - H), T - H)
    end = plan(start, T, read_seq=77)
    fast = dict.fromkeys(end.tags, 100.0)  # 360,000 values an hour each: a task per two tags
    parts = stream_partitions("p0001", end, 2, rates=fast)
    assert [len(p.ranges) for p in parts] == [2, 2, 1]
    assert {(p.ingested_at, p.read_seq) for p in parts} == {(T, 77)}


def test_a_small_micro_batch_is_read_by_fewer_tasks_of_whole_tags():
    start = initial_offset(dict.fromkeys([f"t{i}" for i in range(500)], T - timedelta(minutes=10)), T)
    end = plan(start, T)  # ten minutes of 500 tags at 1 Hz (rate unknown): 300,000 values
    parts = stream_partitions("p0001", end, 25)
    assert len(parts) == 2 and sorted(len(p.ranges) for p in parts) == [250, 250]
    assert sorted(r.webid for p in parts for r in p.ranges) == sorted(end.tags)


def test_new_tag_joins_at_history_start_and_removed_tag_leaves():
    start = StreamOffset(T, at("a", "gone"), late_scan_at=T, held={"gone": Hold(404, "gone", T)})
    merged = reconcile(start, {"a": T - 5 * H, "new": T - 2 * H})
    assert merged.positions() == {"a": T, "new": T - 2 * H} and merged.held == {}


def test_late_window_off_never_schedules_a_scan():
    start = StreamOffset(T, at("a"), late_scan_at=T - 10 * H)
    end = plan(start, T + H, late_window=timedelta(0))
    assert end.late_from is None and end.late_scan_at == T - 10 * H


def test_changed_instants_shortly_behind_a_range_extend_it_and_older_ones_stay_small_rereads():
    """An instant minutes behind joins the tag's own range; one further back is read alone, not the time up to it."""
    start = StreamOffset(T, at("a", "b"), late_scan_at=T)
    recent, older, old = T - timedelta(minutes=4), T - timedelta(minutes=20), T - 30 * H
    end = plan(start, T + timedelta(minutes=10), changed={"a": [recent, older, old], "b": [old]})
    assert end.tags["a"] == TagState(T + timedelta(minutes=10), recent)
    assert end.tags["b"] == TagState(T + timedelta(minutes=10), T)
    micro = timedelta(microseconds=1)
    assert end.rereads == {"a": ((old, old + micro), (older, older + micro)), "b": ((old, old + micro),)}


def test_too_many_changed_instants_merge_across_their_smallest_gaps_not_into_one_range():
    minute = timedelta(minutes=1)
    clusters = [T - k * H for k in range(1, MAX_REREADS_PER_TAG + 1)]  # far apart from each other
    instants = [c + i * minute for c in clusters for i in range(3)]  # three instants a minute apart in each
    ranges = reread_ranges(instants, T)
    assert len(ranges) == MAX_REREADS_PER_TAG
    assert sorted(ranges) == [(c, c + 2 * minute + timedelta(microseconds=1)) for c in sorted(clusters)]


def test_folding_does_not_depend_on_the_late_window():
    start = StreamOffset(T, at("a"), late_scan_at=T)
    for late_window in (timedelta(0), 3 * H):
        end = plan(start, T + timedelta(minutes=10), late_window=late_window, changed={"a": [T - timedelta(minutes=4)]})
        assert end.tags["a"].read_from == T - timedelta(minutes=4) and end.rereads == {}


def test_an_offset_with_a_late_scan_in_progress_round_trips_through_json():
    offset = StreamOffset(T, at("a", "b"), late_scan_at=T - H, wave=ScanWave(T, T - 2 * H, "a"))
    assert StreamOffset.from_json(offset.to_json()) == offset
    assert StreamOffset.from_json({**offset.to_json(), "late_wave": []}).wave is None


def test_a_late_scan_with_a_budget_goes_tag_by_tag_and_counts_as_done_when_it_began():
    start = StreamOffset(T, at("d", "b", "a", "c"), late_scan_at=T - timedelta(minutes=20))
    late_from = T - timedelta(minutes=80)  # the last scan's start less the late window
    scanned, now = [], T
    for _ in range(6):
        now += timedelta(seconds=1)
        end = plan(start, now, scan_budget=5000)  # one tag's 80 minutes at 1 Hz: 4,800 values
        scanned.append(sorted(t for t, (begin, _) in ranges(end).items() if begin == late_from))
        if end.wave is None:
            break
        assert end.late_scan_at == start.late_scan_at  # not done until its last tag is
        start = end
    assert scanned == [["a"], ["b"], ["c"], ["d"]]
    assert end.late_scan_at == T + timedelta(seconds=1) and end.late_from == late_from


def test_a_triggered_run_finishes_a_late_scan_a_live_run_began():
    began = T - timedelta(minutes=1)
    start = StreamOffset(T, at("a", "b", "c"), late_scan_at=T - H, wave=ScanWave(began, T - 2 * H, "a"))
    end = plan(start, T + timedelta(seconds=1))
    assert {t: begin for t, (begin, _) in ranges(end).items()} == {"a": T, "b": T - 2 * H, "c": T - 2 * H}
    assert end.wave is None and end.late_scan_at == began
