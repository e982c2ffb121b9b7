"""Event-frame history: the stream reader run after run against the mock over HTTP, frames closing, deleted in PI,
aging out of the window, with Int64 attributes above 2**53.

The rows each run lands are reduced the way the `pi_event_frames` / `pi_event_frame_attributes` views reduce them
(`latest_frames`), and compared with the mock's ground truth.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest
import requests

from mock_server import MockSettings
from mock_server.testing import running_mock
from osipi_lakeflow.datasource import frames as frames_module
from osipi_lakeflow.datasource.frames import (
    ATTRIBUTE,
    DELETED,
    FRAME,
    VALUES_RECHECK,
    FrameOffset,
    FrameState,
    FrameStreamReader,
    values_due,
)
from osipi_lakeflow.datasource.options import AFOptions
from osipi_lakeflow.models import EventFrame
from tests.datasource.micro_batches import triggered_run

T0 = datetime(2026, 11, 1, 12, tzinfo=UTC)
DATABASE = r"\\PIAF01\Plant"


class FramePipeline:
    """The event-frame reader run after run, its offset carried over as the checkpoint would carry it."""

    def __init__(self, mock, start: str = "*-1d") -> None:
        self.mock, self.start = mock, start
        self.offset: dict | None = None
        self.rows: list[dict] = []
        self.batches = 0

    def run(self) -> list[dict]:
        """One triggered run: a fresh reader; it reads the window once."""
        options = {"piUrl": self.mock.url, "afDatabase": DATABASE, "eventFrameStart": self.start,
                   "authMethod": "anonymous"}  # fmt: skip
        reader = FrameStreamReader(AFOptions.parse(options, "event_frames"))
        self.offset, added, batches = triggered_run(reader, self.offset, None, max_batches=5)
        self.batches += batches
        self.rows += added
        return added


def latest_frames(rows: list[dict]) -> tuple[dict[str, dict], dict[str, list[dict]]]:
    """Every frame's latest frame row (with `deleted_in_pi`) and its latest attribute rows: the views' rule."""
    frames: dict[str, dict] = {}
    for row in rows:
        if row["row_kind"] == FRAME and row["read_seq"] >= frames.get(row["event_frame_webid"], {}).get("read_seq", -1):
            frames[row["event_frame_webid"]] = dict(row, deleted_in_pi=False)
    for row in rows:
        kept = frames.get(row["event_frame_webid"])
        if row["row_kind"] == DELETED and kept and row["read_seq"] > kept["read_seq"]:
            kept["deleted_in_pi"] = True
    attributes: dict[str, list[dict]] = {}
    for row in rows:
        kept = frames.get(row["event_frame_webid"])
        if row["row_kind"] == ATTRIBUTE and kept and row["read_seq"] == kept["read_seq"]:
            attributes.setdefault(row["event_frame_webid"], []).append(row)
    return frames, attributes


def advance(mock, seconds: int) -> None:
    requests.post(f"{mock.root}/admin/clock", json={"advance_seconds": seconds}, timeout=10).raise_for_status()


def truth(mock, start: datetime) -> dict[str, dict]:
    now = mock.archive.now()
    return {f["webid"]: f for f in mock.archive.event_frames(start, now, as_of=now)}


@pytest.fixture()
def mock():
    settings = MockSettings(tags=200, seed=11, clock=T0.isoformat(), frame_delete_fraction=0.25,
                            frame_delete_delay=(600.0, 7200.0), int64_frame_fraction=0.5)  # fmt: skip
    with running_mock(settings) as running:
        yield running


def test_every_frame_ever_read_keeps_one_row_closing_deleted_and_aged_out(mock):
    pipeline = FramePipeline(mock, start="*-6h")
    pipeline.run()
    first = truth(mock, mock.archive.now() - timedelta(hours=6))
    assert first and any(f["end"] is None for f in first.values())
    seen = set(first)
    for _ in range(4):
        advance(mock, 3 * 3600)  # frames open, close, get deleted, and older ones leave the 6 h window
        pipeline.run()
        seen |= set(truth(mock, mock.archive.now() - timedelta(hours=6)))
    frames, attributes = latest_frames(pipeline.rows)
    now = mock.archive.now()
    window = truth(mock, now - timedelta(hours=6))
    ever = {f["webid"]: f for f in mock.archive.event_frames(T0 - timedelta(hours=6), now, as_of=now)}
    assert set(frames) == seen, "every frame any read saw keeps its row"
    deleted = {w for w, f in frames.items() if f["deleted_in_pi"]}
    assert deleted, "the mock deletes a quarter of the frames"
    assert not deleted & set(ever), "a frame flagged deleted is gone from PI"
    alive = set(frames) - deleted
    assert set(window) <= alive
    for webid in alive:
        pi = ever.get(webid)
        assert pi is not None, f"frame {webid} is not in PI but not flagged deleted"
        got = frames[webid]
        assert (got["end_time"] is None) == (pi["end"] is None) and got["end_time"] == pi["end"]
        assert got["acknowledged"] == pi["acknowledged"]
    aged_out = set(frames) - set(window) - deleted
    assert aged_out, "frames that left the window keep their last row"
    assert all(frames[w]["end_time"] is not None for w in aged_out)
    assert len(FrameOffset.from_json(pipeline.offset).known) == len(window), "the offset holds the window only"
    big = [a for rows in attributes.values() for a in rows if a["attribute_name"] == "SequenceNumber"]
    assert big and all(a["value_int"] > 2**53 and a["value_int"] % 2 == 1 for a in big)
    for a in (a for a in big if a["event_frame_webid"] in ever):  # a deleted frame keeps its last value
        assert a["value_int"] == ever[a["event_frame_webid"]]["attributes"]["SequenceNumber"]


def test_an_unchanged_window_lands_nothing_and_a_triggered_run_reads_once(mock):
    pipeline = FramePipeline(mock, start="*-6h")
    first = pipeline.run()
    assert first and pipeline.batches == 1
    assert pipeline.run() == [] and pipeline.batches == 1, "nothing changed at a frozen clock: no micro-batch"
    advance(mock, 600)
    landed = pipeline.run()
    assert pipeline.batches == 2
    frames_landed = {r["event_frame_webid"] for r in landed if r["row_kind"] == FRAME}
    open_now = {w for w, f in truth(mock, mock.archive.now() - timedelta(hours=6)).items() if f["end"] is None}
    assert frames_landed <= set(truth(mock, mock.archive.now() - timedelta(hours=6)))
    assert len(frames_landed) < len({r["event_frame_webid"] for r in first if r["row_kind"] == FRAME})
    assert open_now & frames_landed, "open frames' attribute values follow the clock, so they land again"


def test_a_replayed_micro_batch_lands_the_same_frames(mock):
    options = {"piUrl": mock.url, "afDatabase": DATABASE, "eventFrameStart": "*-6h", "authMethod": "anonymous"}
    reader = FrameStreamReader(AFOptions.parse(options, "event_frames"))
    start = reader.initialOffset()
    end = reader.latestOffset(start, None)
    restarted = FrameStreamReader(AFOptions.parse(options, "event_frames"))  # the driver died before the commit
    rows = [pa.Table.from_batches([b]).to_pylist() for p in restarted.partitions(start, end) for b in restarted.read(p)]
    landed = {r["event_frame_webid"] for batch in rows for r in batch if r["row_kind"] == FRAME}
    assert landed == set(FrameOffset.from_json(end).changed)


def _closed_int64_frame(mock) -> dict:
    """A frame closed 12 h ago or more (past the mock's deletions), in a 2-day window for the next 6 h."""
    now = mock.archive.now()
    window = truth(mock, now - timedelta(days=1))
    closed = (f for f in window.values() if f["end"] is not None and f["end"] < now - timedelta(hours=12))
    return next(f for f in closed if "SequenceNumber" in f["attributes"])


def test_captured_values_are_read_in_rotation_and_an_edit_lands_within_the_recheck(mock, monkeypatch):
    pipeline = FramePipeline(mock, start="*-2d")
    pipeline.run()
    edited = _closed_int64_frame(mock)
    archive, original = mock.archive, mock.archive.frame_int64
    monkeypatch.setattr(  # an operator corrects a captured value: nothing on the frame says so
        archive, "frame_int64", lambda f: 2**53 + 3 if archive.frame_webid(f) == edited["webid"] else original(f)
    )
    read_counts, landed_at = [], None
    steps = math.ceil(VALUES_RECHECK / timedelta(minutes=30))
    for step in range(steps):
        advance(mock, 30 * 60)
        reader_values = _values_read_by_next_run(pipeline, monkeypatch)
        read_counts.append(reader_values)
        _, attributes = latest_frames(pipeline.rows)
        values = {
            a["value_int"] for a in attributes.get(edited["webid"], []) if a["attribute_name"] == "SequenceNumber"
        }
        if values == {2**53 + 3} and landed_at is None:
            landed_at = step
    assert landed_at is not None, "the edit of a captured value lands within VALUES_RECHECK"
    window = len(FrameOffset.from_json(pipeline.offset).known)
    assert max(read_counts) < window / 2, f"a 30-minute step reads a share of {window} frames' values: {read_counts}"


def _values_read_by_next_run(pipeline: FramePipeline, monkeypatch: pytest.MonkeyPatch) -> int:
    """Run once; how many frames' values the run's read of the window took (from the reader's window)."""
    seen: list[int] = []
    original = frames_module._window

    def spy(*args, **kwargs):
        window = original(*args, **kwargs)
        if args[-1] is not None:  # the driver's read of the window, not a task's read of changed frames
            seen.append(len(window.values_read))
        return window

    with monkeypatch.context() as patch:
        patch.setattr(frames_module, "_window", spy)
        pipeline.run()
    return sum(seen)


def _frame(webid: str, end: datetime | None, captured: bool = True) -> EventFrame:
    return EventFrame(webid, webid, webid, "", "", T0 - timedelta(days=1), end, values_captured=captured)


def test_the_rotation_reads_every_settled_frame_once_per_recheck_and_the_moving_ones_every_time():
    frames = {f"F{i:03d}": _frame(f"F{i:03d}", T0 - timedelta(hours=1)) for i in range(100)}
    frames["OPEN"] = _frame("OPEN", None)
    frames["COMPUTED"] = _frame("COMPUTED", T0 - timedelta(hours=2), captured=False)
    fields = {w: "f" for w in frames}
    known = {w: FrameState("f", "v", f.end) for w, f in frames.items()}
    offset = FrameOffset(read_seq=1, read_at=T0, known=known)
    read: list[str] = []
    for step in range(1, 7):  # six reads an hour apart: one VALUES_RECHECK
        now = T0 + step * VALUES_RECHECK / 6
        due, after = values_due(offset, frames, fields, now)
        assert {"OPEN", "COMPUTED"} <= due
        read += sorted(due - {"OPEN", "COMPUTED"})
        offset = FrameOffset(read_seq=step + 1, read_at=now, known=known, recheck_after=after)
    settled = {w for w in frames if w.startswith("F")}
    assert set(read) == settled, "every settled frame is read once per VALUES_RECHECK"
    assert len(read) - len(settled) < 6, "and about once: each read rounds its share up by less than a frame"
    new = {**frames, "NEW": _frame("NEW", T0)}
    changed = {**fields, "F050": "edited", "NEW": "f"}
    due, _ = values_due(offset, new, changed, offset.read_at)
    assert due == {"OPEN", "COMPUTED", "NEW", "F050"}, "no time passed: only what moved, nothing in rotation"


def test_an_offset_written_before_the_values_digest_reads_every_frame_once():
    old = {
        "read_seq": 5,
        "read_at": "2026-11-01T12:00:00.000000Z",
        "known": {"F1": ["abc", None], "F2": ["d", "2026-11-01T11:00:00.000000Z"]},
    }
    offset = FrameOffset.from_json(old)
    assert offset.known["F2"].end == datetime(2026, 11, 1, 11, tzinfo=UTC)
    frames = {"F1": _frame("F1", None), "F2": _frame("F2", T0 - timedelta(hours=1))}
    due, _ = values_due(offset, frames, {"F1": "x", "F2": "y"}, T0)
    assert due == {"F1", "F2"}
    assert FrameOffset.from_json(offset.to_json()) == offset
