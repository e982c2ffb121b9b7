"""Partition planner: at most N tags per pipeline, balanced by estimated load, stable across regenerations.

Two modes:

* **stable** (default, with a previous plan): every tag already planned keeps its partition; removed tags are
  dropped (a partition left empty is retired, its id never reused); new tags go, heaviest first, to the lightest
  partition that still has room, and only when every partition is full into new partitions.
* **fresh** (no previous plan, or `rebalance=True`): ceil(T / N) partitions filled by longest-processing-time
  first under the count cap, then improved by swaps between the heaviest and the lightest partition.

Ties are always broken by WebId, so the same inputs give the same plan.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Sequence
from dataclasses import replace

from generator.errors import PlanConfigError
from generator.plan import Partition, Plan, Tag, round_rate, sort_tags
from osipi_lakeflow.contract import partition_id

_SWAP_ROUNDS_PER_PARTITION = 4


def check_cap(tags_per_pipeline: int) -> None:
    """Reject a cap of zero or less before any work is done."""
    if not isinstance(tags_per_pipeline, int) or isinstance(tags_per_pipeline, bool) or tags_per_pipeline <= 0:
        raise PlanConfigError(
            f"tags per pipeline must be a whole number of at least 1, got {tags_per_pipeline!r}: "
            "pass --tags-per-pipeline N with N >= 1 (the default is 100)"
        )


def plan_partitions(
    tags: Sequence[Tag],
    tags_per_pipeline: int,
    previous: Plan | None = None,
    rebalance: bool = False,
    discovery: dict[str, list[str]] | None = None,
    settings: dict[str, str] | None = None,
) -> Plan:
    """Assign `tags` (unique WebIds) to partitions; see the module docstring for the two modes.

    `discovery` (the filters that found the tags) and `settings` (the user's chosen settings) are recorded in the
    plan so later runs can repeat them. Tags keep their `since` (history start) as given.

    Raises:
        PlanConfigError: the cap is below 1, or (stable mode) below the size of an existing partition.
    """
    check_cap(tags_per_pipeline)
    # rates are rounded here as in the file, so a plan read back equals the plan written
    by_webid = {t.webid: replace(t, events_per_hour=round_rate(t.events_per_hour)) for t in tags}
    if len(by_webid) != len(tags):
        raise PlanConfigError("the tag list holds the same WebId twice: deduplicate tags before planning")
    if previous is None or rebalance:
        plan = _fresh(by_webid, tags_per_pipeline)
    else:
        plan = _stable(by_webid, tags_per_pipeline, previous)
    return replace(plan, discovery=dict(discovery or {}), settings=dict(sorted((settings or {}).items())))


def _ordered_heaviest_first(tags: Sequence[Tag]) -> list[Tag]:
    return sorted(tags, key=lambda t: (-t.events_per_hour, t.webid))


def _fresh(by_webid: dict[str, Tag], cap: int) -> Plan:
    count = math.ceil(len(by_webid) / cap)
    groups = _balance(_ordered_heaviest_first(list(by_webid.values())), [[] for _ in range(count)], cap)
    parts = tuple(Partition(partition_id(i + 1), sort_tags(g)) for i, g in enumerate(groups))
    return Plan(cap, parts, count + 1)


def _stable(by_webid: dict[str, Tag], cap: int, previous: Plan) -> Plan:
    kept: list[tuple[str, list[Tag]]] = []
    for part in previous.partitions:
        # known tags keep their partition; the fresh estimate (if any) replaces the recorded one
        members = [by_webid[t.webid] for t in part.tags if t.webid in by_webid]
        if members:
            kept.append((part.id, members))
    biggest = max((len(m) for _, m in kept), default=0)
    if biggest > cap:
        raise PlanConfigError(
            f"tags per pipeline {cap} is below the largest existing partition ({biggest} tags): keep N >= {biggest} "
            "to keep every tag in its pipeline, or pass --rebalance to re-split (re-ingests history)"
        )
    planned = {t.webid for _, members in kept for t in members}
    new = _ordered_heaviest_first([t for w, t in by_webid.items() if w not in planned])
    groups = [members for _, members in kept]
    ids = [pid for pid, _ in kept]
    remaining = _fill_room(new, groups, cap)
    next_number = previous.next_partition
    if remaining:
        count = math.ceil(len(remaining) / cap)
        groups += _balance(remaining, [[] for _ in range(count)], cap)
        ids += [partition_id(next_number + i) for i in range(count)]
        next_number += count
    parts = tuple(Partition(pid, sort_tags(g)) for pid, g in zip(ids, groups, strict=True))
    return Plan(cap, parts, next_number)


def _fill_room(new: list[Tag], groups: list[list[Tag]], cap: int) -> list[Tag]:
    """Place new tags (heaviest first) into the lightest group with room; return those that did not fit."""
    heap = [(sum(t.events_per_hour for t in g), i) for i, g in enumerate(groups) if len(g) < cap]
    heapq.heapify(heap)
    placed = 0
    for tag in new:
        if not heap:
            break
        load, i = heapq.heappop(heap)
        groups[i].append(tag)
        placed += 1
        if len(groups[i]) < cap:
            heapq.heappush(heap, (load + tag.events_per_hour, i))
    return new[placed:]


def _balance(heaviest_first: list[Tag], groups: list[list[Tag]], cap: int) -> list[list[Tag]]:
    """Longest-processing-time-first under a count cap, then heaviest/lightest swaps."""
    heap = [(0.0, 0, i) for i in range(len(groups))]
    heapq.heapify(heap)
    for tag in heaviest_first:
        load, size, i = heapq.heappop(heap)
        groups[i].append(tag)
        if size + 1 < cap:
            heapq.heappush(heap, (load + tag.events_per_hour, size + 1, i))
    _improve(groups, cap)
    return groups


def _improve(groups: list[list[Tag]], cap: int) -> None:
    """Move or swap one tag at a time between the heaviest and the lightest group while that lowers the maximum."""
    if len(groups) < 2:
        return
    loads = [sum(t.events_per_hour for t in g) for g in groups]
    for _ in range(_SWAP_ROUNDS_PER_PARTITION * len(groups)):
        hi = max(range(len(groups)), key=lambda i: (loads[i], -i))
        lo = min(range(len(groups)), key=lambda i: (loads[i], i))
        gap = loads[hi] - loads[lo]
        if gap <= 0:
            return
        best = _best_exchange(groups[hi], groups[lo], gap, room=len(groups[lo]) < cap)
        if best is None:
            return
        a, b = best
        groups[hi].remove(a)
        groups[lo].append(a)
        delta = a.events_per_hour
        if b is not None:
            groups[lo].remove(b)
            groups[hi].append(b)
            delta -= b.events_per_hour
        loads[hi] -= delta
        loads[lo] += delta


def _best_exchange(heavy: list[Tag], light: list[Tag], gap: float, room: bool) -> tuple[Tag, Tag | None] | None:
    """The move (a, None) or swap (a, b) whose load shift is closest to gap/2 and strictly inside (0, gap)."""
    target = gap / 2
    light_sorted = sorted(light, key=lambda t: (t.events_per_hour, t.webid))
    light_loads = [t.events_per_hour for t in light_sorted]
    best: tuple[float, tuple[Tag, Tag | None]] | None = None
    for a in sorted(heavy, key=lambda t: t.webid):
        candidates: list[tuple[float, Tag | None]] = []
        if room:
            candidates.append((a.events_per_hour, None))
        j = bisect.bisect_left(light_loads, a.events_per_hour - target)
        for k in (j - 1, j):
            if 0 <= k < len(light_sorted):
                candidates.append((a.events_per_hour - light_loads[k], light_sorted[k]))
        for shift, b in candidates:
            if 0 < shift < gap:
                score = abs(shift - target)
                if best is None or score < best[0]:
                    best = (score, (a, b))
    return None if best is None else best[1]
