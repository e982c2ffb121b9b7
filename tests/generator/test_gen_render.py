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
from tests.generator.conftest import make_bundle

SETTINGS = BundleSettings("https://pi.example.com/piwebapi", "\\\\PIAF01\\Plant")
AUTH_KEYS = {
    "osipi.pi_url": "${var.pi_web_api_url}",
    "osipi.auth.method": "${var.pi_auth_method}",
    "osipi.auth.secret_scope": "${var.pi_secret_scope}",
    "osipi.auth.username_key": "pi-username",
    "osipi.auth.password_key": "pi-password",
    "osipi.auth.token_key": "pi-bearer-token",
    "osipi.auth.client_id_key": "pi-oidc-client-id",
    "osipi.auth.client_secret_key": "pi-oidc-client-secret",
}


def tags(n: int) -> list[Tag]:
    return [Tag(f"F1DPW{i:06d}", f"TAG{i}", float(i % 97)) for i in range(n)]


def pipeline(files: dict[str, str], key: str) -> dict:
    return yaml.safe_load(files[f"resources/{key}.pipeline.yml"])["resources"]["pipelines"][key]


def test_timeseries_pipeline_follows_the_contract() -> None:
    files = render_bundle(plan_partitions(tags(5), 100), SETTINGS).files
    spec = pipeline(files, "osipi_timeseries_p0001")
    assert spec["serverless"] is True and spec["continuous"] is False
    assert (spec["catalog"], spec["schema"]) == ("${var.catalog}", "${var.schema}")
    assert spec["libraries"] == [{"file": {"path": "../pipelines/timeseries.py"}}]
    assert spec["environment"]["dependencies"] == ["--editable ${workspace.file_path}"]
    assert spec["event_log"]["name"] == "osipi_event_log_timeseries_p0001"
    conf = spec["configuration"]
    assert {k: conf[k] for k in AUTH_KEYS} == AUTH_KEYS
    assert conf["osipi.partition_id"] == "p0001"
    assert conf["osipi.tags"].split(",") == sorted(t.webid for t in tags(5))
    assert (conf["osipi.start"], conf["osipi.late_window"]) == ("${var.history_start}", "${var.late_window}")
    assert "osipi.max_values" not in conf


def test_af_and_event_frame_pipelines_carry_their_settings() -> None:
    files = render_bundle(plan_partitions(tags(5), 100), SETTINGS).files
    af = pipeline(files, "osipi_af_hierarchy")["configuration"]
    ef = pipeline(files, "osipi_event_frames")["configuration"]
    assert af["osipi.af_database"] == ef["osipi.af_database"] == "${var.af_database}"
    assert ef["osipi.event_frame_start"] == "${var.event_frame_start}"
    assert pipeline(files, "osipi_event_frames")["libraries"][0]["file"]["path"] == "../pipelines/event_frames.py"


def test_micro_batch_bounds_are_rendered_as_strings() -> None:
    s = BundleSettings("https://pi/piwebapi", "\\\\A\\B", max_window="1d", max_values=50_000)
    conf = pipeline(render_bundle(plan_partitions(tags(3), 10), s).files, "osipi_timeseries_p0001")["configuration"]
    assert (conf["osipi.max_window"], conf["osipi.max_values"]) == ("1d", "50000")


def test_continuous_mode_renders_continuous_pipelines_and_a_job_without_them() -> None:
    s = BundleSettings("https://pi/piwebapi", "\\\\A\\B", ingestion_mode="continuous")
    files = render_bundle(plan_partitions(tags(30), 10), s).files
    assert pipeline(files, "osipi_timeseries_p0002")["continuous"] is True
    assert pipeline(files, "osipi_af_hierarchy")["continuous"] is False
    job = yaml.safe_load(files["resources/osipi_ingest.job.yml"])["resources"]["jobs"]["osipi_ingest"]
    assert [t["task_key"] for t in job["tasks"]] == ["af_hierarchy", "event_frames", "publish_views"]


def test_job_runs_partitions_in_lanes_then_publishes_the_view() -> None:
    s = BundleSettings("https://pi/piwebapi", "\\\\A\\B", max_parallel_pipelines=2)
    files = render_bundle(plan_partitions(tags(50), 10), s).files
    job = yaml.safe_load(files["resources/osipi_ingest.job.yml"])["resources"]["jobs"]["osipi_ingest"]
    tasks = {t["task_key"]: t for t in job["tasks"]}
    assert "depends_on" not in tasks["timeseries_p0002"]
    assert tasks["timeseries_p0003"]["depends_on"] == [{"task_key": "timeseries_p0001"}]
    assert tasks["timeseries_p0003"]["run_if"] == "ALL_DONE"
    publish = tasks["publish_views"]
    assert publish["depends_on"] == [{"task_key": "timeseries_p0004"}, {"task_key": "timeseries_p0005"}]
    assert publish["python_wheel_task"]["entry_point"] == "osipi-publish-views"
    assert publish["python_wheel_task"]["parameters"][-1] == ",".join(f"pi_timeseries_p000{i}" for i in range(1, 6))
    assert job["schedule"]["quartz_cron_expression"] == "${var.schedule}"


def test_databricks_yml_declares_the_contract_variables_and_targets() -> None:
    doc = yaml.safe_load(render_bundle(plan_partitions(tags(3), 10), SETTINGS).files["databricks.yml"])
    assert doc["bundle"]["name"] == "osipi_lakeflow" and doc["include"] == ["resources/*.yml"]
    expected = {
        "pi_web_api_url",
        "catalog",
        "schema",
        "pi_secret_scope",
        "pi_auth_method",
        "af_database",
        "tags_per_pipeline",
        "ingestion_mode",
        "schedule",
        "history_start",
        "late_window",
        "event_frame_start",
    }
    assert set(doc["variables"]) == expected
    assert all(v["description"] for v in doc["variables"].values())
    assert doc["variables"]["tags_per_pipeline"]["default"] == 10
    assert doc["variables"]["af_database"]["default"] == "\\\\PIAF01\\Plant"
    assert doc["targets"]["dev"] == {"mode": "development", "default": True}
    assert doc["targets"]["prod"]["mode"] == "production" and doc["targets"]["prod"]["workspace"]["root_path"]
    assert doc["artifacts"]["osipi_lakeflow_wheel"]["type"] == "whl"


@settings(max_examples=15, deadline=None)
@given(
    n=st.integers(1, 400),
    cap=st.integers(1, 50),
    mode=st.sampled_from(["triggered", "continuous"]),
    catalog=st.from_regex(r"[a-z_][a-z0-9_]{0,10}", fullmatch=True),
)
def test_rendered_bundle_is_schema_valid_and_passes_every_check(
    tmp_path_factory: pytest.TempPathFactory, n: int, cap: int, mode: str, catalog: str
) -> None:
    root = make_bundle(tmp_path_factory.mktemp("b"))
    s = BundleSettings("https://pi/piwebapi", "\\\\A\\B", catalog=catalog, ingestion_mode=mode)
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
