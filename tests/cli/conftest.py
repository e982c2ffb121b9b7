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
