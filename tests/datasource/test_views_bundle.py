from pathlib import Path

import pytest

from osipi_app.local.bundle import bundle_variables, load_pipelines, resolve
from osipi_app.local.runner import tables_of, write_spec
from osipi_lakeflow.errors import PIConfigError
from osipi_lakeflow.pipeline.expectations import Expectation, ExpectationCount, expectation_counts, metric_name
from osipi_lakeflow.pipeline.views import reads_view_sql, view_sql

BUNDLE = Path(__file__).parents[1] / "pipelines" / "bundle"


def test_view_is_a_sorted_union_all_of_partition_tables():
    sql = view_sql("main", "osipi", ["pi_timeseries_p0002", "pi_timeseries_p0001"])
    assert sql.index("p0001") < sql.index("p0002")
    assert "UNION ALL" in sql and sql.startswith("CREATE OR REPLACE VIEW `main`.`osipi`.`pi_timeseries`")


def test_reads_view_is_the_plain_union_of_partition_tables():
    sql = reads_view_sql("main", "osipi", ["pi_timeseries_p0002", "pi_timeseries_p0001"])
    assert sql.startswith("CREATE OR REPLACE VIEW `main`.`osipi`.`pi_timeseries_reads` AS")
    assert sql.index("p0001") < sql.index("p0002") and "JOIN" not in sql


@pytest.mark.parametrize("sql_of", [view_sql, reads_view_sql])
def test_views_reject_injected_identifiers(sql_of):
    with pytest.raises(PIConfigError, match="plain identifier"):
        sql_of("main", "osipi", ["t; DROP TABLE x"])


def test_bundle_variables_resolve_with_overrides_and_local_target():
    values = bundle_variables(BUNDLE, {"tags": "A,B"})
    assert resolve("${var.tags}@${bundle.target}", values, BUNDLE) == "A,B@local"


def test_unknown_variable_override_is_an_error_naming_the_known_ones():
    with pytest.raises(PIConfigError, match="unknown bundle variable"):
        bundle_variables(BUNDLE, {"nope": "1"})


def test_pipeline_resources_load_with_absolute_libraries_and_string_configuration(tmp_path):
    found = load_pipelines(BUNDLE, bundle_variables(BUNDLE, {"tags": "A"}))
    ts = found["osipi_timeseries_p0001"]
    assert ts.libraries[0].name == "timeseries.py" and ts.libraries[0].is_absolute()
    assert ts.configuration["osipi.tags"] == "A"
    assert tables_of(ts) == ["pi_timeseries_p0001"]
    spec = write_spec(ts, tmp_path).read_text()
    assert "src/**" in spec and "file://" in spec


def test_expectation_counts_read_back_what_one_metric_holds():
    good, drop = Expectation("good_quality", "good", "warn"), Expectation("tag|present", "tag IS NOT NULL", "drop")
    row = {good.field("passed"): 7, good.field("failed"): 2, drop.field("passed"): 9, drop.field("failed"): None}
    assert expectation_counts(metric_name("pi_timeseries_p0001"), row) == [
        ExpectationCount("pi_timeseries_p0001", "good_quality", "warn", 7, 2),
        ExpectationCount("pi_timeseries_p0001", "tag|present", "drop", 9, 0),
    ]
    assert expectation_counts("something_else", {"passed": 1}) == []


def test_second_run_on_a_busy_warehouse_is_refused(tmp_path):
    from osipi_app.local import run_pipelines
    from osipi_app.local.runner import warehouse_lock

    with warehouse_lock(tmp_path), pytest.raises(PIConfigError, match="another local run"):
        run_pipelines(BUNDLE, tmp_path, pipelines=["osipi_af_hierarchy"])
