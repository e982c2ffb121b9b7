"""Bad input on the local engine: clear errors naming the partition (and tag), other tags keep flowing."""

import pytest
from pipeline_truth import BUNDLE, T0

from mock_server import MockSettings
from mock_server.testing import running_mock
from osipi_app.local import run_pipelines

pytestmark = pytest.mark.spark

GONE = "F1DPgoneAAAAAAAAAAAAAAAAAAAAAUElTUlYwMVxHT05F"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("bad")
    with running_mock(MockSettings(tags=10, seed=3, clock=T0.isoformat())) as mock:
        tags = ",".join(p.webid for p in mock.archive.points()[:2])
        keys = ["osipi_timeseries_p0002", "osipi_timeseries_p0003", "osipi_timeseries_p0004"]
        found = run_pipelines(
            BUNDLE,
            warehouse,
            pipelines=keys,
            variables={"pi_url": mock.url, "tags": tags},
            parallel=2,
            engine_conf={"spark.sql.pipelines.maxFlowRetryAttempts": "0"},
            timeout=600,
        )
    return {r.key: r for r in found}


def test_vanished_tag_is_logged_with_partition_and_tag_and_others_land(results):
    run = results["osipi_timeseries_p0002"]
    assert run.ok, run.error
    assert run.tables["pi_timeseries_p0002"]["after"] > 0
    engine_log = (run.log.parent / "engine.log").read_text()
    assert any("partition p0002" in line and GONE in line for line in engine_log.splitlines())


def test_missing_tags_names_the_key_and_the_fix(results):
    run = results["osipi_timeseries_p0003"]
    assert not run.ok
    assert "osipi.tags" in run.error and "configuration" in run.error


def test_unreachable_server_fails_naming_the_partition(results):
    run = results["osipi_timeseries_p0004"]
    assert not run.ok
    text = run.error + run.log.read_text()
    assert "partition p0004" in text
    assert "127.0.0.1:9" in text
