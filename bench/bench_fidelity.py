"""Every archive behaviour at once: the queried tables must end equal to the archive's final state.

Usage: python bench/bench_fidelity.py [--tags 2000] [--hours 24] [--steps 12] [--step-minutes 5]
                                      [--events-per-hour 240] [--tags-per-pipeline 500] [--parallel 2]

The mock (in this process, so its ground truth is at hand) serves `--tags` tags at `--events-per-hour` each with
late events, edits, deletes, compression-discarded snapshots, error values, nulls, NaN/Infinity, Int64 event-frame
attributes and deleted event frames switched on. The generator renders a bundle (`--tags-per-pipeline` tags per
partition, `--hours` of history, a late window as long as the scenario's oldest change: 2 h); every pipeline
runs on the local engine, then the clock advances `--step-minutes` and they run again, `--steps` times. Along
the way some tags are denied (500), refused (409) and deleted (404): the denied and refused ones answer again
before the last runs, so their backlog must land.

At the end `pi_timeseries` is exported through the engine (the view's own SQL) and compared, per tag and instant,
with the archive at the final server time over each tag's [history start, last run): missing (in PI, not in the
table), duplicated (more rows than PI holds), stale (an old value where PI's was edited) and phantom (in the
table, not in PI: deleted events, discarded snapshots). Deleted tags keep the history read before they vanished and
are reported apart. Event frames: every frame ever read has one row; live ones equal PI; deleted ones flagged.
Prints one JSON line per run and a final JSON line with the counts.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "pipelines"))

from pipeline_truth import bronze_key, micros, truth_key  # noqa: E402

from generator.cli import main as generator_main  # noqa: E402
from generator.plan import read_plan  # noqa: E402
from mock_server import MockSettings  # noqa: E402
from mock_server.testing import running_mock  # noqa: E402
from osipi_app.cli.demo import DEMO_AF_DATABASE, prepare_bundle_folder  # noqa: E402
from osipi_app.local import export_through_engine, open_table, run_pipelines  # noqa: E402

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def behaviours(args: argparse.Namespace) -> dict:
    """Every archive behaviour on, at rates that touch thousands of events of a day."""
    return {
        "late_fraction": 0.03, "late_delay": [30.0, 1800.0],
        "edit_fraction": 0.01, "edit_delay": [60.0, 7200.0],
        "delete_fraction": 0.005, "delete_delay": [60.0, 7200.0],
        "snapshot_discard_fraction": 0.2,
        "error_value_fraction": 0.002, "null_value_fraction": 0.002, "nonfinite_fraction": 0.002,
        "int64_frame_fraction": 0.3, "frame_delete_fraction": 0.1, "frame_delete_delay": [300.0, 7200.0],
    }  # fmt: skip


def oldest_change_minutes(scenario: dict) -> int:
    """How far behind the fact the scenario edits, deletes or adds an event: the late window that covers it all.

    Edits older than `late_window` are found through stream-update markers alone, and a tag held for longer than
    its marker lives misses those made meanwhile (pipelines/README.md, "Limits"): the user's remedy, a late window
    as long as the archive's edits reach back, is what the scenario configures.
    """
    delays = [scenario[f"{kind}_delay"][1] for kind in ("late", "edit", "delete") if scenario[f"{kind}_fraction"]]
    return -(-int(max(delays)) // 60)


def put(mock, **change) -> None:
    requests.put(f"{mock.root}/admin/behaviours", json=change, timeout=30).raise_for_status()


def advance(mock, seconds: float) -> None:
    requests.post(f"{mock.root}/admin/clock", json={"advance_seconds": seconds}, timeout=30).raise_for_status()


def run_all(bundle: Path, warehouse: Path, url: str, parallel: int, label: str) -> bool:
    began = time.perf_counter()
    results = run_pipelines(bundle, warehouse, variables={"pi_url": url}, parallel=parallel, timeout=3600)
    failed = {r.key: (r.error or "")[:300] for r in results if not r.ok}
    line = {"run": label, "pipelines": len(results), "failed": failed, "seconds": round(time.perf_counter() - began, 1)}
    print(json.dumps(line), flush=True)
    return not failed


def compare_timeseries(mock, export: Path, starts: dict[str, datetime], end: datetime, gone: set[str]) -> dict:
    """Missing, duplicated, stale and phantom events of the exported view against the archive at `end`."""
    table = pq.read_table(export).sort_by([("tag_webid", "ascending")])
    ranges, at = {}, 0
    for entry in pc.value_counts(table.column("tag_webid")).to_pylist():  # in order of first appearance
        ranges[entry["values"]] = (at, at + entry["counts"])
        at += entry["counts"]
    counts = collections.Counter()
    for webid, since in starts.items():
        lo, hi = ranges.get(webid, (0, 0))
        got = collections.Counter(bronze_key(r) for r in table.slice(lo, hi - lo).to_pylist())
        if webid in gone:
            counts["deleted_tag_rows_kept"] += sum(got.values())
            continue
        truth = collections.Counter(
            truth_key(webid, e) for e in mock.archive.recorded(webid, since, end, as_of=end) if e["timestamp"] < end
        )
        counts["archive_events"] += sum(truth.values())
        counts["table_rows"] += sum(got.values())
        by_instant: dict[tuple, set] = collections.defaultdict(set)
        for key in truth:
            by_instant[key[:2]].add(key)
        for key, n in got.items():
            have = truth.get(key, 0)
            if have:
                counts["duplicated"] += max(0, n - have)
            elif key[:2] in by_instant:
                counts["stale"] += n
            else:
                counts["phantom"] += n
        for key, n in truth.items():
            counts["missing"] += max(0, n - got.get(key, 0))
    return dict(counts)


def compare_frames(mock, warehouse: Path, seen: set[str], since: datetime, end: datetime) -> dict:
    """Every frame seen in the window at a run has a row; live ones equal PI at the end; deleted ones flagged."""
    rows = {r["webid"]: r for r in open_table(warehouse, "pi_event_frames").to_table().to_pylist()}
    alive = {f["webid"]: f for f in mock.archive.event_frames(since, end, as_of=end)}
    deleted = {w for w, r in rows.items() if r["deleted_in_pi"]}
    wrong = [
        w for w, r in rows.items()
        if w not in deleted and (w not in alive or micros(r["end_time"] or end) != micros(alive[w]["end"] or end))
    ]  # fmt: skip
    return {
        "frames_rows": len(rows),
        "frames_seen_missing": len(seen - set(rows)),
        "frames_deleted_flagged": len(deleted),
        "frames_flagged_but_alive": len(deleted & set(alive)),
        "frames_wrong_state": len(wrong),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=2000)
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--step-minutes", type=float, default=5.0)
    parser.add_argument("--events-per-hour", type=float, default=240.0)
    parser.add_argument("--tags-per-pipeline", type=int, default=500)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    began = time.perf_counter()
    settings = MockSettings(
        tags=args.tags, seed=args.seed, clock=T0.isoformat(), uniform_events_per_hour=args.events_per_hour
    )
    work = Path(tempfile.mkdtemp(prefix="osipi-fidelity-"))
    bundle, warehouse = work / "bundle", work / "warehouse"
    scenario = behaviours(args)
    with running_mock(settings) as mock:
        put(mock, **scenario)
        prepare_bundle_folder(bundle)
        argv = ["generate", "--pi-url", mock.url, "--af-database", DEMO_AF_DATABASE, "--bundle", str(bundle),
                "--tags-per-pipeline", str(args.tags_per_pipeline), "--history-start", f"*-{args.hours}h",
                "--auth-method", "anonymous", "--catalog", "main", "--schema", "osipi", "--no-sample",
                "--late-window", f"{oldest_change_minutes(scenario)}m"]  # fmt: skip
        if generator_main(argv) != 0:
            raise SystemExit("the generator failed")
        plan = read_plan(bundle)
        assert plan is not None
        starts = {t.webid: datetime.fromisoformat(t.since) for p in plan.partitions for t in p.tags}
        webids = sorted(starts)
        denied, conflict, vanished = webids[:10], webids[10:15], webids[15:20]
        frames_from = datetime.fromisoformat(plan.settings["event_frame_start"])  # absolute, fixed in the plan
        ok = run_all(bundle, warehouse, mock.url, args.parallel, "backfill")
        seen_frames = {f["webid"] for f in mock.archive.event_frames(frames_from, mock.archive.now())}
        for step in range(1, args.steps + 1):
            advance(mock, args.step_minutes * 60)
            if step == 2:
                vanish_at = (mock.archive.now() + timedelta(seconds=30)).isoformat()
                put(mock, denied_points=denied, conflict_points=conflict, vanished_points=vanished, vanish_at=vanish_at)
            if step == args.steps - 2:
                put(mock, denied_points=[], conflict_points=[])
            ok = run_all(bundle, warehouse, mock.url, args.parallel, f"step {step}") and ok
            now = mock.archive.now()
            seen_frames |= {f["webid"] for f in mock.archive.event_frames(frames_from, now, as_of=now)}
        end = mock.archive.now()
        export = work / "pi_timeseries.parquet"
        outcome = export_through_engine(warehouse, {"pi_timeseries": export})["pi_timeseries"]
        if not outcome["ok"]:
            raise SystemExit(f"export failed: {outcome['error']}")
        last_run = end  # the last run read every tag up to the server time it started at: the final clock
        counts = compare_timeseries(mock, export, starts, last_run, set(vanished))
        counts.update(compare_frames(mock, warehouse, seen_frames, frames_from, end))
    counts.update(
        what="fidelity", ok=ok, tags=args.tags, hours=args.hours, steps=args.steps, step_minutes=args.step_minutes,
        seconds=round(time.perf_counter() - began, 1), work=str(work),
    )  # fmt: skip
    print(json.dumps(counts), flush=True)


if __name__ == "__main__":
    main()
