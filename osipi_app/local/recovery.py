"""Recover a warehouse folder after a run was killed (process, engine, JVM or machine), before the next one starts.

What a kill can leave behind, and what happens to it here (each recovery is reported in one line):
- an engine still running: its parent run was killed but it was not (it runs in its own process group, so an
  operator's kill of the run's group misses it). The engine stops itself when its parent dies (`worker.py`'s
  watchdog); should one survive anyway, it is found through the engine record and stopped here.
- nothing in the metastore: the embedded Derby metastore admits one JVM at a time, and its lock files stay after
  every run (Spark never shuts Derby down), which is harmless once no engine is alive; the run that failed with
  "Unable to instantiate SessionHiveMetaStoreClient" had met a surviving engine, which is why it is stopped.
- files of a micro-batch killed before its commit: no reader of this project counts them (`tables.py`), and they
  are deleted so the folder holds only what Spark committed.
- the job and result files of the killed run's engine.

Everything else a kill interrupts is Spark's to finish: a micro-batch whose offsets were logged but not committed
is read again over the same range on the next run (the checkpoint), and a materialized view is rewritten in full.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import psutil

from osipi_app.local.tables import uncommitted_files

ENGINE_RECORD = ".engine.json"
"""The running engine of a warehouse: its worker's PID and process group (removed when the engine ends)."""
WORKER_MODULE = "osipi_app.local.worker"


def write_engine_record(warehouse: Path, pid: int) -> None:
    """Remember the engine that now runs for this warehouse."""
    (warehouse / ENGINE_RECORD).write_bytes(orjson.dumps({"pid": pid, "pgid": os.getpgid(pid)}))


def clear_engine_record(warehouse: Path) -> None:
    """Forget the engine once it has ended."""
    (warehouse / ENGINE_RECORD).unlink(missing_ok=True)


def _engine_alive(warehouse: Path, pid: int) -> bool:
    """Whether `pid` is an engine of this warehouse (not a reused PID of another program)."""
    try:
        command = " ".join(psutil.Process(pid).cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False
    return WORKER_MODULE in command and str(warehouse) in command


def _stop_orphan(warehouse: Path) -> Iterator[str]:
    record = warehouse / ENGINE_RECORD
    if not record.exists():
        return
    try:
        found = orjson.loads(record.read_bytes())
    except orjson.JSONDecodeError:
        found = {}
    pid, pgid = found.get("pid"), found.get("pgid")
    if isinstance(pid, int) and isinstance(pgid, int) and _engine_alive(warehouse, pid):
        os.killpg(pgid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and psutil.pid_exists(pid) and _engine_alive(warehouse, pid):
            time.sleep(0.2)
        yield f"stopped the engine (pid {pid}) an interrupted run left running"
    record.unlink(missing_ok=True)


def _killed_micro_batches(warehouse: Path) -> Iterator[str]:
    for table_dir in sorted((warehouse / "warehouse").glob("*.db/*")):
        leftovers = uncommitted_files(table_dir) if table_dir.is_dir() else []
        for path in leftovers:
            path.unlink()
            path.with_name(f".{path.name}.crc").unlink(missing_ok=True)
        if leftovers:
            yield (
                f"removed {len(leftovers)} file(s) of a micro-batch of {table_dir.name} killed before its commit "
                "(the run reads it again)"
            )


def _engine_leftovers(warehouse: Path) -> Iterator[str]:
    leftovers = sorted((warehouse / "_pipelines").glob("results-*"))
    for path in leftovers:
        path.unlink()
    if leftovers:
        yield f"removed the job files of an interrupted engine ({len(leftovers)})"


def recover(warehouse: Path) -> list[str]:
    """Put the warehouse back in order after a kill; one line per thing recovered (empty when all was in order).

    Call it only while holding the warehouse lock (`runner.warehouse_lock`): no other run of this warehouse is live.
    """
    warehouse = Path(warehouse)
    if not warehouse.is_dir():
        return []
    lines = list(_stop_orphan(warehouse))
    lines += _killed_micro_batches(warehouse)
    lines += _engine_leftovers(warehouse)
    return lines
