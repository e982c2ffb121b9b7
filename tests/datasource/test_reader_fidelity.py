"""Every event as the archive holds it: the stream reader's hooks driven run after run against the mock over HTTP.

Each test switches on one of the things real PI archives, points and proxies do (`/admin/behaviours`), runs the
reader the way a triggered pipeline does (a new reader per run, the offset carried over as a checkpoint would),
and compares the current state of what was read (`current_rows`: the latest read of each instant wins, the rule
the `pi_timeseries` view applies) with the mock's ground truth at the last run's server time.
"""

from __future__ import annotations

import collections
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from pyspark.sql.streaming.datasource import ReadAllAvailable

from mock_server import MockSettings
from mock_server.testing import running_mock
from osipi_lakeflow.datasource.options import ReaderOptions
from osipi_lakeflow.datasource.timeseries import PIStreamReader
from tests.datasource.micro_batches import triggered_run

sys.path.insert(0, str(Path(__file__).parents[1] / "pipelines"))
from pipeline_truth import bronze_key, current_rows, ground_truth, micros  # noqa: E402

T0 = datetime(2026, 11, 1, tzinfo=UTC)
HISTORY = timedelta(hours=3)


class Pipeline:
    """A partition's stream reader run after run, its offset carried over as the checkpoint would carry it."""

    def __init__(self, mock, tags: list[str], **options: str) -> None:
        self.mock, self.tags, self.options = mock, tags, options
        self.offset: dict | None = None
        self.rows: list[dict] = []

    def run(self, **changes: str) -> list[dict]:
        """One triggered run: a fresh reader, every micro-batch up to the server time it starts at."""
        options = {"piUrl": self.mock.url, "tags": ",".join(self.tags), "start": "*-3h", "partitionId": "p0001",
                   "authMethod": "anonymous", "maxWindow": "1h"} | self.options | changes  # fmt: skip
        reader = PIStreamReader(ReaderOptions.parse(options))
        self.offset, added, _ = triggered_run(reader, self.offset, ReadAllAvailable(), max_batches=60)
        self.rows += added
        return added

    def current(self) -> collections.Counter:
        return collections.Counter(bronze_key(r) for r in current_rows(self.rows))


def truth(mock, tags, until: datetime | None = None) -> collections.Counter:
    now = until or mock.archive.now()
    return ground_truth(mock.archive, tags, T0 - HISTORY, now, as_of=now)


def behave(mock, **change) -> None:
    requests.put(f"{mock.root}/admin/behaviours", json=change, timeout=10).raise_for_status()


def advance(mock, seconds: float) -> None:
    requests.post(f"{mock.root}/admin/clock", json={"advance_seconds": seconds}, timeout=10).raise_for_status()


def name_of(mock, webid: str) -> str:
    return next(p.name for p in mock.archive.points() if p.webid == webid)


def resume_and_compare(mock, pipeline: Pipeline, tags: list[str], seconds: float) -> None:
    """Let every denied tag answer again, run once more `seconds` later, and compare with the archive."""
    behave(mock, denied_points=[])
    advance(mock, seconds)
    pipeline.run()
    assert pipeline.offset["held"] == {}
    assert pipeline.current() == truth(mock, tags)


@pytest.fixture
def mock():
    settings = MockSettings(tags=24, seed=17, clock=T0.isoformat(), late_fraction=0.0, fault_seed=1)
    with running_mock(settings) as m:
        yield m


@pytest.fixture
def tags(mock):
    return [p.webid for p in mock.archive.points() if p.point_type in ("Float32", "Float64", "Int32")][:6]


def test_a_denied_tag_is_held_the_others_flow_and_it_resumes_with_no_gap(mock, tags, caplog):
    name = name_of(mock, tags[0])
    behave(mock, denied_points=[name])
    pipeline = Pipeline(mock, tags)
    pipeline.run()
    assert pipeline.offset["held"][tags[0]][0] == 500
    assert any("held since" in m and tags[0] in m for m in caplog.messages)
    others = truth(mock, tags[1:])
    assert sum(others.values()) > 100
    assert collections.Counter(k for k in pipeline.current().elements() if k[0] != tags[0]) == others
    advance(mock, 1800)
    pipeline.run()
    resume_and_compare(mock, pipeline, tags, 600)


def test_edits_made_while_a_tag_was_held_reach_the_current_state_when_it_resumes(mock, tags):
    # edits 30-50 minutes after the fact, within the late window, made while the tag is held (longer than its
    # stream-update marker lives) to events before the start of its last read (the backfill's last 10 minutes)
    behave(mock, edit_fraction=0.2, delete_fraction=0.05, edit_delay=[1800, 3000], delete_delay=[1800, 3000])
    name = name_of(mock, tags[0])
    pipeline = Pipeline(mock, tags, lateWindow="1h", maxWindow="10m")
    pipeline.run()
    behave(mock, denied_points=[name])
    for _ in range(4):
        advance(mock, 900)
        pipeline.run()
    assert tags[0] in pipeline.offset["held"]
    resume_and_compare(mock, pipeline, tags, 60)


def test_a_short_hold_keeps_the_marker_so_old_edits_made_meanwhile_are_found(mock, tags):
    # edits 30-50 minutes after the fact, older than the 10-minute late window: only the marker reports them
    behave(mock, edit_fraction=0.2, edit_delay=[1800, 3000])
    name = name_of(mock, tags[0])
    pipeline = Pipeline(mock, tags, lateWindow="10m")
    pipeline.run()
    advance(mock, 60)
    pipeline.run()
    behave(mock, denied_points=[name])
    advance(mock, 240)
    pipeline.run()
    assert tags[0] in pipeline.offset["held"]
    resume_and_compare(mock, pipeline, tags, 60)


@pytest.mark.parametrize("behaviour", ["conflict_points", "vanished_points"])
def test_a_conflicting_or_vanished_tag_keeps_its_position_and_is_never_skipped_past(mock, tags, behaviour):
    name = name_of(mock, tags[1])
    behave(mock, **{behaviour: [name]})
    pipeline = Pipeline(mock, tags)
    for _ in range(3):  # three hourly runs of a failing tag lose nothing of it
        pipeline.run()
        advance(mock, 3600)
    held = StreamOffsetView(pipeline.offset)
    assert held.held(tags[1]) and held.position(tags[1]) == T0 - HISTORY
    behave(mock, **{behaviour: []})
    pipeline.run()
    assert pipeline.current() == truth(mock, tags)


def test_a_proxy_answering_404_for_the_whole_route_holds_every_tag_and_loses_nothing(mock, tags):
    pipeline = Pipeline(mock, tags)
    pipeline.run()
    behave(mock, missing_routes=["GET /streamsets/value"])
    for _ in range(3):
        advance(mock, 3600)
        pipeline.run()
    assert set(pipeline.offset["held"]) == set(tags)
    behave(mock, missing_routes=[])
    pipeline.run()
    assert pipeline.current() == truth(mock, tags)


class StreamOffsetView:
    def __init__(self, offset: dict) -> None:
        self.offset = offset

    def held(self, webid: str) -> bool:
        return webid in self.offset["held"]

    def position(self, webid: str) -> datetime:
        return datetime.fromisoformat(self.offset["tags"][webid][0])


def test_error_objects_nulls_and_non_finite_values_land_as_typed_rows(mock):
    behave(mock, error_value_fraction=0.05, null_value_fraction=0.05, nonfinite_fraction=0.05, nan_format="symbol")
    floats = [p.webid for p in mock.archive.points() if p.point_type in ("Float32", "Float64")][:4]
    pipeline = Pipeline(mock, floats)
    rows = pipeline.run()
    events = [r for r in rows if r["row_kind"] == "event"]
    assert any(r["state_name"] and r["is_system_state"] and r["value_double"] is None for r in events)  # errors
    assert any(all(r[c] is None for c in ("value_double", "value_string", "state_name")) for r in events)  # nulls
    assert any(r["value_double"] is not None and r["value_double"] != r["value_double"] for r in events)  # NaN
    assert pipeline.current() == truth(mock, floats)
    behave(mock, nan_format="string")  # Json.NET's default: "NaN" as a string on a numeric point
    strings = Pipeline(mock, floats)
    strings.run()
    assert strings.current() == truth(mock, floats)


def test_two_different_errors_at_one_instant_both_land(mock):
    behave(mock, error_value_fraction=0.3)
    points = [p.webid for p in mock.archive.points()][:12]
    expected = truth(mock, points)
    errors = collections.defaultdict(set)
    for webid, ts, value, good in expected:
        if not good and isinstance(value, str) and value.startswith("["):
            errors[(webid, ts)].add(value)
    assert any(len(v) >= 2 for v in errors.values()), "the plant should hold two error objects at one instant"
    pipeline = Pipeline(mock, points)
    pipeline.run()
    assert pipeline.current() == expected


def test_edits_and_deletes_inside_the_late_window_reach_the_current_state(mock, tags):
    behave(mock, edit_fraction=0.05, delete_fraction=0.05, edit_delay=[60, 1200], delete_delay=[60, 1200])
    pipeline = Pipeline(mock, tags)
    pipeline.run()
    read_first = pipeline.current()
    for _ in range(4):
        advance(mock, 900)
        pipeline.run()
    assert pipeline.current() == truth(mock, tags)
    first_hours = collections.Counter(k for k in pipeline.current().elements() if k[1] < micros(T0))
    assert first_hours != read_first, "edits and deletes should have changed what the first run read"


def test_a_snapshot_discarded_by_compression_leaves_the_current_state(mock, tags):
    behave(mock, snapshot_discard_fraction=0.3)
    pipeline = Pipeline(mock, tags)
    pipeline.run()
    first = pipeline.current()
    advance(mock, 120)
    pipeline.run()
    assert pipeline.current() == truth(mock, tags)
    assert first != pipeline.current()


def test_raising_the_late_window_rereads_without_duplicating(mock, tags):
    pipeline = Pipeline(mock, tags, lateWindow="30m")
    pipeline.run()
    advance(mock, 3600)
    pipeline.run(lateWindow="3h")
    advance(mock, 3600)
    pipeline.run(lateWindow="3h")
    assert pipeline.current() == truth(mock, tags)


def test_a_tag_moved_to_another_partition_or_removed_and_added_back_is_never_doubled(mock, tags):
    first = Pipeline(mock, tags)
    first.run()
    advance(mock, 1800)
    second = Pipeline(mock, tags[:2])  # the tags' new partition reads them again from their history start
    second.run()
    merged = collections.Counter(bronze_key(r) for r in current_rows(first.rows + second.rows))
    assert merged == truth(mock, tags[2:], until=T0) + truth(mock, tags[:2])


def test_an_instant_holding_more_events_than_one_call_returns_is_a_gap_the_others_land():
    settings = MockSettings(tags=24, seed=17, clock=T0.isoformat(), late_fraction=0.0, max_returned_items=1000)
    with running_mock(settings) as small:  # 1,500 events at the top of every hour: more than one call returns
        burst = small.archive.point_by_name("DIAG.BurstEvents.PV").webid
        other = next(p.webid for p in small.archive.points() if p.point_type == "Float32")
        rows = Pipeline(small, [burst, other]).run(maxCount="1000")
        gaps = [r for r in rows if r["row_kind"] == "gap"]
        assert gaps and {g["tag_webid"] for g in gaps} == {burst} and "share the instant" in gaps[0]["read_error"]
        landed = collections.Counter(bronze_key(r) for r in current_rows(rows) if r["tag_webid"] == other)
        assert landed == truth(small, [other])
