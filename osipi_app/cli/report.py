"""The printed report of a local run: what landed per table, expectation results, throughput."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from osipi_app.cli.localrun import RunSummary
from osipi_app.cli.tablestats import table_stats
from osipi_app.local import list_tables, open_table
from osipi_lakeflow import contract
from osipi_lakeflow.errors import PIConfigError


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


def _rows(warehouse: Path, name: str) -> list[dict]:
    return open_table(warehouse, name).to_table().to_pylist()


def _element(path: str | None) -> str:
    r"""The last two levels of an AF path (`UNIT3\E-302`): enough to tell elements apart in 80 columns."""
    return "\\".join((path or "?").split("\\")[-2:])


def _minutes(seconds: float | None) -> str:
    return f"{seconds / 60:,.0f}" if seconds is not None else "-"


def alarming_elements_table(summary_rows: list[dict], top: int = 5) -> Table:
    """The `top` elements with the most alarms (then the worst severity, the longest active) from the summary."""
    by_element: dict[str, dict] = {}
    for r in summary_rows:
        e = by_element.setdefault(r["element_path"] or "?", {"n": 0, "active": 0, "seconds": 0.0, "worst": -1})
        e["n"] += r["alarm_count"]
        e["active"] += r["active_count"]
        e["seconds"] += r["total_active_seconds"] or 0.0
        if (r["severity_level"] or 0) > e["worst"]:
            e["worst"], e["severity"] = r["severity_level"] or 0, r["severity"]
    ranked = sorted(by_element.items(), key=lambda kv: (-kv[1]["n"], -kv[1]["worst"], -kv[1]["seconds"], kv[0]))
    table = Table(title=f"Most alarming elements (top {top})", title_justify="left")
    table.add_column("element", no_wrap=True, max_width=30, overflow="ellipsis")
    for column in ("alarms", "active"):
        table.add_column(column, justify="right")
    table.add_column("worst", no_wrap=True)
    table.add_column("active min", justify="right")
    for path, e in ranked[:top]:
        table.add_row(_element(path), f"{e['n']:,}", f"{e['active']:,}", e["severity"], _minutes(e["seconds"]))
    return table


def active_alarms_table(active_rows: list[dict], as_of: datetime | None) -> Table:
    """Alarms open at the last refresh (`as_of`, PI server time), worst and oldest first."""
    rows = sorted(active_rows, key=lambda r: (-(r["severity_level"] or 0), r["start_time"]))
    table = Table(title=f"Active alarms (as of {_time(as_of)} UTC)", title_justify="left")
    table.caption = None if rows else "no alarm open"
    table.add_column("element", no_wrap=True, max_width=24, overflow="ellipsis")
    table.add_column("severity", no_wrap=True)
    table.add_column("since", no_wrap=True)
    table.add_column("min", justify="right")
    table.add_column("acknowledged by", no_wrap=True, max_width=18, overflow="ellipsis")
    for r in rows:
        by = (r["acknowledged_by"] or "-") if r["acknowledged"] else "no"
        since = r["start_time"].strftime("%H:%M")
        table.add_row(_element(r["element_path"]), r["severity"], since, _minutes(r["active_seconds"]), by)
    return table


def print_alarm_report(warehouse: Path, console: Console) -> None:
    """The most alarming elements and the active alarms, each a compact table of at most 80 columns."""
    try:
        summary, active = _rows(warehouse, contract.ALARM_SUMMARY), _rows(warehouse, contract.ACTIVE_ALARMS)
    except PIConfigError as error:  # the alarms pipeline did not land its tables
        console.print(f"[yellow]no alarm report: {error}[/yellow]")
        return
    as_of = max((r["as_of"] for r in summary if r["as_of"]), default=None)
    console.print(alarming_elements_table(summary))
    console.print(active_alarms_table(active, as_of))
