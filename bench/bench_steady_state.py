"""The demo's steady state: after the history, how long a run of every pipeline over ten new minutes takes.

Usage: python bench/bench_steady_state.py [--tags 2000] [--hours 3] [--advance-minutes 10] [--parallel 1 2]

Like `osipi demo`: the mock PI Web API in a child process (clock frozen), the generator's plan (500 tags per
partition), every pipeline run once for the history. Then, for each `--parallel` value in turn, the clock advances
`--advance-minutes` and every pipeline runs again: that run is the steady state the demo's second run shows.
Prints one JSON line per run (wall seconds with the engine start, values landed) and, for steady runs, one line per
pipeline with the seconds from its start to each step: tables counted, definitions registered, first micro-batch,
finished.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from rich.console import Console

from osipi_app.cli.demo import clock_start, generate_bundle, prepare_bundle_folder
from osipi_app.cli.mockproc import mock_process
from osipi_app.local import run_pipelines
from osipi_lakeflow import contract


def _steps(lines: list[dict]) -> dict[str, dict]:
    """Pipeline -> step -> seconds since it started (and the first micro-batch's phases), from progress lines."""
    began: dict[str, float] = {}
    steps: dict[str, dict] = {}
    for line in lines:
        key, event, at = line["key"], line["event"], line["at"]
        if key == "engine":
            continue
        if event == "started":
            began[key] = at
            steps[key] = {}
        mark = {"counted": "counted", "registered": "registered", "finished": "finished"}.get(event)
        if event == "batch" and "first_batch" not in steps[key]:
            mark = "first_batch"
            steps[key]["first_batch_ms"] = line.get("durations_ms", {})
        if mark:
            steps[key][mark] = round(at - began[key], 1)
    return steps


def run_once(bundle: Path, warehouse: Path, url: str, parallel: int, what: str) -> None:
    """One run of every pipeline; prints its JSON lines."""
    lines: list[dict] = []
    began = time.perf_counter()
    results = run_pipelines(
        bundle, warehouse, variables={"pi_url": url}, parallel=parallel, timeout=3600,
        on_progress=lambda line: lines.append(line) if line["event"] != "tick" else None,
    )  # fmt: skip
    seconds = time.perf_counter() - began
    values = sum(
        counts["after"] - counts["before"]
        for r in results
        for table, counts in r.tables.items()
        if contract.is_partition_table(table)
    )
    ready = next((line["at"] for line in lines if line["key"] == "engine" and line["event"] == "ready"), None)
    ok = all(r.ok for r in results)
    summary = {"what": what, "parallel": parallel, "ok": ok, "seconds": round(seconds, 1), "engine_ready": ready}
    print(json.dumps({**summary, "values": values}), flush=True)
    if what != "history":
        tables = {r.key: r.tables for r in results}
        for key, steps in sorted(_steps(lines).items()):
            line = {"what": "pipeline", "parallel": parallel, "key": key, **steps, "tables": tables.get(key)}
            print(json.dumps(line), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=2000)
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--advance-minutes", type=float, default=10.0)
    parser.add_argument("--parallel", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--tags-per-pipeline", type=int, default=500)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="osipi-steady-"))
    bundle, warehouse = workdir / "bundle", workdir / "warehouse"
    prepare_bundle_folder(bundle)
    quiet = Console(quiet=True)
    with mock_process(tags=args.tags, seed=7, clock=clock_start(), port=0) as mock:
        history = f"*-{args.hours:g}h"
        if generate_bundle(mock.url, bundle, args.tags_per_pipeline, history, quiet) != 0:
            raise SystemExit("the generator failed")
        run_once(bundle, warehouse, mock.url, max(args.parallel), "history")
        for parallel in args.parallel:
            mock.advance_clock(args.advance_minutes * 60)
            run_once(bundle, warehouse, mock.url, parallel, "steady")
    print(json.dumps({"what": "workdir", "path": str(workdir)}))


if __name__ == "__main__":
    main()
