"""Partition planner: cap, stability, balance, determinism (property tests, no network)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import PlanConfigError
from generator.plan import Tag, dump_plan
from generator.planner import plan_partitions


def make_tags(n: int, seed: int = 0, low: float = 1.0, high: float = 100.0, prefix: str = "F1DP") -> list[Tag]:
    rng = random.Random(seed)
    return [Tag(f"{prefix}{i:06d}", f"TAG{i:06d}", rng.uniform(low, high)) for i in range(n)]


tag_lists = st.lists(
    st.tuples(st.integers(0, 5000), st.floats(0, 3600, allow_nan=False)),
    min_size=1,
    max_size=400,
    unique_by=lambda x: x[0],
).map(lambda xs: [Tag(f"W{i:05d}", f"N{i}", r) for i, r in xs])


@pytest.mark.parametrize("cap", [0, -5])
def test_cap_of_zero_or_less_is_rejected_with_the_fix(cap: int) -> None:
    with pytest.raises(PlanConfigError, match="--tags-per-pipeline N with N >= 1"):
        plan_partitions(make_tags(3), cap)


def test_duplicate_webids_are_rejected() -> None:
    tags = make_tags(3)
    with pytest.raises(PlanConfigError, match="same WebId twice"):
        plan_partitions([*tags, tags[0]], 10)


@settings(max_examples=60, deadline=None)
@given(tags=tag_lists, cap=st.integers(1, 40))
def test_every_tag_is_planned_once_and_no_partition_exceeds_the_cap(tags: list[Tag], cap: int) -> None:
    plan = plan_partitions(tags, cap)
    assert sorted(plan.assignment()) == sorted(t.webid for t in tags)
    assert all(1 <= len(p.tags) <= cap for p in plan.partitions)
    assert len(plan.partitions) == -(-len(tags) // cap)


@settings(max_examples=60, deadline=None)
@given(tags=tag_lists, cap=st.integers(1, 40), data=st.data())
def test_adding_and_removing_tags_never_moves_an_existing_tag(tags: list[Tag], cap: int, data: st.DataObject) -> None:
    first = plan_partitions(tags, cap)
    keep = data.draw(st.lists(st.sampled_from(tags), unique=True)) if tags else []
    added = [Tag(f"X{i:05d}", f"NEW{i}", float(i % 7)) for i in range(data.draw(st.integers(0, 120)))]
    second = plan_partitions(keep + added, cap, previous=first)
    before, after = first.assignment(), second.assignment()
    assert all(after[t.webid] == before[t.webid] for t in keep)
    assert set(after) == {t.webid for t in keep + added}
    assert all(len(p.tags) <= cap for p in second.partitions)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), parts=st.integers(2, 30), per=st.integers(10, 60), slack=st.integers(0, 9))
def test_fresh_plan_heaviest_partition_is_within_10_percent_of_the_mean(
    seed: int, parts: int, per: int, slack: int
) -> None:
    # "where tags allow": each tag is small next to a partition's load (per >= 10 tags of comparable size)
    tags = make_tags(parts * per - slack, seed, low=1.0, high=10.0)
    plan = plan_partitions(tags, per)
    assert plan.imbalance() <= 1.10


def test_one_dominant_tag_gets_the_lightest_company() -> None:
    tags = [Tag("BIG", "BIG", 10_000.0), *make_tags(199, 1, 1.0, 2.0)]
    plan = plan_partitions(tags, 100)
    big = next(p for p in plan.partitions if any(t.webid == "BIG" for t in p.tags))
    other = next(p for p in plan.partitions if p is not big)
    assert len(other.tags) == 100  # the cap binds, so the rest go to the other partition


@settings(max_examples=30, deadline=None)
@given(tags=tag_lists, cap=st.integers(1, 40), seed=st.integers(0, 1000))
def test_same_inputs_in_any_order_give_byte_identical_plans(tags: list[Tag], cap: int, seed: int) -> None:
    shuffled = list(tags)
    random.Random(seed).shuffle(shuffled)
    assert dump_plan(plan_partitions(tags, cap)) == dump_plan(plan_partitions(shuffled, cap))


def test_new_tags_fill_room_before_new_partitions_are_created() -> None:
    first = plan_partitions(make_tags(150), 100)  # two partitions of 75
    second = plan_partitions(make_tags(150) + make_tags(40, prefix="F1DZ"), 100, previous=first)
    assert [p.id for p in second.partitions] == ["p0001", "p0002"]
    assert [len(p.tags) for p in second.partitions] == [95, 95]


def test_when_all_partitions_are_full_new_tags_open_new_partitions() -> None:
    first = plan_partitions(make_tags(200), 100)
    second = plan_partitions(make_tags(200) + make_tags(150, prefix="F1DZ"), 100, previous=first)
    assert [p.id for p in second.partitions] == ["p0001", "p0002", "p0003", "p0004"]
    assert {len(p.tags) for p in second.partitions[2:]} == {75}


def test_an_emptied_partition_is_retired_and_its_id_never_reused() -> None:
    tags = make_tags(30)
    first = plan_partitions(tags, 10)
    gone = {t.webid for t in first.partitions[1].tags}
    second = plan_partitions([t for t in tags if t.webid not in gone], 10, previous=first)
    third = plan_partitions([t for t in tags if t.webid not in gone] + make_tags(10, prefix="F1DZ"), 10, second)
    assert [p.id for p in second.partitions] == ["p0001", "p0003"]
    assert [p.id for p in third.partitions] == ["p0001", "p0003", "p0004"]


def test_lowering_the_cap_below_an_existing_partition_names_both_ways_out() -> None:
    first = plan_partitions(make_tags(100), 100)
    with pytest.raises(PlanConfigError, match="keep N >= 100.*--rebalance"):
        plan_partitions(make_tags(100), 50, previous=first)


def test_rebalance_rewrites_the_plan_under_the_new_cap() -> None:
    first = plan_partitions(make_tags(100), 100)
    second = plan_partitions(make_tags(100), 50, previous=first, rebalance=True)
    assert [len(p.tags) for p in second.partitions] == [50, 50]


def test_stable_mode_places_a_heavy_new_tag_in_the_lightest_partition_with_room() -> None:
    tags = [Tag(f"A{i}", f"A{i}", 100.0) for i in range(9)] + [Tag(f"B{i}", f"B{i}", 1.0) for i in range(9)]
    first = plan_partitions(tags, 10)
    assert len({p.load for p in first.partitions}) == 2
    lightest = min((p for p in first.partitions if len(p.tags) < 10), key=lambda p: p.load)
    second = plan_partitions([*tags, Tag("HEAVY", "HEAVY", 500.0)], 10, previous=first)
    assert second.assignment()["HEAVY"] == lightest.id
