"""The whole regeneration with an in-memory PI source: stable re-runs, and all-or-nothing on every failure."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.discover import DiscoverySpec
from generator.errors import DiscoveryError, NoTagsError, PlanConfigError, PlanFileError
from generator.plan import PLAN_FILE, read_plan
from generator.regenerate import RegenerateRequest, regenerate
from osipi_lakeflow.errors import PIConnectionError
from tests.generator.conftest import DB_PATH, FakePI, make_bundle, snapshot

URL = "https://pi.example.com/piwebapi"


def request(bundle: Path, **changes: object) -> RegenerateRequest:
    base = dict(bundle=bundle, discovery=DiscoverySpec((DB_PATH,)), settings={"pi_url": URL}, tags_per_pipeline=10)
    return RegenerateRequest(**{**base, **changes})


def test_first_run_writes_plan_and_resources(bundle: Path, fake_pi: FakePI) -> None:
    result = regenerate(request(bundle), fake_pi)
    assert result.written and len(result.diff.added) == 60
    assert read_plan(bundle) == result.plan
    assert sorted(p.name for p in (bundle / "resources").iterdir())[:3] == [
        "osipi_af_hierarchy.pipeline.yml",
        "osipi_alarms.pipeline.yml",
        "osipi_event_frames.pipeline.yml",
    ]
    assert len(list((bundle / "resources").glob("osipi_timeseries_p*.pipeline.yml"))) == 6


def test_a_shared_point_is_planned_once(bundle: Path, fake_pi: FakePI) -> None:
    plan = regenerate(request(bundle), fake_pi).plan
    assert plan.tag_count == 60 and "F1DP0000" in plan.assignment()


def test_second_run_with_the_same_inputs_changes_no_byte(bundle: Path, fake_pi: FakePI) -> None:
    regenerate(request(bundle), fake_pi)
    before = snapshot(bundle)
    result = regenerate(request(bundle, settings={}, tags_per_pipeline=None), fake_pi)
    assert not result.diff.changed
    assert snapshot(bundle) == before


def test_only_new_tags_are_sampled_on_a_rerun(bundle: Path) -> None:
    regenerate(request(bundle), FakePI(count=30))
    grown = FakePI(count=33)
    result = regenerate(request(bundle), grown)
    assert grown.rate_calls == [6]
    assert [t.name for t in result.diff.added][:2] == ["TAG.0030.FLOW", "TAG.0031.FLOW"]


def test_adding_elements_keeps_every_existing_tag_in_place(bundle: Path) -> None:
    before = regenerate(request(bundle), FakePI(count=30)).plan.assignment()
    after = regenerate(request(bundle), FakePI(count=45)).plan.assignment()
    assert all(after[w] == pid for w, pid in before.items())


def test_removed_tags_retire_emptied_partitions_and_their_files(bundle: Path) -> None:
    first = regenerate(request(bundle), FakePI(count=30)).plan
    gone = tuple(t.name for t in first.partitions[1].tags)
    result = regenerate(request(bundle, discovery=DiscoverySpec((DB_PATH,), exclude=gone)), FakePI(count=30))
    assert len(result.diff.removed) == 10 and result.diff.partitions_retired == ("p0002",)
    assert result.removed == (bundle / "resources" / "osipi_timeseries_p0002.pipeline.yml",)
    assert not result.removed[0].exists()
    assert "partitions retired: 1 (p0002)" in result.diff.summary()


def test_filters_select_by_template_attribute_and_point_type(bundle: Path, fake_pi: FakePI) -> None:
    spec = DiscoverySpec(
        (DB_PATH,), templates=("Valve",), attribute_names=("fl*",), point_types=("Float32",), exclude=("TAG.0001.*",)
    )
    plan = regenerate(request(bundle, discovery=spec, dry_run=True), fake_pi).plan
    names = sorted(t.name for p in plan.partitions for t in p.tags)
    assert names[:2] == ["TAG.0003.FLOW", "TAG.0005.FLOW"] and len(names) == 14


def test_points_by_name_filter_on_the_data_server_are_added(bundle: Path, fake_pi: FakePI) -> None:
    spec = DiscoverySpec((DB_PATH,), categories=("Rotating",), point_name_filters=("SINUSOID*",))
    plan = regenerate(request(bundle, discovery=spec, dry_run=True), fake_pi).plan
    assert plan.tag_count == 30 + 5


def test_dry_run_writes_nothing(bundle: Path, fake_pi: FakePI) -> None:
    before = snapshot(bundle)
    result = regenerate(request(bundle, dry_run=True), fake_pi)
    assert not result.written and snapshot(bundle) == before


def test_no_sample_uses_the_default_rate(bundle: Path, fake_pi: FakePI) -> None:
    plan = regenerate(request(bundle, sample_rates=False, default_rate=7.0, dry_run=True), fake_pi).plan
    assert fake_pi.rate_calls == [] and {t.events_per_hour for p in plan.partitions for t in p.tags} == {7.0}


@pytest.fixture
def generated(bundle: Path, fake_pi: FakePI) -> dict[str, bytes]:
    regenerate(request(bundle), fake_pi)
    return snapshot(bundle)


def test_filters_matching_nothing_fail_and_leave_the_bundle_untouched(
    bundle: Path, fake_pi: FakePI, generated: dict[str, bytes]
) -> None:
    with pytest.raises(NoTagsError, match=r"no tag matched \(.*templates=\['Compressor'\].*loosen the filters"):
        regenerate(request(bundle, discovery=DiscoverySpec((DB_PATH,), templates=("Compressor",))), fake_pi)
    assert snapshot(bundle) == generated


def test_a_missing_af_database_fails_and_leaves_the_bundle_untouched(
    bundle: Path, fake_pi: FakePI, generated: dict[str, bytes]
) -> None:
    with pytest.raises(DiscoveryError, match=r"not found on .*Check --af-database \\\\PIAF01\\Nope \(a path like"):
        regenerate(request(bundle, discovery=DiscoverySpec(("\\\\PIAF01\\Nope",))), fake_pi)
    assert snapshot(bundle) == generated


def test_an_unreachable_server_fails_and_leaves_the_bundle_untouched(
    bundle: Path, fake_pi: FakePI, generated: dict[str, bytes]
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PIConnectionError("connection refused")

    fake_pi.asset_database = refuse  # type: ignore[method-assign]
    with pytest.raises(DiscoveryError, match="cannot reach PI Web API at https://pi.example.com/piwebapi.*--pi-url"):
        regenerate(request(bundle), fake_pi)
    assert snapshot(bundle) == generated


@pytest.mark.parametrize("cap", [0, -1])
def test_a_cap_of_zero_or_less_fails_before_any_work(bundle: Path, cap: int, generated: dict[str, bytes]) -> None:
    pi = FakePI()
    with pytest.raises(PlanConfigError, match="at least 1"):
        regenerate(request(bundle, tags_per_pipeline=cap), pi)
    assert pi.rate_calls == [] and snapshot(bundle) == generated


def test_a_hand_edited_plan_fails_and_leaves_the_bundle_untouched(
    bundle: Path, fake_pi: FakePI, generated: dict[str, bytes]
) -> None:
    path = bundle / PLAN_FILE
    path.write_bytes(path.read_bytes().replace(b'"p0002"', b'"p0009"'))
    edited = snapshot(bundle)
    with pytest.raises(PlanFileError, match="edited by hand"):
        regenerate(request(bundle), fake_pi)
    assert snapshot(bundle) == edited


def test_rebalance_recovers_from_a_damaged_plan(bundle: Path, fake_pi: FakePI, generated: dict[str, bytes]) -> None:
    (bundle / PLAN_FILE).write_bytes(b"{not json")
    result = regenerate(request(bundle, rebalance=True), fake_pi)
    assert read_plan(bundle) == result.plan


def test_an_invalid_setting_fails_before_discovery(bundle: Path, generated: dict[str, bytes]) -> None:
    pi = FakePI()
    with pytest.raises(PlanConfigError, match=r"setting catalog \(--catalog\): 'my-cat' is not a name of letters"):
        regenerate(request(bundle, settings={"catalog": "my-cat"}), pi)
    assert snapshot(bundle) == generated


def test_settings_given_once_are_kept_by_later_runs(bundle: Path, fake_pi: FakePI) -> None:
    chosen = {"pi_url": URL, "ingestion_mode": "continuous", "catalog": "ot", "max_window": "6h", "channel": "PREVIEW",
              "max_values": "10000", "max_parallel_pipelines": "3"}  # fmt: skip
    regenerate(request(bundle, settings=chosen), fake_pi)
    before = snapshot(bundle)
    result = regenerate(request(bundle, settings={}, tags_per_pipeline=None), fake_pi)
    assert snapshot(bundle) == before and not result.diff.changed
    assert {k: result.plan.settings[k] for k in chosen} == chosen
    assert (bundle / "resources" / "osipi_live.job.yml").exists()


def test_every_tag_keeps_the_history_start_it_entered_with(bundle: Path) -> None:
    first = regenerate(request(bundle, settings={"pi_url": URL, "history_start": "*-2d"}), FakePI(count=30)).plan
    assert {t.since for p in first.partitions for t in p.tags} == {"2026-11-28T12:00:00.000000Z"}
    later = FakePI(count=33)
    later.server_time = lambda: datetime(2026, 12, 5, tzinfo=UTC)  # type: ignore[method-assign]
    grown = regenerate(request(bundle, settings={}), later).plan
    since = {t.webid: t.since for p in grown.partitions for t in p.tags}
    assert {since[t.webid] for p in first.partitions for t in p.tags} == {"2026-11-28T12:00:00.000000Z"}
    assert {since[w] for w in since if w not in first.assignment()} == {"2026-12-03T00:00:00.000000Z"}


def test_event_frame_start_is_fixed_to_an_absolute_time_once(bundle: Path, fake_pi: FakePI) -> None:
    plan = regenerate(request(bundle, settings={"pi_url": URL, "event_frame_start": "*-7d"}), fake_pi).plan
    assert plan.settings["event_frame_start"] == "2026-11-23T12:00:00.000000Z"


def test_a_missing_url_on_a_new_bundle_names_the_flag(bundle: Path, fake_pi: FakePI) -> None:
    with pytest.raises(PlanConfigError, match="missing --pi-url"):
        regenerate(request(bundle, settings={}), fake_pi)


def test_a_run_without_discovery_flags_repeats_the_recorded_discovery(bundle: Path, fake_pi: FakePI) -> None:
    spec = DiscoverySpec((DB_PATH,), templates=("Pump",))
    first = regenerate(request(bundle, discovery=spec), fake_pi).plan
    again = regenerate(request(bundle, discovery=DiscoverySpec(()), settings={}), fake_pi)
    assert not again.diff.changed and again.plan == first


def test_filters_without_a_source_are_rejected(bundle: Path, fake_pi: FakePI) -> None:
    with pytest.raises(DiscoveryError, match="without a source: add --af-database"):
        regenerate(request(bundle, discovery=DiscoverySpec((), templates=("Pump",))), fake_pi)


def test_a_negative_default_rate_is_a_config_error(bundle: Path, fake_pi: FakePI) -> None:
    with pytest.raises(PlanConfigError, match="--default-rate must be 0 or more"):
        regenerate(request(bundle, sample_rates=False, default_rate=-1.0), fake_pi)


def test_two_bundles_from_the_same_inputs_are_byte_identical(tmp_path: Path) -> None:
    first, second = make_bundle(tmp_path / "a"), make_bundle(tmp_path / "b")
    regenerate(request(first), FakePI(count=40))
    regenerate(request(second), FakePI(count=40))
    assert snapshot(first) == snapshot(second)


def test_a_failing_rate_sample_becomes_a_discovery_error(bundle: Path, fake_pi: FakePI) -> None:
    def refuse(tags: object, window: str = "*-1h") -> dict[str, float]:
        raise PIConnectionError("connection reset")

    fake_pi.event_rates = refuse  # type: ignore[method-assign]
    with pytest.raises(DiscoveryError, match="cannot reach PI Web API"):
        regenerate(request(bundle), fake_pi)
    assert not (bundle / "osipi.plan.json").exists()


def test_progress_bars_count_elements_points_and_samples(bundle: Path, fake_pi: FakePI) -> None:
    from rich.console import Console
    from rich.progress import Progress

    spec = DiscoverySpec((DB_PATH,), point_name_filters=("SINUSOID*",))
    with Progress(console=Console(file=io.StringIO())) as progress:
        regenerate(request(bundle, discovery=spec, dry_run=True), fake_pi, progress)
    done = {t.description: (t.completed, t.total) for t in progress.tasks}
    assert done[f"AF {DB_PATH}: attributes"] == (30, 30)
    assert done["points on PISRV01"] == (5, None)
    assert done["sampling *-1h of 65 tags"] == (65, 65)


def test_databricks_yml_is_output_only_a_broken_one_is_rewritten_from_the_plan(
    bundle: Path, fake_pi: FakePI, generated: dict[str, bytes]
) -> None:
    (bundle / "databricks.yml").write_text("variables: [unclosed\n")
    regenerate(request(bundle, settings={}), fake_pi)
    assert snapshot(bundle) == generated
