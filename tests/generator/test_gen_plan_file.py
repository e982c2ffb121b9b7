"""The plan file: deterministic, sealed, and every kind of damage rejected with the way out."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import PlanFileError
from generator.plan import PLAN_FILE, Partition, Plan, Tag, dump_plan, parse_plan, read_plan
from generator.planner import plan_partitions


def sample_plan() -> Plan:
    tags = [Tag(f"F1DP{i:04d}", f'TAG "{i}" é', i * 1.5) for i in range(25)]
    return plan_partitions(tags, 10)


def test_plan_round_trips_exactly() -> None:
    plan = sample_plan()
    assert parse_plan(dump_plan(plan)) == plan


def test_plan_file_has_one_tag_per_line_for_readable_diffs() -> None:
    text = dump_plan(sample_plan()).decode()
    assert text.count("\n") > 25
    assert '["F1DP0003","TAG \\"3\\" é",4.5,""]' in text


def test_a_format_1_plan_is_read_with_empty_history_starts_and_no_settings() -> None:
    old = (
        b'{"format": 1, "tags_per_pipeline": 10, "next_partition": 2, "discovery": {}, '
        b'"partitions": [{"id": "p0001", "tags": [["F1DP0001", "A", 1.0]]}],\n'
    )
    seal = __import__("hashlib").sha256(old).hexdigest()
    plan = parse_plan(old + f'  "sha256": "{seal}"\n}}\n'.encode())
    assert plan.settings == {} and plan.partitions[0].tags == (Tag("F1DP0001", "A", 1.0, ""),)


def test_a_hand_edited_plan_is_rejected_with_the_fix() -> None:
    data = dump_plan(sample_plan()).replace(b'"tags_per_pipeline": 10', b'"tags_per_pipeline": 12')
    with pytest.raises(PlanFileError, match="edited by hand.*git checkout.*--rebalance"):
        parse_plan(data)


def test_a_truncated_plan_is_rejected_as_corrupted() -> None:
    data = dump_plan(sample_plan())
    with pytest.raises(PlanFileError, match="not valid JSON.*corrupted"):
        parse_plan(data[: len(data) // 2])


def test_a_plan_without_seal_is_rejected() -> None:
    with pytest.raises(PlanFileError, match="not an osipi plan"):
        parse_plan(b'{"partitions": []}')


def test_a_tag_in_two_partitions_is_rejected_even_with_a_valid_seal() -> None:
    tag = Tag("F1DP0001", "A", 1.0)
    forged = Plan(10, (Partition("p0001", (tag,)), Partition("p0002", (tag,))), 3)
    with pytest.raises(PlanFileError, match="in both p0001 and p0002"):
        parse_plan(dump_plan(forged))


def test_a_partition_over_its_cap_is_rejected() -> None:
    tags = tuple(Tag(f"W{i}", "n", 0.0) for i in range(3))
    with pytest.raises(PlanFileError, match="over its cap of 2"):
        parse_plan(dump_plan(Plan(2, (Partition("p0001", tags),), 2)))


def test_a_partition_id_at_or_above_next_partition_is_rejected() -> None:
    with pytest.raises(PlanFileError, match="not below next_partition"):
        parse_plan(dump_plan(Plan(2, (Partition("p0005", (Tag("W", "n", 0.0),)),), 3)))


def test_read_plan_returns_none_for_a_new_bundle(tmp_path: Path) -> None:
    assert read_plan(tmp_path) is None


def test_read_plan_names_the_file_in_errors(tmp_path: Path) -> None:
    (tmp_path / PLAN_FILE).write_bytes(b"{garbage")
    with pytest.raises(PlanFileError, match=str(tmp_path / PLAN_FILE).replace("\\", "\\\\")):
        read_plan(tmp_path)
