"""Run bundle pipelines on open-source Spark Declarative Pipelines, with all state under one warehouse folder.

Layout under `warehouse`::

    warehouse/<schema>.db/<table>/   Parquet tables       _metastore/   Derby metastore
    _pipelines/<key>/                spark-pipeline.yml, its sources, checkpoints (storage)
    logs/<key>.log, logs/engine.log  pipeline events and the engine's own log
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from osipi_app.local.bundle import PipelineResource, bundle_variables, load_pipelines
from osipi_app.local.recovery import clear_engine_record, recover, write_engine_record
from osipi_lakeflow import contract
from osipi_lakeflow.errors import PIConfigError

log = logging.getLogger("osipi_app.local")

SecretScopes = Mapping[str, Mapping[str, str]]
"""scope -> key -> value: a stand-in secret store for runs that emulate Databricks."""


@dataclass
class RunResult:
    """Outcome of one local pipeline run.

    Attributes:
        key: the pipeline resource key.
        ok: the run completed and no flow failed.
        seconds: wall time of the run (the engine start is shared and not included).
        tables: table -> {"before": rows, "after": rows}.
        expectations: dataset -> expectation -> {"action", "passed", "failed"}.
        error: the first line of the failure, None when ok; details are in `log`.
        log: the pipeline's event log file.
    """

    key: str
    ok: bool
    seconds: float
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    expectations: dict[str, dict[str, dict]] = field(default_factory=dict)
    error: str | None = None
    log: Path | None = None


def free_port() -> int:
    """A free loopback TCP port for the engine's Connect server."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tables_of(resource: PipelineResource) -> list[str]:
    """The tables a pipeline writes, from its kind (`contract.PIPELINE_KINDS`) and partition id."""
    kind = contract.kind_of_resource(resource.key)
    if kind is None:
        return []
    return list(kind.tables_of(resource.configuration.get(contract.PARTITION_ID.conf_key) or None))


def wave_of(resource_key: str) -> int:
    """1 for a pipeline reading other pipelines' tables (`PipelineKind.runs_after`), else 0.

    The engine runs wave 0, publishes `pi_timeseries`, then runs wave 1: the order the ingest job's task
    dependencies give on Databricks, in one engine start.
    """
    kind = contract.kind_of_resource(resource_key)
    return 1 if kind is not None and kind.runs_after else 0


def runs_live(resource_key: str) -> bool:
    """Whether a pipeline keeps running in a live run: the kinds continuous ingestion runs continuously."""
    kind = contract.kind_of_resource(resource_key)
    return kind is not None and kind.continuous_capable


def write_spec(resource: PipelineResource, warehouse: Path) -> Path:
    """Write `spark-pipeline.yml` (and a copy of its sources) for one pipeline; returns the spec path.

    The spec also works with the stock CLI: `spark-pipelines run --spec <path>` (plus the engine settings).
    """
    folder = warehouse / "_pipelines" / resource.key
    sources = folder / "src"
    if sources.exists():
        shutil.rmtree(sources)
    sources.mkdir(parents=True)
    for lib in resource.libraries:
        shutil.copy2(lib, sources / lib.name)
    spec = {
        "name": resource.key,
        "storage": (folder / "storage").resolve().as_uri(),
        "database": resource.schema,
        "configuration": dict(resource.configuration),
        "libraries": [{"glob": {"include": "src/**"}}],
    }
    path = folder / "spark-pipeline.yml"
    path.write_text(yaml.safe_dump(spec, sort_keys=True))
    return path


@contextmanager
def warehouse_lock(warehouse: Path) -> Iterator[None]:
    """One engine per warehouse: the embedded Derby metastore admits a single JVM."""
    warehouse.mkdir(parents=True, exist_ok=True)
    with (warehouse / ".osipi.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PIConfigError(
                f"another local run is using {warehouse}; wait for it, or give this run its own warehouse folder"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _select(found: dict[str, PipelineResource], pipelines: Sequence[str] | None) -> list[PipelineResource]:
    if pipelines is None:
        return [found[k] for k in sorted(found)]
    unknown = [p for p in pipelines if p not in found]
    if unknown:
        raise PIConfigError(f"no pipeline resource {unknown} under resources/; known: {sorted(found)}")
    return [found[p] for p in pipelines]


def engine_environment(env: Mapping[str, str] | None, python: str) -> dict[str, str]:
    """The engine's environment: this process's, minus every PI_* variable, plus `env`.

    Credentials reach the engine only through `env`, so a run sees exactly what its caller chose to pass.
    """
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("PI_")}
    return {**inherited, **(env or {}), "PYSPARK_PYTHON": python}


LIVE_STOP_SECONDS = 180.0
"""How long a live run may take to stop cleanly after Ctrl-C: each query waits up to `live.STOP_GRACE_SECONDS` for a
pause between micro-batches, then every table is counted for the report."""

Progress = Callable[[dict], None]
"""Told each line of the engine's progress log (`worker.ProgressLog`) while the run goes on."""


def follow_progress(process: subprocess.Popen, path: Path, deadline: float, on_progress: Progress | None) -> bool:
    """Wait for `process`, handing each new progress line to `on_progress`; False when `deadline` passed first.

    Polls twice a second, so a quiet engine still gets `on_progress` ticks (`{"event": "tick"}`) to show time, and
    returns as soon as the engine exits.
    """
    offset, pending = 0, b""
    while True:
        finished = process.poll() is not None
        if on_progress is not None:
            if path.exists():
                with path.open("rb") as handle:
                    handle.seek(offset)
                    chunk = handle.read()
                offset += len(chunk)
                *lines, pending = (pending + chunk).split(b"\n")
                for line in lines:
                    on_progress(json.loads(line))
            on_progress({"key": "engine", "event": "tick"})
        if finished:
            return True
        if time.monotonic() >= deadline:
            return False
        with suppress(subprocess.TimeoutExpired):  # back at once when the engine exits
            process.wait(timeout=0.5)


def run_engine(
    job: dict,
    warehouse: Path,
    env: Mapping[str, str] | None,
    timeout: float,
    secrets: SecretScopes | None = None,
    python: str = sys.executable,
    on_progress: Progress | None = None,
) -> list[dict]:
    """Run the worker process for `job`; kill it (by process group) when it exceeds `timeout` seconds.

    `secrets` (Databricks emulation) go to the worker through its standard input, never to a file or variable.
    """
    logs = warehouse / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    result = warehouse / "_pipelines" / f"results-{os.getpid()}-{time.monotonic_ns()}.jsonl"
    result.parent.mkdir(parents=True, exist_ok=True)
    progress = result.with_suffix(".progress.jsonl")
    job = {
        **job, "warehouse": str(warehouse), "port": free_port(), "result": str(result), "progress": str(progress),
    }  # fmt: skip
    job["emulate_databricks"] = secrets is not None
    job_file = result.with_suffix(".job.json")
    job_file.write_text(json.dumps(job))
    with (logs / "engine.log").open("a", encoding="utf-8") as engine_log:
        process = subprocess.Popen(
            [python, "-m", "osipi_app.local.worker", str(job_file)],
            env=engine_environment(env, python),
            cwd=warehouse,  # never the caller's folder: the engine imports the installed product only
            stdin=subprocess.PIPE,
            stdout=engine_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        write_engine_record(warehouse, process.pid)
        assert process.stdin is not None
        with process.stdin:
            process.stdin.write(json.dumps(secrets or {}).encode())
        try:
            try:
                finished = follow_progress(process, progress, time.monotonic() + timeout, on_progress)
            except KeyboardInterrupt:
                if not job.get("live"):
                    raise
                os.kill(process.pid, signal.SIGTERM)  # the engine stops its live queries between micro-batches
                finished = follow_progress(process, progress, time.monotonic() + LIVE_STOP_SECONDS, on_progress)
            if not finished:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        finally:
            clear_engine_record(warehouse)
    outcomes = [json.loads(line) for line in result.read_text().splitlines()] if result.exists() else []
    for done in (job_file, result, progress):
        done.unlink(missing_ok=True)
    return outcomes


def export_through_engine(
    warehouse: Path, exports: Mapping[str, Path], schema: str = "osipi", timeout: float = 1800.0
) -> dict[str, dict]:
    """Write tables or views (`pi_timeseries`) of a local warehouse to Parquet files through the local engine.

    A view needs Spark to evaluate; committed rows of a table are quicker with `open_table`. Returns each name's
    outcome: `ok`, `rows`, `error`, `seconds`.
    """
    warehouse = Path(warehouse).resolve()
    if not (warehouse / "_metastore").is_dir():
        raise PIConfigError(f"{warehouse} holds no local warehouse yet: run the pipelines first (osipi run)")
    with warehouse_lock(warehouse):
        job = {
            "pipelines": [],
            "view": None,
            "exports": [{"table": f"{schema}.{name}", "to": str(Path(to).resolve())} for name, to in exports.items()],
        }
        outcomes = {o["key"]: o for o in run_engine(job, warehouse, None, timeout)}
    return {
        name: outcomes.get(f"export:{schema}.{name}", {"ok": False, "error": "the engine stopped before the export"})
        for name in exports
    }


def run_pipelines(
    bundle_dir: Path,
    warehouse: Path,
    *,
    pipelines: Sequence[str] | None = None,
    variables: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    parallel: int | None = None,
    timeout: float = 1800.0,
    publish_view: bool = True,
    engine_conf: Mapping[str, str] | None = None,
    databricks_secrets: SecretScopes | None = None,
    configuration: Mapping[str, str] | None = None,
    python: str = sys.executable,
    report: Callable[[str], None] = log.warning,
    on_progress: Progress | None = None,
    live: bool = False,
    live_seconds: float | None = None,
    write_class_archive: Path | None = None,
) -> list[RunResult]:
    """Run pipeline resources of a bundle locally, one engine for all of them; returns one result per pipeline.

    Args:
        bundle_dir: folder with databricks.yml and resources/.
        warehouse: folder for tables, metastore, checkpoints and logs (created).
        pipelines: resource keys to run (default: every pipeline resource, sorted).
        variables: bundle variable overrides (e.g. {"pi_url": "http://127.0.0.1:8000/piwebapi"}).
        env: extra environment for the engine (PI_USERNAME, PI_PASSWORD, ...): never written to disk.
        parallel: pipelines run at once inside the engine (those reading other pipelines' tables run after them);
            default: one per task slot of the engine (`worker.TASK_SLOTS`).
        timeout: seconds before the engine is killed; pipelines not finished are reported failed.
        publish_view: (re)create `pi_timeseries` over the partition tables after the runs.
        engine_conf: extra Spark settings of the engine, e.g. {"spark.driver.memory": "4g"} or
            {"spark.sql.pipelines.maxFlowRetryAttempts": "0"} to fail fast.
        databricks_secrets: run the way Databricks would: the runtime marker set for the engine and its workers,
            and this stand-in secret store readable through `databricks.sdk.runtime.dbutils.secrets` in the
            pipeline sources' own session only (not in the reader's processes).
        configuration: pipeline configuration keys to override where a pipeline has them (local settings).
        python: the interpreter of the engine and of Spark's Python workers (an environment with pyspark and
            the product wheel; the application's own dependencies are not needed there).
        report: told one line for each thing recovered after an earlier run was killed (`recovery.recover`).
        on_progress: told each step of the run as it happens (`follow_progress`), for a live display.
        live: once caught up, keep the time-series pipelines running (`live.py`); `timeout` then counts from the
            end of the live run.
        live_seconds: how long they keep running; None: until Ctrl-C, which stops them cleanly.
        write_class_archive: write the engine's class archive here as its JVM exits (`classarchive.py`).
    """
    bundle_dir, warehouse = Path(bundle_dir).resolve(), Path(warehouse).resolve()
    values = bundle_variables(bundle_dir, variables or {})
    chosen = _select(load_pipelines(bundle_dir, values, configuration), pipelines)
    with warehouse_lock(warehouse):
        for line in recover(warehouse):
            report(f"recovered: {line}")
        items = [
            {
                "key": r.key,
                "spec": str(write_spec(r, warehouse)),
                "tables": tables_of(r),
                "log": str(warehouse / "logs" / f"{r.key}.log"),
                "wave": wave_of(r.key),
                "live": runs_live(r.key),
            }
            for r in chosen
        ]
        schema = chosen[0].schema if chosen else values.get("schema", "osipi")
        job = {
            "pipelines": items,
            "parallel": parallel,
            "view": {"schema": schema} if publish_view else None,
            "conf": dict(engine_conf or {}),
            "live": {"seconds": live_seconds} if live else None,
            "write_class_archive": str(write_class_archive) if write_class_archive else None,
        }
        if live:
            timeout += float("inf") if live_seconds is None else live_seconds
        ran = run_engine(job, warehouse, env, timeout, databricks_secrets, python, on_progress)
        outcomes = {o["key"]: o for o in ran}
    results = []
    for item in items:
        got = outcomes.get(item["key"])
        if got is None:
            got = {"key": item["key"], "ok": False, "seconds": 0.0, "error": "the engine stopped before this run"}
        results.append(RunResult(**got, log=Path(item["log"])))
    return results
