"""The monitoring dashboard: a valid bundle resource whose every query parses as Spark SQL and reads only what the
bundle creates (its tables, the pi_timeseries view, its event logs, using only documented event-log columns)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pytest
import yaml

from generator import dashboard
from generator.plan import Plan
from generator.planner import plan_partitions
from generator.render import render_bundle
from generator.validate import validate_files
from osipi_lakeflow import contract
from tests.generator.conftest import make_bundle
from tests.generator.test_gen_render import SETTINGS, tags

PLANS = {"three partitions": plan_partitions(tags(25), 10), "no partition yet": Plan(100, (), 1, {}, {})}
_BOUNDARIES = {"SubqueryAlias", "Union", "UnresolvedWith", "Aggregate", "Generate"}
"""Plan nodes past which a column no longer names a column of the table read below (aliases, unions, groups)."""


def _seq(scala_seq) -> list:
    return [scala_seq.apply(i) for i in range(scala_seq.size())]


def _kind(node) -> str:
    return node.getClass().getSimpleName()


@dataclass
class Reads:
    """What a parsed query reads: relation names (minus its CTEs), and the columns each node reads of its relations."""

    relations: set[str] = field(default_factory=set)
    ctes: set[str] = field(default_factory=set)
    columns: dict[str, set[str]] = field(default_factory=dict)


def _attributes(expression) -> Iterator[str]:
    if _kind(expression) == "UnresolvedAttribute":
        yield _seq(expression.nameParts())[0]
    for child in _seq(expression.children()):
        yield from _attributes(child)


def _walk(node, reads: Reads) -> set[str]:
    """Walk the unresolved plan; return the relations `node` reads directly (no alias or union in between)."""
    if _kind(node) == "UnresolvedRelation":
        name = node.multipartIdentifier().mkString(".")
        reads.relations.add(name)
        return {name}
    if _kind(node) == "UnresolvedWith":
        reads.ctes |= {pair._1() for pair in _seq(node.cteRelations())}
    below: set[str] = set()
    for child in _seq(node.children()) + _seq(node.innerChildren()):
        below |= _walk(child, reads)
    for relation in below:
        for expression in _seq(node.expressions()):
            reads.columns.setdefault(relation, set()).update(_attributes(expression))
    return set() if _kind(node) in _BOUNDARIES else below


def reads_of(parser, sql: str) -> Reads:
    """The relations and columns a query reads, from Spark's parse (no table needs to exist)."""
    reads = Reads()
    _walk(parser.parsePlan(sql), reads)
    reads.relations -= reads.ctes
    return reads


def created_by(files: dict[str, str]) -> set[str]:
    """Every table, view and event log the rendered bundle makes, by the contract's names for its pipelines."""
    made = {contract.TIMESERIES_VIEW}  # published by the ingest job's last task
    for name, text in files.items():
        if name.endswith(".pipeline.yml"):
            for key, spec in yaml.safe_load(text)["resources"]["pipelines"].items():
                kind = contract.kind_of_resource(key)
                made |= set(kind.tables_of(key.removeprefix(kind.resource_key() + "_") if kind.partitioned else None))
                made.add(spec["event_log"]["name"])
    return made


@pytest.fixture(scope="module")
def spark(tmp_path_factory) -> Iterator:
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("wh")))
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def parser(spark):
    """Spark's SQL parser: parses without resolving, so the tables need not exist."""
    return spark._jsparkSession.sessionState().sqlParser()  # noqa: SLF001 - no public parse-only entry point


@pytest.mark.parametrize("plan", PLANS.values(), ids=PLANS.keys())
def test_dashboard_resource_passes_the_bundle_checks(tmp_path: Path, plan: Plan):
    files = render_bundle(plan, SETTINGS).files
    assert validate_files(make_bundle(tmp_path / "b"), files, plan) == []
    spec = yaml.safe_load(files[f"resources/{dashboard.DASHBOARD_KEY}.dashboard.yml"])["resources"]["dashboards"]
    resource = spec[dashboard.DASHBOARD_KEY]
    assert resource["warehouse_id"] == "${var.warehouse_id}"
    assert resource["file_path"] == f"../{dashboard.DASHBOARD_FILE}"
    assert "warehouse_id" in yaml.safe_load(files["databricks.yml"])["variables"]


def test_a_missing_dashboard_file_is_reported(tmp_path: Path):
    plan = PLANS["three partitions"]
    files = dict(render_bundle(plan, SETTINGS).files)
    del files[dashboard.DASHBOARD_FILE]
    problems = validate_files(make_bundle(tmp_path / "b"), files, plan)
    assert problems and all(dashboard.DASHBOARD_FILE in p for p in problems), problems


def test_every_widget_reads_a_dataset_and_its_columns():
    document = json.loads(dashboard.dashboard_json(PLANS["three partitions"]))
    names = {d["name"] for d in document["datasets"]}
    for page in document["pages"]:
        for item in page["layout"]:
            for query in item["widget"]["queries"]:
                assert query["query"]["datasetName"] in names


@pytest.mark.spark
@pytest.mark.parametrize("plan", PLANS.values(), ids=PLANS.keys())
def test_every_query_parses_and_reads_only_what_the_bundle_creates(parser, plan: Plan):
    files = render_bundle(plan, SETTINGS).files
    made = created_by(files)
    logs = {t for t in made if t.startswith(contract.event_log_table(""))}
    for dataset in json.loads(files[dashboard.DASHBOARD_FILE])["datasets"]:
        reads = reads_of(parser, "".join(dataset["queryLines"]))
        assert reads.relations or not plan.partitions, dataset["name"]  # before any partition: empty relations
        assert reads.relations <= made, (dataset["name"], reads.relations - made)
        for log in reads.relations & logs:
            used = reads.columns.get(log, set())
            assert used and used <= dashboard.EVENT_LOG_COLUMNS, (dataset["name"], used)


@pytest.mark.spark
def test_expectations_read_every_pipelines_event_log(parser):
    plan = PLANS["three partitions"]
    reads = reads_of(parser, dashboard.expectations(plan).sql)
    singles = [kind.resource_key() for kind in contract.PIPELINE_KINDS.values() if not kind.partitioned]
    keys = [f"osipi_timeseries_{p.id}" for p in plan.partitions] + singles
    assert {"osipi_af_hierarchy", "osipi_event_frames", "osipi_alarms"} <= set(singles)
    assert reads.relations == {contract.event_log_table(k) for k in keys}
    assert set().union(*reads.columns.values()) == {"details", "event_type", "timestamp"}


@pytest.mark.spark
def test_the_column_check_sees_an_undocumented_event_log_column(parser):
    reads = reads_of(parser, "SELECT x FROM (SELECT flow_name AS x FROM osipi_event_log_af_hierarchy WHERE level = 1)")
    assert reads.columns["osipi_event_log_af_hierarchy"] == {"flow_name", "level"}


@pytest.mark.spark
def test_failing_tags_sql_lists_what_the_local_pages_list(spark):
    """The dashboard's query, run on the rows the local pages' test uses, names the same tags for the same reasons."""
    from tests.cli.test_ui_failing_tags import ROWS, SCHEMA

    spark.createDataFrame(pa.Table.from_pylist(ROWS, SCHEMA).to_pandas()).createOrReplaceTempView("pi_timeseries_p0001")
    plan = plan_partitions(tags(5), 10)
    assert [p.id for p in plan.partitions] == ["p0001"]
    rows = spark.sql(dashboard.failing_tags(plan).sql).collect()
    assert [(r.tag, r.status, r.last_error, r.behind_minutes) for r in rows] == [
        ("A", "failing", "[-10400] No Read Access - Secure Object", 0.0),
        ("C", "stale", None, 90.0),
    ]
