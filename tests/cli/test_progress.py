"""The run progress display: what it prints from the engine's progress lines (unit level: lines made by hand)."""

from __future__ import annotations

import io

from rich.console import Console

from osipi_app.cli.progress import RunProgress


def _display() -> tuple[RunProgress, io.StringIO]:
    out = io.StringIO()
    return RunProgress(Console(file=out, width=200, color_system=None), every=8.0), out


def test_prints_engine_start_pipeline_start_and_finish_with_rows_and_batches():
    progress, out = _display()
    progress({"key": "engine", "event": "ready", "pipelines": 2, "parallel": 1})
    progress({"key": "osipi_timeseries_p0001", "event": "started"})
    progress({"key": "osipi_timeseries_p0001", "event": "batch", "rows": 1200, "batch": 0})
    progress({"key": "osipi_timeseries_p0001", "event": "batch", "rows": 34, "batch": 1})
    progress({"key": "osipi_timeseries_p0001", "event": "finished", "ok": True, "seconds": 12.0})
    text = out.getvalue()
    assert "2 pipelines, 1 at a time" in text
    assert "started osipi_timeseries_p0001" in text
    assert "done osipi_timeseries_p0001: 1,234 rows read in 2 micro-batches, 12 s" in text


def test_estimate_comes_from_finished_pipelines_and_counts_what_runs_and_waits():
    progress, _ = _display()
    progress({"key": "engine", "event": "ready", "pipelines": 4, "parallel": 2})
    assert progress.left(0.0) is None  # nothing finished: no estimate yet
    for key in ("a", "b"):
        progress({"key": key, "event": "started"})
    progress({"key": "a", "event": "finished", "ok": True, "seconds": 20.0})
    progress.pipelines["b"].started = 0.0
    # b has run 5 s of a typical 20 s; two more wait: (15 + 2 * 20) / 2 parallel
    assert progress.left(5.0) == (15 + 40) / 2
    assert "1/4 pipelines done" in progress.summary(5.0) and "about 28 s left" in progress.summary(5.0)


def test_a_quiet_engine_still_gets_a_summary_line_within_the_interval():
    progress, out = _display()
    progress.last_print -= 9.0  # nothing printed for 9 s
    progress({"key": "engine", "event": "tick"})
    assert "starting the local Spark engine" in out.getvalue()
