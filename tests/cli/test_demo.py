"""One full local run of `osipi demo` at a small size: mock server, generator, every pipeline, report, second run."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest

from osipi_app.local import list_tables

pytestmark = pytest.mark.spark


def test_demo_exits_zero_and_says_done(demo):
    done, _ = demo
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Done in" in done.stdout


def test_every_table_landed_non_empty(demo):
    _, workdir = demo
    tables = {t.name: t.rows for t in list_tables(workdir / "warehouse")}
    expected = {"pi_af_elements", "pi_af_attributes", "pi_event_frames", "pi_event_frame_attributes",
                "pi_timeseries_p0001", "pi_timeseries_p0002", "pi_alarms", "pi_alarm_summary",
                "pi_notification_rules"}  # fmt: skip
    assert expected <= set(tables), tables
    assert all(tables[name] > 0 for name in expected), tables


def test_report_shows_expectation_counts_for_each_partition(demo):
    done, _ = demo
    for expectation in ("good_quality", "read_complete", "timestamp_and_tag_present"):
        assert expectation in done.stdout
    assert "dropped" in done.stdout and "warned" in done.stdout


def test_report_ends_with_the_most_alarming_elements_and_the_active_alarms_in_80_columns(demo):
    done, _ = demo
    report = done.stdout[done.stdout.index("Most alarming elements") :]
    assert "Active alarms (as of" in report
    tables = report[: report.index("Done in")] if "Done in" in report else report
    assert max(len(line) for line in tables.splitlines() if not line.startswith("─")) <= 80


def test_second_run_reads_only_what_is_new(demo):
    """After the clock moved 10 minutes, the second run adds about 10 minutes of data, not the hour again."""
    done, workdir = demo
    record = json.loads((workdir / "warehouse" / "last_run.json").read_text())
    added = {
        table: counts["after"] - counts["before"]
        for result in record["results"]
        for table, counts in result["tables"].items()
        if table.startswith("pi_timeseries_")
    }
    totals = {t.name: t.rows for t in list_tables(workdir / "warehouse")}
    for table, n in added.items():
        assert 0 < n < totals[table] * 0.4, (table, n, totals[table])


def test_status_reports_what_landed(demo, osipi):
    _, workdir = demo
    shown = osipi("status", "--warehouse", str(workdir / "warehouse"), "--bundle", str(workdir / "bundle"))
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "pi_timeseries_p0001" in shown.stdout and "last run finished" in shown.stdout


def test_status_of_an_empty_warehouse_says_what_to_do(tmp_path: Path, osipi):
    shown = osipi("status", "--warehouse", str(tmp_path / "nothing"), "--bundle", str(tmp_path))
    assert shown.returncode == 1
    assert "osipi run" in shown.stdout


def test_a_failed_run_leaves_landed_tables_intact(demo, osipi):
    """A wrong URL on a warehouse that holds data: exit 2, and every table keeps its rows."""
    from mock_server.testing import free_port

    _, workdir = demo
    before = {t.name: t.rows for t in list_tables(workdir / "warehouse")}
    done = osipi(
        "run", "--bundle", str(workdir / "bundle"), "--warehouse", str(workdir / "warehouse"),
        "--pi-url", f"http://127.0.0.1:{free_port()}/piwebapi",
    )  # fmt: skip
    assert done.returncode == 2
    assert {t.name: t.rows for t in list_tables(workdir / "warehouse")} == before


def test_runs_show_progress_at_least_every_ten_seconds(demo):
    """Each run prints a stamped progress line at most 10 s after the last one, from the engine start to the end."""
    done, _ = demo
    stamps = [int(m.group(1)) for m in re.finditer(r"^\s+(\d+) s  ", done.stdout, flags=re.MULTILINE)]
    runs: list[list[int]] = []
    for stamp in stamps:
        if not runs or stamp < runs[-1][-1]:
            runs.append([0])  # a run's stamps count from its start
        runs[-1].append(stamp)
    assert len(runs) == 2, done.stdout[-3000:]
    gaps = [later - earlier for run in runs for earlier, later in itertools.pairwise(run)]
    assert max(gaps) <= 10, (gaps, done.stdout[-3000:])
    assert "engine up in" in done.stdout and "done osipi_timeseries_p0001" in done.stdout
