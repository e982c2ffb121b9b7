"""The local runtime: bundle pipelines on open-source Spark Declarative Pipelines (pyspark 4.3)."""

from osipi_lakeflow.local.runner import RunResult, run_pipelines
from osipi_lakeflow.local.status import LandedTable, list_tables

__all__ = ["LandedTable", "RunResult", "list_tables", "run_pipelines"]
