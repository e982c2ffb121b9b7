r"""Command line of the generator: `python -m generator generate ...` and `python -m generator validate ...`.

    python -m generator generate --pi-url https://pi/piwebapi --af-database '\\PIAF01\Plant' \
        [--tags-per-pipeline 100] [--bundle DIR] [--rebalance] [--dry-run] [filters] [settings]
    python -m generator validate [--bundle DIR]

Credentials come from the environment as the client reads them (PI_USERNAME / PI_PASSWORD for Basic, ...), never
from the command line. Exit status: 0 done, 1 a problem named on stderr, 2 bad usage.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from generator.discover import DiscoverySpec
from generator.errors import GeneratorError
from generator.regenerate import PISource, RegenerateRequest, RegenerateResult, prepare, regenerate
from generator.validate import validate_bundle
from osipi_lakeflow import contract
from osipi_lakeflow.errors import PIWebAPIError

SETTING_FLAGS = tuple(s for s in contract.SETTINGS if s.name != "af_database")
"""Every contract setting is a flag of `generate` (the AF database comes from the repeatable --af-database)."""


def default_bundle() -> Path:
    """The repository root when run from a checkout (it holds pyproject.toml), else the working directory."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").exists() else Path.cwd()


def _generate_parser(sub: argparse._SubParsersAction) -> None:
    g = sub.add_parser("generate", help="discover tags, plan partitions, render and write the bundle")
    g.add_argument("--af-database", action="append", default=[], help="AF database path, repeatable")
    g.add_argument("--tags-per-pipeline", type=int, help="most tags per pipeline (default: the plan's, else 100)")
    g.add_argument("--bundle", type=Path, default=None, help="bundle folder (default: the repository root)")
    g.add_argument("--rebalance", action="store_true", help="rewrite the plan from scratch (re-ingests moved tags)")
    g.add_argument("--dry-run", action="store_true", help="show the changes, write nothing")
    f = g.add_argument_group("filters (repeatable; several values match any)")
    f.add_argument("--template", action="append", default=[], help="element template name")
    f.add_argument("--category", action="append", default=[], help="element category")
    f.add_argument("--element-path", action="append", default=[], help="glob on the element path")
    f.add_argument("--attribute-name", action="append", default=[], help="glob on the attribute name")
    f.add_argument("--point-type", action="append", default=[], help="PI point type (Float32, Digital, ...)")
    f.add_argument("--exclude", action="append", default=[], help="glob on point name, WebId or attribute path")
    f.add_argument("--point-filter", action="append", default=[], help="extra points by name filter on a data server")
    f.add_argument("--data-server", help="data server for --point-filter (default: the first)")
    r = g.add_argument_group("load estimate")
    r.add_argument("--no-sample", action="store_true", help="do not sample recent data; use --default-rate")
    r.add_argument("--default-rate", type=float, default=60.0, help="events/hour of an unsampled tag (60)")
    r.add_argument("--sample-window", default="*-1h", help="PI time the rate sample starts at (*-1h)")
    s = g.add_argument_group("settings (kept in osipi.plan.json; omitted ones keep their recorded value)")
    for setting in SETTING_FLAGS:
        default = "required once" if setting.default is None else f"default {setting.default!r}"
        s.add_argument(setting.flag, dest=setting.name, metavar=setting.name.upper(),
                       help=f"{setting.doc} ({default})" if default else setting.doc)  # fmt: skip
    g.add_argument("--retries", type=int, help="client retries per request (default: the client's)")
    g.add_argument("--quiet", action="store_true", help="no progress bars")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed so the product CLI can document the same flags)."""
    parser = argparse.ArgumentParser(prog="python -m generator", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    _generate_parser(sub)
    v = sub.add_parser("validate", help="check databricks.yml and resources/ against the schema and the plan")
    v.add_argument("--bundle", type=Path, default=None, help="bundle folder (default: the repository root)")
    v.add_argument(
        "--schema-file", type=Path, help="bundle JSON schema (default: the copy shipped in generator/bundle_schema/)"
    )
    return parser


def request_from_args(args: argparse.Namespace) -> RegenerateRequest:
    """Translate parsed `generate` arguments into a RegenerateRequest."""
    spec = DiscoverySpec(
        af_databases=tuple(args.af_database),
        templates=tuple(args.template),
        categories=tuple(args.category),
        element_paths=tuple(args.element_path),
        attribute_names=tuple(args.attribute_name),
        point_types=tuple(args.point_type),
        exclude=tuple(args.exclude),
        point_name_filters=tuple(args.point_filter),
        data_server=args.data_server,
    )
    settings = {s.name: getattr(args, s.name) for s in SETTING_FLAGS if getattr(args, s.name) is not None}
    return RegenerateRequest(
        bundle=(args.bundle or default_bundle()).resolve(),
        discovery=spec,
        settings=settings,
        tags_per_pipeline=args.tags_per_pipeline,
        rebalance=args.rebalance,
        sample_rates=not args.no_sample,
        default_rate=args.default_rate,
        sample_window=args.sample_window,
        dry_run=args.dry_run,
    )


@contextmanager
def open_client(url: str, environ: Mapping[str, str], retries: int | None = None) -> Iterator[PISource]:
    """A PI Web API client configured from the environment, as every product component builds it."""
    from osipi_lakeflow.client import ClientConfig, PIWebAPI
    from osipi_lakeflow.client.auth import auth_from_env

    overrides = {} if retries is None else {"retries": retries}
    config = ClientConfig.from_env(environ, **overrides)
    with PIWebAPI(url, auth=auth_from_env(environ, base_url=url), config=config) as pi:
        yield pi


def make_progress(console: Console, quiet: bool) -> Progress:
    """Rich progress bars on stderr (disabled when quiet)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
        transient=False,
    )


def run_generate(
    req: RegenerateRequest, environ: Mapping[str, str], console: Console, quiet: bool, retries: int | None = None
) -> RegenerateResult:
    """Open the client and regenerate (the caller prints the result)."""
    url = prepare(req)[2].text("pi_url")  # fails here, before any connection, on a bad plan or setting
    with open_client(url, environ, retries) as pi, make_progress(console, quiet) as progress:
        result = regenerate(req, pi, progress)
    return result


def _report(result: RegenerateResult, out: Console) -> None:
    plan = result.plan
    out.print(result.diff.summary(), highlight=False, soft_wrap=True)
    out.print(
        f"plan: {plan.tag_count} tags in {len(plan.partitions)} partitions of at most {plan.tags_per_pipeline}; "
        f"heaviest partition at {plan.imbalance():.3f} x the mean load",
        highlight=False,
        soft_wrap=True,
    )
    if plan.imbalance() > 1.1:
        out.print("balance drifted over 10%: `--rebalance` evens it out (moved tags re-read history)", highlight=False)
    verb = "wrote" if result.written else "would write (dry run)"
    out.print(f"{verb} {len(result.files)} files; removed {len(result.removed)} stale resource files", highlight=False)
    out.print("next: databricks bundle deploy -t dev", highlight=False)


def main(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Entry point of `python -m generator`; returns the exit status."""
    args = build_parser().parse_args(argv)
    env = os.environ if environ is None else environ
    out, err = Console(highlight=False), Console(stderr=True, highlight=False)
    try:
        if args.command == "validate":
            problems = validate_bundle((args.bundle or default_bundle()).resolve(), args.schema_file)
            for problem in problems:
                err.print(f"[red]problem[/red] {problem}", markup=True, soft_wrap=True)
            out.print("bundle is valid" if not problems else f"{len(problems)} problem(s)")
            return 1 if problems else 0
        result = run_generate(request_from_args(args), env, err, args.quiet, args.retries)
    except GeneratorError as exc:
        err.print(f"error: {exc}", markup=False, soft_wrap=True)
        return 1
    except PIWebAPIError as exc:  # raised while opening the client (bad settings in the environment)
        err.print(f"error: PI Web API client: {exc}", markup=False, soft_wrap=True)
        return 1
    _report(result, out)
    return 0
