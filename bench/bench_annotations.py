"""Value annotations at known instants: a range of a stream per sub-request against a sub-request per instant.

Usage: python bench/bench_annotations.py [--tags 1900] [--minutes 70]

What `pi_annotations` does on every refresh, without Spark: the mock PI Web API in this process (clock frozen),
one recorded read of `--minutes` of every tag to find the annotated instants, then
`PIWebAPI.value_annotations_at` on them twice side by side, in one run: as built (a stream's instants within
`annotations.SPAN` share one filtered sub-request) and with `SPAN` set to zero (one sub-request per instant, as
before the ranges). Prints one JSON line per way: seconds, sub-requests sent, annotations read.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime, timedelta

import requests

from mock_server import MockSettings
from mock_server.testing import running_mock
from osipi_lakeflow.client import PIWebAPI, annotations

RECORDED = "batch:/streams/{webId}/recorded"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=1900)
    parser.add_argument("--minutes", type=int, default=70)
    args = parser.parse_args()
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with running_mock(MockSettings(tags=args.tags, seed=7, clock=now.isoformat())) as mock, PIWebAPI(mock.url) as pi:
        webids = [p.webid for p in pi.points()][: args.tags]
        instants = []
        for batch in pi.recorded(webids, now - timedelta(minutes=args.minutes), now):
            table = batch.to_pydict()
            rows = zip(table["tag_webid"], table["timestamp"], table["annotated"], strict=True)
            instants += [(webid, at) for webid, at, annotated in rows if annotated]
        built = annotations.SPAN
        for way, span in (("ranges", built), ("per instant", timedelta(0))):
            annotations.SPAN = span
            requests.post(f"{mock.root}/admin/stats/reset", timeout=10).raise_for_status()
            began = time.perf_counter()
            try:
                table, refused = pi.value_annotations_at(instants)
            finally:
                annotations.SPAN = built
            seconds = time.perf_counter() - began
            asked = requests.get(f"{mock.root}/admin/stats", timeout=10).json()["requests"].get(RECORDED, {})
            print(json.dumps({
                "bench": "annotations", "way": way, "tags": len(webids), "minutes": args.minutes,
                "instants": len(instants), "annotations": table.num_rows, "refused": len(refused),
                "sub_requests": sum(asked.values()), "seconds": round(seconds, 2),
            }), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
