"""The real pipeline sources on the local engine (open-source SDP) against the mock over HTTP."""

import collections
import threading
import time
from datetime import timedelta

import psutil
import pyarrow.parquet as pq
import pytest
import requests
from pipeline_truth import BUNDLE, T0, bronze, bronze_key, ground_truth, landed, micros, partition_tables

from mock_server import MockSettings
from mock_server.testing import running_mock
from osipi_app.local import list_tables, run_pipelines
from osipi_lakeflow.client import PIWebAPI

pytestmark = pytest.mark.spark

HISTORY = timedelta(hours=3)
ADVANCE = 4 * 3600  # seconds the mock clock moves between the two runs (late events, a frame closing)
FRAMES_DELETED = 0.3  # share of event frames AF deletes between the two runs


@pytest.fixture(scope="module")
def mock():
    with running_mock(
        MockSettings(tags=30, seed=7, clock=T0.isoformat(), late_fraction=0.05, late_delay=(60.0, 900.0))
    ) as m:
        yield m


@pytest.fixture(scope="module")
def tags(mock):
    points = [p for p in mock.archive.points()][:4]
    return [p.webid for p in points]


def variables(mock, tags, history="*-3h"):
    return {"pi_url": mock.url, "tags": ",".join(tags), "history_start": history}


def advance(mock, seconds: int) -> None:
    requests.post(f"{mock.root}/admin/clock", json={"advance_seconds": seconds}, timeout=10).raise_for_status()


@pytest.fixture(scope="module")
def two_runs(mock, tags, tmp_path_factory):
    """Run 1 at T0, the clock advances 30 min, run 2: time series and event frames together."""
    warehouse = tmp_path_factory.mktemp("wh")
    keys = ["osipi_timeseries_p0001", "osipi_event_frames"]
    first = run_pipelines(
        BUNDLE, warehouse, pipelines=[*keys, "osipi_af_hierarchy"], variables=variables(mock, tags), timeout=600
    )
    snapshot = {"bronze": bronze(warehouse), "frames": landed(warehouse, "pi_event_frames")}
    change = {"frame_delete_fraction": FRAMES_DELETED, "frame_delete_delay": [60.0, 3600.0]}
    requests.put(f"{mock.root}/admin/behaviours", json=change, timeout=10).raise_for_status()
    advance(mock, ADVANCE)
    second = run_pipelines(BUNDLE, warehouse, pipelines=keys, variables=variables(mock, tags), timeout=600)
    return warehouse, {r.key: r for r in first}, {r.key: r for r in second}, snapshot


def test_fixture_advance_closes_a_frame_that_was_open(mock):
    t1 = T0 + timedelta(seconds=ADVANCE)
    open_at_t0 = {
        f["webid"] for f in mock.archive.event_frames(T0 - timedelta(days=30), T0, as_of=T0) if f["end"] is None
    }
    later = mock.archive.event_frames(T0 - timedelta(days=30), t1, as_of=t1)
    assert any(f["webid"] in open_at_t0 and f["end"] is not None for f in later)


def test_first_run_lands_exactly_the_ground_truth(two_runs, mock, tags):
    _, first, _, snapshot = two_runs
    assert first["osipi_timeseries_p0001"].ok, first["osipi_timeseries_p0001"].error
    expected = ground_truth(mock.archive, tags, T0 - HISTORY, T0, as_of=T0)
    assert sum(expected.values()) > 1000
    assert snapshot["bronze"] == expected


def test_second_run_adds_only_new_rows_late_events_included(two_runs, mock, tags):
    warehouse, _, second, snapshot = two_runs
    t1 = T0 + timedelta(seconds=ADVANCE)
    assert second["osipi_timeseries_p0001"].ok, second["osipi_timeseries_p0001"].error
    expected = ground_truth(mock.archive, tags, T0 - HISTORY, t1, as_of=t1)
    late = ground_truth(mock.archive, tags, T0 - HISTORY, T0, as_of=t1) - ground_truth(
        mock.archive, tags, T0 - HISTORY, T0, as_of=T0
    )
    assert sum(late.values()) > 0, "the mock should deliver late events behind the first run's watermark"
    got = bronze(warehouse)
    assert got == expected
    assert max(got.values()) == max(expected.values())  # identical events at one instant are all kept, once each
    tables = second["osipi_timeseries_p0001"].tables["pi_timeseries_p0001"]
    events = [r for r in landed(warehouse, "pi_timeseries_p0001") if r["row_kind"] == "event"]
    assert tables["after"] == len(events) and tables["after"] > tables["before"]


def test_expectations_are_counted_and_drops_applied(two_runs):
    warehouse, first, second, _ = two_runs
    counts = {
        name: {
            k: first[key].expectations[table][name][k] + second[key].expectations[table][name][k]
            for k in ("passed", "failed")
        }
        for key, table in [("osipi_timeseries_p0001", "pi_timeseries_p0001")]
        for name in first[key].expectations[table]
    }
    assert set(counts) == {"timestamp_and_tag_present", "timestamp_not_in_future", "good_quality", "read_complete"}
    actions = {
        name: e["action"] for name, e in first["osipi_timeseries_p0001"].expectations["pi_timeseries_p0001"].items()
    }
    assert actions["timestamp_and_tag_present"] == "drop" and actions["good_quality"] == "warn"
    rows = landed(warehouse, "pi_timeseries_p0001")  # events, coverage and gap rows: every row is checked
    assert counts["good_quality"]["passed"] + counts["good_quality"]["failed"] == len(rows)
    bad = [r for r in rows if r["row_kind"] == "event" and not r["good"]]
    assert counts["good_quality"]["failed"] == len(bad) > 0  # the mock writes system states (Good false): kept
    assert counts["read_complete"]["failed"] == 0


def test_event_frame_closing_between_runs_has_one_row_with_its_end(two_runs, mock):
    warehouse, _, second, snapshot = two_runs
    assert second["osipi_event_frames"].ok, second["osipi_event_frames"].error
    t1 = T0 + timedelta(seconds=ADVANCE)
    was_open = {f["webid"] for f in snapshot["frames"] if f["end_time"] is None}
    truth = {f["webid"]: f for f in mock.archive.event_frames(T0 - timedelta(days=30), t1, as_of=t1)}
    closed = [w for w in was_open if w in truth and truth[w]["end"] is not None]
    assert closed, "the mock should close some open frames while the clock advances"
    rows = landed(warehouse, "pi_event_frames")
    ids = [r["webid"] for r in rows]
    assert len(ids) == len(set(ids))
    by_webid = {r["webid"]: r for r in rows}
    for webid in closed:
        assert micros(by_webid[webid]["end_time"]) == micros(truth[webid]["end"])


def test_event_frames_deleted_in_pi_keep_their_row_flagged_with_their_attributes(two_runs, mock):
    warehouse, _, _, snapshot = two_runs
    t1 = T0 + timedelta(seconds=ADVANCE)
    alive = {f["webid"] for f in mock.archive.event_frames(T0 - timedelta(days=31), t1, as_of=t1)}
    rows = {r["webid"]: r for r in landed(warehouse, "pi_event_frames")}
    first = {r["webid"] for r in snapshot["frames"]}
    assert first <= set(rows), "every frame the first run read keeps its row"
    deleted = {w for w, r in rows.items() if r["deleted_in_pi"]}
    assert deleted == first - alive and deleted, "exactly the frames AF deleted are flagged"
    with_attributes = {r["event_frame_webid"] for r in landed(warehouse, "pi_event_frame_attributes")}
    assert deleted <= with_attributes, "a deleted frame keeps its last attribute values"


def test_view_and_status_list_landed_tables(two_runs):
    warehouse = two_runs[0]
    names = {t.name: t for t in list_tables(warehouse)}
    assert names["pi_timeseries_p0001"].rows == len(landed(warehouse, "pi_timeseries_p0001"))
    assert {"pi_event_frames", "pi_event_frame_attributes"} <= set(names)


def _kill_engine_after_first_commit(warehouse, stop: threading.Event) -> None:
    commits = warehouse / "_pipelines" / "osipi_timeseries_p0001" / "storage"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not stop.is_set():
        if any(p.name == "1" and p.parent.name == "commits" for p in commits.rglob("1")):
            for child in psutil.Process().children(recursive=False):
                if "osipi_app.local.worker" in " ".join(child.cmdline()):
                    import os
                    import signal

                    os.killpg(child.pid, signal.SIGKILL)  # the engine we started, and its JVM, mid-run
                    return
        time.sleep(0.2)


def test_run_killed_midway_then_restarted_loses_and_repeats_nothing(mock, tags, tmp_path):
    history = "*-12h"
    stop = threading.Event()
    killer = threading.Thread(target=_kill_engine_after_first_commit, args=(tmp_path, stop))
    killer.start()
    keys = ["osipi_timeseries_p0001"]
    killed = run_pipelines(BUNDLE, tmp_path, pipelines=keys, variables=variables(mock, tags, history), timeout=600)
    stop.set()
    killer.join()
    assert not killed[0].ok
    partial = bronze(tmp_path)
    now = mock.archive.now()
    expected = ground_truth(mock.archive, tags, now - timedelta(hours=12), now, as_of=now)
    assert 0 < sum(partial.values()) < sum(expected.values())
    again = run_pipelines(BUNDLE, tmp_path, pipelines=keys, variables=variables(mock, tags, history), timeout=600)
    assert again[0].ok, again[0].error
    assert bronze(tmp_path) == expected


def test_af_hierarchy_lands_every_element_with_its_parent_and_point_references(two_runs, mock):
    warehouse, first, _, _ = two_runs
    assert first["osipi_af_hierarchy"].ok, first["osipi_af_hierarchy"].error
    elements = landed(warehouse, "pi_af_elements")
    with PIWebAPI(mock.url) as pi:
        expected = {e.id for e in pi.elements(pi.asset_database(r"\\PIAF01\Plant"))}
    assert {e["element_id"] for e in elements} == expected
    ids = {e["element_id"] for e in elements}
    assert all(e["parent_id"] in ids for e in elements if e["depth"] > 0)
    attributes = landed(warehouse, "pi_af_attributes")
    points = {p.webid for p in mock.archive.points()}
    referenced = [a for a in attributes if a["data_reference"] == "PI Point"]
    assert referenced and all(a["point_webid"] in points for a in referenced)


def test_export_of_the_view_equals_the_current_state_of_bronze(two_runs, tmp_path, capsys):
    from osipi_app.cli.export import export_table

    warehouse = two_runs[0]
    target = tmp_path / "current.parquet"
    assert export_table(warehouse, "pi_timeseries", "osipi", target) == 0
    rows = pq.read_table(target).to_pylist()
    assert "wrote" in capsys.readouterr().out and rows
    assert collections.Counter(bronze_key(r) for r in rows) == bronze(warehouse, None)
    assert not (tmp_path / ".current.parquet.partial").exists()


def test_export_of_the_reads_view_is_every_row_of_every_partition_table(two_runs, tmp_path):
    from osipi_app.cli.export import export_table

    warehouse = two_runs[0]
    target = tmp_path / "reads.parquet"
    assert export_table(warehouse, "pi_timeseries_reads", "osipi", target) == 0
    every_row = [r for t in partition_tables(warehouse) for r in landed(warehouse, t)]

    def rows(found: list[dict]) -> collections.Counter:
        return collections.Counter((r["row_kind"], r["read_seq"], *bronze_key(r)) for r in found)

    assert rows(pq.read_table(target).to_pylist()) == rows(every_row)
    assert {r["row_kind"] for r in every_row} >= {"event", "coverage"}


def test_export_of_a_warehouse_that_does_not_exist_says_so(tmp_path, capsys):
    from osipi_app.cli.export import export_table

    assert export_table(tmp_path / "nowhere", "pi_timeseries", "osipi", tmp_path / "x.parquet") == 2
    assert "run the pipelines first" in capsys.readouterr().out
    assert not (tmp_path / "x.parquet").exists()
