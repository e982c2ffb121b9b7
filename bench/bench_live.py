"""Continuous ingestion: seconds from an event becoming visible in PI to its row committed in bronze.

Usage: .venv/bin/python bench/bench_live.py [--tags 2000] [--minutes 10] [--tags-per-pipeline 1000] [--interval 1s]
                                           [--late-window 1h]

The mock (its own process) serves its points at 1 Hz on the wall clock with no late events, so an event is visible
in PI from its timestamp on, and keeps two hours of every point generated (`cache_events`). The generator plans
the bundle (history from two minutes back, `live_interval` from `--interval`); `run_pipelines(live=True)`, what
`osipi run --live` calls, catches every time-series pipeline up with a triggered update and keeps them running for
`--minutes`. A watcher polls each bronze table's sink log four
times a second and records when each micro-batch committed (its log entry's modification time: the moment readers
see the rows) and the files it added. An event's latency is the commit time of the first micro-batch that landed it
minus its timestamp. Measured: events timestamped from the moment every pipeline ran live to 30 s before the stop.

Then `pi_timeseries` (the view users query, exported through the engine) is compared with the client's own read of
the measured window, event by event (tag and microsecond). Bronze itself re-reads each tag's previous snapshot
instant every micro-batch (PI may replace it), so its extra rows are counted (`bronze_rereads`) but are not repeats
in the view.

Prints one JSON line: {"bench": "live", "tags", "pipelines", "interval", "minutes", "measured_instants", "p50_s",
"p90_s", "p99_s", "max_s", "equal_to_client", "lost", "repeated", "p50_s_by_minute", "median_batch_ms", ...}: `lost`
counts the client's events missing from the view, `repeated` the view's events beyond the client's.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from rich.console import Console

from generator.cli import main as generator_main
from osipi_app.cli.demo import DEMO_AF_DATABASE, prepare_bundle_folder
from osipi_app.cli.mockproc import mock_process
from osipi_app.local import export_through_engine, run_pipelines
from osipi_app.local.tables import SINK_LOG
from osipi_lakeflow.client import PIWebAPI
from osipi_lakeflow.schema import EVENT

MARGIN_S = 30.0
"""Events younger than this at the stop are left out of the measured window (the stop may cut their batch)."""


class CommitWatcher:
    """Polls the bronze tables' sink logs: the commit time of every data file, when its micro-batch committed."""

    def __init__(self, tables_root: Path, interval: float = 0.25) -> None:
        self._root = tables_root
        self._interval = interval
        self._seen_logs: set[Path] = set()
        self.committed_at: dict[Path, float] = {}
        self.batches = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self._stop.wait(self._interval):
            self.scan()

    def scan(self) -> None:
        """Record the micro-batches committed since the last scan."""
        for log in sorted(self._root.glob(f"pi_timeseries_*/{SINK_LOG}/*")):
            if log in self._seen_logs or log.name.startswith(".") or not log.name.split(".")[0].isdigit():
                continue
            self._seen_logs.add(log)
            self.batches += 1
            at = log.stat().st_mtime
            for line in log.read_bytes().splitlines()[1:]:
                if line.strip():
                    path = Path(unquote(urlsplit(orjson.loads(line)["path"]).path))
                    self.committed_at.setdefault(path, at)  # a compaction lists older files again

    def __enter__(self) -> CommitWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.scan()


def first_landings(committed_at: dict[Path, float], start_us: int, end_us: int) -> pa.Table:
    """Per (tag, timestamp) in [start, end): the first commit time that landed it, and how many rows hold it."""
    parts = []
    for path, at in committed_at.items():
        rows = pq.read_table(path, columns=["row_kind", "tag_webid", "timestamp"])
        micros = pc.cast(rows.column("timestamp"), pa.int64())
        keep = pc.and_(pc.equal(rows.column("row_kind"), EVENT),
                       pc.and_(pc.greater_equal(micros, start_us), pc.less(micros, end_us)))  # fmt: skip
        kept = pa.table({"tag": rows.column("tag_webid"), "t": micros}).filter(keep)
        parts.append(kept.append_column("at", pa.array(np.full(kept.num_rows, at))))
    table = pa.concat_tables(parts)
    return table.group_by(["tag", "t"]).aggregate([("at", "min"), ("at", "count")])


def events(tags: pa.Array, micros: pa.Array) -> Counter[tuple[str, int]]:
    """Each (tag, microsecond) with the events at it (PI keeps several events at one instant)."""
    return Counter(zip(tags.to_pylist(), micros.to_pylist(), strict=True))


def client_read(url: str, tags: list[str], start: datetime, end: datetime) -> Counter[tuple[str, int]]:
    """The client's own read of [start, end) for `tags`."""
    names, micros = [], []
    with PIWebAPI(url) as pi:
        for batch in pi.recorded(tags, start, end - timedelta(microseconds=1)):
            names.append(batch.column("tag_webid"))
            micros.append(pc.cast(batch.column("timestamp"), pa.int64()))
    return events(pa.concat_arrays(names), pa.concat_arrays(micros))


def main() -> None:
    """Run the benchmark once and print its JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=2000, help="points the mock serves (~95%% are in AF)")
    parser.add_argument("--minutes", type=float, default=10.0, help="how long the pipelines run live")
    parser.add_argument("--tags-per-pipeline", type=int, default=1000)
    parser.add_argument("--interval", default="1s", help="the bundle's live_interval")
    parser.add_argument("--late-window", default="1h", help="the bundle's late_window (a scan every quarter of it)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    console = Console(stderr=True)
    os.environ["MOCK_PI_UNIFORM_EVENTS_PER_HOUR"] = "3600"  # read by the mock child process
    os.environ["MOCK_PI_LATE_FRACTION"] = "0"
    # two hours of every tag kept generated, as PI keeps recent data in memory: polled every second, a mock that
    # regenerates each tag's hour per call measures itself, not the pipelines
    os.environ["MOCK_PI_CACHE_EVENTS"] = str(args.tags * 2 * 3600)
    live_from: list[float] = []
    phases: dict[str, list[int]] = {}  # micro-batch phase -> milliseconds, once every pipeline runs live
    with tempfile.TemporaryDirectory(prefix="osipi-live-") as tmp:
        bundle, warehouse = Path(tmp) / "bundle", Path(tmp) / "warehouse"
        prepare_bundle_folder(bundle)
        with mock_process(tags=args.tags, seed=args.seed, clock="wall") as mock:
            argv = [
                "generate", "--pi-url", mock.url, "--af-database", DEMO_AF_DATABASE, "--bundle", str(bundle),
                "--tags-per-pipeline", str(args.tags_per_pipeline), "--history-start", "*-2m", "--no-sample",
                "--auth-method", "anonymous", "--live-interval", args.interval, "--late-window", args.late_window,
            ]  # fmt: skip
            if generator_main(argv) != 0:
                raise SystemExit("the generator failed")
            keys = sorted(p.name.split(".")[0] for p in (bundle / "resources").glob("osipi_timeseries_*.pipeline.yml"))

            def on_progress(event: dict) -> None:
                if event.get("event") == "live":
                    live_from.append(time.time())
                elif event.get("event") == "batch" and len(live_from) == len(keys):
                    for phase, ms in (event.get("durations_ms") or {}).items():
                        phases.setdefault(phase, []).append(ms)

            with CommitWatcher(warehouse / "warehouse" / "osipi.db") as watcher:
                results = run_pipelines(
                    bundle, warehouse, pipelines=keys, variables={"pi_url": mock.url}, live=True,
                    live_seconds=args.minutes * 60, on_progress=on_progress, timeout=1800,
                )  # fmt: skip
                stopped = time.time()
            if len(live_from) < len(keys):
                raise SystemExit(f"only {len(live_from)} of {len(keys)} pipelines went live: {results}")
            start = datetime.fromtimestamp(max(live_from), UTC)
            end = datetime.fromtimestamp(stopped - MARGIN_S, UTC)
            start_us, end_us = int(start.timestamp() * 1e6), int(end.timestamp() * 1e6)
            landed = first_landings(watcher.committed_at, start_us, end_us)
            tags = sorted({t for t in landed.column("tag").to_pylist()})
            client = client_read(mock.url, tags, start, end)
        export = Path(tmp) / "pi_timeseries.parquet"
        outcome = export_through_engine(warehouse, {"pi_timeseries": export})["pi_timeseries"]
        view = pq.read_table(export, columns=["tag_webid", "timestamp"])
        micros = pc.cast(view.column("timestamp"), pa.int64())
        inside = pc.and_(pc.greater_equal(micros, start_us), pc.less(micros, end_us))
        users = events(pc.filter(view.column("tag_webid"), inside), pc.filter(micros, inside))
    latency = pc.subtract(landed.column("at_min"), pc.divide(pc.cast(landed.column("t"), pa.float64()), 1e6))
    seconds = latency.to_numpy()
    quantiles = [float(q) for q in np.quantile(seconds, [0.5, 0.9, 0.99, 1.0])] if len(seconds) else [-1.0] * 4
    minute = (landed.column("t").to_numpy() - start_us) // 60_000_000
    by_minute = [round(float(np.median(seconds[minute == m])), 2) for m in np.unique(minute)]
    console.print(f"measured {start:%H:%M:%S}..{end:%H:%M:%S} UTC; export ok={outcome['ok']}")
    print(
        orjson.dumps(
            {
                "bench": "live", "tags": len(tags), "pipelines": len(keys), "interval": args.interval,
                "late_window": args.late_window,
                "minutes": args.minutes, "ok": all(r.ok for r in results),
                "measured_s": round((end_us - start_us) / 1e6),
                "measured_instants": landed.num_rows, "client_events": client.total(), "view_events": users.total(),
                "p50_s": round(quantiles[0], 2), "p90_s": round(quantiles[1], 2), "p99_s": round(quantiles[2], 2),
                "max_s": round(quantiles[3], 2), "equal_to_client": users == client,
                "lost": (client - users).total(), "repeated": (users - client).total(),
                "bronze_rereads": int(pc.sum(landed.column("at_count")).as_py()) - landed.num_rows,
                "micro_batches": watcher.batches, "p50_s_by_minute": by_minute,
                "median_batch_ms": {k: round(float(np.median(v))) for k, v in sorted(phases.items())},
            }  # fmt: skip
        ).decode()
    )


if __name__ == "__main__":
    main()
