"""The stream reader's hooks called directly (no Spark) against the mock over HTTP."""

import collections
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
import requests
from pyspark.sql.streaming.datasource import ReadAllAvailable, ReadMaxRows

from mock_server import MockSettings
from mock_server.testing import running_mock
from osipi_lakeflow.datasource import SOURCE_SCHEMA, timeseries
from osipi_lakeflow.datasource.options import ReaderOptions
from osipi_lakeflow.datasource.timeseries import PIStreamReader
from osipi_lakeflow.errors import PIConnectionError

sys.path.insert(0, str(Path(__file__).parents[1] / "pipelines"))
from pipeline_truth import bronze_key, current_rows, ground_truth  # noqa: E402

T0 = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def mock():
    with running_mock(MockSettings(tags=20, seed=11, clock=T0.isoformat(), late_fraction=0.0)) as m:
        yield m


@pytest.fixture(scope="module")
def tags(mock):
    return [p.webid for p in mock.archive.points()[:5]]


def reader(mock, tags, **extra):
    opts = {"piUrl": mock.url, "tags": ",".join(tags), "start": "*-2h", "partitionId": "p0042"}
    opts["authMethod"] = "anonymous"
    return PIStreamReader(ReaderOptions.parse(opts | extra))


def drain(r, limit, start=None):
    start = r.initialOffset() if start is None else start
    rows = []
    batches = 0
    while (end := r.latestOffset(start, limit)) != start and batches < 50:
        for part in r.partitions(start, end):
            for batch in r.read(part):
                assert batch.schema.equals(SOURCE_SCHEMA)
                rows.extend(pa.Table.from_batches([batch]).to_pylist())
        start, batches = end, batches + 1
    return rows, batches, start


def test_bounded_micro_batches_read_the_ground_truth_exactly(mock, tags):
    r = reader(mock, tags, maxWindow="20m")
    r.prepareForTriggerAvailableNow()
    rows, batches, _ = drain(r, ReadAllAvailable())
    assert batches == 6
    truth = ground_truth(mock.archive, tags, T0 - timedelta(hours=2), T0, as_of=T0)
    assert collections.Counter(bronze_key(row) for row in current_rows(rows)) == truth


def test_rows_carry_the_pi_point_name(mock, tags):
    r = reader(mock, tags, start="*-10m")
    rows, _, _ = drain(r, ReadAllAvailable())
    names = {p.webid: p.name for p in mock.archive.points()}
    assert rows and all(row["tag"] == names[row["tag_webid"]] for row in rows)


def test_first_run_reads_nothing_before_a_recent_history_start(mock, tags):
    """A history start inside the late window: the first run must not re-read behind it."""
    r = reader(mock, tags, start="*-30m")
    r.prepareForTriggerAvailableNow()
    rows, _, _ = drain(r, ReadAllAvailable())
    truth = ground_truth(mock.archive, tags, T0 - timedelta(minutes=30), T0, as_of=T0)
    assert collections.Counter(bronze_key(row) for row in current_rows(rows)) == truth


def test_a_tag_added_later_reads_its_history_from_the_start(mock, tags):
    """The generator adds new tags to partitions with room: their first window must not be skipped."""
    first = reader(mock, tags[:4], maxWindow="1h")
    first.prepareForTriggerAvailableNow()
    _, _, offset = drain(first, ReadAllAvailable())
    grown = reader(mock, tags, maxWindow="1h")
    grown.prepareForTriggerAvailableNow()
    rows, _, _ = drain(grown, ReadAllAvailable(), start=offset)
    added = [row for row in current_rows(rows) if row["tag_webid"] == tags[4]]
    truth = ground_truth(mock.archive, tags[4:], T0 - timedelta(hours=2), T0, as_of=T0)
    assert collections.Counter(bronze_key(row) for row in added) == truth


def test_read_limit_bounds_values_per_batch(mock, tags):
    r = reader(mock, tags)
    start = r.initialOffset()
    end = r.latestOffset(start, ReadMaxRows(3600))
    spans = {v[0] for v in end["tags"].values()}  # every tag's position
    assert len(spans) == 1
    assert r.latestOffset(start, ReadAllAvailable())["tags"] != end["tags"]


def test_available_now_never_passes_the_target(mock, tags):
    r = reader(mock, tags)
    r.prepareForTriggerAvailableNow()
    requests.post(f"{mock.root}/admin/clock", json={"advance_seconds": 600}, timeout=10).raise_for_status()
    try:
        end = r.latestOffset(r.initialOffset(), ReadAllAvailable())
        assert max(v[0] for v in end["tags"].values()) == "2026-11-01T00:00:00.000000Z"
    finally:
        requests.post(f"{mock.root}/admin/clock", json={"set": T0.isoformat()}, timeout=10).raise_for_status()


def test_vanished_tag_is_logged_with_partition_and_others_flow(mock, tags, caplog):
    gone = "F1DPgoneAAAAAAAAAAAAAAAAAAAAAUElTUlYwMVxHT05F"
    r = reader(mock, [tags[0], gone], start="*-10m")
    start = r.initialOffset()
    end = r.latestOffset(start, ReadAllAvailable())
    rows = [b.num_rows for p in r.partitions(start, end) for b in r.read(p)]
    assert sum(rows) > 0
    assert any("partition p0042" in m and gone in m for m in caplog.messages)


def test_unreachable_server_names_the_partition():
    opts = {"piUrl": "http://127.0.0.1:9/piwebapi", "tags": "A", "partitionId": "p0042", "authMethod": "anonymous"}
    with pytest.raises(PIConnectionError, match="partition p0042"):
        PIStreamReader(ReaderOptions.parse(opts)).initialOffset()


def test_a_continuously_running_reader_spreads_its_late_scans_and_still_finds_every_late_event(monkeypatch):
    """Markers lapse between micro-batches here (a 1 s lifetime, 20 s per batch), so only the late scans can find
    the late events: spread over micro-batches a few tags at a time, they must still find every one."""
    monkeypatch.setattr(timeseries, "LIVE_SCAN_VALUES", 1)  # one tag per micro-batch
    settings = MockSettings(tags=20, seed=13, clock=T0.isoformat(), late_fraction=0.2, late_delay=(30.0, 300.0),
                            marker_ttl_seconds=1.0)  # fmt: skip
    with running_mock(settings) as live_mock:
        webids = [p.webid for p in live_mock.archive.points()[:6]]
        r = reader(live_mock, webids, start="*-30m", lateWindow="8m")
        start, rows, waves = r.initialOffset(), [], 0
        for _ in range(90):  # 30 minutes of server time, a micro-batch every 20 s
            requests.post(f"{live_mock.root}/admin/clock", json={"advance_seconds": 20}, timeout=10).raise_for_status()
            end = r.latestOffset(start, ReadAllAvailable())
            waves += end["late_wave"] != []
            for part in r.partitions(start, end):
                for batch in r.read(part):
                    rows.extend(batch.to_pylist())
            start = end
        now = T0 + timedelta(minutes=30)
        truth = ground_truth(live_mock.archive, webids, T0 - timedelta(minutes=30), now - timedelta(minutes=10), now)
    got = collections.Counter(bronze_key(r) for r in current_rows(rows))
    got = collections.Counter({k: n for k, n in got.items() if k[1] < (now - timedelta(minutes=10)).timestamp() * 1e6})
    assert waves > 10, "the late scans were not spread over micro-batches"
    assert got == truth
