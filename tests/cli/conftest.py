"""Helpers for driving the `osipi` command as a user does: a child process, its output and exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run_osipi(*args: str, env: Mapping[str, str] | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    """Run `osipi ARGS` in a child process with a clean PI_* environment plus `env`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("PI_")}
    return subprocess.run(
        [sys.executable, "-m", "osipi_app.cli", *args],
        env={**base, "COLUMNS": "200", **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )


@pytest.fixture(scope="session")
def osipi():
    """The `run_osipi` function, for tests that drive the command line."""
    return run_osipi


@pytest.fixture(scope="session")
def demo(tmp_path_factory, osipi):
    """One small `osipi demo` (80 tags, 1 hour, two partitions, a second run): shared by every test that reads a
    warehouse, so the Spark runs are paid once. Returns (the finished process, its workdir)."""
    workdir = tmp_path_factory.mktemp("demo") / "work"
    done = osipi(
        "demo", "--tags", "80", "--hours", "1", "--tags-per-pipeline", "40", "--advance-minutes", "10",
        "--workdir", str(workdir),
    )  # fmt: skip
    return done, workdir
