"""End to end: recorded values of many tags from a loopback mock, the client against a naive one, side by side.

Usage (from the repository root)::

    python -m bench.bench_client_e2e [--tags 1000] [--hours 1] [--naive-tags 200] [--backfill-hours 24] [--latency 0.02]

The mock runs in its own process. Measured in one run, on the same tags and window:
- `client-batch` and `client-streamsets`: `PIWebAPI.recorded` with each read method (defaults otherwise);
- `naive-typical`: one `GET streams/{webId}/recorded` per tag, sequential, stdlib json and a Python dict per
  value (what public connectors do), over `--naive-tags` tags, compared by values/s;
- `naive-fast-decoder`: the same requests decoded with this project's decoder (the request strategy alone);
- `backfill`: values per HTTP request when reading `--backfill-hours` of 100 tags.
`--latency` makes the mock wait that long before every answer, as a real PI Web API does per call (AF SDK work,
network round trip); on bare loopback a call costs nothing and the request strategy barely matters.
Each prints one JSON line: {"bench": ..., "tags", "values", "seconds", "values_per_s", "requests",
"values_per_request", "client_cpu_s", "mock_cpu_s"}; a last line gives the ratios.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from datetime import datetime, timedelta

import orjson
import pyarrow as pa
import requests

from bench.bench_client_common import emit, machine, mock_process
from osipi_lakeflow.client import ClientConfig, PIWebAPI
from osipi_lakeflow.client.decode import decode_values
from osipi_lakeflow.client.fetch import STREAM_SELECTED


def one_hz_tags(pi: PIWebAPI, count: int) -> list[str]:
    """Float tags holding about 3,600 events an hour, found with one cheap rate probe."""
    floats = [p.webid for p in pi.points() if p.point_type in ("Float32", "Float64")]
    rates = pi.event_rates(floats[: count * 8], "*-10m")
    return [t for t, r in rates.items() if 3000 <= r <= 4200][:count]


def run_client(url: str, tags: list[str], start, end, mock, **config: object) -> dict:
    """Read every value with the client; returns the measurement."""
    pi = PIWebAPI(url, config=ClientConfig(**config))
    cpu0, mock0, t0 = time.process_time(), mock.cpu_seconds(), time.perf_counter()
    read = pi.recorded(tags, start, end)
    values = sum(batch.num_rows for batch in read)
    seconds = time.perf_counter() - t0
    assert not read.failures, read.failures
    return {
        "tags": len(tags),
        "values": values,
        "seconds": round(seconds, 3),
        "values_per_s": round(values / seconds),
        "requests": read.stats.requests,
        "values_per_request": round(values / max(1, read.stats.requests)),
        "client_cpu_s": round(time.process_time() - cpu0, 2),
        "mock_cpu_s": round(mock.cpu_seconds() - mock0, 2),
    }


def typical_rows(tag: str, content: bytes) -> pa.Table:
    """What public connectors do: stdlib json, one Python dict per value, then a table from the rows."""
    doc = json.loads(content)
    rows = [
        {
            "tag_webid": tag,
            "timestamp": datetime.fromisoformat(v["Timestamp"][:26].rstrip("Z")),
            "value": v["Value"] if isinstance(v["Value"], int | float) else None,
            "good": v["Good"],
        }
        for v in doc["Items"]
    ]
    return pa.Table.from_pylist(rows)


def fast_rows(tag: str, content: bytes) -> pa.Table:
    """The same request strategy with this project's decoder, to separate strategy from decoding."""
    doc = orjson.loads(content)
    return pa.Table.from_batches([decode_values(doc["Items"], tag, units=doc.get("UnitsAbbreviation"))])


def run_naive(url: str, tags: list[str], start, end, mock, decode=fast_rows) -> dict:
    """One request per tag, one after another: what a simple connector does."""
    session = requests.Session()
    cpu0, mock0, t0 = time.process_time(), mock.cpu_seconds(), time.perf_counter()
    values = 0
    params = {
        "startTime": start.isoformat(),
        "endTime": end.isoformat(),
        "maxCount": "150000",
        "selectedFields": STREAM_SELECTED,
    }
    for tag in tags:
        response = session.get(f"{url}/streams/{tag}/recorded", params=params, timeout=60)
        response.raise_for_status()
        values += decode(tag, response.content).num_rows
    seconds = time.perf_counter() - t0
    return {
        "tags": len(tags),
        "values": values,
        "seconds": round(seconds, 3),
        "values_per_s": round(values / seconds),
        "requests": len(tags),
        "values_per_request": round(values / len(tags)),
        "client_cpu_s": round(time.process_time() - cpu0, 2),
        "mock_cpu_s": round(mock.cpu_seconds() - mock0, 2),
    }


def main() -> None:
    """Run the side-by-side benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=1000)
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--naive-tags", type=int, default=200)
    parser.add_argument("--backfill-hours", type=float, default=24.0)
    parser.add_argument("--methods", default="batch,streamsets")
    parser.add_argument("--concurrency", type=int, default=None, help="ClientConfig.concurrency (default: its default)")
    parser.add_argument("--tags-per-request", type=int, default=None)
    parser.add_argument("--max-count", type=int, default=None)
    parser.add_argument("--mock-workers", type=int, default=1, help="uvicorn worker processes of the mock")
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        help="seconds the mock waits before every answer (a real server's per-call cost)",
    )
    args = parser.parse_args()
    slow = {"fault_slow": "1.0", "slow_seconds": str(args.latency)} if args.latency else {}
    with mock_process(tags=max(10_000, args.tags * 10), workers=args.mock_workers, **slow) as mock:
        probe = PIWebAPI(mock.url)
        tags = one_hz_tags(probe, args.tags)
        end = probe.server_time()
        start = end - timedelta(hours=args.hours)
        tuning = {
            k: v
            for k, v in {
                "concurrency": args.concurrency,
                "tags_per_request": args.tags_per_request,
                "max_count": args.max_count,
            }.items()
            if v is not None
        }
        results = {}
        for method in args.methods.split(","):
            results[method] = run_client(mock.url, tags, start, end, mock, method=method, **tuning)
            emit(
                bench=f"client-{method}",
                **results[method],
                **tuning,
                mock_workers=args.mock_workers,
                latency_s=args.latency,
                **machine(),
            )
        naive = run_naive(mock.url, tags[: args.naive_tags], start, end, mock, typical_rows)
        emit(bench="naive-typical", **naive, **machine())
        naive_fast = run_naive(mock.url, tags[: args.naive_tags], start, end, mock, fast_rows)
        emit(bench="naive-fast-decoder", **naive_fast, **machine())
        backfill = run_client(mock.url, tags[:100], end - timedelta(hours=args.backfill_hours), end, mock, **tuning)
        emit(bench="backfill", hours=args.backfill_hours, **backfill)
        best = max(results.values(), key=lambda r: r["values_per_s"])
        emit(
            bench="ratios",
            client_vs_naive=round(best["values_per_s"] / naive["values_per_s"], 1),
            client_vs_naive_fast_decoder=round(best["values_per_s"] / naive_fast["values_per_s"], 1),
            **{f"{m}_values_per_s": r["values_per_s"] for m, r in results.items()},
            peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        )


if __name__ == "__main__":
    main()
