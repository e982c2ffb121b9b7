"""The mock PI Web API as a child process of `osipi demo`: started, clock-driven, and stopped by its PID.

A separate process, not a thread: the demo's own process drives Spark, and on two cores the mock must not compete
with it for the interpreter lock.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import requests

READY = re.compile(r"ready at (http://\S+/piwebapi)")


class MockProcessError(RuntimeError):
    """The mock server could not be started (port taken, bad settings, or it did not come up in time)."""


@dataclass
class MockProcess:
    """A running mock server: its base URL and the admin calls the demo uses."""

    url: str
    process: subprocess.Popen

    @property
    def root(self) -> str:
        """The server root (admin routes live outside /piwebapi)."""
        return self.url.removesuffix("/piwebapi")

    def advance_clock(self, seconds: float) -> str:
        """Move the frozen server clock forward; returns the new server time."""
        response = requests.post(f"{self.root}/admin/clock", json={"advance_seconds": seconds}, timeout=10)
        response.raise_for_status()
        return response.json().get("now", "")


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _read_ready_line(process: subprocess.Popen, timeout: float) -> str:
    """Wait for the mock's one ready line; keep draining its output after it so the pipe never fills."""
    ready = threading.Event()
    found: list[str] = []
    seen: deque[str] = deque(maxlen=5)

    def reader() -> None:
        for line in process.stdout:
            seen.append(line.rstrip())
            if not found and (match := READY.search(line)):
                found.append(match.group(1))
                ready.set()
        ready.set()  # the process ended

    threading.Thread(target=reader, daemon=True).start()
    ready.wait(timeout)
    if found:
        return found[0]
    message = " ".join(seen) or f"no ready line within {timeout:.0f} s"
    raise MockProcessError(f"mock PI Web API did not start: {message}")


@contextmanager
def mock_process(
    *, tags: int, seed: int, clock: str, port: int = 0, start_timeout: float = 120.0
) -> Iterator[MockProcess]:
    """Start `python -m mock_server` on 127.0.0.1 and stop it (by its own PID) when the block ends."""
    port = port or free_port()
    command = [sys.executable, "-m", "mock_server", "--host", "127.0.0.1", "--port", str(port),
               "--tags", str(tags), "--seed", str(seed), "--clock", clock]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = _read_ready_line(process, start_timeout)
        yield MockProcess(url=url, process=process)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
