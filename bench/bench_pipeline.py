"""Benchmark one time-series partition pipeline on the local engine against the mock, vs the client alone.

Usage: python bench/bench_pipeline.py [--tags 100] [--hours 24] [--seed 7]
Prints one JSON line per measurement: {"what", "tags", "values", "seconds", "values_per_s", "peak_rss_mb"}.
Peak memory is the largest RSS of the engine process tree (Python worker + JVM + Spark's Python workers).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import pyarrow.compute as pc

from mock_server import MockSettings
from mock_server.testing import running_mock
from osipi_app.local import open_table, run_pipelines
from osipi_lakeflow.client import PIWebAPI
from osipi_lakeflow.schema import EVENT

BUNDLE = Path(__file__).parents[1] / "tests" / "pipelines" / "bundle"
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _peak_rss(stop: threading.Event, peak: list[float]) -> None:
    me = psutil.Process()
    while not stop.is_set():
        total = 0
        for child in me.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        peak[0] = max(peak[0], total / 2**20)
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=100)
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--late-window", action="append", default=None, help="1h (default) and/or off; repeatable")
    args = parser.parse_args()
    settings = MockSettings(tags=max(args.tags * 10, 1000), seed=args.seed, clock=T0.isoformat(), late_fraction=0.0)
    with running_mock(settings) as mock:
        points = [p for p in mock.archive.points() if round(p.events_per_hour) == 3600][: args.tags]  # 1 Hz tags
        webids = [p.webid for p in points]
        start = T0 - timedelta(hours=args.hours)
        began = time.perf_counter()
        with PIWebAPI(mock.url) as pi:
            values = sum(b.num_rows for b in pi.recorded(webids, start, T0))
        seconds = time.perf_counter() - began
        print(
            json.dumps(
                {
                    "what": "client",
                    "tags": len(webids),
                    "values": values,
                    "seconds": round(seconds, 2),
                    "values_per_s": round(values / seconds),
                }
            )
        )
        for late in args.late_window or ["1h", "off"]:
            run_pipeline(mock.url, webids, args.hours, late, values / seconds)


def run_pipeline(url: str, webids: list[str], hours: int, late: str, client_rate: float) -> None:
    """One local pipeline run over the same tags and window; prints its JSON line."""
    warehouse = Path(tempfile.mkdtemp(prefix="osipi-bench-"))
    stop, peak = threading.Event(), [0.0]
    watcher = threading.Thread(target=_peak_rss, args=(stop, peak), daemon=True)
    watcher.start()
    began = time.perf_counter()
    result = run_pipelines(
        BUNDLE,
        warehouse,
        pipelines=["osipi_timeseries_p0001"],
        timeout=3600,
        variables={
            "pi_url": url,
            "tags": ",".join(webids),
            "history_start": f"*-{hours}h",
            "late_window": late,
        },
    )[0]
    wall = time.perf_counter() - began
    stop.set()
    landed = open_table(warehouse, "pi_timeseries_p0001").to_table(columns=["row_kind"])
    rows = pc.sum(pc.equal(landed.column("row_kind"), EVENT)).as_py() or 0  # events; coverage rows left out
    print(
        json.dumps(
            {
                "what": "pipeline",
                "ok": result.ok,
                "tags": len(webids),
                "values": rows,
                "seconds": round(wall, 2),
                "run_seconds": result.seconds,
                "values_per_s": round(rows / wall),
                "peak_rss_mb": round(peak[0]),
                "late_window": late,
                "ratio_to_client": round((rows / wall) / client_rate, 3),
            }
        )
    )
    shutil.rmtree(warehouse, ignore_errors=True)


if __name__ == "__main__":
    main()
