"""Bad input to `osipi`: one clear message, a non-zero exit, and nothing touched."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from mock_server import MockSettings
from mock_server.testing import free_port, running_mock


def test_unreachable_url_names_the_url_and_the_flag(tmp_path: Path, osipi):
    url = f"http://127.0.0.1:{free_port()}/piwebapi"
    done = osipi("run", "--pi-url", url, "--bundle", str(tmp_path), "--warehouse", str(tmp_path / "wh"))
    assert done.returncode == 2
    assert "cannot reach PI Web API" in done.stdout and url in done.stdout and "--pi-url" in done.stdout


def test_wrong_credentials_are_named_and_never_echoed(tmp_path: Path, osipi):
    secret = "Wr0ng-S3cret-value"
    settings = MockSettings(tags=20, auth="basic", username="pi-reader", password="right-password")
    with running_mock(settings) as mock:
        done = osipi(
            "run", "--pi-url", mock.url, "--bundle", str(tmp_path), "--warehouse", str(tmp_path / "wh"),
            env={"PI_USERNAME": "pi-reader", "PI_PASSWORD": secret},
        )  # fmt: skip
    assert done.returncode == 2
    assert "refused the credentials" in done.stdout and "PI_PASSWORD" in done.stdout
    assert secret not in done.stdout + done.stderr


@pytest.mark.parametrize("command", ["run", "demo"])
def test_parallel_below_one_is_refused_naming_the_flag(tmp_path: Path, osipi, command):
    done = osipi(command, "--parallel", "0", "--workdir" if command == "demo" else "--warehouse", str(tmp_path / "w"))
    assert done.returncode == 2
    assert "--parallel: must be at least 1, got 0" in done.stderr
    assert not (tmp_path / "w").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--live", "soon"], "--live: 'soon' is not a duration"),
        (["--live", "--pipelines", "osipi_af_hierarchy"], "--live keeps time-series pipelines running"),
    ],
    ids=["not-a-duration", "no-time-series-pipeline"],
)
def test_live_arguments_are_checked_before_anything_runs(tmp_path: Path, osipi, extra, message):
    url = f"http://127.0.0.1:{free_port()}/piwebapi"  # never called: the arguments are refused first
    done = osipi("run", "--pi-url", url, "--bundle", str(tmp_path), "--warehouse", str(tmp_path / "w"), *extra)
    assert done.returncode == 2
    assert message in done.stdout
    assert not (tmp_path / "w").exists()


def test_unwritable_warehouse_is_refused_before_anything_runs(tmp_path: Path, osipi):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = osipi("run", "--pi-url", "http://127.0.0.1:9/piwebapi", "--warehouse", str(blocker / "wh"))
    assert done.returncode == 2
    assert "not writable" in done.stdout and "--warehouse" in done.stdout


def test_mock_on_a_port_in_use_exits_2_with_the_fix(osipi):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = osipi("mock", "--port", str(port), "--tags", "10", timeout=60)
    assert done.returncode == 2
    assert "already in use" in done.stderr and "--port" in done.stderr


def test_run_without_a_plan_needs_an_af_database(tmp_path: Path, osipi):
    with running_mock(MockSettings(tags=20)) as mock:
        done = osipi("run", "--pi-url", mock.url, "--bundle", str(tmp_path), "--warehouse", str(tmp_path / "wh"))
    assert done.returncode == 2
    assert "--af-database" in done.stdout


@pytest.mark.parametrize("command", ["demo", "run", "status", "mock", "generate", "validate"])
def test_every_subcommand_is_listed(command, osipi):
    done = osipi("--help", timeout=60)
    assert done.returncode == 0 and command in done.stdout
