"""`python -m mock_server`: one ready line with the URL, real answers, and exit code 2 for a busy port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from mock_server.testing import free_port

REPO = Path(__file__).resolve().parents[2]


def test_cli_prints_one_ready_line_and_serves() -> None:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mock_server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--tags",
            "50",
            "--seed",
            "3",
            "--clock",
            "2026-11-01T00:00:00Z",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith(f"mock PI Web API ready at http://127.0.0.1:{port}/piwebapi")
        with requests.Session() as session:  # keep-alive: the CLI's own socket must still get TCP_NODELAY
            answer = session.get(f"http://127.0.0.1:{port}/piwebapi/dataservers", timeout=10)
            began = time.monotonic()
            for _ in range(40):
                session.get(f"http://127.0.0.1:{port}/piwebapi/", timeout=10)
            elapsed = time.monotonic() - began
        assert answer.json()["Items"][0]["ServerTime"] == "2026-11-01T00:00:00Z"
        assert elapsed < 1.2
    finally:
        process.terminate()
        out, err = process.communicate(timeout=15)
    assert out == "" and "Traceback" not in err


def test_cli_refuses_a_port_in_use_with_exit_code_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "mock_server", "--port", str(port), "--tags", "20"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert (
        result.stderr.strip() == f"mock_server: port {port} on 127.0.0.1 is already in use; choose another with --port"
    )


def test_cli_refuses_bad_settings_with_exit_code_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mock_server", "--port", str(free_port()), "--clock", "noon"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "clock" in result.stderr and "Traceback" not in result.stderr


def test_every_setting_is_a_flag_except_secrets() -> None:
    from mock_server.__main__ import _arguments

    args = _arguments(["--fault-503", "0.5", "--late-delay", "[30, 300]", "--require-csrf", "false"])
    assert (args.fault_503, args.late_delay, args.require_csrf) == ("0.5", "[30, 300]", "false")
    with pytest.raises(SystemExit):
        _arguments(["--password", "visible-in-ps"])
