"""The rendered pipelines run the way Databricks runs them, with Basic auth against the mock.

The engine carries the Databricks runtime marker (so do Spark's Python workers, which inherit it), the PI
credentials sit in a stand-in secret store that only the pipeline sources' own session can read (as `dbutils` on
Databricks: not the streaming source runner, not the executors), and no process has a PI_* variable. The reader
gets its credentials only through the data source options the pipeline source builds. Afterwards the password is
nowhere: not in the bundle, the plan, the specs, the logs, the checkpoints or the metastore.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pipeline_truth import T0, bronze, ground_truth

from generator.cli import main as generate
from generator.plan import read_plan
from mock_server import MockSettings
from mock_server.testing import running_mock
from osipi_app.local import run_pipelines

pytestmark = pytest.mark.spark

REPO = Path(__file__).resolve().parents[2]
USER, PASSWORD = "svc-pi-reader", "S3cret-Basic-Pa55word"


def _files_containing(root: Path, needle: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


@pytest.fixture(scope="module")
def emulated(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("emulated")
    bundle, warehouse = work / "bundle", work / "warehouse"
    bundle.mkdir()
    (bundle / "pipelines").symlink_to(REPO / "pipelines")
    settings = MockSettings(tags=24, seed=9, clock=T0.isoformat(), auth="basic", username=USER, password=PASSWORD)
    with running_mock(settings) as mock:
        argv = ["generate", "--pi-url", mock.url, "--af-database", "\\\\PIAF01\\Plant", "--bundle", str(bundle),
                "--tags-per-pipeline", "8", "--history-start", "*-2h", "--auth-method", "basic",
                "--auth-scope", "pi-prod", "--no-sample", "--quiet"]  # fmt: skip
        assert generate(argv, environ={"PI_USERNAME": USER, "PI_PASSWORD": PASSWORD}) == 0
        results = run_pipelines(
            bundle,
            warehouse,
            pipelines=["osipi_timeseries_p0001", "osipi_af_hierarchy"],
            variables={"pi_url": mock.url},
            env={},  # no PI_* variable reaches the engine or its workers
            databricks_secrets={"pi-prod": {"pi-username": USER, "pi-password": PASSWORD}},
            timeout=600,
        )
        tags = [t.webid for t in read_plan(bundle).partitions[0].tags]
        truth = ground_truth(mock.archive, tags, T0 - timedelta(hours=2), T0, as_of=T0)
    return bundle, warehouse, {r.key: r for r in results}, truth


def test_the_time_series_pipeline_lands_its_partition_with_credentials_from_the_secret_scope(emulated):
    _, warehouse, results, truth = emulated
    run = results["osipi_timeseries_p0001"]
    assert run.ok, run.error
    assert sum(truth.values()) > 100 and bronze(warehouse) == truth


def test_the_af_pipeline_logs_in_the_same_way(emulated):
    _, _, results, _ = emulated
    run = results["osipi_af_hierarchy"]
    assert run.ok, run.error
    assert run.tables["pi_af_elements"]["after"] > 0


def test_the_password_is_in_no_file_of_the_bundle_or_the_warehouse(emulated):
    bundle, warehouse, results, _ = emulated
    assert _files_containing(bundle, PASSWORD.encode()) == []
    assert _files_containing(warehouse, PASSWORD.encode()) == []
    assert all(PASSWORD not in (r.error or "") for r in results.values())


def test_without_the_secret_the_pipeline_fails_naming_scope_and_key_never_a_value(emulated, tmp_path):
    bundle, _, _, _ = emulated
    with running_mock(MockSettings(tags=24, seed=9, clock=T0.isoformat(), auth="basic", username=USER,
                                   password=PASSWORD)) as mock:  # fmt: skip
        (run,) = run_pipelines(
            bundle, tmp_path, pipelines=["osipi_af_hierarchy"], variables={"pi_url": mock.url}, env={},
            databricks_secrets={"pi-prod": {"pi-username": USER}}, timeout=600,
        )  # fmt: skip
    assert not run.ok
    text = run.error + run.log.read_text()
    assert "pi-prod" in text and "pi-password" in text and "put-secret" in text
    assert PASSWORD not in text
