"""One local engine process: a Spark Connect server on a free loopback port, running pipelines from their specs.

Started by `runner.py` as `python -m osipi_app.local.worker JOB.json`; writes one JSON result per pipeline
to the path the job names. One JVM serves every pipeline of the job (one start, ~3 s; then seconds per pipeline).
Pipelines run in Connect sessions reused one pipeline after another (`SessionPool`): each sets its `configuration`
keys and unsets them when it ends, so their maps never mix.
The JVM maps this environment's class archive when there is one (`classarchive.py`), or writes it as it exits.
Workarounds (DATABRICKS_LOCAL.md): hive catalog with a warehouse-local Derby metastore, schema created first,
UI off, a port per process, and SPARK-59135 (the CLI's exit 1 after a completed run with a Python data source).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
import types
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from osipi_app.local.classarchive import java_options
from osipi_app.local.slots import FlowsSettled, Slot, run_in_slots
from osipi_lakeflow import contract
from osipi_lakeflow.pipeline.credentials import RUNTIME_MARKER
from osipi_lakeflow.pipeline.expectations import expectation_counts
from osipi_lakeflow.pipeline.views import partition_tables, publish_views
from osipi_lakeflow.schema import EVENT

EMULATED_RUNTIME = "osipi-local-emulation"
"""The runtime marker's value when a run emulates Databricks (see `emulate_databricks`)."""

log = logging.getLogger("osipi_app.local")

_REGISTRATION = threading.Lock()
ROCKSDB = "org.apache.spark.sql.execution.streaming.state.RocksDBStateStoreProvider"
TASK_SLOTS = 2
"""Tasks the local engine runs at once (`local[2]`: the two cores of the laptops it targets), and the pipelines it
runs side by side unless told otherwise: a pipeline's fixed cost (its query's Python processes, HTTP round trips,
commits) leaves a slot idle that another pipeline's reading fills."""


DRIVER_JAVA_OPTIONS = "spark.driver.extraJavaOptions"


def server_conf(warehouse: Path, port: int, extra: dict[str, str], jvm_options: Sequence[str] = ()) -> dict[str, str]:
    """Static Spark settings of the local engine: everything under `warehouse`, loopback only.

    `extra` overrides these settings, except the driver's Java options, which it extends: the engine's own
    (`jvm_options` and the metastore's home) stay.
    """
    derby = warehouse / "_metastore"
    own_options = [f"-Dderby.system.home={derby}", *jvm_options]
    conf = {
        "spark.connect.grpc.binding.port": str(port),
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.sql.catalogImplementation": "hive",
        "spark.sql.warehouse.dir": str(warehouse / "warehouse"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={derby / 'metastore_db'};create=true",
        "spark.sql.streaming.stateStore.providerClass": ROCKSDB,
        "spark.sql.shuffle.partitions": "2",
        "spark.sql.session.timeZone": "UTC",
        # UTC microseconds in the files, the type pyarrow and DuckDB read back as timezone-aware timestamps
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        # a triggered run starts a flow, and reports "Run is COMPLETED", at the next poll of its graph execution
        # after the flows it waits for are done: every second by default, up to a second lost per step of a run
        "spark.sql.pipelines.execution.streamstate.pollingInterval": "100ms",
    }
    conf.update(extra)
    conf[DRIVER_JAVA_OPTIONS] = " ".join([*own_options, extra.get(DRIVER_JAVA_OPTIONS, "")]).strip()
    return conf


def add_count(counts: dict, dataset: str, name: str, action: str, passed: int, failed: int) -> None:
    """Add passed and failed rows to `counts[dataset][name]` (dataset -> expectation -> {action, passed, failed})."""
    slot = counts.setdefault(dataset, {}).setdefault(name, {"action": action, "passed": 0, "failed": 0})
    slot["passed"] += passed
    slot["failed"] += failed


class MetricsCollector:
    """Collects expectation metrics (`DataFrame.observe`) from every streaming progress event, once per batch."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: set[tuple[str, int]] = set()
        self.counts: dict[str, dict[str, dict]] = {}

    def add(self, run_id: str, batch_id: int, metrics: dict) -> None:
        """Add one progress event's observed metrics (duplicates of a (run, batch) are ignored)."""
        with self._lock:
            if (run_id, batch_id) in self._seen:
                return
            self._seen.add((run_id, batch_id))
            for metric, row in metrics.items():
                for c in expectation_counts(metric, row.asDict() if hasattr(row, "asDict") else dict(row)):
                    add_count(self.counts, c.dataset, c.name, c.action, c.passed, c.failed)

    def take(self, datasets: list[str]) -> dict:
        """The counts of `datasets` so far, removed from the collector."""
        with self._lock:
            return {d: self.counts.pop(d) for d in datasets if d in self.counts}


LISTENER_GRACE = 0.5
"""Seconds a pipeline's last progress events get, from the moment its queries ended, to reach its listener."""


class QueriesEnded:
    """When a pipeline's queries ended; `wait` gives their last progress events `LISTENER_GRACE` from then.

    The work done after the run (counting the tables) passes inside the grace instead of before it.
    """

    def __init__(self) -> None:
        self._at: float | None = None

    def mark(self) -> None:
        """The pipeline's queries have ended (the run completed, or the live queries stopped)."""
        self._at = time.monotonic()

    def wait(self) -> None:
        """Sleep out what is left of the grace (all of it when `mark` was never called)."""
        ended = self._at if self._at is not None else time.monotonic()
        time.sleep(max(0.0, ended + LISTENER_GRACE - time.monotonic()))


class ProgressLog:
    """JSON lines the runner follows while the engine works (`runner.follow_progress`): one per step of a pipeline.

    Each line has `key` (the pipeline, or `engine`), `event` and `at` (seconds since the engine process began).
    """

    def __init__(self, path: Path | None) -> None:
        self._out = path.open("a", encoding="utf-8") if path else None
        self._lock = threading.Lock()
        self._began = time.monotonic()

    def write(self, key: str, event: str, **fields: object) -> None:
        """Append one line (flushed at once, so the runner sees it while the run goes on)."""
        if self._out is None:
            return
        line = json.dumps({"key": key, "event": event, "at": round(time.monotonic() - self._began, 2), **fields})
        with self._lock:
            self._out.write(line + "\n")
            self._out.flush()

    def close(self) -> None:
        """Close the file; later writes are dropped."""
        with self._lock:
            if self._out is not None:
                self._out.close()
                self._out = None


def _listener(collector: MetricsCollector, progress: ProgressLog, key: str):
    from pyspark.sql.streaming import StreamingQueryListener

    class ExpectationListener(StreamingQueryListener):
        def onQueryStarted(self, event) -> None:
            """Nothing to record."""

        def onQueryProgress(self, event) -> None:
            """Record the batch's observed expectation metrics and report its rows."""
            progress_event = event.progress
            if progress_event.observedMetrics:
                collector.add(str(progress_event.runId), progress_event.batchId, dict(progress_event.observedMetrics))
            progress.write(
                key, "batch", flow=progress_event.name, batch=progress_event.batchId,
                rows=progress_event.numInputRows, durations_ms=dict(progress_event.durationMs or {}),
            )  # fmt: skip

        def onQueryIdle(self, event) -> None:
            """Nothing to record."""

        def onQueryTerminated(self, event) -> None:
            """Nothing to record."""

    return ExpectationListener()


def start_engine(warehouse: Path, port: int, extra: dict[str, str], jvm_options: Sequence[str] = ()):
    """Start the in-process Connect server and return (classic session, connect URL)."""
    from pyspark.sql import SparkSession as ClassicSession
    from pyspark.sql.connect.session import SparkSession as ConnectSession

    ConnectSession._start_connect_server(f"local[{TASK_SLOTS}]", server_conf(warehouse, port, extra, jvm_options))
    os.environ["SPARK_CONNECT_MODE_ENABLED"] = "1"  # pyspark.sql.functions must build Connect columns
    return ClassicSession._instantiatedSession, f"sc://localhost:{port}"


def table_counts(spark, schema: str, tables: list[str]) -> dict[str, int]:
    """Rows of the tables that exist now; for a time-series table, its events (not its coverage and gap rows).

    Two statements whatever the number of tables: each Connect operation runs in a new thread, and the embedded
    Hive metastore builds a new `HiveConf` and `ObjectStore` for every thread that asks it anything (a tenth of the
    engine's CPU in a steady demo run went to metastore lookups), so a lookup and a count per table cost far more
    than one listing and one query counting them all.
    """
    existing = {row.tableName for row in spark.sql(f"SHOW TABLES IN `{schema}`").collect() if not row.isTemporary}
    counted = [
        f"SELECT '{table}' AS name, count(*) AS n FROM `{schema}`.`{table}`"
        + (f" WHERE row_kind = '{EVENT}'" if contract.is_partition_table(table) else "")
        for table in tables
        if table.lower() in existing  # the metastore keeps names in lower case
    ]
    if not counted:
        return {}
    return {row.name: row.n for row in spark.sql(" UNION ALL ".join(counted)).collect()}


class SessionPool:
    """Connect sessions used by one pipeline after another.

    A session pays for its Python workers on its first Python data source query (seconds per pipeline on two
    cores), so pipelines run one after another in a session reuse them. Each pipeline leaves its session as it
    found it (its configuration keys unset, its listener removed); a session whose pipeline failed is closed.
    """

    def __init__(self, url: str) -> None:
        self._url = url
        self._idle: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._open: list = []

    def take(self):
        """An idle session, or a new one."""
        from pyspark.sql.connect.session import SparkSession as ConnectSession

        try:
            return self._idle.get_nowait()
        except queue.Empty:
            spark = ConnectSession.builder.remote(self._url).create()
            with self._lock:
                self._open.append(spark)
            return spark

    def give_back(self, spark, usable: bool) -> None:
        """Return a session for the next pipeline, or close it when `usable` is False."""
        if usable:
            self._idle.put(spark)
            return
        with self._lock:
            self._open.remove(spark)
        spark.stop()

    def close(self) -> None:
        """Close every session."""
        with self._lock:
            sessions, self._open = self._open, []
        for spark in sessions:
            spark.stop()


@contextmanager
def pipeline_session(
    pool: SessionPool, job: dict, collector: MetricsCollector, progress: ProgressLog, result: dict
) -> Iterator[tuple[object, object, QueriesEnded]]:
    """(session, spec, ended) for the pipeline `job`: its configuration set, a listener counting its expectations.

    The session is one of `pool`. An exception inside is recorded in `result` (its first line) and in the
    pipeline's log, never raised: the other pipelines of the job go on. On leaving, the last progress events get
    their grace from the moment the caller marked in `ended`, `result` gets the expectations and the seconds, the
    step `finished` is logged, and the session goes back to `pool` (closed unless `result` is ok and the session
    resets).
    """
    from pyspark.pipelines import cli

    began = time.monotonic()
    spec = cli.load_pipeline_spec(Path(job["spec"]))
    spark = pool.take()
    listener = _listener(collector, progress, job["key"])
    spark.streams.addListener(listener)
    ended = QueriesEnded()
    try:
        with _REGISTRATION:  # a registration elsewhere blocks session mutations process-wide
            for name, value in spec.configuration.items():
                spark.conf.set(name, value)
        yield spark, spec, ended
    except Exception as error:  # reported, not raised: the other pipelines of the job still run
        result["ok"] = False
        result["error"] = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        with Path(job["log"]).open("a", encoding="utf-8") as out:
            out.write(traceback.format_exc())
    finally:
        ended.wait()
        result["expectations"] = collector.take(job["tables"])
        result["seconds"] = round(time.monotonic() - began, 2)
        progress.write(job["key"], "finished", ok=result["ok"], seconds=result["seconds"], tables=result["tables"])
        pool.give_back(spark, result["ok"] and _reset(spark, listener, spec.configuration))


def register(spark, spec, job: dict, registry_of: Callable[[str], object]) -> str:
    """Run the pipeline's sources against the registry `registry_of(graph id)` of a new dataflow graph; its id.

    Registration changes the working directory and blocks session mutations process-wide: one at a time.
    """
    from pyspark.pipelines import cli
    from pyspark.pipelines.spark_connect_pipeline import create_dataflow_graph

    with _REGISTRATION:
        graph = create_dataflow_graph(spark, spec.catalog, spec.database, spec.configuration)
        cli.register_definitions(Path(job["spec"]), registry_of(graph), spec, spark, graph)
    return graph


def _new_result(key: str) -> dict:
    return {"key": key, "ok": False, "seconds": 0.0, "tables": {}, "expectations": {}, "error": None}


def run_one(
    pool: SessionPool, job: dict, collector: MetricsCollector, progress: ProgressLog, slot: Slot | None = None
) -> dict:
    """Run one pipeline spec in a session of `pool`; never raises (the error is in the result).

    Its log (`job["log"]`) gets each pipeline event with the seconds since this run began. Its `slot` is freed
    once every flow of the run has completed (`FlowsSettled`), before the run returns and the tables are counted.
    """
    from pyspark.pipelines import cli
    from pyspark.pipelines.spark_connect_pipeline import start_run

    began = time.monotonic()
    key, log_file = job["key"], Path(job["log"])
    result = _new_result(key)
    progress.write(key, "started")
    with pipeline_session(pool, job, collector, progress, result) as (spark, spec, ended):
        spark.sql(f"CREATE SCHEMA IF NOT EXISTS `{spec.database}`")  # registration needs it
        graph = register(spark, spec, job, lambda g: cli.SparkConnectGraphElementRegistry(spark, g))
        progress.write(key, "registered")
        # counted after registering (before the run writes): not a session mutation that registration blocks, so
        # it overlaps the next pipeline's registration, which waits for this one's
        before = table_counts(spark, spec.database, job["tables"])
        progress.write(key, "counted")
        completed = False
        flows = FlowsSettled()
        with log_file.open("a", encoding="utf-8") as out:
            try:
                for event in start_run(spark, graph, None, False, None, False, spec.storage):
                    if not isinstance(event, dict) or "pipeline_event_result" not in event:
                        continue
                    message = event["pipeline_event_result"].event.message
                    out.write(f"{time.monotonic() - began:7.1f} s  {message}\n")
                    out.flush()
                    progress.write(key, "message", message=message)
                    completed = completed or "Run is COMPLETED" in message
                    if flows.see(message) and slot is not None:
                        slot.free()
                    if "Run is FAILED" in message or "has FAILED" in message:
                        result["error"] = message
            except Exception as error:  # SPARK-59135: a completed run with a Python source ends in UNKNOWN_RESPONSE
                if not (completed and "UNKNOWN_RESPONSE" in str(error)):
                    raise
        ended.mark()
        after = table_counts(spark, spec.database, job["tables"])
        result["tables"] = {t: {"before": before.get(t, 0), "after": n} for t, n in after.items()}
        result["ok"] = completed and result["error"] is None
        if not completed and result["error"] is None:
            result["error"] = "the run ended without 'Run is COMPLETED'; see the pipeline log"
    return result


def run_live(
    pool: SessionPool, job: dict, collector: MetricsCollector, progress: ProgressLog, stop: threading.Event
) -> dict:
    """Keep a pipeline's flows running (`live.py`) until `stop` is set or a query fails; never raises.

    The pipeline ran triggered just before in this engine, so its tables and checkpoints exist.
    """
    from osipi_app.local.live import (
        FlowRecorder,
        flow_checkpoint,
        start_live_query,
        stop_between_batches,
        trigger_interval,
    )

    key = job["key"]
    result = _new_result(key)
    recorder = FlowRecorder()
    queries = []
    with pipeline_session(pool, job, collector, progress, result) as (spark, spec, ended):
        try:
            register(spark, spec, job, lambda _: recorder)
            for flow in recorder.flows:
                checkpoint = flow_checkpoint(spec.storage, spec.database, flow)
                queries.append(start_live_query(flow, spec.database, checkpoint))
            progress.write(key, "live", every=sorted({trigger_interval(f) for f in recorder.flows}))
            while not stop.wait(1.0):
                stopped = next((q for q in queries if not q.isActive), None)
                if stopped is not None:
                    raise RuntimeError(f"live flow {stopped.name} stopped: {stopped.exception() or 'no error given'}")
            result["ok"] = True
        finally:
            for query in queries:
                try:
                    stop_between_batches(query)
                except Exception:  # a query that cannot stop cleanly is replayed from its checkpoint next run
                    log.warning("live flow %s of %s did not stop cleanly", query.name, key, exc_info=True)
            ended.mark()
            counts = table_counts(spark, spec.database, job["tables"])
            result["tables"] = {t: {"after": n} for t, n in counts.items()}
    return result


def after_live(triggered: dict, live: dict) -> dict:
    """One pipeline's result over its triggered catch-up and its live run: rows from before one to after the other."""
    tables = {
        t: {"before": counts.get("before", 0), "after": live["tables"].get(t, counts).get("after", 0)}
        for t, counts in triggered["tables"].items()
    }
    expectations: dict = {}
    for run in (triggered, live):
        for dataset, checks in run["expectations"].items():
            for name, c in checks.items():
                add_count(expectations, dataset, name, c["action"], c["passed"], c["failed"])
    return {
        "key": triggered["key"],
        "ok": triggered["ok"] and live["ok"],
        "seconds": round(triggered["seconds"] + live["seconds"], 2),
        "tables": tables,
        "expectations": expectations,
        "error": triggered["error"] or live["error"],
    }


def _reset(spark, listener, configuration: dict[str, str]) -> bool:
    """Unset a pipeline's configuration keys and remove its listener; False when the session no longer answers."""
    try:
        spark.streams.removeListener(listener)
        for name in configuration:
            spark.conf.unset(name)
        return True
    except Exception:  # a session that cannot be reset is closed, not reused
        log.warning("a pipeline's session could not be reset; the next pipeline gets a new one", exc_info=True)
        return False


class _StandInSecrets:
    """`dbutils.secrets` of an emulated Databricks session: get(scope, key) from an in-memory store."""

    def __init__(self, scopes: dict[str, dict[str, str]]) -> None:
        self._scopes = scopes

    def get(self, scope: str, key: str) -> str:
        """The secret's value; a missing one raises like dbutils does, naming scope and key only."""
        try:
            return self._scopes[scope][key]
        except KeyError:
            raise KeyError(f"secret does not exist with scope: {scope} and key: {key}") from None

    def __repr__(self) -> str:
        return "StandInSecrets(***)"


def emulate_databricks(scopes: dict[str, dict[str, str]]) -> None:
    """Make this engine look like a Databricks pipeline session to the pipeline sources.

    The runtime marker is set before the JVM starts, so Spark's Python workers (the streaming source runner,
    executors) inherit it as on Databricks; `databricks.sdk.runtime.dbutils.secrets` answers from `scopes` in
    this process only, the one that runs the pipeline sources, as `dbutils` does on Databricks. The workers
    have no secret store and no PI_* variables: credentials reach them only through the data source options.
    """
    os.environ[RUNTIME_MARKER] = EMULATED_RUNTIME
    runtime = types.ModuleType("databricks.sdk.runtime")
    runtime.dbutils = types.SimpleNamespace(secrets=_StandInSecrets(scopes))  # type: ignore[attr-defined]
    for name in ("databricks", "databricks.sdk"):
        sys.modules.setdefault(name, types.ModuleType(name))
    sys.modules["databricks.sdk.runtime"] = runtime


def die_with_parent(interval: float = 0.5) -> None:
    """Kill this engine's whole process group (itself, its JVM, Spark's Python workers) when its parent dies.

    The engine runs in its own process group, so a kill of the run that started it (an operator's Ctrl-C, a
    killed terminal, SIGKILL to the run's group) would otherwise leave it running, holding the metastore.
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os.killpg(os.getpgrp(), signal.SIGKILL)

    threading.Thread(target=watch, name="osipi-watchdog", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    """Run the job file given on the command line; results go to the job's `result` path as JSON lines."""
    job_path = Path((argv or sys.argv[1:])[0])
    job = json.loads(job_path.read_text())
    die_with_parent()
    secrets = json.loads(sys.stdin.read() or "{}")
    warehouse = Path(job["warehouse"])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if job.get("emulate_databricks"):
        emulate_databricks(secrets)
    progress = ProgressLog(Path(job["progress"]) if job.get("progress") else None)
    progress.write("engine", "starting")
    archive_to = Path(job["write_class_archive"]) if job.get("write_class_archive") else None
    classic, url = start_engine(warehouse, int(job["port"]), job.get("conf", {}), java_options(archive_to))
    jvm = classic.sparkContext._gateway.proc
    parallel = max(1, int(job.get("parallel") or TASK_SLOTS))
    progress.write("engine", "ready", pipelines=len(job["pipelines"]), parallel=parallel)
    collector = MetricsCollector()
    lock = threading.Lock()
    sessions = SessionPool(url)
    live = job.get("live")  # {"seconds": float or None (until SIGTERM)}, or None for a triggered run only
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # the runner's clean stop (Ctrl-C of `osipi run --live`)
    caught_up: dict[str, dict] = {}  # live pipelines' triggered results, completed by their live run
    try:
        with Path(job["result"]).open("a", encoding="utf-8") as results:

            def record(outcome: dict) -> None:
                with lock:
                    results.write(json.dumps(outcome) + "\n")
                    results.flush()

            def run_and_record(item: dict, slot: Slot) -> None:
                outcome = run_one(sessions, item, collector, progress, slot)
                if live is not None and item.get("live") and outcome["ok"]:
                    caught_up[item["key"]] = outcome
                else:
                    record(outcome)

            waves = sorted({item.get("wave", 0) for item in job["pipelines"]} | {0})
            for wave in waves:
                run_in_slots([i for i in job["pipelines"] if i.get("wave", 0) == wave], parallel, run_and_record)
                if wave == 0 and job.get("view"):  # the later waves read it
                    publish_local_view(url, job["view"]["schema"])
            going_live = [i for i in job["pipelines"] if i["key"] in caught_up]
            if going_live and not stop.is_set():
                if live["seconds"] is not None:
                    timer = threading.Timer(float(live["seconds"]), stop.set)
                    timer.daemon = True
                    timer.start()

                def run_and_record_live(item: dict) -> None:
                    record(after_live(caught_up.pop(item["key"]), run_live(sessions, item, collector, progress, stop)))

                with ThreadPoolExecutor(max_workers=len(going_live)) as pool:
                    list(pool.map(run_and_record_live, going_live))
            for outcome in caught_up.values():  # stopped before going live
                record(outcome)
            for export in job.get("exports", []):
                results.write(json.dumps(export_table(url, export["table"], Path(export["to"]))) + "\n")
    finally:
        sessions.close()
        progress.close()
        classic.stop()
        if archive_to is not None:
            await_jvm_exit(jvm, CLASS_ARCHIVE_SECONDS)
    return 0


CLASS_ARCHIVE_SECONDS = 300.0
"""Longest wait for the JVM to write its class archive as it exits (about 20 s on two cores)."""


def await_jvm_exit(jvm: subprocess.Popen, timeout: float) -> None:
    """Close the JVM's standard input, which makes it exit, and wait for it (it writes its class archive then)."""
    assert jvm.stdin is not None
    jvm.stdin.close()
    jvm.wait(timeout)


def export_table(url: str, table: str, target: Path) -> dict:
    """Write what `table` (a table or a view, `schema.name`) returns to one Parquet file; never raises.

    Spark writes it (one task, so one file) into a folder beside the target, then the file is renamed: a failed
    export leaves no half-written file, and no row travels through the Connect client (a day of 2,000 tags,
    millions of rows, is more than one gRPC answer carries).
    """
    import pyarrow.parquet as pq
    from pyspark.sql.connect.session import SparkSession as ConnectSession

    began = time.monotonic()
    outcome = {"key": f"export:{table}", "ok": False, "rows": 0, "error": None}
    spark = ConnectSession.builder.remote(url).create()
    partial = target.with_name(f".{target.name}.partial")
    try:
        spark.table(table).coalesce(1).write.mode("overwrite").parquet(partial.as_uri())
        (written,) = partial.glob("part-*.parquet")
        written.replace(target)
        outcome.update(ok=True, rows=pq.ParquetFile(target).metadata.num_rows)
    except Exception as error:  # reported to the caller, who prints it
        outcome["error"] = f"{type(error).__name__}: {error}"
    finally:
        shutil.rmtree(partial, ignore_errors=True)
        spark.stop()
    outcome["seconds"] = round(time.monotonic() - began, 2)
    return outcome


def publish_local_view(url: str, schema: str) -> None:
    """(Re)create `pi_timeseries` over every partition table in `schema`."""
    from pyspark.sql.connect.session import SparkSession as ConnectSession

    spark = ConnectSession.builder.remote(url).create()
    try:
        spark.sql(f"CREATE SCHEMA IF NOT EXISTS `{schema}`")
        publish_views(spark, None, schema, partition_tables(spark, None, schema))
    finally:
        spark.stop()


if __name__ == "__main__":
    raise SystemExit(main())
