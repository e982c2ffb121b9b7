"""Scale and speed of the mock PI Web API, measured against the real CLI process over loopback.

Usage::

    .venv/bin/python bench/bench_mock_server.py [--tags 100000] [--runs 5]

Prints one JSON line per measurement, for example::

    {"bench": "startup", "tags": 100000, "seconds": 2.1}
    {"bench": "page_points", "tags": 100000, "pages": 100, "seconds": 3.2}
    {"bench": "streamset_recorded", "tags": 100, "values": 359391, "seconds": 0.36, "values_per_s": 998687, ...}
    {"bench": "streamset_recorded_selected", ...}
    {"bench": "batch_recorded", ...}
    {"bench": "memory", "tags": 100000, "rss_mb": 310.0}

Data calls report the median of `--runs` repeated reads (hours then come from the server's hour cache) with the
server's own time from its Server-Timing header, and the first, cold read. The server runs as
`python -m mock_server` (one process, one event loop: one core) with the clock frozen, so
every run reads the same values. Stream-set limits are checked per stream here (MOCK_PI_LIMIT_SCOPE=per_stream):
100 tags x 3,600 values exceed the default total of 150,000 items per call.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import orjson
import psutil
import requests

from mock_server import MockSettings
from mock_server.archive import PlantArchive
from mock_server.testing import free_port

CLOCK = "2026-11-01T12:00:00Z"
REPO = Path(__file__).resolve().parents[1]


def emit(**fields: object) -> None:
    """One JSON line per measurement."""
    print(json.dumps(fields), flush=True)


def start_server(tags: int, seed: int) -> tuple[subprocess.Popen, str, float]:
    """Start the CLI and time it until its ready line."""
    port = free_port()
    env = dict(os.environ, MOCK_PI_LIMIT_SCOPE="per_stream")
    began = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mock_server",
            "--port",
            str(port),
            "--tags",
            str(tags),
            "--seed",
            str(seed),
            "--clock",
            CLOCK,
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    seconds = time.perf_counter() - began
    if "ready at" not in line:
        process.kill()
        raise RuntimeError(f"server did not start: {line!r}")
    return process, f"http://127.0.0.1:{port}/piwebapi", seconds


def page_points(session: requests.Session, url: str) -> tuple[int, int, float]:
    """Read every point through Links.Next, 1,000 per page."""
    began = time.perf_counter()
    server = session.get(f"{url}/dataservers", timeout=30).json()["Items"][0]
    next_url, params, count, pages = server["Links"]["Points"], {"maxCount": 1000}, 0, 0
    while next_url:
        page = orjson.loads(session.get(next_url, params=params, timeout=60).content)
        count, pages, params = count + len(page["Items"]), pages + 1, None
        next_url = page["Links"].get("Next")
    return count, pages, time.perf_counter() - began


def timed_get(session: requests.Session, method: str, url: str, **kwargs) -> tuple[bytes, float, float]:
    """Body, seconds until the whole body arrived, and the server's own seconds (its Server-Timing header)."""
    began = time.perf_counter()
    answer = session.request(method, url, timeout=120, stream=True, **kwargs)
    body = answer.raw.read()  # one read: requests' 10 kB iter_content would time the client, not the server
    seconds = time.perf_counter() - began
    answer.raise_for_status()
    server = float(answer.headers["Server-Timing"].split("dur=")[1]) / 1000
    return body, seconds, server


def main() -> None:
    """Run every measurement once (data calls `--runs` times, reporting the median)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    archive = PlantArchive(MockSettings(tags=args.tags, seed=args.seed, clock=CLOCK))
    hourly = [p.webid for p in archive.points() if p.events_per_hour == 3600][:100]
    process, url, seconds = start_server(args.tags, args.seed)
    try:
        emit(bench="startup", tags=args.tags, seconds=round(seconds, 2))
        with requests.Session() as session:
            session.headers["X-Requested-With"] = "XmlHttpRequest"
            count, pages, seconds = page_points(session, url)
            emit(bench="page_points", tags=count, pages=pages, seconds=round(seconds, 2))
            window = "startTime=2026-11-01T10:00:00Z&endTime=2026-11-01T11:00:00Z&maxCount=10000"
            lean = "selectedFields=Items.WebId;Items.Items.Timestamp;Items.Items.Value;Items.Items.Good"
            adhoc = f"{url}/streamsets/recorded?{window}&" + "&".join(f"webId={w}" for w in hourly)
            batch = {
                str(i): {"Method": "GET", "Resource": f"streams/{w}/recorded?{window}"} for i, w in enumerate(hourly)
            }
            cases = (
                ("streamset_recorded", "GET", adhoc, {}),
                ("streamset_recorded_selected", "GET", f"{adhoc}&{lean}", {}),
                ("batch_recorded", "POST", f"{url}/batch", {"json": batch}),
            )
            for name, method, target, kwargs in cases:
                _, cold, cold_server = timed_get(session, method, target, **kwargs)  # first read generates the hours
                runs = [timed_get(session, method, target, **kwargs) for _ in range(args.runs)]
                body = json.loads(runs[0][0])
                items = body["Items"] if method == "GET" else [v["Content"] for v in body.values()]
                values = sum(len(i["Items"]) for i in items)
                median = statistics.median(r[1] for r in runs)
                server = statistics.median(r[2] for r in runs)
                emit(
                    bench=name,
                    tags=len(hourly),
                    values=values,
                    bytes=len(runs[0][0]),
                    seconds=round(median, 3),
                    values_per_s=round(values / median),
                    best_values_per_s=round(values / min(r[1] for r in runs)),
                    server_seconds=round(server, 3),
                    server_values_per_s=round(values / server),
                    cold_seconds=round(cold, 3),
                    cold_server_values_per_s=round(values / cold_server),
                )
        emit(bench="memory", tags=args.tags, rss_mb=round(psutil.Process(process.pid).memory_info().rss / 1e6, 1))
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
