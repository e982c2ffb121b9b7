"""The data sources and the expectations shim on a real local SparkSession (classic), against the mock over HTTP."""

import os
import sys
from datetime import UTC, datetime

import pyarrow as pa
import pytest
from chispa import assert_df_equality

from mock_server import MockSettings
from mock_server.testing import running_mock
from osipi_lakeflow.client import PIWebAPI
from osipi_lakeflow.datasource import register_all
from osipi_lakeflow.pipeline.expectations import apply_expectation

pytestmark = pytest.mark.spark

T0 = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable  # Spark's Python workers must import osipi_lakeflow
    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    register_all(session)
    yield session
    session.stop()


@pytest.fixture(scope="module")
def mock():
    with running_mock(MockSettings(tags=20, seed=5, clock=T0.isoformat())) as m:
        yield m


def test_batch_read_equals_the_client_read(spark, mock):
    tags = [p.webid for p in mock.archive.points()[:6]]
    options = {"piUrl": mock.url, "tags": ",".join(tags), "start": "*-1h", "end": "*", "authMethod": "anonymous"}
    got = spark.read.format("osipi").options(**options).load().drop("ingested_at")
    with PIWebAPI(mock.url) as pi:
        table = pi.recorded(tags, "*-1h", "*", names=pi.point_names(tags)).to_table()
    expected = spark.createDataFrame(table.to_pandas(), schema=got.schema)
    assert table.num_rows > 1000
    order = ["tag_webid", "timestamp", "event_ordinal", "value_double", "value_string"]
    assert_df_equality(got.orderBy(order), expected.orderBy(order), ignore_nullable=True)


def test_af_elements_source_has_one_row_per_element(spark, mock):
    options = {"piUrl": mock.url, "afDatabase": r"\\PIAF01\Plant", "authMethod": "anonymous"}
    df = spark.read.format("osipi_af_elements").options(**options).load()
    assert df.count() == df.select("element_id").distinct().count() > 0


def sample(spark):
    rows = pa.table({"v": pa.array([1, None, 3], pa.int64())})
    return spark.createDataFrame(rows.to_pandas())


def test_drop_expectation_removes_failing_rows(spark):
    out = apply_expectation(sample(spark), "t", "v_present", "v IS NOT NULL", "drop")
    assert sorted(r.v for r in out.collect()) == [1, 3]


def test_warn_expectation_keeps_every_row(spark):
    out = apply_expectation(sample(spark), "t", "v_small", "v < 2", "warn")
    assert out.count() == 3


def test_fail_expectation_fails_the_query_naming_the_expectation(spark):
    out = apply_expectation(sample(spark), "t", "v_present", "v IS NOT NULL", "fail")
    with pytest.raises(Exception, match="v_present"):
        out.collect()


@pytest.mark.parametrize("method", ["basic", "bearer", "oidc"])
def test_no_credential_shows_in_a_query_plan_for_any_auth_method(spark, mock, capsys, method):
    from osipi_lakeflow import contract

    given = {c.option: f"S3CRET-{c.option}-value" for c in contract.AUTH_METHODS[method].credentials}
    secrets = {c.option: given[c.option] for c in contract.AUTH_METHODS[method].credentials if c.secret}
    options = {"piUrl": mock.url, "tags": "F1DPx", "authMethod": method, **given}
    for df in (
        spark.readStream.format("osipi").options(**options).load(),
        spark.read.format("osipi_af_elements").options(**options, afDatabase=r"\\PIAF01\Plant").load(),
    ):
        df.explain(extended=True)
        plan = capsys.readouterr().out
        assert plan.strip() and not any(value in plan for value in secrets.values()), plan
