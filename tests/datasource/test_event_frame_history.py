"""Event-frame history: the stream reader run after run against the mock over HTTP, frames closing, deleted in PI,
aging out of the window, with Int64 attributes above 2**53.

The rows each run lands are reduced the way the `pi_event_frames` / `pi_event_frame_attributes` views reduce them
(`latest_frames`), and compared with the mock's ground truth.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest
import requests

from mock_server import MockSettings
from mock_server.testing import running_mock
from osipi_lakeflow.datasource.frames import ATTRIBUTE, DELETED, FRAME, FrameOffset, FrameStreamReader
from osipi_lakeflow.datasource.options import AFOptions
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
