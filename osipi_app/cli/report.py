"""The printed report of a local run: what landed per table, expectation results, throughput."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from osipi_app.cli.localrun import RunSummary
from osipi_app.cli.tablestats import table_stats
from osipi_app.local import list_tables


def make_console() -> Console:
    """A console for reports: the terminal's width, or 140 columns when output goes to a file or CI log."""
    console = Console()
    return console if console.is_terminal else Console(width=140)


def _time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def landed_table(warehouse: Path, added: dict[str, int]) -> Table:
    """Rows, distinct tags (or objects) and time range of every landed table."""
    table = Table(title="Tables", title_justify="left")
    table.add_column("table", no_wrap=True)
    for column in ("rows", "added", "tags / ids"):
        table.add_column(column, justify="right")
    for column in ("from", "to"):
        table.add_column(column, no_wrap=True)
    for landed in list_tables(warehouse):
        stats = table_stats(landed)
        table.add_row(
            landed.name, f"{stats.rows:,}", f"{added.get(landed.name, 0):+,}", f"{stats.keys:,}",
            _time(stats.first), _time(stats.last),
        )  # fmt: skip
    return table


def expectation_table(summary: RunSummary) -> Table:
    """Passed and failed rows per expectation, with what failing did (dropped, warned, failed the flow)."""
    table = Table(title="Expectations (this run)", title_justify="left")
    for column in ("dataset", "expectation", "on failure"):
        table.add_column(column, no_wrap=True)
    for column in ("passed", "failed"):
        table.add_column(column, justify="right")
    for result in summary.results:
        for dataset, checks in sorted(result.expectations.items()):
            for name, counts in sorted(checks.items()):
                action = {"drop": "dropped", "warn": "warned", "fail": "failed flow"}.get(counts.get("action"), "?")
                table.add_row(dataset, name, action, f"{counts.get('passed', 0):,}", f"{counts.get('failed', 0):,}")
    return table


def print_run_report(summary: RunSummary, warehouse: Path, console: Console, title: str) -> None:
    """Print the tables, the expectation results and the throughput of one run."""
    console.print(f"\n[bold]{title}[/bold]")
    console.print(landed_table(warehouse, summary.rows_added))
    console.print(expectation_table(summary))
    console.print(
        f"{summary.values_landed:,} time-series values landed in {summary.seconds:.1f} s "
        f"({summary.values_per_second:,.0f} values/s, engine start included); "
        f"{sum(r.ok for r in summary.results)}/{len(summary.results)} pipelines ok"
    )
