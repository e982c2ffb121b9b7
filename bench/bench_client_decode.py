"""Decode throughput: PI Web API recorded JSON to Arrow record batches, on one core.

Usage (from the repository root)::

    python -m bench.bench_client_decode [--tags 100] [--hours 1] [--repeat 10]

Fetches real stream-set responses from a loopback mock once (numeric tags at 1 Hz, and a mix of every point
type), then times `orjson.loads` + `decode_streams` over the bytes, single-threaded. Prints one JSON line per
body, e.g. {"bench": "decode", "body": "numeric", "values": 360000, "seconds": 0.33, "values_per_s": 1090000}.
"""

from __future__ import annotations

import argparse
import time

import orjson
import requests

from bench.bench_client_common import emit, machine, mock_process
from osipi_lakeflow.client.decode import StreamValues, decode_streams
from osipi_lakeflow.client.fetch import STREAMSET_SELECTED


def decode_body(body: bytes) -> int:
    """Parse and decode one stream-set response; returns the number of values."""
    doc = orjson.loads(body)
    streams = [
        StreamValues(i["WebId"], i.get("Name"), i.get("UnitsAbbreviation"), i.get("Items") or []) for i in doc["Items"]
    ]
    return decode_streams(streams).batch.num_rows


def fetch_body(url: str, webids: list[str], hours: int) -> bytes:
    """One `streamsets/recorded` response, exactly as the client asks for it."""
    params = [("webId", w) for w in webids] + [
        ("startTime", f"*-{hours}h"),
        ("endTime", "*"),
        ("maxCount", str(150_000 // len(webids))),
        ("selectedFields", STREAMSET_SELECTED),
    ]
    response = requests.get(f"{url}/streamsets/recorded", params=params, timeout=120)
    response.raise_for_status()
    return response.content


def main() -> None:
    """Run the decode benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=100)
    parser.add_argument("--hours", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    with mock_process(tags=5000) as mock:
        points = requests.get(f"{mock.url}/dataservers", timeout=30).json()["Items"][0]["WebId"]
        listed = requests.get(
            f"{mock.url}/dataservers/{points}/points",
            params={"maxCount": 5000, "selectedFields": "Items.WebId;Items.Name;Items.PointType"},
            timeout=60,
        ).json()["Items"]
        numeric = [p["WebId"] for p in listed if p["PointType"] in ("Float32", "Float64")]
        bodies = {
            "numeric": fetch_body(mock.url, _at_1hz(mock.url, numeric, args.tags), args.hours),
            "mixed": fetch_body(mock.url, [p["WebId"] for p in listed[: args.tags]], args.hours),
        }
    for name, body in bodies.items():
        decode_body(body)  # warm up
        best = best_cpu = float("inf")
        values = 0
        for _ in range(args.repeat):
            start, cpu = time.perf_counter(), time.process_time()
            values = decode_body(body)
            best = min(best, time.perf_counter() - start)
            best_cpu = min(best_cpu, time.process_time() - cpu)
        emit(
            bench="decode",
            body=name,
            values=values,
            bytes=len(body),
            seconds=round(best, 4),
            values_per_s=round(values / best),
            values_per_cpu_s=round(values / best_cpu),
            **machine(),
        )


def _at_1hz(url: str, candidates: list[str], count: int) -> list[str]:
    """Tags that hold about 3,600 events an hour (1 Hz), judged from a ten-minute probe."""
    chosen: list[str] = []
    for offset in range(0, len(candidates), 200):
        params = [("webId", w) for w in candidates[offset : offset + 200]] + [
            ("startTime", "*-10m"),
            ("endTime", "*"),
            ("maxCount", "700"),
            ("selectedFields", "Items.WebId;Items.Items.Timestamp"),
        ]
        items = requests.get(f"{url}/streamsets/recorded", params=params, timeout=120).json()["Items"]
        chosen += [i["WebId"] for i in items if 500 <= len(i.get("Items") or []) <= 700]
        if len(chosen) >= count:
            break
    return chosen[:count]


if __name__ == "__main__":
    main()
