"""`osipi run --live`: time-series pipelines kept running on the wall clock, stopped with Ctrl-C, then run triggered.

The user's path end to end: the command in a child process against a mock following the wall clock; once both
partitions are live, SIGINT (what Ctrl-C sends). It must exit 0 after stopping them cleanly, with every event up to
a few seconds before the stop in the users' view exactly once, events landed that only a live micro-batch could
have read, and a triggered run afterwards continuing from the position the live queries left, still exact.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator.cli import main as generate
from generator.plan import read_plan
from mock_server import MockSettings
from mock_server.testing import running_mock
from tests.cli.conftest import REPO

pytestmark = pytest.mark.spark

sys.path.insert(0, str(REPO / "tests" / "pipelines"))
from pipeline_truth import bronze, ground_truth, micros  # noqa: E402

SETTLE = timedelta(seconds=5)
"""Events older than this when the stop was asked for must have landed (a micro-batch every second)."""


def _as_in_a_terminal() -> None:
    """Ctrl-C's default in the child, as in an operator's terminal: a suite started in the background (`cmd &`,
    as a CI runner may) passes SIGINT on ignored, and Python keeps an ignored SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _lines(process: subprocess.Popen) -> queue.Queue:
    """The process's output lines, read in a thread so waiting for one can time out."""
    lines: queue.Queue = queue.Queue()

    def read() -> None:
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return lines


def _wait_for(lines: queue.Queue, needle: str, count: int, timeout: float, seen: list[str]) -> None:
    """Read lines until `needle` appeared in `count` of them; fails after `timeout` seconds or at the end."""
    deadline, found = time.monotonic() + timeout, 0
    while found < count:
        line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        assert line is not None, "the run ended early:\n" + "".join(seen)
        seen.append(line)
        found += needle in line
        assert time.monotonic() < deadline, f"no {count} x {needle!r} within {timeout} s:\n" + "".join(seen)


def _exact_until(warehouse: Path, archive, webids: list[str], start: datetime, end: datetime) -> None:
    want = ground_truth(archive, webids, start, end, as_of=datetime.now(UTC))
    got = Counter({k: n for k, n in bronze(warehouse, None).items() if micros(start) <= k[1] < micros(end)})
    assert got == want, f"missing {sum((want - got).values())}, extra {sum((got - want).values())}"


def test_live_run_stops_cleanly_on_ctrl_c_and_a_triggered_run_continues_it_exactly(tmp_path: Path) -> None:
    bundle, warehouse = tmp_path / "bundle", tmp_path / "warehouse"
    bundle.mkdir()
    (bundle / "pipelines").symlink_to(REPO / "pipelines")
    with running_mock(MockSettings(tags=12, seed=23, clock="wall", late_fraction=0.0)) as mock:
        argv = ["generate", "--pi-url", mock.url, "--af-database", "\\\\PIAF01\\Plant", "--bundle", str(bundle),
                "--tags-per-pipeline", "6", "--history-start", "*-3m", "--live-interval", "1s",
                "--auth-method", "anonymous", "--no-sample", "--quiet"]  # fmt: skip
        assert generate(argv, environ={}) == 0
        plan = read_plan(bundle)
        webids = [t.webid for p in plan.partitions for t in p.tags]
        start = min(datetime.fromisoformat(t.since) for p in plan.partitions for t in p.tags)
        command = [sys.executable, "-m", "osipi_app.cli", "run", "--bundle", str(bundle), "--warehouse",
                   str(warehouse), "--pi-url", mock.url]  # fmt: skip
        environment = {k: v for k, v in os.environ.items() if not k.startswith("PI_")} | {"COLUMNS": "200"}
        process = subprocess.Popen(
            [*command, "--live"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment,
            cwd=REPO, preexec_fn=_as_in_a_terminal,
        )  # fmt: skip
        seen: list[str] = []
        try:
            lines = _lines(process)
            _wait_for(lines, "live osipi_timeseries_", 2, 600, seen)
            live_at = datetime.now(UTC)
            time.sleep(10)
            stop_at = datetime.now(UTC)
            process.send_signal(signal.SIGINT)
            code = process.wait(timeout=300)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        while (line := lines.get(timeout=10)) is not None:
            seen.append(line)
        output = "".join(seen)
        assert code == 0, output
        assert "stopped osipi_timeseries_p0001" in output and "stopped osipi_timeseries_p0002" in output, output
        _exact_until(warehouse, mock.archive, webids, start, stop_at - SETTLE)
        newest = max(k[1] for k in bronze(warehouse, None))
        assert newest > micros(live_at + timedelta(seconds=2)), "no event landed that only a live micro-batch reads"

        again_at = datetime.now(UTC)
        again = subprocess.run(command, capture_output=True, text=True, env=environment, cwd=REPO, timeout=600)
        assert again.returncode == 0, again.stdout + again.stderr
        _exact_until(warehouse, mock.archive, webids, start, again_at)  # it reads up to its own start at least
