"""Layout of the jobs: which task runs which pipeline, in how many parallel lanes, in how many jobs.

Two platform limits shape it. A job holds at most 1,000 tasks, so beyond that the time-series pipelines move to
child jobs (`osipi_ingest_g01`, ...) that the parent runs one after the other. A workspace runs a limited number of
pipeline updates at once, so inside a job the time-series tasks form `max_parallel_pipelines` lanes: each task waits
for the one before it in its lane, with `run_if: ALL_DONE` so one failing partition never stalls the others.
The ingest job publishes the `pi_timeseries` view over every partition table once the time series have run; a
kind that reads other kinds' tables (`PipelineKind.runs_after`: alarms) runs after the tasks that finish them.

In continuous ingestion the time-series pipelines run inside continuous jobs (`osipi_live`, `osipi_live_g02`, ...):
Databricks recommends wrapping triggered pipelines in a continuous job over the pipelines' own continuous mode
("Continuous pipelines are not supported as a job task"; https://docs.databricks.com/aws/en/jobs/tasks/pipeline),
and continuous jobs take no task dependencies, so each pipeline is an independent task.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.plan import Plan
from osipi_lakeflow import contract

MAX_TASKS_PER_JOB = 1000
PIPELINE_TASKS_PER_CHILD_JOB = 900
INGEST_JOB = "osipi_ingest"
LIVE_JOB = "osipi_live"
PUBLISH = "publish_views"
SINGLES = [k for k in contract.PIPELINE_KINDS.values() if not k.partitioned]
HEAD = [k for k in SINGLES if not k.runs_after]
"""One-per-bundle pipelines that read only PI: they start with the job."""
FOLLOWERS = [k for k in SINGLES if k.runs_after]
"""One-per-bundle pipelines that read other kinds' tables: they wait for them."""


@dataclass(frozen=True, slots=True)
class Task:
    """One job task: runs a pipeline, a child job, or (neither) the view publisher."""

    key: str
    pipeline: str | None = None
    job: str | None = None
    depends_on: tuple[str, ...] = ()
    run_if: str | None = None


@dataclass(frozen=True, slots=True)
class Job:
    """A job resource: the scheduled parent (with the publish task), a child of it, or a continuous live job."""

    key: str
    tasks: tuple[Task, ...]
    scheduled: bool = False
    continuous: bool = False


def timeseries_key(pid: str) -> str:
    """Resource key of a partition's pipeline."""
    return contract.PIPELINE_KINDS[contract.TIMESERIES].resource_key(pid)


def _lanes(pids: list[str], lanes: int) -> list[Task]:
    tasks = []
    for i, pid in enumerate(pids):
        before = (f"timeseries_{pids[i - lanes]}",) if i >= lanes else ()
        tasks.append(
            Task(
                f"timeseries_{pid}",
                pipeline=timeseries_key(pid),
                depends_on=before,
                run_if="ALL_DONE" if before else None,
            )
        )
    return tasks


def _tails(tasks: list[Task], lanes: int) -> tuple[str, ...]:
    return tuple(sorted(t.key for t in tasks[-lanes:]))


def _chunks(pids: list[str]) -> list[list[str]]:
    return [pids[i : i + PIPELINE_TASKS_PER_CHILD_JOB] for i in range(0, len(pids), PIPELINE_TASKS_PER_CHILD_JOB)]


def _live_jobs(pids: list[str]) -> list[Job]:
    jobs = []
    for n, chunk in enumerate(_chunks(pids), start=1):
        key = LIVE_JOB if n == 1 else f"{LIVE_JOB}_g{n:02d}"
        tasks = tuple(Task(f"timeseries_{pid}", pipeline=timeseries_key(pid)) for pid in chunk)
        jobs.append(Job(key, tasks, continuous=True))
    return jobs


def _followers() -> list[Task]:
    """A task per kind that reads other kinds' tables, after the tasks that finish those kinds.

    The time series finish with the publish task (it runs after every partition and makes `pi_timeseries`, the
    view they are read through). `ALL_DONE`: one failed partition does not keep alarms from being recomputed.
    """
    finished = {k.name: k.name for k in HEAD} | {contract.TIMESERIES: PUBLISH}
    return [
        Task(k.name, pipeline=k.resource_key(), depends_on=tuple(sorted(finished[n] for n in k.runs_after)),
             run_if="ALL_DONE")
        for k in FOLLOWERS
    ]  # fmt: skip


def layout_jobs(plan: Plan, continuous: bool, max_parallel: int) -> list[Job]:
    """The scheduled ingest job first, then its child jobs or the live jobs (if any), deterministically."""
    pids = [p.id for p in plan.partitions]
    head = [Task(k.name, pipeline=k.resource_key()) for k in HEAD]
    tail = _followers()
    if continuous:
        publish = Task(PUBLISH, depends_on=(contract.AF_HIERARCHY,), run_if="ALL_DONE")
        return [Job(INGEST_JOB, (*head, publish, *tail), scheduled=True), *_live_jobs(pids)]
    lanes = max(1, max_parallel)
    if len(pids) + len(head) + 1 + len(tail) <= MAX_TASKS_PER_JOB:
        ts = _lanes(pids, lanes)
        publish_after = _tails(ts, lanes) if ts else (contract.AF_HIERARCHY,)
        publish = Task(PUBLISH, depends_on=publish_after, run_if="ALL_DONE")
        return [Job(INGEST_JOB, (*head, *ts, publish, *tail), scheduled=True)]
    children = []
    runs: list[Task] = []
    for n, chunk in enumerate(_chunks(pids), start=1):
        key = f"{INGEST_JOB}_g{n:02d}"
        children.append(Job(key, tuple(_lanes(chunk, lanes))))
        # children run one after another so the lane bound holds across the whole ingest
        before = (runs[-1].key,) if runs else ()
        runs.append(Task(f"run_g{n:02d}", job=key, depends_on=before, run_if="ALL_DONE" if before else None))
    publish = Task(PUBLISH, depends_on=(runs[-1].key,), run_if="ALL_DONE")
    return [Job(INGEST_JOB, (*head, *runs, publish, *tail), scheduled=True), *children]
