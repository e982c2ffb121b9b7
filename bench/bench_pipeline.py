"""Benchmark time-series partition pipelines on the local engine against the mock, vs the client alone.

Usage: python bench/bench_pipeline.py [--tags 100] [--hours 24] [--seed 7] [--late-window 1h --late-window off]

The client line reads the tags' window with `PIWebAPI.recorded` alone. Then one engine (as `osipi run` starts
one for all of a bundle's pipelines) runs a warm-up pipeline over two hours of as many other tags, which pays the
engine's one-time costs (JVM start, the first catalog access, Spark's first Python data source query, compiling
the write path), then one pipeline per `--late-window` over the same tags and window as the client, every other
setting at the product's default. Each pipeline line's `seconds` is that
pipeline's run in the warm engine, from its start to its table counted; the engine line has the wall time of
everything, the one-time costs included. Peak memory is the largest summed RSS of the engine process tree
(worker Python, JVM, Spark's Python workers).

Prints one JSON line per measurement: {"what", "tags", "values", "seconds", "values_per_s", ...}.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from mock_server import MockSettings
from mock_server.testing import running_mock
from osipi_app.local import open_table, run_pipelines
from osipi_lakeflow import contract, parsers
from osipi_lakeflow.client import PIWebAPI
from osipi_lakeflow.schema import EVENT

SOURCE = Path(__file__).parents[1] / "pipelines" / "timeseries.py"
T0 = datetime(2026, 11, 1, tzinfo=UTC)
WARM_UP = "p0000"
WARM_UP_WINDOW = "*-2h"


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


Fingerprint = dict[str, tuple[int, int]]


def fingerprint(batches: Iterable[pa.RecordBatch]) -> Fingerprint:
    """Per tag: events and the sum of their times (microseconds after T0, so a day of 1 Hz sums within int64).

    A missing, repeated or shifted event changes it.
    """
    totals: dict[str, list[int]] = {}
    for batch in batches:
        micros = pc.subtract(pc.cast(batch.column("timestamp"), pa.int64()), int(T0.timestamp() * 1_000_000))
        table = pa.table({"tag": batch.column("tag_webid"), "t": micros})
        for row in table.group_by("tag").aggregate([("t", "count"), ("t", "sum")]).to_pylist():
            got = totals.setdefault(row["tag"], [0, 0])
            got[0] += row["t_count"]
            got[1] += row["t_sum"]
    return {tag: (count, total) for tag, (count, total) in totals.items()}


def partition_resource(partition_id: str, url: str, webids: Sequence[str], start: str, late: str) -> dict:
    """One time-series pipeline resource of the bench bundle: its partition keys in the generator's formats, every
    setting but the PI URL, the auth method and the late window at the product's default."""
    settings = {"pi_url": url, "auth_method": "anonymous", "late_window": late}
    configuration = {
        **{contract.CONF_PREFIX + name: value for name, value in settings.items()},
        contract.PARTITION_ID.conf_key: partition_id,
        contract.TAGS.conf_key: parsers.join_list(webids),
        contract.TAG_STARTS.conf_key: parsers.format_tag_starts(dict.fromkeys(webids, start)),
    }
    return {"name": partition_id, "schema": "osipi", "libraries": [{"file": {"path": str(SOURCE)}}],
            "configuration": configuration}  # fmt: skip


def write_bundle(folder: Path, resources: dict[str, dict]) -> None:
    """A bundle folder of the given pipeline resources (the engine runs them in key order)."""
    (folder / "resources").mkdir(parents=True)
    (folder / "databricks.yml").write_text(yaml.safe_dump({"bundle": {"name": "osipi_bench"}}))
    body = {"resources": {"pipelines": resources}}
    (folder / "resources" / "bench.pipeline.yml").write_text(yaml.safe_dump(body))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=100)
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--late-window", action="append", default=None, help="1h (default) and/or off; repeatable")
    args = parser.parse_args()
    lates = args.late_window or ["1h", "off"]
    settings = MockSettings(tags=max(args.tags * 10, 1000), seed=args.seed, clock=T0.isoformat(), late_fraction=0.0)
    with running_mock(settings) as mock:
        webids = [p.webid for p in mock.archive.points() if round(p.events_per_hour) == 3600][: args.tags]  # 1 Hz
        measured = set(webids)
        others = [p.webid for p in mock.archive.points() if p.webid not in measured][: args.tags]
        began = time.perf_counter()
        with PIWebAPI(mock.url) as pi:
            read = pi.recorded(webids, T0 - timedelta(hours=args.hours), T0)
            values, batches = 0, []
            for batch in read:
                values += batch.num_rows
                batches.append(batch.select(["tag_webid", "timestamp"]))
        seconds = time.perf_counter() - began
        client_rate = values / seconds
        client = fingerprint(batches)
        del batches
        print(json.dumps({"what": "client", "tags": len(webids), "values": values, "seconds": round(seconds, 2),
                          "values_per_s": round(client_rate)}))  # fmt: skip
        run_engine(mock.url, webids, others, args.hours, lates, client_rate, client)


def run_engine(
    url: str,
    webids: list[str],
    others: list[str],
    hours: int,
    lates: list[str],
    client_rate: float,
    client: Fingerprint,
) -> None:
    """One engine: the warm-up pipeline, then one pipeline per late-window setting; prints their JSON lines."""
    work = Path(tempfile.mkdtemp(prefix="osipi-bench-"))
    measured = {f"p{i + 1:04d}": late for i, late in enumerate(lates)}
    resources = {
        f"osipi_timeseries_{WARM_UP}": partition_resource(WARM_UP, url, others, WARM_UP_WINDOW, "1h"),
        **{f"osipi_timeseries_{p}": partition_resource(p, url, webids, f"*-{hours}h", late)
           for p, late in measured.items()},
    }  # fmt: skip
    write_bundle(work / "bundle", resources)
    stop, peak = threading.Event(), [0.0]
    watcher = threading.Thread(target=_peak_rss, args=(stop, peak), daemon=True)
    watcher.start()
    began = time.perf_counter()
    # one at a time: the warm-up first, then each measured pipeline alone in the warm engine
    results = run_pipelines(work / "bundle", work / "warehouse", pipelines=list(resources), parallel=1, timeout=3600)
    wall = time.perf_counter() - began
    stop.set()
    runs = {r.key.removeprefix("osipi_timeseries_"): r for r in results}
    for partition_id, late in measured.items():
        result = runs[partition_id]
        landed = open_table(work / "warehouse", f"pi_timeseries_{partition_id}").to_table(
            columns=["row_kind", "tag_webid", "timestamp"], filter=pc.field("row_kind") == EVENT
        )  # events; coverage rows left out
        rows = landed.num_rows
        print(json.dumps({
            "what": "pipeline", "ok": result.ok, "late_window": late, "tags": len(webids), "values": rows,
            "equal_to_client": fingerprint(landed.to_batches()) == client,
            "seconds": result.seconds, "values_per_s": round(rows / result.seconds),
            "ratio_to_client": round((rows / result.seconds) / client_rate, 3),
        }))  # fmt: skip
    warm_up = runs[WARM_UP]
    print(json.dumps({"what": "engine", "ok": all(r.ok for r in results), "seconds": round(wall, 2),
                      "warm_up_seconds": warm_up.seconds, "peak_rss_mb": round(peak[0])}))  # fmt: skip
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
