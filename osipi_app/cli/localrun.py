"""One local run of a bundle's pipelines, timed and summed up for the report, with progress as it goes."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from rich.console import Console

from osipi_app.cli.progress import RunProgress
from osipi_app.local import RunResult, run_pipelines
from osipi_lakeflow import contract

TIMESERIES_PREFIX = "pi_timeseries_"
MAY_BE_EMPTY = frozenset({contract.ACTIVE_ALARMS, contract.ANNOTATIONS, contract.NOTIFICATION_RULES})
"""Tables that are empty when nothing is wrong: no alarm open now, no operator comment, a server before 2018."""
LAST_RUN_FILE = "last_run.json"
"""Kept in the warehouse folder so `osipi status` can show the last run's expectation counts."""


@dataclass(frozen=True)
class LocalRun:
    """What to run: a bundle, where its tables land, variable overrides, and how many pipelines side by side."""

    bundle: Path
    warehouse: Path
    variables: Mapping[str, str] = field(default_factory=dict)
    pipelines: Sequence[str] | None = None
    parallel: int | None = None  # None: one per task slot of the local engine
    env: Mapping[str, str] | None = None
    configuration: Mapping[str, str] = field(default_factory=dict)
    live: bool = False  # once caught up, keep the time-series pipelines running (`osipi run --live`)
    live_seconds: float | None = None  # how long; None: until Ctrl-C


@dataclass(frozen=True)
class RunSummary:
    """The results of one local run and the figures the report prints."""

    results: list[RunResult]
    seconds: float

    @property
    def ok(self) -> bool:
        """Every pipeline completed."""
        return bool(self.results) and all(r.ok for r in self.results)

    @property
    def rows_added(self) -> dict[str, int]:
        """Rows each table gained in this run."""
        added: dict[str, int] = {}
        for result in self.results:
            for table, counts in result.tables.items():
                added[table] = added.get(table, 0) + counts.get("after", 0) - counts.get("before", 0)
        return added

    @property
    def values_landed(self) -> int:
        """PI values added to the time-series tables in this run."""
        return sum(n for table, n in self.rows_added.items() if table.startswith(TIMESERIES_PREFIX))

    @property
    def values_per_second(self) -> float:
        """Time-series values landed per second of wall time (engine start included: what a user waits)."""
        return self.values_landed / self.seconds if self.seconds else 0.0

    @property
    def every_table_non_empty(self) -> bool:
        """Every table the run wrote holds rows (besides those for which empty is a valid state)."""
        return all(
            counts.get("after", 0) > 0
            for r in self.results
            for table, counts in r.tables.items()
            if table not in MAY_BE_EMPTY
        )


def run_bundle(run: LocalRun, console: Console) -> RunSummary:
    """Run the bundle's pipelines on the local engine, printing progress; failures are printed, not raised."""
    started = time.monotonic()
    console.print("starting the local Spark engine (the first start takes ~20 s)")
    results = run_pipelines(
        run.bundle, run.warehouse, pipelines=run.pipelines, variables=run.variables, env=run.env,
        parallel=run.parallel, configuration=run.configuration, report=console.print,
        on_progress=RunProgress(console), live=run.live, live_seconds=run.live_seconds,
    )  # fmt: skip
    summary = RunSummary(results, time.monotonic() - started)
    record_last_run(run.warehouse, summary)
    for result in results:
        mark = "[green]ok[/green]" if result.ok else "[red]FAILED[/red]"
        reason = f": {result.error}" if result.error else ""
        console.print(f"  {mark} {result.key} in {result.seconds:.1f} s{reason}")
        if not result.ok and result.log:
            console.print(f"     log: {result.log}")
    return summary


def record_last_run(warehouse: Path, summary: RunSummary) -> None:
    """Write the run's results beside its tables (replaced atomically, so a reader never sees half a file)."""
    record = {
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": summary.seconds,
        "results": [{**dataclasses.asdict(r), "log": str(r.log) if r.log else None} for r in summary.results],
    }
    warehouse.mkdir(parents=True, exist_ok=True)
    partial = warehouse / f".{LAST_RUN_FILE}.partial"
    partial.write_bytes(orjson.dumps(record, option=orjson.OPT_INDENT_2))
    partial.replace(warehouse / LAST_RUN_FILE)


def read_last_run(warehouse: Path) -> dict | None:
    """The record of the last local run in this warehouse, None before the first."""
    path = warehouse / LAST_RUN_FILE
    return orjson.loads(path.read_bytes()) if path.exists() else None


@dataclass(frozen=True)
class ExpectationCount:
    """One expectation of one dataset in a recorded run: what failing does, and the rows that passed and failed."""

    dataset: str
    expectation: str
    action: str
    passed: int
    failed: int


def expectation_counts(last_run: dict | None) -> list[ExpectationCount]:
    """Every expectation counted in a recorded run (`read_last_run`), by dataset and name."""
    rows = [
        ExpectationCount(dataset, name, counts.get("action", "?"), counts.get("passed", 0), counts.get("failed", 0))
        for result in (last_run or {}).get("results", [])
        for dataset, checks in result.get("expectations", {}).items()
        for name, counts in checks.items()
    ]
    return sorted(rows, key=lambda r: (r.dataset, r.expectation))
