"""Peak memory while reading 10,000 tags by one day: batches stream, history is never held whole.

Usage (from the repository root)::

    python -m bench.bench_client_memory [--tags 10000] [--hours 24] [--quick]

`--quick` reads one hour instead of a day (the plant's 10,000 tags hold ~16 million values an hour, so a full
day is ~400 million values and takes tens of minutes on 2 cores). The batches are counted and dropped, as a
sink that writes them would do. A sampler thread records this process's RSS every 50 ms. Prints one JSON line:
{"bench": "memory", "tags", "hours", "values", "seconds", "values_per_s", "peak_rss_mb", "requests", ...}.
"""

from __future__ import annotations

import argparse
import resource
import threading
import time
from datetime import timedelta

import psutil

from bench.bench_client_common import emit, machine, mock_process
from osipi_lakeflow.client import ClientConfig, PIWebAPI


def main() -> None:
    """Run the memory benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=10_000)
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--quick", action="store_true", help="one hour instead of --hours")
    parser.add_argument("--mock-workers", type=int, default=1)
    args = parser.parse_args()
    hours = 1.0 if args.quick else args.hours
    me = psutil.Process()
    peak = [me.memory_info().rss]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], me.memory_info().rss)

    with mock_process(tags=args.tags, workers=args.mock_workers) as mock:
        pi = PIWebAPI(mock.url, config=ClientConfig())
        tags = [p.webid for p in pi.points()]
        end = pi.server_time()
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        start_rss = me.memory_info().rss
        t0 = time.perf_counter()
        read = pi.recorded(tags, end - timedelta(hours=hours), end)
        values = 0
        for batch in read:
            values += batch.num_rows
        seconds = time.perf_counter() - t0
        done.set()
        sampler.join()
    emit(
        bench="memory",
        tags=len(tags),
        hours=hours,
        values=values,
        seconds=round(seconds, 1),
        values_per_s=round(values / seconds),
        requests=read.stats.requests,
        failures=len(read.failures),
        start_rss_mb=round(start_rss / 2**20),
        peak_rss_mb=round(peak[0] / 2**20),
        ru_maxrss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        **machine(),
    )


if __name__ == "__main__":
    main()
