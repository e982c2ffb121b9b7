"""Expectations that work on Databricks and on open-source Spark Declarative Pipelines alike.

On Databricks the decorators are the runtime's `dp.expect`, `dp.expect_or_drop` and `dp.expect_or_fail`, so
Lakeflow records data quality in its event log. Open-source pyspark 4.3 has none, so here they are emulated on the
dataset's DataFrame: failing rows are dropped (`drop`) or fail the flow (`fail`, via `raise_error`), and every
expectation is counted with `DataFrame.observe`: a named metric (`osipi_expect|<dataset>|<name>|<action>`, columns
`passed`, `failed`) that the engine reports with each micro-batch's progress, read by the local runtime's query
listener. Observing costs one aggregate per batch and does not read the PI source twice.

Usage (stack under `@dp.table`, innermost first as with the runtime's decorators)::

    @dp.table(name="pi_timeseries_p0001")
    @expect_or_drop("tag_and_timestamp", "tag_webid IS NOT NULL AND timestamp IS NOT NULL")
    @expect("good_quality", "good")
    def bronze(): ...
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Literal

from pyspark.sql import DataFrame
from pyspark.sql import functions as sf

Action = Literal["warn", "drop", "fail"]
METRIC_PREFIX = "osipi_expect"


def runtime_has_expectations() -> bool:
    """True where `pyspark.pipelines` (or `dlt`) brings real expectations, i.e. on Databricks."""
    from pyspark import pipelines as dp

    return hasattr(dp, "expect") and hasattr(dp, "expect_or_drop")


def metric_name(dataset: str, name: str, action: Action) -> str:
    """The observed-metric name of one expectation, parsed back by `parse_metric_name`."""
    return f"{METRIC_PREFIX}|{dataset}|{name}|{action}"


def parse_metric_name(metric: str) -> tuple[str, str, str] | None:
    """(dataset, expectation, action) of a metric written by this module, else None."""
    parts = metric.split("|")
    return (parts[1], parts[2], parts[3]) if len(parts) == 4 and parts[0] == METRIC_PREFIX else None


def apply_expectation(df: DataFrame, dataset: str, name: str, condition: str, action: Action) -> DataFrame:
    """Count rows passing and failing `condition`, then drop or fail as `action` says (local emulation)."""
    ok = sf.coalesce(sf.expr(condition), sf.lit(False))  # NULL counts as failed, as on Databricks
    observed = df.observe(
        metric_name(dataset, name, action),
        sf.count_if(ok).alias("passed"),
        sf.count_if(~ok).alias("failed"),
    )
    if action == "drop":
        return observed.where(ok)
    if action == "fail":
        message = sf.lit(f"expectation '{name}' on {dataset} failed: {condition}")
        return observed.where(sf.when(ok, sf.lit(True)).otherwise(sf.raise_error(message)))
    return observed


def _decorator(name: str, condition: str, action: Action) -> Callable[[Callable[[], DataFrame]], Callable]:
    if runtime_has_expectations():  # pragma: no cover - Databricks only
        from pyspark import pipelines as dp

        return {"warn": dp.expect, "drop": dp.expect_or_drop, "fail": dp.expect_or_fail}[action](name, condition)

    def wrap(func: Callable[[], DataFrame]) -> Callable[[], DataFrame]:
        dataset = getattr(func, "__osipi_dataset__", func.__name__)

        @functools.wraps(func)
        def query() -> DataFrame:
            return apply_expectation(func(), dataset, name, condition, action)

        query.__osipi_dataset__ = dataset  # type: ignore[attr-defined]
        return query

    return wrap


def expect(name: str, condition: str) -> Callable:
    """Keep every row; count those failing `condition` (a SQL boolean)."""
    return _decorator(name, condition, "warn")


def expect_or_drop(name: str, condition: str) -> Callable:
    """Drop rows failing `condition` and count them."""
    return _decorator(name, condition, "drop")


def expect_or_fail(name: str, condition: str) -> Callable:
    """Fail the flow on the first row failing `condition`."""
    return _decorator(name, condition, "fail")


def dataset_name(name: str) -> Callable[[Callable], Callable]:
    """Name the dataset in metric names when it differs from the function name; place it directly above `def`."""

    def wrap(func: Callable) -> Callable:
        func.__osipi_dataset__ = name  # type: ignore[attr-defined]
        return func

    return wrap
