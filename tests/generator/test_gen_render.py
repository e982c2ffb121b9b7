"""Rendering: schema-valid, contract-shaped, deterministic; scales to 1,000 partitions."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.jobs import MAX_TASKS_PER_JOB
from generator.plan import Tag
from generator.planner import plan_partitions
from generator.render import render_bundle
from generator.settings import BundleSettings
from generator.validate import validate_files
from osipi_lakeflow import contract, parsers
from tests.generator.conftest import make_bundle

BASE = {"pi_url": "https://pi.example.com/piwebapi", "af_database": "\\\\PIAF01\\Plant"}
SETTINGS = BundleSettings(BASE)
SINCE = "2026-11-01T00:00:00.000000Z"


def with_settings(**chosen: str) -> BundleSettings:
    return BundleSettings({**BASE, **chosen})


def tags(n: int) -> list[Tag]:
    return [Tag(f"F1DPW{i:06d}", f"TAG{i}", float(i % 97), SINCE) for i in range(n)]


def pipeline(files: dict[str, str], key: str) -> dict:
    return yaml.safe_load(files[f"resources/{key}.pipeline.yml"])["resources"]["pipelines"][key]


def job(files: dict[str, str], key: str) -> dict:
    return yaml.safe_load(files[f"resources/{key}.job.yml"])["resources"]["jobs"][key]


def test_timeseries_pipeline_carries_every_setting_of_its_kind_by_its_contract_key() -> None:
    files = render_bundle(plan_partitions(tags(5), 100), SETTINGS).files
    spec = pipeline(files, "osipi_timeseries_p0001")
    assert spec["serverless"] is True and spec["continuous"] is False
    assert (spec["catalog"], spec["schema"]) == ("${var.catalog}", "${var.schema}")
    assert spec["libraries"] == [{"file": {"path": "../pipelines/timeseries.py"}}]
    assert spec["environment"]["dependencies"] == ["../dist/*.whl"]
    assert spec["event_log"]["name"] == "osipi_event_log_timeseries_p0001"
    conf = spec["configuration"]
    expected = {s.conf_key for s in contract.settings_for("timeseries")} | {k.conf_key for k in contract.PARTITION_KEYS}
    assert set(conf) == expected
    assert conf["osipi.pi_url"] == "${var.pi_url}" and conf["osipi.late_window"] == "1h"
    assert conf["osipi.partition_id"] == "p0001"
    assert conf["osipi.tags"].split(",") == sorted(t.webid for t in tags(5))
    assert parsers.tag_starts(conf["osipi.tag_starts"]) == {t.webid: SINCE for t in tags(5)}


def test_af_and_event_frame_pipelines_carry_their_settings() -> None:
    files = render_bundle(plan_partitions(tags(5), 100), with_settings(event_frame_start=SINCE)).files
    af = pipeline(files, "osipi_af_hierarchy")["configuration"]
    ef = pipeline(files, "osipi_event_frames")["configuration"]
    assert af["osipi.af_database"] == ef["osipi.af_database"] == "${var.af_database}"
    assert ef["osipi.event_frame_start"] == SINCE
    assert "osipi.late_window" not in af and "osipi.tags" not in ef
    assert pipeline(files, "osipi_event_frames")["libraries"][0]["file"]["path"] == "../pipelines/event_frames.py"


def test_micro_batch_bounds_are_rendered_as_strings() -> None:
    s = with_settings(max_window="6h", max_values="50000")
    conf = pipeline(render_bundle(plan_partitions(tags(3), 10), s).files, "osipi_timeseries_p0001")["configuration"]
    assert (conf["osipi.max_window"], conf["osipi.max_values"]) == ("6h", "50000")


def test_continuous_mode_wraps_triggered_pipelines_in_a_continuous_job() -> None:
    files = render_bundle(plan_partitions(tags(30), 10), with_settings(ingestion_mode="continuous")).files
    assert pipeline(files, "osipi_timeseries_p0002")["continuous"] is False
    ingest = job(files, "osipi_ingest")
    assert [t["task_key"] for t in ingest["tasks"]] == ["af_hierarchy", "event_frames", "publish_views", "alarms"]
    live = job(files, "osipi_live")
    assert live["continuous"] == {"pause_status": "UNPAUSED"}
    assert [t["task_key"] for t in live["tasks"]] == ["timeseries_p0001", "timeseries_p0002", "timeseries_p0003"]
    assert not any("depends_on" in t for t in live["tasks"])  # continuous jobs take no task dependencies


def test_classic_compute_renders_clusters_and_the_wheel_as_a_library() -> None:
    spec = pipeline(render_bundle(plan_partitions(tags(3), 10), with_settings(serverless="false")).files,
                    "osipi_timeseries_p0001")  # fmt: skip
    assert spec["serverless"] is False and spec["clusters"][0]["label"] == "default"
    assert {"whl": "../dist/*.whl"} in spec["libraries"] and "environment" not in spec


def test_job_runs_partitions_in_lanes_then_publishes_the_view() -> None:
    files = render_bundle(plan_partitions(tags(50), 10), with_settings(max_parallel_pipelines="2")).files
    ingest = job(files, "osipi_ingest")
    tasks = {t["task_key"]: t for t in ingest["tasks"]}
    assert "depends_on" not in tasks["timeseries_p0002"]
    assert tasks["timeseries_p0003"]["depends_on"] == [{"task_key": "timeseries_p0001"}]
    assert tasks["timeseries_p0003"]["run_if"] == "ALL_DONE"
    publish = tasks["publish_views"]
    assert publish["depends_on"] == [{"task_key": "timeseries_p0004"}, {"task_key": "timeseries_p0005"}]
    assert publish["python_wheel_task"]["entry_point"] == "osipi-publish-views"
    assert publish["python_wheel_task"]["parameters"] == ["--catalog", "${var.catalog}", "--schema", "${var.schema}"]
    assert ingest["schedule"]["quartz_cron_expression"] == "${var.schedule}"


def test_alarms_run_after_the_kinds_whose_tables_they_read() -> None:
    for partitions in (0, 30):
        ingest = job(render_bundle(plan_partitions(tags(partitions), 10), SETTINGS).files, "osipi_ingest")
        alarms = ingest["tasks"][-1]
        assert alarms["task_key"] == "alarms" and alarms["run_if"] == "ALL_DONE"
        assert alarms["pipeline_task"]["pipeline_id"] == "${resources.pipelines.osipi_alarms.id}"
        # the time series end with the publish task, which runs after every partition and makes pi_timeseries
        assert alarms["depends_on"] == [{"task_key": k} for k in ("af_hierarchy", "event_frames", "publish_views")]


def test_databricks_yml_declares_the_contract_variables_and_two_side_by_side_targets() -> None:
    doc = yaml.safe_load(render_bundle(plan_partitions(tags(3), 10), SETTINGS).files["databricks.yml"])
    assert doc["bundle"]["name"] == "osipi_lakeflow" and doc["include"] == ["resources/*.yml"]
    assert set(doc["variables"]) == {s.name for s in contract.SETTINGS if s.variable}
    assert all(v["description"] for v in doc["variables"].values())
    assert doc["variables"]["af_database"]["default"] == "\\\\PIAF01\\Plant"
    assert "default" not in doc["variables"]["service_principal"]  # given at deploy time
    dev, prod = doc["targets"]["dev"], doc["targets"]["prod"]
    assert dev["mode"] == "development" and dev["default"] is True
    assert dev["variables"]["schema"] == "osipi_${workspace.current_user.short_name}"
    assert prod["mode"] == "production" and prod["workspace"]["root_path"].startswith("/Workspace/Shared/")
    assert prod["run_as"] == {"service_principal_name": "${var.service_principal}"}
    assert {p["level"] for p in prod["permissions"]} == {"CAN_MANAGE", "CAN_RUN"}
    assert doc["artifacts"]["osipi_lakeflow_wheel"]["type"] == "whl"


@settings(max_examples=15, deadline=None)
@given(
    n=st.integers(1, 400),
    cap=st.integers(1, 50),
    mode=st.sampled_from(["triggered", "continuous"]),
    catalog=st.from_regex(r"[a-z_][a-z0-9_]{0,10}", fullmatch=True),
    serverless=st.sampled_from(["true", "false"]),
)
def test_rendered_bundle_is_schema_valid_and_passes_every_check(
    tmp_path_factory: pytest.TempPathFactory, n: int, cap: int, mode: str, catalog: str, serverless: str
) -> None:
    root = make_bundle(tmp_path_factory.mktemp("b"))
    s = with_settings(catalog=catalog, ingestion_mode=mode, serverless=serverless)
    plan = plan_partitions(tags(n), cap)
    assert validate_files(root, render_bundle(plan, s).files, plan) == []


def test_a_plan_of_1000_partitions_renders_valid_and_splits_the_job(tmp_path: Path) -> None:
    root = make_bundle(tmp_path)
    plan = plan_partitions(tags(10_000), 10)
    files = render_bundle(plan, SETTINGS).files
    jobs = [yaml.safe_load(t)["resources"]["jobs"] for p, t in files.items() if p.endswith(".job.yml")]
    assert len(plan.partitions) == 1000 and len(jobs) == 3
    assert all(len(spec["tasks"]) <= MAX_TASKS_PER_JOB for job in jobs for spec in job.values())
    assert validate_files(root, files, plan) == []


def test_rendering_is_byte_identical_across_runs() -> None:
    plan = plan_partitions(tags(120), 50)
    assert render_bundle(plan, SETTINGS).files == render_bundle(plan_partitions(tags(120)[::-1], 50), SETTINGS).files
