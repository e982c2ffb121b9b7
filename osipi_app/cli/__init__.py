"""The `osipi` command: one entry point for the mock server, the generator, local runs and their status.

Each subcommand lives in its own module and is imported only when used, so `osipi status` never starts Spark and
`osipi mock` never imports the generator.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from osipi_app.cli import commands

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `osipi` with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="osipi",
        description="Bring OSI PI data into Databricks: mock server, generator, local pipeline runs and status.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in commands.REGISTRY:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run `osipi` and return its exit code (0 ok, 1 failed, 2 bad usage or bad input)."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    # generate/validate/mock hand their arguments on untouched to the component's own command line
    if args_in and args_in[0] in commands.PASSTHROUGH:
        return commands.PASSTHROUGH[args_in[0]](args_in[1:])
    args = build_parser().parse_args(args_in)
    return args.handler(args)
