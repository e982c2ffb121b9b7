"""Benchmark: discover, plan, render, validate and write a bundle for N tags from the mock PI Web API.

Usage:
    .venv/bin/python bench/bench_generator.py [--tags 100000] [--tags-per-pipeline 100] [--sample-window *-2m]
        [--no-sample] [--seed 7]

Starts the mock as its own process on a free loopback port (so server and client use separate cores, as they do
in real life), then runs the real generator path (client -> discovery -> load estimate ->
plan -> render -> schema + semantic validation -> atomic write) into a temporary bundle, twice: a first generation
and a daily re-run with no change (which must write nothing). Prints one JSON line per run, e.g.:
    {"run": "first", "tags": 99999, "partitions": 1000, "files": 1005, "sampled": false, "seconds": 61.2,
     "tags_per_s": 1634.0}
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.discover import DiscoverySpec  # noqa: E402
from generator.regenerate import RegenerateRequest, regenerate  # noqa: E402
from osipi_app.cli.mockproc import mock_process  # noqa: E402
from osipi_lakeflow.client import ClientConfig, PIWebAPI  # noqa: E402

DB = "\\\\PIAF01\\Plant"


def _bundle(root: Path) -> Path:
    (root / "pipelines").mkdir(parents=True)
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    for name in ("timeseries.py", "af_hierarchy.py", "event_frames.py"):
        (root / "pipelines" / name).write_text("# stand-in for the pipeline source\n")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tags", type=int, default=100_000)
    parser.add_argument("--tags-per-pipeline", type=int, default=100)
    parser.add_argument("--sample-window", default="*-2m")
    parser.add_argument("--no-sample", action="store_true", help="use the default rate instead of sampling")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    with (
        mock_process(tags=args.tags, seed=args.seed, clock="wall") as mock,
        tempfile.TemporaryDirectory() as tmp,
        PIWebAPI(mock.url, config=ClientConfig.from_env({})) as pi,
    ):
        print(orjson.dumps({"run": "mock_start", "seconds": round(time.perf_counter() - started, 1)}).decode())
        bundle = _bundle(Path(tmp))
        # the whole AF database plus every point on the data server (deduplicated): exactly --tags tags
        request = RegenerateRequest(
            bundle=bundle,
            discovery=DiscoverySpec((DB,), point_name_filters=("*",)),
            settings={"pi_url": mock.url},
            tags_per_pipeline=args.tags_per_pipeline,
            sample_rates=not args.no_sample,
            sample_window=args.sample_window,
        )
        for run in ("first", "rerun"):
            t0 = time.perf_counter()
            result = regenerate(request, pi)
            seconds = time.perf_counter() - t0
            plan = result.plan
            print(
                orjson.dumps(
                    {
                        "run": run,
                        "tags": plan.tag_count,
                        "partitions": len(plan.partitions),
                        "files": len(result.files),
                        "sampled": not args.no_sample,
                        "changed": result.diff.changed,
                        "imbalance": round(plan.imbalance(), 4),
                        "seconds": round(seconds, 1),
                        "tags_per_s": round(plan.tag_count / seconds, 1),
                    }
                ).decode()
            )


if __name__ == "__main__":
    main()
