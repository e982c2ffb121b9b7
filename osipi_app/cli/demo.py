"""`osipi demo`: the whole product on one machine, from an empty folder to a report of what landed.

Steps: start the mock PI Web API (a child process, clock frozen), discover tags from AF and plan partitions with the
generator, render a bundle into the work folder, run every pipeline of it on the local engine, report; then advance
the mock clock and run again, to show that the second run reads only what is new; last, the most alarming elements
and the alarms active now.
"""

from __future__ import annotations

import argparse
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from osipi_app.cli.localrun import LocalRun, run_bundle
from osipi_app.cli.mockproc import MockProcessError, mock_process
from osipi_app.cli.report import make_console, print_alarm_report, print_run_report
from osipi_lakeflow.errors import PIConfigError

DEMO_AF_DATABASE = r"\\PIAF01\Plant"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_ENTRIES = frozenset({"bundle", "warehouse"})
"""What a demo writes into its work folder: all it may remove there."""


def clock_start() -> str:
    """The frozen mock clock: the current minute, so 'a day of history' ends about now."""
    return datetime.now(UTC).replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def clear_workdir(workdir: Path) -> None:
    """Remove an earlier demo's folder, so a demo starts from nothing; never a folder holding anything else."""
    if not workdir.exists():
        return
    if not workdir.is_dir():
        raise PIConfigError(f"--workdir {workdir} is a file: name a new folder, or an earlier demo's")
    foreign = sorted(entry.name for entry in workdir.iterdir() if entry.name not in DEMO_ENTRIES)
    if foreign:
        raise PIConfigError(
            f"--workdir {workdir} holds {', '.join(foreign[:5])}{', ...' if len(foreign) > 5 else ''}, which no demo "
            "wrote, and a demo clears its folder: name a new or empty folder, or an earlier demo's"
        )
    shutil.rmtree(workdir)


def prepare_bundle_folder(bundle: Path) -> None:
    """A bundle folder beside the repository's: its pipeline sources linked in, its own plan and resources.

    The demo never writes into the repository's own bundle, which a user deploys to Databricks.
    """
    bundle.mkdir(parents=True, exist_ok=True)
    for shared in ("pipelines",):
        link = bundle / shared
        if not link.exists():
            link.symlink_to(REPO_ROOT / shared)


def generate_bundle(
    url: str, bundle: Path, tags_per_pipeline: int, history_start: str, console: Console, *, sample: bool = True
) -> int:
    """Discover, plan and render with the generator's own command line; returns its exit code.

    `sample=False` skips sampling each tag's recent rate (every tag then weighs the same in the plan).
    """
    from generator.cli import main as generator_main

    console.rule("[bold]2. Discover tags in AF, plan partitions, render the bundle")
    argv = [
        "generate", "--pi-url", url, "--af-database", DEMO_AF_DATABASE, "--bundle", str(bundle),
        "--tags-per-pipeline", str(tags_per_pipeline), "--history-start", history_start,
        "--auth-method", "anonymous", "--catalog", "main", "--schema", "osipi",
    ]  # fmt: skip
    return generator_main([*argv, *([] if sample else ["--no-sample"])])


def demo_command(args: argparse.Namespace) -> int:
    """Run the demo; exit code 0 when every pipeline ran and every table is non-empty."""
    console = make_console()
    started = time.monotonic()
    workdir = args.workdir.resolve()
    bundle, warehouse = workdir / "bundle", workdir / "warehouse"
    try:
        clear_workdir(workdir)
    except PIConfigError as error:
        console.print(f"[red]error:[/red] {error}", soft_wrap=True)
        return 2
    prepare_bundle_folder(bundle)
    history_start = f"*-{args.hours:g}h"
    console.rule(f"[bold]1. Start the mock PI Web API ({args.tags} tags, seed {args.seed})")
    try:
        with mock_process(tags=args.tags, seed=args.seed, clock=clock_start(), port=args.port) as mock:
            console.print(f"mock PI Web API at {mock.url}, clock frozen at {clock_start()}")
            if generate_bundle(mock.url, bundle, args.tags_per_pipeline, history_start, console) != 0:
                console.print("[red]the generator failed; see its message above[/red]")
                return 1
            variables = {"pi_url": mock.url}
            console.rule("[bold]3. Run every pipeline on the local engine (first run: the history)")
            first = run_bundle(LocalRun(bundle, warehouse, variables, parallel=args.parallel), console)
            print_run_report(first, warehouse, console, title="First run")
            console.rule(f"[bold]4. Advance the mock clock {args.advance_minutes:g} minutes and run again")
            console.print(f"server clock now {mock.advance_clock(args.advance_minutes * 60)}")
            second = run_bundle(LocalRun(bundle, warehouse, variables, parallel=args.parallel), console)
            print_run_report(second, warehouse, console, title="Second run (only what is new)")
            print_alarm_report(warehouse, console)
    except MockProcessError as exc:
        console.print(f"[red]{exc}[/red]")
        return 2
    ok = first.ok and second.ok and first.every_table_non_empty
    console.rule(f"[bold]{'Done' if ok else 'Finished with problems'} in {time.monotonic() - started:.0f} s")
    console.print(f"bundle: {bundle}\nwarehouse: {warehouse}\nstatus any time: osipi status --warehouse {warehouse}")
    return 0 if ok else 1
