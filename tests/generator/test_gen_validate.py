"""Validation: each semantic check catches its problem, on disk and through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli import main
from generator.plan import PLAN_FILE, Tag, dump_plan
from generator.planner import plan_partitions
from generator.render import render_bundle
from generator.settings import BundleSettings
from generator.validate import validate_bundle, validate_files

SETTINGS = BundleSettings({"pi_url": "https://pi.example.com/piwebapi", "af_database": "\\\\PIAF01\\Plant"})
TS = "resources/osipi_timeseries_p0001.pipeline.yml"
SINCE = "2026-11-01T00:00:00.000000Z"


def plan():
    return plan_partitions([Tag(f"W{i}", f"T{i}", 1.0, SINCE) for i in range(30)], 10)


@pytest.fixture
def files() -> dict[str, str]:
    return dict(render_bundle(plan(), SETTINGS).files)


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_a_clean_rendering_has_no_problems(bundle: Path, files: dict[str, str]) -> None:
    assert validate_files(bundle, files) == []


def test_schema_violations_name_the_file_and_field(bundle: Path, files: dict[str, str]) -> None:
    files[TS] = files[TS].replace("serverless: true", "serverless: sometimes")
    assert validate_files(bundle, files) == [
        f"{TS}: resources/pipelines/osipi_timeseries_p0001/serverless: 'sometimes' is not of type 'boolean'"
    ]


def test_a_missing_schema_is_reported_and_semantic_checks_still_run(bundle: Path, files: dict[str, str]) -> None:
    files[TS] = files[TS].replace("${var.pi_url}", "${var.pi_base_url}")
    problems = validate_files(bundle, files, schema_path=bundle / "absent.json")
    assert any("bundle schema not found" in p and "semantic checks still ran" in p for p in problems)
    assert any("${var.pi_base_url} does not resolve" in p for p in problems)


def test_an_unknown_resource_reference_is_caught(bundle: Path, files: dict[str, str]) -> None:
    job = "resources/osipi_ingest.job.yml"
    files[job] = files[job].replace("osipi_timeseries_p0002.id", "osipi_timeseries_p0999.id")
    assert any(
        "${resources.pipelines.osipi_timeseries_p0999.id} does not resolve" in p for p in validate_files(bundle, files)
    )


def test_a_missing_pipeline_source_is_caught(bundle: Path, files: dict[str, str]) -> None:
    (bundle / "pipelines" / "event_frames.py").unlink()
    problems = validate_files(bundle, files)
    assert problems == [
        f"resources/osipi_event_frames.pipeline.yml: pipeline osipi_event_frames library "
        f"../pipelines/event_frames.py does not exist under {bundle}: add the source file"
    ]


def test_duplicate_pipeline_names_and_tables_are_caught(bundle: Path, files: dict[str, str]) -> None:
    files["resources/copy.pipeline.yml"] = files[TS].replace("osipi_timeseries_p0001:", "osipi_timeseries_copy:")
    problems = validate_files(bundle, files)
    assert any("table pi_timeseries_p0001 is written by 2 pipelines" in p for p in problems)
    assert any("event log table osipi_event_log_timeseries_p0001 is used 2 times" in p for p in problems)


def test_a_non_string_configuration_value_is_caught(bundle: Path, files: dict[str, str]) -> None:
    files[TS] = files[TS].replace('osipi.max_values: "5000000"', "osipi.max_values: 5")
    assert any("configuration osipi.max_values is int, not a string" in p for p in validate_files(bundle, files))


def test_an_unknown_configuration_key_is_caught(bundle: Path, files: dict[str, str]) -> None:
    files[TS] = files[TS].replace('osipi.partition_id: "p0001"', 'osipi.partition_id: "p0001"\n        osipi.x: "5"')
    assert any("configuration osipi.x is not a setting of osipi" in p for p in validate_files(bundle, files))


@pytest.mark.parametrize(
    ("key", "bad", "example"),
    [
        ("late_window", "1x", "2h"),
        ("late_window", "*-1h", "2h"),
        ("max_window", "banana", "6h"),
        ("max_values", "0", "1000000"),
    ],
)
def test_a_value_the_pipeline_would_refuse_is_refused_here_with_the_same_parser(
    bundle: Path, files: dict[str, str], key: str, bad: str, example: str
) -> None:
    lines = [line for line in files[TS].splitlines() if line.strip().startswith(f"osipi.{key}:")]
    files[TS] = files[TS].replace(lines[0], f'        osipi.{key}: "{bad}"')
    problems = validate_files(bundle, files)
    assert any(f"setting {key} (--{key.replace('_', '-')}, osipi.{key}" in p and f"for example {example}" in p
               for p in problems), problems  # fmt: skip


def test_a_credential_value_in_configuration_is_caught(bundle: Path, files: dict[str, str]) -> None:
    files[TS] = files[TS].replace(
        'osipi.partition_id: "p0001"', 'osipi.partition_id: "p0001"\n        osipi.password: "hunter2x"'
    )
    problems = validate_files(bundle, files)
    assert any("osipi.password looks like a credential value" in p for p in problems)
    assert not any("hunter2x" in p for p in problems)


def test_the_value_of_a_pi_secret_variable_anywhere_is_caught_without_echoing_it(
    bundle: Path, files: dict[str, str]
) -> None:
    files["databricks.yml"] += "# s3cr3t-value\n"
    problems = validate_files(bundle, files, environ={"PI_PASSWORD": "s3cr3t-value"})
    assert problems == [
        "databricks.yml: contains the value of $PI_PASSWORD: remove it; credentials live in the secret scope"
    ]


def test_a_url_with_credentials_is_caught(bundle: Path, files: dict[str, str]) -> None:
    files["databricks.yml"] = files["databricks.yml"].replace("https://pi.example.com", "https://bob:pw@pi.example.com")
    assert any("a URL carries user:password@" in p for p in validate_files(bundle, files))


def test_a_dev_schema_shared_by_every_developer_is_caught(bundle: Path, files: dict[str, str]) -> None:
    files["databricks.yml"] = files["databricks.yml"].replace('"osipi_${workspace.current_user.short_name}"', '"dev"')
    assert any("is shared by every developer" in p for p in validate_files(bundle, files))


def test_dev_and_prod_writing_one_schema_is_caught(bundle: Path, files: dict[str, str]) -> None:
    files["databricks.yml"] = files["databricks.yml"].replace(
        '"osipi_${workspace.current_user.short_name}"', '"osipi"'
    )
    problems = validate_files(bundle, files)
    assert any("dev and prod write the same schema" in p for p in problems)


def test_a_pipeline_with_a_fixed_schema_is_caught(bundle: Path, files: dict[str, str]) -> None:
    files[TS] = files[TS].replace('      schema: "${var.schema}"', '      schema: "osipi"', 1)
    assert any("targets would share it" in p for p in validate_files(bundle, files))


def test_prod_without_run_as_is_caught(bundle: Path, files: dict[str, str]) -> None:
    text = files["databricks.yml"]
    files["databricks.yml"] = text.replace(
        '    run_as:\n      service_principal_name: "${var.service_principal}"\n', ""
    )
    assert any("prod target has no run_as" in p for p in validate_files(bundle, files))


def test_an_editable_install_is_caught_the_wheel_is_the_only_library(bundle: Path, files: dict[str, str]) -> None:
    files[TS] = files[TS].replace('- "../dist/*.whl"', '- "--editable ${workspace.file_path}"')
    assert any("not only the product wheel" in p for p in validate_files(bundle, files))


def test_a_hand_edited_resource_is_caught_against_the_plan(bundle: Path, files: dict[str, str]) -> None:
    files[TS] = files[TS].replace('osipi.tags: "', 'osipi.tags: "EXTRA,')
    assert validate_files(bundle, files, plan()) == [
        f"{TS}: osipi.tags differ from partition p0001 in {PLAN_FILE}: "
        "regenerate with `osipi generate` (resources must never be edited by hand)"
    ]


def test_a_history_start_edited_by_hand_is_caught_against_the_plan(bundle: Path, files: dict[str, str]) -> None:
    files[TS] = files[TS].replace(SINCE, "2026-11-20T00:00:00.000000Z")
    assert any("differ from the history starts of partition p0001" in p for p in validate_files(bundle, files, plan()))


def test_validate_bundle_reports_a_damaged_plan(bundle: Path, files: dict[str, str]) -> None:
    write(bundle, files)
    (bundle / PLAN_FILE).write_bytes(b"{")
    assert "corrupted" in validate_bundle(bundle)[0]


def test_cli_validate_exits_0_on_a_valid_bundle(
    bundle: Path, files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    write(bundle, files)
    (bundle / PLAN_FILE).write_bytes(dump_plan(plan()))
    assert main(["validate", "--bundle", str(bundle)]) == 0
    assert "bundle is valid" in capsys.readouterr().out


def test_cli_validate_exits_1_and_lists_problems(
    bundle: Path, files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    write(bundle, files)
    (bundle / TS).unlink()
    (bundle / PLAN_FILE).write_bytes(dump_plan(plan()))
    assert main(["validate", "--bundle", str(bundle)]) == 1
    err = capsys.readouterr().err
    assert "plan partition p0001 has no resources/osipi_timeseries_p0001.pipeline.yml" in err
