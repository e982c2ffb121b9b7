"""Shared by the client benchmarks: a mock PI Web API in its own process (so it does not share our GIL).

The mock runs under uvicorn on a free loopback port and is stopped by its PID when the block ends.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psutil
import requests

CLOCK = "2026-11-01T00:00:00Z"
SEED = 7


@dataclass(frozen=True)
class MockProcess:
    """A mock server process: its base URL and a psutil handle for its CPU time."""

    url: str
    process: psutil.Process

    def cpu_seconds(self) -> float:
        """User + system CPU seconds the mock (all its worker processes) has used so far."""
        total = 0.0
        for proc in [self.process, *self.process.children(recursive=True)]:
            try:
                times = proc.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def mock_process(tags: int, workers: int = 1, **env: str) -> Iterator[MockProcess]:
    """Start the mock with `tags` points in `workers` uvicorn processes (extra settings as MOCK_PI_* variables).

    The plant is a pure function of the seed, so several workers serve identical data (the clock is frozen).
    """
    port = _free_port()
    settings = {"tags": str(tags), "seed": str(SEED), "clock": CLOCK, **env}
    environment = {**os.environ, **{f"MOCK_PI_{k.upper()}": v for k, v in settings.items()}}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "mock_server.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment, text=True)
    try:
        _wait_until_serving(f"http://127.0.0.1:{port}/piwebapi/", child)
        yield MockProcess(f"http://127.0.0.1:{port}/piwebapi", psutil.Process(child.pid))
    finally:
        child.terminate()
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(timeout=10)


def _wait_until_serving(url: str, child: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f"mock server exited: {child.stderr.read() if child.stderr else ''}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.exceptions.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError("mock server did not start within 90 s")


def emit(**record: object) -> None:
    """Print one JSON line per measurement."""
    print(json.dumps(record), flush=True)


def machine() -> dict[str, object]:
    """What the numbers were measured on."""
    return {"cpus": os.cpu_count(), "python": sys.version.split()[0], "load_1m": round(os.getloadavg()[0], 2)}
