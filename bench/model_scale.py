"""Model 100,000 and 500,000 PI tags on Databricks from what this machine can measure, and name the rest.

Usage: python bench/model_scale.py [--tags 200] [--backfill-hours 4] [--steady-minutes 10] [--steady-runs 4]
       [--pipeline-values-per-s 77416] [--scale 100000 500000] [--rate-hz 1] [--schedule-minutes 60] [--json]

Why: the bundle runs one pipeline per N tags, and whether that holds at plant scale depends on numbers from three
places. This script MEASURES the ones it can here, in about half a minute: the HTTP requests (and batch
sub-requests) the time-series source sends per value, for a backfill and for steady triggered runs, by calling the
source's own streaming hooks (`PIStreamReader`: `latestOffset`, `partitions`, `read`; no Spark engine) against the
mock PI Web API in this process and counting every call the client's transport sends. It TAKES the per-pipeline
throughput that `bench/bench_pipeline.py` measured (bench/RESULTS.md) as an input, because a Spark run costs
minutes of both cores. It ASSUMES, by name and on the command line, what cannot be measured here: a real PI
server's read rate, how many client IPs PI Web API sees, the cores a pipeline gets, and the fixed cost of a
pipeline update. From these it computes pipelines, values/s, cores, request rates against PI Web API's 1,000
requests/s per IP, items per call against its 150,000, and the wall time of a day's backfill, as a table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import requests

sys.path.insert(0, str(Path(__file__).parents[1]))  # `python bench/model_scale.py` from the repository root

from generator.jobs import MAX_TASKS_PER_JOB, PIPELINE_TASKS_PER_CHILD_JOB, SINGLES  # noqa: E402
from generator.regenerate import DEFAULT_TAGS_PER_PIPELINE  # noqa: E402
from mock_server import MockSettings  # noqa: E402
from mock_server.plant import BURST_TAG  # noqa: E402
from mock_server.testing import running_mock  # noqa: E402
from osipi_lakeflow import contract  # noqa: E402
from osipi_lakeflow.client.config import ClientConfig  # noqa: E402
from osipi_lakeflow.client.session import Reply, Transport  # noqa: E402
from osipi_lakeflow.datasource.options import ReaderOptions  # noqa: E402
from osipi_lakeflow.datasource.timeseries import PIStreamReader  # noqa: E402
from osipi_lakeflow.schema import EVENT  # noqa: E402
from tests.datasource.micro_batches import run_until_settled  # noqa: E402

T0 = datetime(2026, 11, 1, tzinfo=UTC)
DAY_S = 86_400.0

# PI Web API: docs.aveva.com/bundle/pi-web-api/page/1023029.html (rate) and page/1023030.html (items per call)
PI_RATE_LIMIT_PER_IP = 1_000.0  # RateLimitMaxRequests 1,000 per RateLimitDuration 1 s, per client IP; then 429
PI_MAX_ITEMS_PER_CALL = 150_000  # MaxReturnedItemsPerCall; a call asking more is refused with 400

# Databricks (the pages cited in bench/RESULTS.md)
WORKSPACE_CONCURRENT_UPDATES = 200  # "A Databricks workspace is limited to 200 concurrent pipeline updates"
SINGLE_PIPELINES = len(SINGLES)  # AF hierarchy, event frames and alarms run beside the time-series partitions


def _default(name: str) -> Any:
    """A setting's default as the pipelines parse it: the contract owns every default the model starts from."""
    return next(s for s in contract.SETTINGS if s.name == name).check(None)


HOURLY = "0 0 * * * ?"
if _default("schedule") != HOURLY:  # the model's schedule period is derived from this cron expression
    raise SystemExit(f"the default schedule is no longer {HOURLY!r}: update DEFAULT_SCHEDULE_MIN")
DEFAULT_SCHEDULE_MIN = 60.0
DEFAULT_LANES = _default("max_parallel_pipelines")  # time-series updates the ingest job runs at once
MAX_COUNT = ClientConfig().max_count  # values per HTTP call
TAGS_PER_REQUEST = ClientConfig().tags_per_request
TAGS_PER_TASK = _default("tags_per_task")
MAX_VALUES = _default("max_values")  # per micro-batch
MAX_WINDOW_S = _default("max_window").total_seconds()
LATE_WINDOW_S = _default("late_window").total_seconds()

# Measured in bench/RESULTS.md, "2026-11-30: no dedupe state; late handling is re-reading" (commit 9d43e38):
# `bench_pipeline.py --tags 100 --hours 24`, 100 tags x 24 h at 1 Hz, 2 cores shared with another bench.
PIPELINE_VALUES_PER_S = 77_416.0  # the pipeline, late window 1h
PIPELINE_CORES = 2.0
CLIENT_VALUES_PER_S = 279_748.0  # the client alone, same run (printed for the ratio only)


# ---------------------------------------------------------------------------------------------------------------
# measurement
# ---------------------------------------------------------------------------------------------------------------


CLOCK_ROUTE = "GET dataservers"
"""The server-clock call: once per partition and hook call; every other control call is once per 100 tags."""


@dataclass
class Tally:
    """HTTP requests and the requests inside them (a batch's sub-requests, else 1), by phase and route.

    PI Web API documents its rate limit per request and client IP (page 1023029) and says nothing about the
    sub-requests of one `POST /batch`, so both counts are kept.
    """

    http: Counter[tuple[str, str]] = field(default_factory=Counter)
    sub: Counter[tuple[str, str]] = field(default_factory=Counter)
    batches: int = 0
    max_items_per_call: int = 0
    phase: str = "other"

    def total(self, counter: Counter[tuple[str, str]], phase: str | None = None, route: str | None = None) -> int:
        """Sum over one phase and one route (None: all)."""
        return sum(n for (p, r), n in counter.items() if phase in (None, p) and route in (None, r))


def _template(path: str) -> str:
    """A path without its query and WebIds: `streams/{id}/recorded`."""
    path = path.split("?")[0].split("/piwebapi/")[-1].strip("/")
    return "/".join("{id}" if len(part) > 20 else part for part in path.split("/"))


def _route(method: str, path: str, body: bytes | None) -> tuple[str, int]:
    """The call's route (a batch named by its sub-requests' route) and how many requests it carries."""
    if path.strip("/") == "batch" and body:
        subs = orjson.loads(body)
        first = next(iter(subs.values()), {}).get("Resource", "")
        return f"POST batch[{_template(first)}]", len(subs)
    return f"{method} {_template(path)}", 1


def _values_in(reply: Reply) -> int:
    """Recorded values one batch call returned, over its sub-responses."""
    data = reply.data if isinstance(reply.data, dict) else {}
    contents = (item.get("Content") for item in data.values() if isinstance(item, dict))
    return sum(len(c["Items"]) for c in contents if isinstance(c, dict) and isinstance(c.get("Items"), list))


@contextmanager
def counted(tally: Tally) -> Iterator[Tally]:
    """Count every request every client in this process sends, by wrapping `Transport.send` (retries included)."""
    original = Transport.send

    def send(self: Transport, method: str, path: str, *, params: Any = None, body: bytes | None = None) -> Reply:
        route, subs = _route(method, path, body)
        reply = original(self, method, path, params=params, body=body)
        attempts = 1 + reply.retries
        tally.http[(tally.phase, route)] += attempts
        tally.sub[(tally.phase, route)] += subs * attempts
        if route.startswith("POST batch["):
            tally.batches += attempts
        if route.endswith("/recorded]"):
            tally.max_items_per_call = max(tally.max_items_per_call, _values_in(reply))
        return reply

    Transport.send = send  # type: ignore[method-assign]
    try:
        yield tally
    finally:
        Transport.send = original  # type: ignore[method-assign]


@dataclass
class RunStats:
    """What one triggered run of one partition did."""

    events: int = 0
    batches: int = 0
    latest_offsets: int = 0
    seconds: float = 0.0


MAX_BATCHES = 200  # micro-batches a run may take: a source that never settles ends the bench instead of hanging it


def tallied_run(reader: PIStreamReader, offset: dict | None, tally: Tally) -> tuple[dict, RunStats]:
    """One triggered (availableNow) run of a partition's source, its requests tallied by the step that sent them."""
    stats = RunStats()
    began = time.perf_counter()

    def step(name: str) -> None:
        tally.phase = name
        if name == "offset":
            stats.latest_offsets += 1

    def count(batch: pa.RecordBatch) -> None:
        stats.events += pc.sum(pc.equal(batch.column("row_kind"), EVENT)).as_py() or 0

    end, stats.batches = run_until_settled(reader, offset, reader.getDefaultReadLimit(), MAX_BATCHES, count, step)
    tally.phase = "other"
    stats.seconds = time.perf_counter() - began
    return end, stats


@dataclass(frozen=True)
class Phase:
    """The traffic of one phase (the backfill, or the steady runs together) over every partition measured."""

    partitions: int
    runs: int  # partition-runs
    events: int
    batches: int
    latest_offsets: int
    http: dict[str, int]  # by hook: setup, offset, read
    sub: dict[str, int]
    clock_http: dict[str, int]  # of which server-clock calls (one per partition, whatever its size), by hook
    routes: dict[str, int]
    seconds: float

    @property
    def all_http(self) -> int:
        """Every HTTP request."""
        return sum(self.http.values())

    @property
    def all_sub(self) -> int:
        """Every request, a batch counted as its sub-requests."""
        return sum(self.sub.values())


def _phase(tally: Tally, partitions: int, stats: Sequence[RunStats]) -> Phase:
    routes: Counter[str] = Counter()
    for (_, route), n in tally.http.items():
        routes[route] += n
    hooks = ("setup", "offset", "read")
    return Phase(
        partitions=partitions,
        runs=len(stats),
        events=sum(s.events for s in stats),
        batches=sum(s.batches for s in stats),
        latest_offsets=sum(s.latest_offsets for s in stats),
        http={h: tally.total(tally.http, h) for h in hooks},
        sub={h: tally.total(tally.sub, h) for h in hooks},
        clock_http={h: tally.total(tally.http, h, CLOCK_ROUTE) for h in hooks},
        routes=dict(sorted(routes.items())),
        seconds=sum(s.seconds for s in stats),
    )


@dataclass(frozen=True)
class Measured:
    """Everything measured against the mock."""

    tags: int
    tags_per_partition: int
    rate_hz: float
    backfill_hours: float
    steady_minutes: float
    steady_runs: int
    backfill: Phase
    steady: Phase
    max_items_per_call: int
    mock_counted: int  # the mock's /admin/stats: HTTP requests plus batch sub-requests
    wrapper_counted: int  # the same, from the transport wrapper
    seconds: float


def measure(args: argparse.Namespace) -> Measured:
    """A backfill of `--backfill-hours`, then `--steady-runs` triggered runs `--steady-minutes` of server time apart.

    Partitions of `--measure-tags-per-pipeline` tags, each its own reader as on Databricks; a new reader per run,
    from the offset the previous run checkpointed, as a new pipeline update would. No late events: the same
    archive `bench_pipeline.py` measured throughput on.
    """
    began = time.perf_counter()
    per_hour = 3_600.0 * args.measure_rate_hz
    settings = MockSettings(
        tags=max(args.tags * 2, 1000),
        seed=args.seed,
        clock=T0.isoformat(),
        uniform_events_per_hour=per_hour,
        late_fraction=0.0,
    )
    with running_mock(settings) as mock:
        points = [p for p in mock.archive.points() if round(p.events_per_hour) == round(per_hour)]
        webids = [p.webid for p in points if p.name != BURST_TAG][: args.tags]
        size = args.measure_tags_per_pipeline
        groups = [webids[i : i + size] for i in range(0, len(webids), size)]

        def reader(pid: int) -> PIStreamReader:
            options = {
                "piUrl": mock.url,
                "authMethod": "anonymous",
                "tags": ",".join(groups[pid]),
                "start": f"*-{args.backfill_hours:g}h",
                "partitionId": f"p{pid + 1:04d}",
                "lateWindow": f"{round(args.late_window_minutes * 60)}s" if args.late_window_minutes else "off",
            }
            return PIStreamReader(ReaderOptions.parse(options))

        requests.post(f"{mock.root}/admin/stats/reset", timeout=10).raise_for_status()
        offsets: list[dict | None] = [None] * len(groups)
        backfill, steady = Tally(), Tally()
        backfill_runs: list[RunStats] = []
        with counted(backfill):
            for pid in range(len(groups)):
                offsets[pid], stats = tallied_run(reader(pid), None, backfill)
                backfill_runs.append(stats)
        steady_runs: list[RunStats] = []
        with counted(steady):
            for _ in range(args.steady_runs):
                clock = {"advance_seconds": args.steady_minutes * 60}
                requests.post(f"{mock.root}/admin/clock", json=clock, timeout=10).raise_for_status()
                for pid in range(len(groups)):
                    offsets[pid], stats = tallied_run(reader(pid), offsets[pid], steady)
                    steady_runs.append(stats)
        mock_counted = requests.get(f"{mock.root}/admin/stats", timeout=10).json()["total"]
    wrapper = sum(t.total(t.sub) + t.batches for t in (backfill, steady))
    return Measured(
        tags=len(webids),
        tags_per_partition=size,
        rate_hz=args.measure_rate_hz,
        backfill_hours=args.backfill_hours,
        steady_minutes=args.steady_minutes,
        steady_runs=args.steady_runs,
        backfill=_phase(backfill, len(groups), backfill_runs),
        steady=_phase(steady, len(groups), steady_runs),
        max_items_per_call=max(backfill.max_items_per_call, steady.max_items_per_call),
        mock_counted=mock_counted,
        wrapper_counted=wrapper,
        seconds=time.perf_counter() - began,
    )


# ---------------------------------------------------------------------------------------------------------------
# model
# ---------------------------------------------------------------------------------------------------------------


def share(tags_in_call: int) -> int:
    """Values asked per tag in one call: the client splits `max_count` over the call's tags (client/api.py)."""
    return max(1, MAX_COUNT // max(1, min(TAGS_PER_REQUEST, tags_in_call)))


def pages(values_per_tag: float, tags_in_call: int) -> int:
    """Calls one tag's range needs: one page per call, at least one call."""
    return max(1, math.ceil(values_per_tag / share(tags_in_call) - 1e-9))


def late_cycle(interval_s: float, late_s: float) -> tuple[int, float]:
    """Runs per late-scan cycle, and the seconds of history the cycle reads per tag (datasource/offsets.py).

    A scan is due once `late_s / 4` of server time has passed since the last one and re-reads from
    `last scan - late_s`: the scan run reads `late_s + k x interval`, the other `k - 1` runs one interval each.
    """
    if late_s <= 0:
        return 1, interval_s
    k = max(1, math.ceil(late_s / 4 / interval_s - 1e-9))
    return k, late_s + (2 * k - 1) * interval_s


def amplification(interval_s: float, late_s: float) -> float:
    """Values read per new value in steady state, late re-reads included."""
    k, read = late_cycle(interval_s, late_s)
    return read / (k * interval_s)


@dataclass(frozen=True)
class Overheads:
    """Control requests (server clock, points, rates, snapshot probes, stream updates), measured.

    The server clock is asked once per partition and hook call; points, rates, probes and stream updates take one
    call per 100 tags (a batch of 100 sub-requests for points). Per run: `prepareForTriggerAvailableNow` (and
    `initialOffset` the first time); per `latestOffset`: the probe, and the stream updates once a run.
    """

    clock_per_run: float
    clock_per_offset: float
    http_per_100_per_run: float
    http_per_100_per_offset: float
    sub_per_100_per_run: float
    sub_per_100_per_offset: float

    @classmethod
    def of(cls, phase: Phase, tags_per_partition: int) -> Overheads:
        """Averages over the runs of a phase."""
        hundreds = math.ceil(tags_per_partition / 100)
        runs, offsets = phase.runs, max(1, phase.latest_offsets)
        clock_run, clock_offset = phase.clock_http["setup"], phase.clock_http["offset"]
        return cls(
            clock_run / runs,
            clock_offset / offsets,
            (phase.http["setup"] - clock_run) / runs / hundreds,
            (phase.http["offset"] - clock_offset) / offsets / hundreds,
            (phase.sub["setup"] - clock_run) / runs / hundreds,
            (phase.sub["offset"] - clock_offset) / offsets / hundreds,
        )

    def control(self, tags: int, offsets: int) -> tuple[float, float]:
        """HTTP requests and sub-requests of one run of a partition of `tags` with `offsets` latestOffset calls."""
        hundreds = math.ceil(tags / 100)
        clock = self.clock_per_run + offsets * self.clock_per_offset
        http = clock + hundreds * (self.http_per_100_per_run + offsets * self.http_per_100_per_offset)
        sub = clock + hundreds * (self.sub_per_100_per_run + offsets * self.sub_per_100_per_offset)
        return http, sub


@dataclass(frozen=True)
class Assumptions:
    """What cannot be measured here; the defaults are named in bench/RESULTS.md."""

    pipeline_values_per_s: float
    pipeline_cores: float
    client_ips: int
    update_overhead_s: float
    pi_values_per_s: tuple[float, ...]
    lanes: int
    schedule_min: float
    late_window_s: float
    rate_hz: float


@dataclass(frozen=True)
class Layout:
    """How the tags are split: tags per pipeline and the `max_values` setting that goes with it."""

    tags: int
    tags_per_pipeline: int
    max_values: int

    @property
    def pipelines(self) -> int:
        """Time-series pipelines."""
        return math.ceil(self.tags / self.tags_per_pipeline)

    @property
    def tasks(self) -> int:
        """Spark tasks of one pipeline's micro-batch."""
        return math.ceil(self.tags_per_pipeline / TAGS_PER_TASK)

    @property
    def in_task(self) -> int:
        """Tags read by one task (one HTTP call reads all of them: tags_per_task <= tags_per_request)."""
        return min(TAGS_PER_TASK, self.tags_per_pipeline)


PAGES_PER_MICRO_BATCH = 2.5
"""Values per tag a micro-batch of a large partition should span, in calls' worth (`share` values a call)."""


def recommended(tags: int, lanes: int) -> Layout:
    """Fewest, largest partitions that still fill every lane once, with `max_values` to match.

    Why: every pipeline update pays a fixed start and engine cost, so 100 tags per pipeline spends most of an
    hourly run starting; one wave of `lanes` pipelines pays it once per lane and keeps the count under the
    workspace's concurrent-update limit, so the same partitions can also run continuously. `max_values` grows
    with the partition so a micro-batch still spans a few calls per tag: left at 5,000,000, a 10,000-tag
    micro-batch spans 500 s at 1 Hz and its calls carry 12,500 values instead of up to 150,000. Two and a half
    calls' worth (15,000 values a tag), not a whole number, so irregular timestamps do not add a near-empty call.
    """
    per_pipeline = max(DEFAULT_TAGS_PER_PIPELINE, math.ceil(tags / lanes / 100) * 100)
    in_task = min(TAGS_PER_TASK, per_pipeline)
    return Layout(tags, per_pipeline, max(MAX_VALUES, round(per_pipeline * share(in_task) * PAGES_PER_MICRO_BATCH)))


def backfill(layout: Layout, rate_hz: float, window_s: float, over: Overheads) -> dict[str, float]:
    """One partition's backfill of `window_s`: micro-batches, values, HTTP requests and sub-requests."""
    span = max(1.0, min(MAX_WINDOW_S, layout.max_values / (layout.tags_per_pipeline * rate_hz)))
    batches = math.ceil(window_s / span - 1e-9)
    rounds = 0
    left = window_s
    for _ in range(batches):
        rounds += pages(min(span, left) * rate_hz, layout.in_task)
        left -= span
    http, sub = over.control(layout.tags_per_pipeline, batches + 1)  # and the latestOffset that finds nothing new
    return {
        "batches": batches,
        "values": layout.tags_per_pipeline * rate_hz * window_s,
        "data_http": rounds * layout.tasks,
        "data_sub": rounds * layout.tags_per_pipeline,
        "http": rounds * layout.tasks + http,
        "sub": rounds * layout.tags_per_pipeline + sub,
        "items_per_call": min(share(layout.in_task), window_s * rate_hz) * layout.in_task,
    }


def steady_run(layout: Layout, a: Assumptions, over: Overheads) -> dict[str, float]:
    """One average triggered run of one partition at the schedule (a late-scan cycle averaged)."""
    interval = a.schedule_min * 60
    k, _ = late_cycle(interval, a.late_window_s)
    plain = pages(interval * a.rate_hz, layout.in_task)
    if a.late_window_s > 0:
        scan = pages((a.late_window_s + k * interval) * a.rate_hz, layout.in_task)
        rounds = (scan + (k - 1) * plain) / k
    else:
        rounds = plain
    http, sub = over.control(layout.tags_per_pipeline, 2)  # a micro-batch, and the latestOffset that finds none
    return {
        "values": layout.tags_per_pipeline * a.rate_hz * interval * amplification(interval, a.late_window_s),
        "http": rounds * layout.tasks + http,
        "sub": rounds * layout.tags_per_pipeline + sub,
    }


def _n(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 or x == int(x) else f"{x:,.1f}" if abs(x) >= 10 else f"{x:,.2f}"


def _t(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:,.0f} s"
    if seconds < 7_200:
        return f"{seconds / 60:,.1f} min"
    return f"{seconds / 3_600:,.1f} h"


def _pct(x: float) -> str:
    return f"{100 * x:,.0f} %"


def model(layout: Layout, a: Assumptions, over: Overheads) -> dict[str, str]:
    """Every figure of one case, as table rows (label -> text)."""
    rows: dict[str, str] = {}
    pipelines = layout.pipelines
    lanes = min(a.lanes, pipelines)
    waves = math.ceil(pipelines / lanes)
    per_core = a.pipeline_values_per_s / a.pipeline_cores
    budget = PI_RATE_LIMIT_PER_IP * a.client_ips
    interval = a.schedule_min * 60
    job_tasks = pipelines + SINGLE_PIPELINES + 1
    child_jobs = 0 if job_tasks <= MAX_TASKS_PER_JOB else math.ceil(pipelines / PIPELINE_TASKS_PER_CHILD_JOB)
    updates = pipelines + SINGLE_PIPELINES

    rows["tags_per_pipeline / max_values"] = f"{layout.tags_per_pipeline:,} / {layout.max_values:,}"
    rows["time-series pipelines"] = _n(pipelines)
    rows["Spark tasks per micro-batch (tags_per_task 25)"] = _n(layout.tasks)
    rows["ingest job: child jobs (a job holds <= 1,000 tasks)"] = _n(child_jobs) if child_jobs else "none"
    rows[f"continuous mode: updates at once (workspace limit {WORKSPACE_CONCURRENT_UPDATES})"] = (
        f"{updates:,} ({'fits' if updates <= WORKSPACE_CONCURRENT_UPDATES else 'over'})"
    )

    # live
    amp = amplification(interval, a.late_window_s)
    live = layout.tags * a.rate_hz
    read = live * amp
    run = steady_run(layout, a, over)
    run_s = a.update_overhead_s + run["values"] / a.pipeline_values_per_s
    cycle_s = waves * run_s
    rows["live: new values/s (tags x rate)"] = _n(live)
    rows[f"live: values/s read, late re-reads included (x{amp:.2f})"] = _n(read)
    rows[f"live: pipeline-cores busy (at {_n(per_core)} values/s a core)"] = _n(read / per_core)
    for pi in a.pi_values_per_s:
        rows[f"live: share of a PI side serving {_n(pi)} values/s"] = _pct(read / pi)
    rows["live: one pipeline update (fixed cost + its values)"] = _t(run_s)
    rows[f"live: every pipeline once, {a.lanes} lanes, vs the {a.schedule_min:g}-min schedule"] = (
        f"{_t(cycle_s)} ({'fits' if cycle_s <= interval else 'does NOT fit'})"
    )
    rows["live: HTTP requests/s, averaged over the schedule"] = _n(pipelines * run["http"] / interval)
    rows[f"live: HTTP requests/s while {a.lanes} lanes run (limit {_n(budget)})"] = _n(lanes * run["http"] / run_s)
    rows[f"live: sub-requests/s while {a.lanes} lanes run (limit {_n(budget)})"] = _n(lanes * run["sub"] / run_s)

    # a day's backfill
    day = backfill(layout, a.rate_hz, DAY_S, over)
    full = layout.tags / layout.tags_per_pipeline  # pipelines' worth of tags (the last partition may be short)
    values = day["values"] * full
    http = day["http"] * full
    sub = day["sub"] * full
    t_pipeline = a.update_overhead_s + day["values"] / a.pipeline_values_per_s
    bounds = {
        f"Databricks, {lanes} at once": waves * t_pipeline,
        "HTTP requests": http / budget,
    }
    rows["backfill day: values"] = f"{values:,.3g}"
    rows["backfill day: micro-batches per pipeline"] = _n(day["batches"])
    rows["backfill day: HTTP requests (values per request)"] = f"{http:,.0f} ({values / http:,.0f})"
    rows["backfill day: sub-requests (values per sub-request)"] = f"{sub:,.0f} ({values / sub:,.0f})"
    rows[f"backfill day: most items in one call (limit {PI_MAX_ITEMS_PER_CALL:,})"] = _n(day["items_per_call"])
    rows[f"backfill day: HTTP requests/s, {a.lanes} lanes (limit {_n(budget)})"] = _n(lanes * day["http"] / t_pipeline)
    rows[f"backfill day: sub-requests/s, {a.lanes} lanes (limit {_n(budget)})"] = _n(lanes * day["sub"] / t_pipeline)
    rows["backfill day: cores to read it in 1 h"] = _n(values / 3_600 / per_core)
    rows[f"backfill wall, Databricks-bound ({a.lanes} lanes x {_n(a.pipeline_values_per_s)}/s)"] = _t(
        bounds[f"Databricks, {lanes} at once"]
    )
    rows["backfill wall, request-bound (HTTP requests)"] = _t(bounds["HTTP requests"])
    rows["backfill wall, request-bound if sub-requests count"] = _t(sub / budget)
    for pi in a.pi_values_per_s:
        bounds[f"PI at {_n(pi)}/s"] = values / pi
        rows[f"backfill wall, PI-bound at {_n(pi)} values/s"] = _t(values / pi)
    binding = max(bounds, key=lambda k: bounds[k])
    rows["backfill wall (the binding bound)"] = f"{_t(bounds[binding])} ({binding})"
    for pi in a.pi_values_per_s:
        rows[f"at {_n(pi)} values/s: pipelines that saturate it / sub-requests/s"] = (
            f"{_n(pi / a.pipeline_values_per_s)} / {_n(pi * sub / values)}"
        )
    return rows


def table(heads: Sequence[str], columns: Sequence[dict[str, str]], keep: Sequence[str] | None = None) -> str:
    """A Markdown table: one row per figure (those starting with `keep`, if given), one column per case."""
    lines = ["| | " + " | ".join(heads) + " |", "|---|" + "---:|" * len(heads)]
    for key in columns[0]:
        if keep is None or key.startswith(tuple(keep)):
            lines.append("| " + " | ".join([key, *(c[key] for c in columns)]) + " |")
    return "\n".join(lines)


def report_measured(m: Measured, late_s: float) -> None:
    """Print the measured inputs and the checks of the model's rules against them."""
    print(
        f"# measured against the mock: {m.tags} tags at {m.rate_hz:g} Hz in partitions of {m.tags_per_partition}, "
        f"{m.seconds:.0f} s (load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus)"
    )
    for name, phase, span in (
        ("backfill", m.backfill, f"{m.backfill_hours:g} h of history"),
        ("steady", m.steady, f"{m.steady_runs} runs, {m.steady_minutes:g} min of server time apart"),
    ):
        print(
            f"{name} ({span}): {phase.events:,} values, {phase.runs} partition-runs, {phase.batches} micro-batches, "
            f"{phase.latest_offsets} latestOffset calls; HTTP requests {phase.all_http:,} (read {phase.http['read']}, "
            f"setup {phase.http['setup']}, latestOffset {phase.http['offset']}): "
            f"{phase.events / phase.all_http:,.0f} values each; sub-requests {phase.all_sub:,} "
            f"(read {phase.sub['read']:,}): {phase.events / phase.all_sub:,.0f} values each; {phase.seconds:.1f} s"
        )
        print(f"  routes: {', '.join(f'{r} {n}' for r, n in phase.routes.items())}")
    interval = m.steady_minutes * 60
    new = m.tags * m.rate_hz * interval * m.steady_runs
    print(
        f"steady re-read factor: measured {m.steady.events / new:.2f} (values read / new values); the late-scan "
        f"rule of offsets.py gives {amplification(interval, late_s):.2f} for runs {m.steady_minutes:g} min apart"
    )
    layout = Layout(m.tags_per_partition, m.tags_per_partition, MAX_VALUES)
    over = Overheads.of(m.steady, m.tags_per_partition)
    predicted = backfill(layout, m.rate_hz, m.backfill_hours * 3_600, over)["data_http"] * m.backfill.partitions
    print(
        f"paging rule: {predicted:.0f} read requests predicted for the measured backfill, {m.backfill.http['read']} "
        f"measured; most values in one call {m.max_items_per_call:,} (limit {PI_MAX_ITEMS_PER_CALL:,})"
    )
    print(
        f"control requests: server clock {over.clock_per_run:.2f} a run + {over.clock_per_offset:.2f} a "
        f"latestOffset per partition; per 100 tags {over.http_per_100_per_run:.2f} a run + "
        f"{over.http_per_100_per_offset:.2f} a latestOffset (sub-requests {over.sub_per_100_per_run:.2f} + "
        f"{over.sub_per_100_per_offset:.2f}); requests and sub-requests: the mock counted {m.mock_counted:,}, "
        f"the wrapper {m.wrapper_counted:,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = parser.add_argument_group("measurement (the mock in this process; the source's hooks, no Spark)")
    g.add_argument("--tags", type=int, default=200, help="tags measured (default 200)")
    g.add_argument("--measure-tags-per-pipeline", type=int, default=DEFAULT_TAGS_PER_PIPELINE)
    g.add_argument("--backfill-hours", type=float, default=4.0, help="history read by the backfill (default 4)")
    g.add_argument("--steady-minutes", type=float, default=10.0, help="server time between steady runs")
    g.add_argument("--steady-runs", type=int, default=4, help="steady runs (4 x 10 min: two late-scan cycles)")
    g.add_argument("--measure-rate-hz", type=float, default=1.0, help="events per second of every mock tag")
    g.add_argument("--seed", type=int, default=7)
    i = parser.add_argument_group("input measured by bench_pipeline.py (bench/RESULTS.md)")
    i.add_argument(
        "--pipeline-values-per-s",
        type=float,
        default=PIPELINE_VALUES_PER_S,
        help="one pipeline's values/s (default 77,416: 2026-11-30 entry, late window 1h, 2 cores)",
    )
    i.add_argument("--pipeline-cores", type=float, default=PIPELINE_CORES, help="cores behind that figure")
    a = parser.add_argument_group("the model and its assumptions")
    a.add_argument("--scale", type=int, nargs="+", default=[100_000, 500_000], help="tag counts to model")
    a.add_argument("--rate-hz", type=float, default=1.0, help="events per second per tag (default 1)")
    a.add_argument("--other-rates", type=float, nargs="*", default=[0.1, 10.0], help="rates for the short table")
    a.add_argument("--tags-per-pipeline", type=int, default=DEFAULT_TAGS_PER_PIPELINE)
    a.add_argument("--lanes", type=int, default=DEFAULT_LANES, help="time-series updates at once (default 50)")
    a.add_argument("--schedule-minutes", type=float, default=DEFAULT_SCHEDULE_MIN, help="triggered schedule")
    a.add_argument(
        "--late-window-minutes",
        type=float,
        default=LATE_WINDOW_S / 60,
        help="late_window, measured and modelled (0: off)",
    )
    a.add_argument("--client-ips", type=int, default=1, help="client IPs PI Web API sees (assumed 1: one NAT)")
    a.add_argument("--update-overhead-s", type=float, default=75.0, help="fixed cost of one update (assumed)")
    a.add_argument(
        "--pi-values-per-s",
        type=float,
        nargs="+",
        default=[200_000.0, 1_000_000.0],
        help="values/s the PI side serves all readers together (assumed; cannot be measured here)",
    )
    parser.add_argument("--json", action="store_true", help="also print the measured inputs as one JSON line")
    args = parser.parse_args()

    late_s = args.late_window_minutes * 60
    measured = measure(args)
    report_measured(measured, late_s)
    over = Overheads.of(measured.steady, measured.tags_per_partition)

    def assumptions(rate_hz: float) -> Assumptions:
        return Assumptions(
            pipeline_values_per_s=args.pipeline_values_per_s,
            pipeline_cores=args.pipeline_cores,
            client_ips=args.client_ips,
            update_overhead_s=args.update_overhead_s,
            pi_values_per_s=tuple(args.pi_values_per_s),
            lanes=args.lanes,
            schedule_min=args.schedule_minutes,
            late_window_s=late_s,
            rate_hz=rate_hz,
        )

    layouts = []
    for tags in args.scale:
        layouts.append(Layout(tags, args.tags_per_pipeline, MAX_VALUES))
        best = recommended(tags, args.lanes)
        if best.tags_per_pipeline != args.tags_per_pipeline:
            layouts.append(best)
    heads = [f"{x.tags:,} tags, {x.tags_per_pipeline:,}/pipeline" for x in layouts]
    print()
    print(
        f"# model: {args.rate_hz:g} Hz a tag; {args.pipeline_values_per_s:,.0f} values/s per "
        f"{args.pipeline_cores:g}-core pipeline (measured; the client alone {CLIENT_VALUES_PER_S:,.0f} in the same "
        f"run); schedule {args.schedule_minutes:g} min; late window {args.late_window_minutes:g} min; "
        f"{args.lanes} lanes; {args.client_ips} client IP(s) seen by PI Web API (assumed); update fixed cost "
        f"{args.update_overhead_s:g} s (assumed); PI side {' or '.join(_n(v) for v in args.pi_values_per_s)} "
        "values/s (assumed)"
    )
    print(table(heads, [model(x, assumptions(args.rate_hz), over) for x in layouts]))
    if args.other_rates:
        print()
        best = [x for x in layouts if x.tags_per_pipeline != args.tags_per_pipeline] or layouts
        print("# other rates, the recommended partitions (values, cores and PI-bound times scale with the rate)")
        for rate in args.other_rates:
            print(f"## {rate:g} Hz a tag")
            keep = [
                "live: values/s",
                "live: pipeline-cores",
                "live: every",
                "backfill day: HTTP requests (",
                "backfill wall",
            ]
            print(table([h for h, x in zip(heads, layouts, strict=True) if x in best],
                        [model(x, assumptions(rate), over) for x in best], keep))  # fmt: skip
    print()
    print(
        f"# late re-read factor by schedule (values read per new value, late window {args.late_window_minutes:g} min)"
    )
    for minutes in (5, 10, 15, 30, 60, 1_440):
        print(f"  runs every {minutes:g} min: x{amplification(minutes * 60, late_s):.2f}")
    print(f"  continuous (micro-batches back to back): x{amplification(1.0, late_s):.2f}")
    if args.json:
        b, s = measured.backfill, measured.steady
        line = {
            "bench": "model_scale",
            "tags": measured.tags,
            "tags_per_partition": measured.tags_per_partition,
            "rate_hz": measured.rate_hz,
            "backfill_hours": measured.backfill_hours,
            "backfill_values": b.events,
            "backfill_http": b.all_http,
            "backfill_sub": b.all_sub,
            "steady_runs": measured.steady_runs,
            "steady_minutes": measured.steady_minutes,
            "steady_values": s.events,
            "steady_http": s.all_http,
            "steady_sub": s.all_sub,
            "steady_reread_factor": round(s.events / (measured.tags * measured.rate_hz * measured.steady_minutes * 60
                                                      * measured.steady_runs), 3),
            "clock_http_per_run": round(over.clock_per_run, 2),
            "clock_http_per_latest_offset": round(over.clock_per_offset, 2),
            "control_http_per_100_tags_per_run": round(over.http_per_100_per_run, 2),
            "control_http_per_100_tags_per_latest_offset": round(over.http_per_100_per_offset, 2),
            "control_sub_per_100_tags_per_run": round(over.sub_per_100_per_run, 2),
            "control_sub_per_100_tags_per_latest_offset": round(over.sub_per_100_per_offset, 2),
            "max_items_per_call": measured.max_items_per_call,
            "mock_counted": measured.mock_counted,
            "wrapper_counted": measured.wrapper_counted,
            "seconds": round(measured.seconds, 1),
            "load_1m": round(os.getloadavg()[0], 2),
            "cpus": os.cpu_count(),
        }  # fmt: skip
        print(json.dumps(line))


if __name__ == "__main__":
    main()
