"""`osipi run`: the bundle's pipelines on the local engine against any PI Web API; again, only what is new.

Every argument is checked before an engine starts, by the contract's parsers and against the bundle's plan, so a
typo or a contradiction ends in one line (exit 2) with every table as it was.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from osipi_app.cli.localrun import LocalRun, run_bundle
from osipi_app.cli.preflight import PreflightError, check_pi, check_writable, credentials_env
from osipi_app.cli.report import make_console, print_run_report
from osipi_app.local.runner import runs_live
from osipi_lakeflow import contract, parsers
from osipi_lakeflow.errors import PIConfigError

PLAN_FILE = "osipi.plan.json"


def default_warehouse(bundle: Path) -> Path:
    """Where local tables land when --warehouse is not given."""
    return bundle / ".osipi" / "warehouse"


def plan_settings(bundle: Path) -> dict[str, str] | None:
    """The settings the bundle's plan recorded, None when the bundle has no plan yet.

    Raises:
        PreflightError: the plan file is damaged (its own message names the fix).
    """
    from generator.errors import PlanFileError
    from generator.plan import read_plan

    try:
        plan = read_plan(bundle)
    except PlanFileError as error:
        raise PreflightError(str(error)) from None
    return None if plan is None else dict(plan.settings)


def _checked(setting: str, text: str | None, flag: str) -> str | None:
    """Validate a flag's value with its setting's parser; the message names the flag."""
    if text is None:
        return None
    try:
        contract.SETTING[setting].check(text)
    except contract.SettingError as error:
        raise PreflightError(f"{flag}: {error}") from None
    return text.strip()


@dataclass(frozen=True)
class RunPlan:
    """What `osipi run` will do, decided before any engine starts."""

    url: str
    generate_first: bool
    variables: dict[str, str]
    configuration: dict[str, str]
    pipelines: list[str] | None
    live: bool = False
    live_seconds: float | None = None  # None with `live`: until Ctrl-C


def check_arguments(args: argparse.Namespace) -> RunPlan:
    """Check every argument, and that none contradicts the bundle's plan; nothing is touched.

    Raises:
        PreflightError: naming the argument, what is wrong and what to run instead.
    """
    if args.tags_per_pipeline is not None and args.tags_per_pipeline < 1:
        raise PreflightError(f"--tags-per-pipeline must be at least 1, got {args.tags_per_pipeline}")
    start = _checked("history_start", args.start, "--start")
    database = _checked("af_database", args.af_database, "--af-database")
    recorded = plan_settings(args.bundle)
    url = _checked("pi_url", args.pi_url or (recorded or {}).get("pi_url"), "--pi-url")
    if not url:
        raise PreflightError("no PI Web API URL: give --pi-url or set PI_WEB_API_URL")
    if recorded is not None:
        planned = recorded.get("af_database")
        if database and planned and database.casefold() != planned.casefold():
            raise PreflightError(
                f"--af-database {database} contradicts the plan in {args.bundle}, which ingests {planned}: to ingest "
                f"{database} instead, run `osipi generate --bundle {args.bundle} --af-database '{database}'` "
                "(or give this run its own --bundle)"
            )
        planned_start = recorded.get("history_start", contract.SETTING["history_start"].default)
        if start and start != planned_start:
            raise PreflightError(
                f"--start {start} contradicts the plan in {args.bundle}: each tag's history start was fixed when it "
                f"entered the plan (new tags start at {planned_start}); to change it for new tags, run `osipi "
                f"generate --bundle {args.bundle} --history-start '{start}'`"
            )
    pipelines = [p.strip() for p in args.pipelines.split(",") if p.strip()] if args.pipelines else None
    live_seconds = _live_seconds(args.live, pipelines)
    variables, configuration = local_overrides(os.environ)
    live = args.live is not None
    return RunPlan(url, recorded is None, {**variables, "pi_url": url}, configuration, pipelines, live, live_seconds)


def _live_seconds(text: str | None, pipelines: list[str] | None) -> float | None:
    """How long `--live` keeps the pipelines running (None: until Ctrl-C, or no --live at all)."""
    if text is None:
        return None
    if pipelines is not None and not any(runs_live(p) for p in pipelines):
        raise PreflightError(
            f"--live keeps time-series pipelines running, and --pipelines {','.join(pipelines)} names none: add "
            "one (osipi_timeseries_p0001, ...) or leave --pipelines out"
        )
    if not text:
        return None
    try:
        return parsers.duration(text).total_seconds()
    except ValueError as error:
        raise PreflightError(
            f"--live: {error}; give a duration like 90s, 10m or 8h, or no value to run until Ctrl-C"
        ) from None


def local_overrides(environ: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Settings this machine's environment gives (PI_AUTH, PI_CA_BUNDLE, ...): bundle variables and configuration.

    A local run then talks to PI the way the environment says.

    Raises:
        PreflightError: a variable holds an invalid value (named with the variable).
    """
    variables, configuration = {}, {}
    for name, text in contract.settings_from_env(environ).items():
        setting = contract.SETTING[name]
        _checked(name, text, setting.env or name)
        if setting.variable:
            variables[name] = text
        elif setting.kinds:
            configuration[setting.conf_key] = text
    return variables, configuration


def _generate_first(args: argparse.Namespace, url: str, console: Console) -> None:
    """A bundle with no plan yet gets one from AF, the way `osipi generate` makes it."""
    from generator.cli import main as generator_main

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
        plan = check_arguments(args)
        check_writable(warehouse)
        server_time = check_pi(plan.url)
        console.print(f"PI Web API at {plan.url}, server time {server_time:%Y-%m-%d %H:%M:%S} UTC")
        if plan.generate_first:
            if not args.af_database:
                raise PreflightError(
                    f"the bundle {args.bundle} has no {PLAN_FILE} yet: give --af-database (e.g. "
                    "'\\\\AFSERVER\\Database') so the tags can be discovered, or run `osipi generate` first"
                )
            _generate_first(args, plan.url, console)
    except PreflightError as exc:
        console.print(f"[red]error:[/red] {exc}", soft_wrap=True)
        return 2
    run = LocalRun(
        args.bundle, warehouse, plan.variables, plan.pipelines, args.parallel, credentials_env(), plan.configuration,
        plan.live, plan.live_seconds,
    )  # fmt: skip
    try:
        summary = run_bundle(run, console)
    except PIConfigError as exc:  # raised while reading the bundle, before the engine starts
        console.print(f"[red]error:[/red] {exc}", soft_wrap=True)
        return 2
    print_run_report(summary, warehouse, console, title="Run")
    return 0 if summary.ok else 1
