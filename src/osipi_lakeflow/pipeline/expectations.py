"""Expectations that work on Databricks and on open-source Spark Declarative Pipelines alike.

On Databricks the decorators are the runtime's `dp.expect`, `dp.expect_or_drop` and `dp.expect_or_fail`, so
Lakeflow records data quality in its event log. Open-source pyspark 4.3 has none, so here they are emulated on the
dataset's DataFrame: failing rows are dropped (`drop`) or fail the flow (`fail`, via `raise_error`), and every
expectation of a dataset is counted in one `DataFrame.observe`: a named metric (`osipi_expect|<dataset>`, fields
`<name>|<action>|passed` and `...|failed`) that the engine reports with each micro-batch's progress, read by the
local runtime's query listener (`expectation_counts`). Observing costs one aggregate per batch and does not read
the PI source twice.

Usage (stack under `@dp.table`, innermost first as with the runtime's decorators)::

    @dp.table(name="pi_timeseries_p0001")
    @expect_or_drop("tag_and_timestamp", "tag_webid IS NOT NULL AND timestamp IS NOT NULL")
    @expect("good_quality", "good")
    def bronze(): ...
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pyspark.sql import DataFrame
from pyspark.sql import functions as sf

Action = Literal["warn", "drop", "fail"]
METRIC_PREFIX = "osipi_expect"


@dataclass(frozen=True)
class Expectation:
    """One expectation of a dataset: a SQL boolean, and what a failing row does (warn, drop, fail)."""

    name: str
    condition: str
    action: Action

    def field(self, outcome: Literal["passed", "failed"]) -> str:
        """The metric's field counting this expectation's passing or failing rows."""
        return f"{self.name}|{self.action}|{outcome}"


@dataclass(frozen=True)
class ExpectationCount:
    """Rows passing and failing one expectation in one micro-batch, as the engine reported them."""

    dataset: str
    name: str
    action: str
    passed: int
    failed: int


def runtime_has_expectations() -> bool:
    """True where `pyspark.pipelines` (or `dlt`) brings real expectations, i.e. on Databricks."""
    from pyspark import pipelines as dp

    return hasattr(dp, "expect") and hasattr(dp, "expect_or_drop")


def metric_name(dataset: str) -> str:
    """The observed-metric name of a dataset's expectations, read back by `expectation_counts`."""
    return f"{METRIC_PREFIX}|{dataset}"


def expectation_counts(metric: str, row: Mapping[str, object]) -> list[ExpectationCount]:
    """The counts in one observed metric written by `apply_expectations`; [] for any other metric."""
    prefix, _, dataset = metric.partition("|")
    if prefix != METRIC_PREFIX or not dataset:
        return []
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for field, value in row.items():
        name, action, outcome = field.rsplit("|", 2)
        counts.setdefault((name, action), {})[outcome] = int(value or 0)  # type: ignore[call-overload]
    return [
        ExpectationCount(dataset, name, action, got.get("passed", 0), got.get("failed", 0))
        for (name, action), got in counts.items()
    ]


def apply_expectations(df: DataFrame, dataset: str, expectations: Sequence[Expectation]) -> DataFrame:
    """Count rows passing and failing each expectation, then drop or fail as their actions say (local emulation).

    Every expectation is counted over the same input rows in one `observe`, as Databricks evaluates each on every
    record: one metrics node, not one per expectation, each of which would copy every row once more.
    """
    oks = [(e, sf.coalesce(sf.expr(e.condition), sf.lit(False))) for e in expectations]  # NULL fails, as there
    counters = [c for e, ok in oks for c in (sf.count_if(ok).alias(e.field("passed")),
                                              sf.count_if(~ok).alias(e.field("failed")))]  # fmt: skip
    out = df.observe(metric_name(dataset), *counters)
    for e, ok in oks:  # consecutive filters fuse into one stage of generated code
        if e.action == "drop":
            out = out.where(ok)
        elif e.action == "fail":
            message = sf.lit(f"expectation '{e.name}' on {dataset} failed: {e.condition}")
            out = out.where(sf.when(ok, sf.lit(True)).otherwise(sf.raise_error(message)))
    return out


def _decorator(name: str, condition: str, action: Action) -> Callable[[Callable[[], DataFrame]], Callable]:
    if runtime_has_expectations():  # pragma: no cover - Databricks only
        from pyspark import pipelines as dp

        return {"warn": dp.expect, "drop": dp.expect_or_drop, "fail": dp.expect_or_fail}[action](name, condition)

    def wrap(func: Callable[[], DataFrame]) -> Callable[[], DataFrame]:
        # stacked decorators each wrap the dataset's own function with every expectation so far; the outermost
        # one is what the pipeline calls, so all of them are applied once, together
        source = getattr(func, "__osipi_source__", func)
        dataset = getattr(func, "__osipi_dataset__", func.__name__)
        expectations = (*getattr(func, "__osipi_expectations__", ()), Expectation(name, condition, action))

        @functools.wraps(source)
        def query() -> DataFrame:
            return apply_expectations(source(), dataset, expectations)

        query.__osipi_source__ = source  # type: ignore[attr-defined]
        query.__osipi_dataset__ = dataset  # type: ignore[attr-defined]
        query.__osipi_expectations__ = expectations  # type: ignore[attr-defined]
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
