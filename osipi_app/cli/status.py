"""`osipi status`: per table and partition, what has landed, how far behind the source it is, and the last run."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from rich.table import Table

from osipi_app.cli.localrun import expectation_counts, read_last_run
from osipi_app.cli.preflight import PreflightError, check_pi
from osipi_app.cli.report import make_console
from osipi_app.cli.run import default_warehouse, plan_settings
from osipi_app.cli.tablestats import table_stats
from osipi_app.local import LandedTable, list_tables


def _lag(newest: datetime | None, server_time: datetime | None) -> str:
    if newest is None or server_time is None:
        return "-"
    seconds = max(0.0, (server_time - newest).total_seconds())
    return f"{seconds / 3600:.1f}h" if seconds >= 3600 else f"{seconds / 60:.1f}m"


def _expectation_totals(last_run: dict | None) -> dict[str, tuple[int, int]]:
    """Table -> (passed, failed) summed over its expectations in the last run."""
    totals: dict[str, tuple[int, int]] = {}
    for count in expectation_counts(last_run):
        passed, failed = totals.get(count.dataset, (0, 0))
        totals[count.dataset] = (passed + count.passed, failed + count.failed)
    return totals


def status_table(
    warehouse: Path, landed: list[LandedTable], server_time: datetime | None, last_run: dict | None
) -> Table:
    """One row per landed table, narrow enough for an 80-column terminal: every name and number shown whole."""
    expectations = _expectation_totals(last_run)
    table = Table(
        title=f"Landed in {warehouse}",
        title_justify="left",
        box=None,
        pad_edge=False,
        collapse_padding=True,
        header_style="bold",
    )
    table.add_column("table", no_wrap=True)
    for column in ("rows", "tags", "newest UTC", "lag", "passed", "failed"):
        table.add_column(column, justify="right", no_wrap=True)
    for item in landed:
        stats = table_stats(item)
        passed, failed = expectations.get(item.name, (None, None))
        table.add_row(
            item.name, f"{stats.rows:,}", f"{stats.keys:,}", stats.last.strftime("%m-%d %H:%M") if stats.last else "-",
            _lag(stats.last, server_time), "-" if passed is None else f"{passed:,}",
            "-" if failed is None else f"{failed:,}",
        )  # fmt: skip
    return table


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
    table = status_table(warehouse, landed, server_time, last_run)
    console.print(table)
    if last_run:
        ok = sum(r.get("ok", False) for r in last_run["results"])
        console.print(f"last run finished {last_run['finished_at']}: {ok}/{len(last_run['results'])} pipelines ok")
    return 0
