"""`osipi run` killed at any moment, as a power cut or an operator would, then started again once.

The run is killed with SIGKILL to its whole process group (the engine runs in a group of its own, so nothing but
its watchdog stops it then). After each kill no engine of the warehouse may survive, and the first restart must
exit 0 with every partition table equal to the mock's ground truth, and its report's "landed" equal to the rows it
added.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import orjson
import psutil
import pytest

from generator.cli import main as generate
from generator.plan import read_plan
from mock_server import MockSettings
from mock_server.testing import running_mock
from tests.cli.conftest import REPO

pytestmark = pytest.mark.spark

sys.path.insert(0, str(REPO / "tests" / "pipelines"))
from pipeline_truth import T0, bronze, ground_truth, landed  # noqa: E402

HISTORY = timedelta(hours=12)


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory):
    """A frozen mock and a bundle of two partitions over twelve hours, in one-hour micro-batches."""
    bundle = tmp_path_factory.mktemp("killed") / "bundle"
    bundle.mkdir()
    (bundle / "pipelines").symlink_to(REPO / "pipelines")
    with running_mock(MockSettings(tags=12, seed=21, clock=T0.isoformat(), late_fraction=0.0)) as mock:
        argv = ["generate", "--pi-url", mock.url, "--af-database", "\\\\PIAF01\\Plant", "--bundle", str(bundle),
                "--tags-per-pipeline", "6", "--history-start", "*-12h", "--max-window", "1h", "--auth-method",
                "anonymous", "--no-sample", "--quiet"]  # fmt: skip
        assert generate(argv, environ={}) == 0
        plan = read_plan(bundle)
        truth = {p.table: ground_truth(mock.archive, [t.webid for t in p.tags], T0 - HISTORY, T0, as_of=T0)
                 for p in plan.partitions}  # fmt: skip
        yield mock, bundle, truth


def _osipi(bundle: Path, warehouse: Path, url: str) -> list[str]:
    return [sys.executable, "-m", "osipi_app.cli", "run", "--bundle", str(bundle), "--warehouse", str(warehouse),
            "--pi-url", url]  # fmt: skip


def _engines(warehouse: Path) -> list[int]:
    found = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        command = " ".join(process.info["cmdline"] or [])
        if "osipi_app.local.worker" in command and str(warehouse) in command:
            found.append(process.info["pid"])
    return found


def _events(warehouse: Path, table: str) -> int:
    """Event rows Spark committed to a time-series table (0 before it exists)."""
    if not (warehouse / "warehouse" / "osipi.db" / table).is_dir():
        return 0
    return sum(1 for r in landed(warehouse, table) if r["row_kind"] == "event")


def _text(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def _checkpoints(warehouse: Path, kind: str, batch: int) -> bool:
    return any(warehouse.glob(f"_pipelines/osipi_timeseries_p*/storage/_checkpoints/**/{kind}/{batch}"))


KILL_POINTS: dict[str, Callable[[Path], bool]] = {
    "during engine start": lambda w: (
        len(_text(w / "logs" / "engine.log")) > 200 and not list((w / "logs").glob("osipi_*.log"))
    ),
    "during the AF refresh": lambda w: (
        "Run is COMPLETED" not in _text(w / "logs" / "osipi_af_hierarchy.log")
        and len(_text(w / "logs" / "osipi_af_hierarchy.log")) > 0
    ),
    "between pipelines": lambda w: (
        "Run is COMPLETED" in _text(w / "logs" / "osipi_af_hierarchy.log")
        and not _text(w / "logs" / "osipi_timeseries_p0001.log")
    ),
    "inside a time-series micro-batch": lambda w: _checkpoints(w, "offsets", 2) and not _checkpoints(w, "commits", 2),
}


def _kill_when(process: subprocess.Popen, warehouse: Path, ready: Callable[[Path], bool], fired: list[str]) -> None:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and process.poll() is None:
        if ready(warehouse):
            os.killpg(process.pid, signal.SIGKILL)
            fired.append("killed")
            return
        time.sleep(0.05)


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_a_run_killed_restarts_cleanly_on_the_first_try(plant, tmp_path: Path, point: str) -> None:
    mock, bundle, truth = plant
    warehouse = tmp_path / "warehouse"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PI_")}
    with (tmp_path / "killed.out").open("w") as out:
        killed = subprocess.Popen(_osipi(bundle, warehouse, mock.url), stdout=out, stderr=subprocess.STDOUT,
                                  env=env, cwd=REPO, start_new_session=True)  # fmt: skip
        fired: list[str] = []
        killer = threading.Thread(target=_kill_when, args=(killed, warehouse, KILL_POINTS[point], fired))
        killer.start()
        killed.wait(900)
        killer.join()
    assert fired == ["killed"], f"the run ended before it reached the kill point {point!r}"
    deadline = time.monotonic() + 15
    while _engines(warehouse) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _engines(warehouse) == [], "an engine outlived the run that started it"

    before = {table: _events(warehouse, table) for table in truth}
    again = subprocess.run(_osipi(bundle, warehouse, mock.url), capture_output=True, text=True, env=env, cwd=REPO,
                           timeout=900)  # fmt: skip
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    for table, expected in truth.items():
        assert bronze(warehouse, table) == expected, table
    record = orjson.loads((warehouse / "last_run.json").read_bytes())
    added: dict[str, int] = {}
    for result in record["results"]:
        for table, counts in result["tables"].items():
            added[table] = added.get(table, 0) + counts["after"] - counts["before"]
    after = {table: _events(warehouse, table) for table in truth}
    for table in truth:
        assert added[table] == after[table] - before[table], table
    landed = sum(after[t] - before[t] for t in truth)
    assert f"{landed:,} time-series values landed" in again.stdout


def test_status_counts_committed_rows_only_and_the_next_run_removes_a_killed_batchs_files(plant, tmp_path: Path):
    mock, bundle, truth = plant
    warehouse = tmp_path / "warehouse"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PI_")}
    first = subprocess.run(_osipi(bundle, warehouse, mock.url) + ["--pipelines", "osipi_timeseries_p0001"],
                           capture_output=True, text=True, env=env, cwd=REPO, timeout=900)  # fmt: skip
    assert first.returncode == 0, first.stdout[-2000:]
    table = warehouse / "warehouse" / "osipi.db" / "pi_timeseries_p0001"
    committed = sum(truth["pi_timeseries_p0001"].values())
    # what a micro-batch killed after writing its files but before its commit leaves in the folder
    written = next(table.glob("part-*.parquet"))
    (table / "part-00000-0badc0de-0000-0000-0000-000000000000-c000.snappy.parquet").write_bytes(written.read_bytes())
    status = subprocess.run([sys.executable, "-m", "osipi_app.cli", "status", "--bundle", str(bundle),
                             "--warehouse", str(warehouse)], capture_output=True, text=True, env=env, cwd=REPO,
                            timeout=300)  # fmt: skip
    assert status.returncode == 0, status.stdout
    line = next(row for row in status.stdout.splitlines() if "pi_timeseries_p0001" in row)
    assert f"{committed:,}" in line
    again = subprocess.run(_osipi(bundle, warehouse, mock.url) + ["--pipelines", "osipi_timeseries_p0001"],
                           capture_output=True, text=True, env=env, cwd=REPO, timeout=900)  # fmt: skip
    assert again.returncode == 0
    recovered = "recovered: removed 1 file(s) of a micro-batch of pi_timeseries_p0001 killed before its commit"
    assert recovered in again.stdout
    assert not (table / "part-00000-0badc0de-0000-0000-0000-000000000000-c000.snappy.parquet").exists()
    assert bronze(warehouse, "pi_timeseries_p0001") == truth["pi_timeseries_p0001"]
