"""`osipi run`: the bundle's pipelines on the local engine against any PI Web API; again, only what is new."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from osipi_lakeflow.cli.localrun import LocalRun, run_bundle
from osipi_lakeflow.cli.preflight import PreflightError, check_pi, check_writable, credentials_env
from osipi_lakeflow.cli.report import make_console, print_run_report

PLAN_FILE = "osipi.plan.json"


def default_warehouse(bundle: Path) -> Path:
    """Where local tables land when --warehouse is not given."""
    return bundle / ".osipi" / "warehouse"


def bundle_pi_url(bundle: Path) -> str | None:
    """The bundle's default PI Web API URL (databricks.yml), used when --pi-url is not given."""
    from osipi_lakeflow.local.bundle import bundle_variables

    try:
        return bundle_variables(bundle, {}).get("pi_web_api_url")
    except (OSError, ValueError):
        return None


def _generate_first(args: argparse.Namespace, url: str, console: Console) -> None:
    """A bundle with no plan yet gets one from AF, the way `osipi generate` makes it."""
    from generator.cli import main as generator_main

    if not args.af_database:
        raise PreflightError(
            f"the bundle {args.bundle} has no {PLAN_FILE} yet: give --af-database (e.g. '\\\\AFSERVER\\Database') "
            "so the tags can be discovered, or run `osipi generate` first"
        )
    console.rule("[bold]No partition plan yet: discovering tags from AF")
    argv = ["generate", "--pi-url", url, "--af-database", args.af_database, "--bundle", str(args.bundle)]
    if args.tags_per_pipeline:
        argv += ["--tags-per-pipeline", str(args.tags_per_pipeline)]
    if args.start:
        argv += ["--history-start", args.start]
    if generator_main(argv) != 0:
        raise PreflightError("the generator could not build a plan; its message above names the cause")


def run_command(args: argparse.Namespace) -> int:
    """Check the input, generate a plan if there is none, run, report; 0 when every pipeline completed."""
    console = make_console()
    args.bundle = args.bundle.resolve()
    warehouse = (args.warehouse or default_warehouse(args.bundle)).resolve()
    try:
        url = args.pi_url or bundle_pi_url(args.bundle)
        if not url:
            raise PreflightError("no PI Web API URL: give --pi-url or set PI_WEB_API_URL")
        check_writable(warehouse)
        server_time = check_pi(url)
        console.print(f"PI Web API at {url}, server time {server_time:%Y-%m-%d %H:%M:%S} UTC")
        if not (args.bundle / PLAN_FILE).exists():
            _generate_first(args, url, console)
    except PreflightError as exc:
        console.print(f"[red]error:[/red] {exc}", soft_wrap=True)
        return 2
    variables = {"pi_web_api_url": url}
    if args.af_database:
        variables["af_database"] = args.af_database
    if args.start:
        variables["history_start"] = args.start
    pipelines = [p.strip() for p in args.pipelines.split(",") if p.strip()] if args.pipelines else None
    run = LocalRun(args.bundle, warehouse, variables, pipelines, args.parallel, env=credentials_env())
    summary = run_bundle(run, console)
    print_run_report(summary, warehouse, console, title="Run")
    return 0 if summary.ok else 1
