"""Run the mock in a background thread for tests and scripts.

Usage::

    with running_mock(MockSettings(tags=200, clock="2026-11-01T12:00:00Z")) as mock:
        requests.get(f"{mock.url}/dataservers", timeout=5)
        truth = mock.archive.recorded(webid, start, end)
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from mock_server.app import create_app
from mock_server.archive import PlantArchive
from mock_server.settings import MockSettings


class MockStartError(RuntimeError):
    """The server did not start listening in time."""


@dataclass(frozen=True)
class RunningMock:
    """A started mock: its base URL (ending in /piwebapi), app, settings and ground truth."""

    url: str
    root: str
    app: FastAPI
    settings: MockSettings
    archive: PlantArchive


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_mock(settings: MockSettings | None = None, start_timeout: float = 30.0) -> Iterator[RunningMock]:
    """Serve a mock on a free loopback port for the duration of the block, then stop it cleanly."""
    settings = settings or MockSettings()
    app = create_app(settings)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP proto: asyncio sets TCP_NODELAY
    sock.bind(("127.0.0.1", 0))  # bound here and handed to uvicorn: no window for another process to take the port
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"mock-pi-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            thread.join(5)
            sock.close()
            raise MockStartError(f"mock PI Web API did not start on 127.0.0.1:{port} within {start_timeout} s")
        time.sleep(0.01)
    root = f"http://127.0.0.1:{port}"
    try:
        yield RunningMock(f"{root}/piwebapi", root, app, settings, app.state.mock.archive)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
