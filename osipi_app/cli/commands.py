"""Subcommand registrations of `osipi`: arguments here, work in the modules they import lazily."""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path

SubParsers = argparse._SubParsersAction  # noqa: SLF001 - argparse exposes no public name for it


def _mock(argv: Sequence[str]) -> int:
    from mock_server.__main__ import main as mock_main

    return mock_main(list(argv))


def _generate(argv: Sequence[str]) -> int:
    from generator.cli import main as generator_main

    return generator_main(["generate", *argv])


def _validate(argv: Sequence[str]) -> int:
    from generator.cli import main as generator_main

    return generator_main(["validate", *argv])


PASSTHROUGH: dict[str, Callable[[Sequence[str]], int]] = {
    "mock": _mock,
    "generate": _generate,
    "validate": _validate,
}
"""Subcommands whose arguments belong to a component's own command line (mock_server, generator)."""


def _register_passthrough(sub: SubParsers) -> None:
    helps = {
        "mock": "start the mock PI Web API server (see `osipi mock --help`)",
        "generate": "discover tags from AF, plan partitions and render the bundle (see `osipi generate --help`)",
        "validate": "check the bundle against the Databricks schema and our own rules (see `osipi validate --help`)",
    }
    for name, text in helps.items():
        sub.add_parser(name, help=text, add_help=False)


def _common_local(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bundle", type=Path, default=Path.cwd(), help="bundle folder (default: current folder)")
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=None,
        help="where local tables, checkpoints and run records live (default: BUNDLE/.osipi/warehouse)",
    )


def _at_least_one(text: str) -> int:
    """A count of 1 or more, or argparse's error naming the flag (exit 2, nothing started)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _above_zero(text: str) -> float:
    """A finite number above 0, or argparse's error naming the flag (exit 2, nothing started)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number above 0, got {text}")
    return value


def _add_parallel(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--parallel",
        type=_at_least_one,
        default=None,
        help="pipelines run side by side (default: one per engine task slot)",
    )


def _register_run(sub: SubParsers) -> None:
    parser = sub.add_parser("run", help="run the bundle's pipelines locally against a PI Web API (real or mock)")
    _common_local(parser)
    parser.add_argument(
        "--pi-url", default=os.environ.get("PI_WEB_API_URL"), help="PI Web API base URL (env PI_WEB_API_URL)"
    )
    parser.add_argument("--af-database", help=r"AF database path, e.g. \\AFSERVER\Database (default: the bundle's)")
    parser.add_argument("--start", help="where history begins for tags seen the first time: PI time (*-6h) or ISO 8601")
    parser.add_argument("--pipelines", help="comma-separated pipeline keys to run (default: all)")
    _add_parallel(parser)
    parser.add_argument(
        "--tags-per-pipeline", type=int, default=None, help="when the bundle has no plan yet: partition size for it"
    )
    parser.add_argument(
        "--live",
        nargs="?",
        const="",
        default=None,
        metavar="DURATION",
        help="once caught up, keep the time-series pipelines running, a micro-batch every live_interval, for "
        "DURATION (90s, 10m, 8h) or until Ctrl-C, which stops them cleanly",
    )

    def handler(args: argparse.Namespace) -> int:
        from osipi_app.cli.run import run_command

        return run_command(args)

    parser.set_defaults(handler=handler)


def _register_status(sub: SubParsers) -> None:
    parser = sub.add_parser("status", help="what has landed locally: rows, tags, newest time, lag, expectations")
    _common_local(parser)
    parser.add_argument(
        "--pi-url", default=os.environ.get("PI_WEB_API_URL"), help="to measure lag against the server clock"
    )

    def handler(args: argparse.Namespace) -> int:
        from osipi_app.cli.status import status_command

        return status_command(args)

    parser.set_defaults(handler=handler)


def _register_demo(sub: SubParsers) -> None:
    parser = sub.add_parser("demo", help="the whole product on this machine: mock server, generator, every pipeline")
    parser.add_argument("--tags", type=_at_least_one, default=2000, help="PI points the mock serves (default 2000)")
    parser.add_argument("--hours", type=_above_zero, default=3.0, help="hours of history to ingest (default 3)")
    parser.add_argument("--tags-per-pipeline", type=_at_least_one, default=500, help="partition size (default 500)")
    parser.add_argument("--seed", type=int, default=7, help="the mock plant's seed (default 7)")
    parser.add_argument("--port", type=int, default=0, help="mock server port (default: a free one)")
    parser.add_argument("--advance-minutes", type=_above_zero, default=10.0, help="clock advance before the second run")
    _add_parallel(parser)
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(".osipi/demo"),
        help="demo bundle and warehouse, cleared first (default .osipi/demo)",
    )

    def handler(args: argparse.Namespace) -> int:
        from osipi_app.cli.demo import demo_command

        return demo_command(args)

    parser.set_defaults(handler=handler)


def _register_export(sub: SubParsers) -> None:
    parser = sub.add_parser("export", help="write a local table's committed rows (or a pi_timeseries view) to Parquet")
    _common_local(parser)
    parser.add_argument(
        "--table",
        required=True,
        help="table or view name, e.g. pi_timeseries (the current state), pi_timeseries_reads (every read), "
        "pi_af_elements",
    )
    parser.add_argument("--schema", default="osipi", help="schema of the table (default osipi)")
    parser.add_argument("--to", type=Path, required=True, help="the Parquet file to write")

    def handler(args: argparse.Namespace) -> int:
        from osipi_app.cli.export import export_table
        from osipi_app.cli.run import default_warehouse

        warehouse = (args.warehouse or default_warehouse(args.bundle.resolve())).resolve()
        return export_table(warehouse, args.table, args.schema, args.to)

    parser.set_defaults(handler=handler)


def _register_ui(sub: SubParsers) -> None:
    parser = sub.add_parser("ui", help="monitoring pages over a local warehouse: freshness, expectations, AF, alarms")
    parser.add_argument("--warehouse", type=Path, required=True, help="local warehouse, e.g. .osipi/demo/warehouse")
    parser.add_argument("--port", type=int, default=8765, help="port to serve on (default 8765)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")

    def handler(args: argparse.Namespace) -> int:
        from osipi_app.ui.app import serve

        return serve(args.warehouse.resolve(), args.host, args.port)

    parser.set_defaults(handler=handler)


def _register_settings(sub: SubParsers) -> None:
    parser = sub.add_parser("settings", help="every setting: its flag, configuration key, variable and default")

    def handler(args: argparse.Namespace) -> int:
        from osipi_app.reference import settings_table

        print(settings_table())
        return 0

    parser.set_defaults(handler=handler)


REGISTRY: list[Callable[[SubParsers], None]] = [
    _register_demo, _register_run, _register_status, _register_export, _register_ui, _register_settings,
    _register_passthrough,
]  # fmt: skip
