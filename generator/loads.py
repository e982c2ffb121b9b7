"""Estimate each tag's load (events per hour) for balancing, from a cheap sample of recent data.

Only tags without a known rate are sampled: on a daily regeneration that is just the new tags, so the run stays
fast and the plan stays byte-identical when nothing changed. A tag the sample cannot rate (an error, no data in
the window) gets the configured default rate. Batches are sampled by a few threads at once (the client's transport
is thread-safe), which matters at 100,000 tags.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from typing import Protocol

from rich.progress import Progress

from generator.plan import Tag

SAMPLE_BATCH = 500
SAMPLE_WORKERS = 4


class RateSource(Protocol):
    """The part of the PI Web API client load estimation needs."""

    def event_rates(self, tags: Sequence[str], window: str = "*-1h") -> dict[str, float]: ...  # noqa: D102


def estimate_loads(
    tags: Sequence[Tag],
    known: Mapping[str, float],
    pi: RateSource | None,
    default_rate: float,
    window: str = "*-1h",
    progress: Progress | None = None,
) -> list[Tag]:
    """`tags` with `events_per_hour` filled: known rates first, then sampled (if `pi`), else `default_rate`."""
    rates = {t.webid: known[t.webid] for t in tags if t.webid in known}
    todo = [t.webid for t in tags if t.webid not in rates]
    if pi is not None and todo:
        rates.update(_sample(pi, todo, window, progress))
    return [replace(t, events_per_hour=rates.get(t.webid, default_rate)) for t in tags]


def _sample(pi: RateSource, webids: list[str], window: str, progress: Progress | None) -> dict[str, float]:
    task = progress.add_task(f"sampling {window} of {len(webids)} tags", total=len(webids)) if progress else None
    batches = [webids[i : i + SAMPLE_BATCH] for i in range(0, len(webids), SAMPLE_BATCH)]
    rates: dict[str, float] = {}
    with ThreadPoolExecutor(max_workers=min(SAMPLE_WORKERS, len(batches)), thread_name_prefix="osipi-rate") as pool:
        futures = {pool.submit(pi.event_rates, batch, window=window): set(batch) for batch in batches}
        try:
            for future in as_completed(futures):
                asked = futures[future]
                sampled = future.result()
                rates.update({w: float(r) for w, r in sampled.items() if w in asked and r is not None and r >= 0})
                if progress and task is not None:
                    progress.advance(task, len(asked))
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)  # one failed batch fails the run: stop the rest
            raise
    return rates
