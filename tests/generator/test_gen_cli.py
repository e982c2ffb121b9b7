"""The command line: argument mapping and failures that need no server."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli import build_parser, main, request_from_args
from tests.generator.conftest import DB_PATH, snapshot

DEAD_URL = "http://127.0.0.1:9/piwebapi"  # never contacted: these runs fail before connecting


@pytest.mark.parametrize("cap", ["0", "-3"])
def test_a_cap_of_zero_or_less_exits_1_before_connecting(
    bundle: Path, cap: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(bundle)
    argv = [
        "generate",
        "--pi-url",
        DEAD_URL,
        "--af-database",
        DB_PATH,
        "--bundle",
        str(bundle),
        "--tags-per-pipeline",
        cap,
    ]
    assert main(argv, environ={}) == 1
    assert "pass --tags-per-pipeline N with N >= 1" in capsys.readouterr().err
    assert snapshot(bundle) == before


def test_a_url_with_credentials_is_refused_without_echoing_them(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "generate",
        "--pi-url",
        "https://bob:Hunter22@pi/piwebapi",
        "--af-database",
        DB_PATH,
        "--bundle",
        str(bundle),
    ]
    assert main(argv, environ={}) == 1
    err = capsys.readouterr().err
    assert "carries user:password@" in err and "Hunter22" not in err


def test_a_malformed_af_database_path_names_the_expected_form(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--pi-url", DEAD_URL, "--af-database", "Plant", "--bundle", str(bundle)], environ={}) == 1
    assert "is not an AF database path like \\\\AFSERVER\\Database" in capsys.readouterr().err


def test_flags_map_onto_the_request(tmp_path: Path) -> None:
    args = build_parser().parse_args(
        [
            "generate",
            "--pi-url",
            "https://pi/piwebapi",
            "--af-database",
            DB_PATH,
            "--af-database",
            "\\\\AF2\\DB",
            "--template",
            "Pump",
            "--exclude",
            "X*",
            "--catalog",
            "ot",
            "--ingestion-mode",
            "continuous",
            "--max-values",
            "5000",
            "--bundle",
            str(tmp_path),
            "--rebalance",
            "--no-sample",
        ]
    )
    req = request_from_args(args)
    assert req.discovery.af_databases == (DB_PATH, "\\\\AF2\\DB") and req.discovery.templates == ("Pump",)
    assert req.settings == {
        "catalog": "ot",
        "ingestion_mode": "continuous",
        "max_values": "5000",
        "pi_url": "https://pi/piwebapi",
    }
    assert req.rebalance and not req.sample_rates and req.bundle == tmp_path.resolve()


def test_an_unknown_ingestion_mode_is_refused_naming_the_setting_and_a_valid_value(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(bundle)
    argv = ["generate", "--pi-url", DEAD_URL, "--af-database", DB_PATH, "--bundle", str(bundle), "--ingestion-mode",
            "sometimes"]  # fmt: skip
    assert main(argv, environ={}) == 1
    err = capsys.readouterr().err
    assert "setting ingestion_mode (--ingestion-mode)" in err and "for example continuous" in err
    assert snapshot(bundle) == before


def test_package_exports_are_unique_and_importable() -> None:
    import generator

    assert len(set(generator.__all__)) == len(generator.__all__)
    assert all(hasattr(generator, name) for name in generator.__all__)
