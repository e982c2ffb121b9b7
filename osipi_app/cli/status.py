"""`osipi status`: per table and partition, what has landed, how far behind the source it is, and the last run."""

from __future__ import annotations

import argparse
from datetime import datetime

from rich.table import Table

from osipi_app.cli.localrun import read_last_run
from osipi_app.cli.preflight import PreflightError, check_pi
from osipi_app.cli.report import make_console
from osipi_app.cli.run import default_warehouse, plan_settings
from osipi_app.cli.tablestats import table_stats
from osipi_app.local import list_tables


def _lag(newest: datetime | None, server_time: datetime | None) -> str:
    if newest is None or server_time is None:
        return "-"
    seconds = max(0.0, (server_time - newest).total_seconds())
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.1f} min"


def _expectation_totals(last_run: dict | None) -> dict[str, tuple[int, int]]:
    """Table -> (passed, failed) summed over its expectations in the last run."""
    totals: dict[str, tuple[int, int]] = {}
    for result in (last_run or {}).get("results", []):
        for dataset, checks in result.get("expectations", {}).items():
            passed = sum(c.get("passed", 0) for c in checks.values())
            failed = sum(c.get("failed", 0) for c in checks.values())
            before = totals.get(dataset, (0, 0))
            totals[dataset] = (before[0] + passed, before[1] + failed)
    return totals


def status_command(args: argparse.Namespace) -> int:
    """Print the status table; exit 1 when nothing has landed in the warehouse yet."""
    console = make_console()
    bundle = args.bundle.resolve()
    warehouse = (args.warehouse or default_warehouse(bundle)).resolve()
    landed = list_tables(warehouse) if warehouse.exists() else []
    if not landed:
        console.print(f"nothing has landed in {warehouse} yet: run `osipi run` (or `osipi demo`) first")
        return 1
    server_time = None
    try:
        url = args.pi_url or (plan_settings(bundle) or {}).get("pi_url")
    except PreflightError:
        url = None
    if url:
        try:
            server_time = check_pi(url)
        except PreflightError as exc:
            console.print(f"[yellow]lag not shown:[/yellow] {exc}", soft_wrap=True)
    last_run = read_last_run(warehouse)
    expectations = _expectation_totals(last_run)
    table = Table(title=f"Landed in {warehouse}", title_justify="left")
    for column in ("table", "rows", "tags / ids", "newest", "lag", "last run: passed", "failed"):
        table.add_column(column, justify="left" if column in {"table", "newest"} else "right")
    for item in landed:
        stats = table_stats(item)
        passed, failed = expectations.get(item.name, (None, None))
        table.add_row(
            item.name, f"{stats.rows:,}", f"{stats.keys:,}",
            stats.last.strftime("%Y-%m-%d %H:%M:%S") if stats.last else "-", _lag(stats.last, server_time),
            "-" if passed is None else f"{passed:,}", "-" if failed is None else f"{failed:,}",
        )  # fmt: skip
    console.print(table)
    if last_run:
        ok = sum(r.get("ok", False) for r in last_run["results"])
        console.print(f"last run finished {last_run['finished_at']}: {ok}/{len(last_run['results'])} pipelines ok")
    return 0
