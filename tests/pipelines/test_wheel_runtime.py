"""The product wheel is all a pipeline needs: a clean environment holding only the wheel and pyspark runs the
pipeline sources (time series, AF hierarchy, event frames, then alarms, which reads their tables) against the mock.

This is what serverless installs from the pipelines' `environment.dependencies`: the wheel with its runtime
dependencies, nothing of the application (generator, mock server, CLI) or of the tests.
"""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from pipeline_truth import T0

from generator.cli import main as generate
from mock_server import MockSettings
from mock_server.testing import running_mock
from osipi_app.local import list_tables, run_pipelines

pytestmark = pytest.mark.spark

REPO = Path(__file__).resolve().parents[2]
APPLICATION_ONLY = ("jinja2", "jsonschema", "fastapi", "uvicorn", "rich", "pydantic", "regex", "pytest", "hypothesis")
"""Modules of the application and the tests: none may be importable where the pipelines run."""


def _pinned(name: str) -> str:
    """The requirement of a package at the version this environment has (pip's cache then serves it)."""
    return f"{name}=={metadata.version(name)}"


@pytest.fixture(scope="module")
def clean_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A new virtual environment with the built wheel and pyspark (with its `pipelines` extra) only."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(work / "dist"), str(REPO)],
        check=True, timeout=600,
    )  # fmt: skip
    (wheel,) = (work / "dist").glob("osipi_lakeflow-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True, timeout=300)
    python = str(work / "venv" / "bin" / "python")
    pins = ("pandas", "grpcio", "grpcio-status", "googleapis-common-protos", "zstandard", "pyyaml")
    spark = [f"pyspark[pipelines]=={metadata.version('pyspark')}", *map(_pinned, pins)]
    subprocess.run([python, "-m", "pip", "install", "--quiet", str(wheel), *spark], check=True, timeout=1200)
    return python


def test_the_clean_environment_lacks_every_application_dependency(clean_python: str) -> None:
    for module in APPLICATION_ONLY:
        done = subprocess.run([clean_python, "-c", f"import {module}"], capture_output=True, timeout=120)
        assert done.returncode != 0, f"{module} is importable next to the wheel"


def test_every_pipeline_source_runs_on_the_wheel_alone(clean_python: str, tmp_path: Path) -> None:
    bundle, warehouse = tmp_path / "bundle", tmp_path / "warehouse"
    bundle.mkdir()
    (bundle / "pipelines").symlink_to(REPO / "pipelines")
    with running_mock(MockSettings(tags=12, seed=4, clock=T0.isoformat())) as mock:
        argv = ["generate", "--pi-url", mock.url, "--af-database", "\\\\PIAF01\\Plant", "--bundle", str(bundle),
                "--tags-per-pipeline", "20", "--history-start", "*-1h", "--auth-method", "anonymous", "--no-sample",
                "--quiet"]  # fmt: skip
        assert generate(argv, environ={}) == 0
        variables = {"pi_url": mock.url}
        results = run_pipelines(bundle, warehouse, variables=variables, env={}, timeout=900, python=clean_python)
    assert results and all(r.ok for r in results), [(r.key, r.error) for r in results]
    landed = {t.name: t.rows for t in list_tables(warehouse)}
    for table in ("pi_timeseries_p0001", "pi_af_elements", "pi_af_attributes", "pi_event_frames", "pi_alarms"):
        assert landed.get(table, 0) > 0, (table, landed)
