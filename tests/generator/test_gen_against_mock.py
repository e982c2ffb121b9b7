"""The generator end to end over real HTTP: the real client against the mock PI Web API on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.cli import main
from generator.plan import read_plan
from generator.validate import validate_bundle
from mock_server import MockSettings
from mock_server.testing import free_port, running_mock
from tests.generator.conftest import DB_PATH, make_bundle, snapshot


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with running_mock(MockSettings(tags=600, seed=7)) as mock:
        yield mock.url


def generate(bundle: Path, url: str, *extra: str, env: dict[str, str] | None = None) -> int:
    return main(
        [
            "generate",
            "--pi-url",
            url,
            "--af-database",
            DB_PATH,
            "--bundle",
            str(bundle),
            "--quiet",
            "--tags-per-pipeline",
            "50",
            *extra,
        ],
        environ=env or {},
    )


def test_generate_discovers_plans_and_writes_a_valid_bundle(
    tmp_path: Path, mock_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = make_bundle(tmp_path)
    assert generate(bundle, mock_url, "--no-sample") == 0
    plan = read_plan(bundle)
    assert plan is not None and plan.tag_count > 400
    assert all(len(p.tags) <= 50 for p in plan.partitions)
    assert validate_bundle(bundle) == []
    assert f"tags added: {plan.tag_count}" in capsys.readouterr().out


def test_rates_sampled_from_the_mock_balance_the_plan(tmp_path: Path, mock_url: str) -> None:
    bundle = make_bundle(tmp_path)
    assert generate(bundle, mock_url, "--sample-window", "*-2m", "--template", "Pump") == 0
    plan = read_plan(bundle)
    rates = [t.events_per_hour for p in plan.partitions for t in p.tags]
    assert len(set(rates)) > 10 and plan.imbalance() <= 1.10


def test_a_second_run_changes_nothing(tmp_path: Path, mock_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = make_bundle(tmp_path)
    assert generate(bundle, mock_url, "--no-sample") == 0
    before = snapshot(bundle)
    assert main(["generate", "--bundle", str(bundle), "--quiet", "--no-sample"], environ={}) == 0
    assert snapshot(bundle) == before
    assert "no change: every tag stays in its partition" in capsys.readouterr().out


def test_an_unreachable_server_exits_1_naming_the_url_and_leaves_the_bundle(
    tmp_path: Path, mock_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = make_bundle(tmp_path)
    assert generate(bundle, mock_url, "--no-sample") == 0
    before = snapshot(bundle)
    dead = f"http://127.0.0.1:{free_port()}/piwebapi"
    assert generate(bundle, dead, "--retries", "0") == 1
    assert f"cannot reach PI Web API at {dead}" in capsys.readouterr().err
    assert snapshot(bundle) == before


def test_an_unknown_af_database_exits_1_and_lists_the_real_ones(
    tmp_path: Path, mock_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = make_bundle(tmp_path)
    assert (
        main(
            ["generate", "--pi-url", mock_url, "--af-database", "\\\\PIAF01\\Nope", "--bundle", str(bundle), "--quiet"],
            environ={},
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "\\\\PIAF01\\Plant" in err and "Check --af-database" in err
    assert not (bundle / "databricks.yml").exists()


def test_filters_matching_nothing_exit_1(tmp_path: Path, mock_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = make_bundle(tmp_path)
    assert generate(bundle, mock_url, "--template", "NoSuchTemplate") == 1
    assert "no tag matched" in capsys.readouterr().err


def test_refused_credentials_are_named_without_echoing_the_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = make_bundle(tmp_path)
    with running_mock(MockSettings(tags=50, seed=7, auth="basic")) as mock:
        env = {"PI_USERNAME": "piuser", "PI_PASSWORD": "wrong-Pa55word"}
        assert generate(bundle, mock.url, "--no-sample", env=env) == 1
        err = capsys.readouterr().err
        assert "refused the credentials" in err and "wrong-Pa55word" not in err
        good = {"PI_USERNAME": "piuser", "PI_PASSWORD": "pipassword"}
        assert generate(bundle, mock.url, "--no-sample", env=good) == 0
    assert "pipassword" not in "".join(p.read_text() for p in bundle.rglob("*.yml"))
