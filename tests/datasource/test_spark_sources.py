"""The data sources and the expectations shim on a real local SparkSession (classic), against the mock over HTTP."""

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from chispa import assert_df_equality

from mock_server import MockSettings
from mock_server.testing import running_mock
from osipi_lakeflow.client import PIWebAPI
from osipi_lakeflow.datasource import SOURCE_SCHEMA_DDL, register_all
from osipi_lakeflow.pipeline.expectations import Expectation, apply_expectations, expect, expect_or_drop

pytestmark = pytest.mark.spark

T0 = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable  # Spark's Python workers must import osipi_lakeflow
    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
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
    loaded = spark.read.format("osipi").options(**options).load()
    with PIWebAPI(mock.url) as pi:
        table = pi.recorded(tags, "*-1h", "*", names=pi.point_names(tags)).to_table()
    got = loaded.where("row_kind = 'event'").select(*table.column_names)
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
    out = apply_expectations(sample(spark), "t", [Expectation("v_present", "v IS NOT NULL", "drop")])
    assert sorted(r.v for r in out.collect()) == [1, 3]


def test_warn_expectation_keeps_every_row(spark):
    out = apply_expectations(sample(spark), "t", [Expectation("v_small", "v < 2", "warn")])
    assert out.count() == 3


def test_fail_expectation_fails_the_query_naming_the_expectation(spark):
    out = apply_expectations(sample(spark), "t", [Expectation("v_present", "v IS NOT NULL", "fail")])
    with pytest.raises(Exception, match="v_present"):
        out.collect()


def test_stacked_expectations_share_one_metrics_node(spark, capsys):
    @expect_or_drop("v_present", "v IS NOT NULL")
    @expect("v_small", "v < 2")
    def dataset():
        return sample(spark)

    out = dataset()
    out.explain()
    assert capsys.readouterr().out.count("CollectMetrics") == 1  # one metrics node: each copies every row
    assert sorted(r.v for r in out.collect()) == [1, 3]


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


def _read_row(webid, ts, seq, kind="event", value=None, until=None):
    return {"tag_webid": webid, "tag": webid, "timestamp": ts, "event_ordinal": 0, "value_double": value,
            "value_int": None, "value_string": None, "state_name": None, "state_code": None, "is_system_state": False,
            "good": True, "questionable": False, "substituted": False, "annotated": False, "units": None,
            "ingested_at": ts, "read_seq": seq, "row_kind": kind, "covered_until": until,
            "read_error": None}  # fmt: skip


def test_the_view_keeps_the_latest_read_of_every_instant_across_partition_tables(spark):
    from datetime import timedelta

    from osipi_lakeflow.pipeline.views import publish_views
    from osipi_lakeflow.schema import BRONZE_SCHEMA

    sys.path.insert(0, str(Path(__file__).parents[1] / "pipelines"))
    from pipeline_truth import bronze_key, current_rows

    t = datetime(2026, 11, 1, tzinfo=UTC)
    m = timedelta(minutes=1)
    first = [  # read 1 covers [t, t+10m): three events
        _read_row("A", t + m, 1, value=1.0), _read_row("A", t + 2 * m, 1, value=2.0),
        _read_row("A", t + 3 * m, 1, value=3.0), _read_row("A", t, 1, "coverage", until=t + 10 * m),
        _read_row("B", t + m, 1, value=7.0), _read_row("B", t, 1, "coverage", until=t + 10 * m),
    ]  # fmt: skip
    second = [  # read 2 covers [t+2m, t+70m) of A only (in another table): 2m edited, 3m deleted, 65m new
        _read_row("A", t + 2 * m, 2, value=20.0), _read_row("A", t + 65 * m, 2, value=65.0),
        _read_row("A", t + 2 * m, 2, "coverage", until=t + 70 * m),
        _read_row("B", t + 5 * m, 0, value=5.0),  # an old row (no read_seq) keeps its place
    ]  # fmt: skip
    schema = "viewtest"
    spark.sql(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    for name, rows in (("pi_timeseries_p0001", first), ("pi_timeseries_p0002", second)):
        table = pa.Table.from_pylist(rows, schema=BRONZE_SCHEMA)
        spark.createDataFrame(table.to_pandas(), schema=SOURCE_SCHEMA_DDL).write.mode("overwrite").saveAsTable(
            f"{schema}.{name}"
        )
    publish_views(spark, None, schema)
    got = sorted(bronze_key(r.asDict()) for r in spark.table(f"{schema}.pi_timeseries").collect())
    assert got == sorted(bronze_key(r) for r in current_rows(first + second))
    assert [k[2] for k in got if k[0] == "A"] == [1.0, 20.0, 65.0]
    every_read = spark.table(f"{schema}.pi_timeseries_reads")  # no rule applied: superseded rows and coverage too
    assert every_read.count() == len(first + second)
    assert sorted(r.value_double for r in every_read.where("tag_webid = 'A' AND row_kind = 'event'").collect()) == [
        1.0, 2.0, 3.0, 20.0, 65.0
    ]  # fmt: skip


def test_annotated_values_are_every_instant_a_read_found_annotated_once_each(spark):
    """What the alarms pipeline asks PI about: superseded reads too (PI's answer decides), never coverage rows."""
    from osipi_lakeflow.pipeline.alarms import annotated_values
    from osipi_lakeflow.schema import BRONZE_SCHEMA

    t = datetime(2026, 11, 1, tzinfo=UTC)
    rows = [
        {**_read_row("A", t, 1, value=1.0), "annotated": True},  # later re-read: the same instant, once
        {**_read_row("A", t, 2, value=1.0), "annotated": True},
        {**_read_row("B", t, 1, value=2.0), "annotated": True},  # superseded by the next read, asked anyway
        _read_row("B", t, 2, value=3.0),
        {**_read_row("C", t, 1, "coverage", until=t), "annotated": True},  # not an event
        _read_row("E", t, 1, value=5.0),
    ]
    reads = spark.createDataFrame(pa.Table.from_pylist(rows, schema=BRONZE_SCHEMA).to_pandas(), SOURCE_SCHEMA_DDL)
    assert sorted(r.tag_webid for r in annotated_values(reads, 2).collect()) == ["A", "B"]


def test_the_view_before_any_partition_is_empty_with_the_columns_users_query(spark):
    """Readers of the views (dashboards, the alarms pipeline) work from the first deploy, before any partition."""
    from osipi_lakeflow.pipeline.views import VIEW_COLUMNS, publish_views
    from osipi_lakeflow.schema import BRONZE_SCHEMA

    spark.sql("CREATE SCHEMA IF NOT EXISTS viewempty")
    publish_views(spark, None, "viewempty")
    view = spark.table("viewempty.pi_timeseries")
    assert view.count() == 0
    assert view.columns == VIEW_COLUMNS
    assert dict(view.dtypes)["timestamp"] == "timestamp" and dict(view.dtypes)["value_int"] == "bigint"
    reads = spark.table("viewempty.pi_timeseries_reads")
    assert reads.count() == 0 and reads.columns == [f.name for f in BRONZE_SCHEMA]
