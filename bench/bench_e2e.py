"""End to end, PI to bronze tables: mock server -> generator -> every time-series pipeline on the local engine.

Usage:
    .venv/bin/python bench/bench_e2e.py --tags 30000 --hours 1 --tags-per-pipeline 1000 [--parallel 2]

The mock serves `--tags` points at a uniform `--events-per-hour` (3600 = 1 Hz, exception-based timestamps), its
clock frozen; the generator discovers the ~95% of them referenced from AF (no rate sampling) and plans partitions;
the time-series pipelines read `--hours` of history. Prints one JSON line:
    {"bench": "e2e", "mock_tags": 31580, "tags": 30001, "hours": 1.0, "pipelines": 30, "values": 108000000,
     "seconds": ..., "values_per_s": ..., "peak_pss_mb": ..., "peak_rss_mb": ..., "generate_seconds": ...}
`seconds` is the wall time of the pipeline runs (engine start included). Memory is that of this process and all its
children (mock server, Spark JVM, Python workers), sampled every half second: `peak_pss_mb` is the highest sum of
their proportional set sizes, the physical memory the tree holds (a page shared by several processes counts once,
split between them); `peak_rss_mb` the highest sum of resident sizes, which counts a shared page once per process
that maps it: Spark's Python workers are forked from a daemon and share its pages, and a process the JVM is
spawning shows the JVM's whole resident size until it execs.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson
import psutil
from rich.console import Console

from generator.plan import read_plan
from osipi_app.cli.demo import generate_bundle, prepare_bundle_folder
from osipi_app.cli.localrun import TIMESERIES_PREFIX, LocalRun, run_bundle
from osipi_app.cli.mockproc import mock_process


class PeakMemory:
    """Samples the memory of this process tree in a background thread: the peaks of its summed PSS and RSS."""

    def __init__(self, interval: float = 0.5) -> None:
        self.peak_bytes = 0
        self.peak_pss_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(interval,), daemon=True)

    def _sample(self, interval: float) -> None:
        me = psutil.Process()
        while not self._stop.wait(interval):
            rss = pss = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    full = proc.memory_full_info()
                except psutil.Error:
                    continue
                rss, pss = rss + full.rss, pss + full.pss
            self.peak_bytes = max(self.peak_bytes, rss)
            self.peak_pss_bytes = max(self.peak_pss_bytes, pss)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    """Run the benchmark once and print its JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tags", type=int, default=30_000)
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--events-per-hour", type=float, default=3600.0, help="every tag's rate (3600 = 1 Hz)")
    parser.add_argument("--tags-per-pipeline", type=int, default=1000)
    parser.add_argument("--parallel", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temporary folder, removed after")
    args = parser.parse_args()

    console = Console(stderr=True)
    os.environ["MOCK_PI_UNIFORM_EVENTS_PER_HOUR"] = f"{args.events_per_hour:g}"  # read by the mock child process
    clock = datetime.now(UTC).replace(minute=0, second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    with tempfile.TemporaryDirectory(prefix="osipi-e2e-") as tmp:
        workdir = (args.workdir or Path(tmp)).resolve()
        bundle, warehouse = workdir / "bundle", workdir / "warehouse"
        prepare_bundle_folder(bundle)
        history = f"*-{args.hours:g}h"
        with mock_process(tags=args.tags, seed=args.seed, clock=clock) as mock, PeakMemory() as memory:
            started = time.monotonic()
            if generate_bundle(mock.url, bundle, args.tags_per_pipeline, history, console, sample=False) != 0:
                raise SystemExit("the generator failed")
            generated = time.monotonic() - started
            resources = (bundle / "resources").glob("osipi_timeseries_*.pipeline.yml")
            keys = sorted(p.stem.split(".")[0] for p in resources)
            ingested_tags = read_plan(bundle).tag_count
            variables = {"pi_url": mock.url}  # each tag's history start is in the plan (generate_bundle)
            run = LocalRun(bundle, warehouse, variables, keys, args.parallel)
            summary = run_bundle(run, console)
        values = sum(n for table, n in summary.rows_added.items() if table.startswith(TIMESERIES_PREFIX))
        print(
            orjson.dumps(
                {
                    "bench": "e2e", "mock_tags": args.tags, "tags": ingested_tags, "hours": args.hours,
                    "events_per_hour": args.events_per_hour, "pipelines": len(keys), "parallel": args.parallel,
                    "ok": summary.ok, "values": values,
                    "seconds": round(summary.seconds, 1), "values_per_s": round(values / summary.seconds),
                    "peak_pss_mb": round(memory.peak_pss_bytes / 2**20),
                    "peak_rss_mb": round(memory.peak_bytes / 2**20), "generate_seconds": round(generated, 1),
                }  # fmt: skip
            ).decode()
        )


if __name__ == "__main__":
    main()
