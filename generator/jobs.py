"""Layout of the ingest job: which task runs which pipeline, in how many parallel lanes, in how many jobs.

Two platform limits shape it. A job holds at most 1,000 tasks, so beyond that the time-series pipelines move to
child jobs (`osipi_ingest_g01`, ...) that the parent runs one after the other. A workspace runs a limited number of
pipeline updates at once, so inside a job the time-series tasks form `max_parallel_pipelines` lanes: each task waits
for the one before it in its lane, with `run_if: ALL_DONE` so one failing partition never stalls the others.
The last task publishes the `pi_timeseries` view over every partition table.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.plan import Plan

MAX_TASKS_PER_JOB = 1000
PIPELINE_TASKS_PER_CHILD_JOB = 900
INGEST_JOB = "osipi_ingest"
AF_PIPELINE = "osipi_af_hierarchy"
EF_PIPELINE = "osipi_event_frames"


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
    """A job resource; only the parent carries the schedule and the publish task."""

    key: str
    tasks: tuple[Task, ...]
    scheduled: bool
    publish_tables: tuple[str, ...] = ()


def timeseries_key(pid: str) -> str:
    """Resource key of a partition's pipeline."""
    return f"osipi_timeseries_{pid}"


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


def layout_jobs(plan: Plan, continuous: bool, max_parallel: int) -> list[Job]:
    """The parent ingest job first, then its child jobs (if any), deterministically."""
    pids = [] if continuous else [p.id for p in plan.partitions]
    tables = tuple(p.table for p in plan.partitions)
    head = [Task("af_hierarchy", pipeline=AF_PIPELINE), Task("event_frames", pipeline=EF_PIPELINE)]
    lanes = max(1, max_parallel)
    if len(pids) + len(head) + 1 <= MAX_TASKS_PER_JOB:
        ts = _lanes(pids, lanes)
        publish_after = _tails(ts, lanes) if ts else ("af_hierarchy",)
        return [
            Job(
                INGEST_JOB,
                (*head, *ts, Task("publish_views", depends_on=publish_after, run_if="ALL_DONE")),
                scheduled=True,
                publish_tables=tables,
            )
        ]
    chunks = [pids[i : i + PIPELINE_TASKS_PER_CHILD_JOB] for i in range(0, len(pids), PIPELINE_TASKS_PER_CHILD_JOB)]
    children = []
    runs = []
    for n, chunk in enumerate(chunks, start=1):
        key = f"{INGEST_JOB}_g{n:02d}"
        children.append(Job(key, tuple(_lanes(chunk, lanes)), scheduled=False))
        # children run one after another so the lane bound holds across the whole ingest
        before = (runs[-1].key,) if runs else ()
        runs.append(Task(f"run_g{n:02d}", job=key, depends_on=before, run_if="ALL_DONE" if before else None))
    parent = Job(
        INGEST_JOB,
        (*head, *runs, Task("publish_views", depends_on=(runs[-1].key,), run_if="ALL_DONE")),
        scheduled=True,
        publish_tables=tables,
    )
    return [parent, *children]
