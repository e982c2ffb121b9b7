"""The operator notebook runs as a plain script against the mock, and its logic maps secrets without leaking."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.errors import PlanConfigError
from generator.notebook import EnvWidgets, build_request, credentials, next_step, read_widgets
from generator.plan import read_plan
from mock_server import MockSettings
from mock_server.testing import running_mock
from tests.generator.conftest import DB_PATH, make_bundle

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "regenerate_partitions.py"


class FakeSecrets:
    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.asked: list[tuple[str, str]] = []

    def get(self, scope: str, key: str) -> str:
        self.asked.append((scope, key))
        return self.values[key]


def test_credentials_come_from_the_auth_scope_by_the_contract_key_names() -> None:
    secrets = FakeSecrets({"pi-username": "u", "pi-password": "p"})
    env = credentials("basic", "osipi", secrets, {"PI_PASSWORD": "from-env", "PI_VERIFY_TLS": "true"})
    assert env == {"PI_AUTH": "basic", "PI_USERNAME": "u", "PI_PASSWORD": "p", "PI_VERIFY_TLS": "true"}
    assert secrets.asked == [("osipi", "pi-username"), ("osipi", "pi-password")]


def test_env_widgets_fall_back_to_their_defaults() -> None:
    values = read_widgets(EnvWidgets({"OSIPI_TARGET": "prod"}))
    assert values["target"] == "prod" and values["dry_run"] == "true" and values["auth_scope"] == ""


def test_notebook_runs_as_a_script_and_writes_the_bundle_without_printing_the_password(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path / "bundle")
    with running_mock(MockSettings(tags=60, seed=7, auth="basic")) as mock:  # the plan's default auth: basic
        env = {
            **os.environ,
            "OSIPI_BUNDLE": str(bundle),
            "OSIPI_PI_URL": mock.url,
            "OSIPI_AF_DATABASES": DB_PATH,
            "OSIPI_TAGS_PER_PIPELINE": "20",
            "OSIPI_DRY_RUN": "false",
            "PI_USERNAME": "piuser",
            "PI_PASSWORD": "pipassword",
        }
        done = subprocess.run(
            [sys.executable, str(NOTEBOOK)], env=env, capture_output=True, text=True, timeout=120, check=False
        )
    assert done.returncode == 0, done.stderr
    assert "tags added" in done.stdout and "databricks bundle deploy -t dev" in done.stdout
    assert "Deployments" in done.stdout  # the documented workspace deploy, never a CLI the cluster lacks
    assert "pipassword" not in done.stdout + done.stderr
    plan = read_plan(bundle)
    assert plan is not None and all(len(p.tags) <= 20 for p in plan.partitions)


def test_the_next_step_is_the_documented_workspace_deploy_and_nothing_is_run(tmp_path: Path, monkeypatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    marker = tmp_path / "ran"
    cli = bin_dir / "databricks"
    cli.write_text(f"#!/bin/sh\ntouch {marker}\n")
    cli.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    message = next_step(tmp_path, "prod")
    assert "Deployments" in message and "choose target 'prod'" in message
    assert f"cd {tmp_path} && databricks bundle deploy -t prod" in message
    assert not marker.exists()


def test_a_non_numeric_cap_widget_is_a_clear_error(tmp_path: Path) -> None:
    values = read_widgets(EnvWidgets({"OSIPI_TAGS_PER_PIPELINE": "lots"}))
    with pytest.raises(PlanConfigError, match="widget tags_per_pipeline must be a whole number, got 'lots'"):
        build_request(values, tmp_path)
