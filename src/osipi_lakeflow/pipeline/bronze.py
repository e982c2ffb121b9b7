"""The bronze time-series stream of one partition: the PI source, as read, with no state.

Bronze keeps every read honestly: the events, a coverage row per tag and range read, and a gap row where a tag
could not be read. Re-reads (a late scan, a tag's previous snapshot, a held tag resuming) land as new rows; the
`pi_timeseries` view keeps, for each instant, only the latest read covering it (`pipeline.views`), so nothing is
deduplicated here and no streaming state is kept.
"""

from __future__ import annotations

from collections.abc import Mapping

from pyspark.sql import DataFrame, SparkSession

from osipi_lakeflow import contract
from osipi_lakeflow.pipeline.conf import PipelineConf

FUTURE_TOLERANCE = "INTERVAL 5 MINUTES"
"""How far past the server clock of its micro-batch an event may lie before it is flagged (clock skew)."""


def history_table_properties(conf: PipelineConf) -> dict[str, str]:
    """Table properties of a table that keeps history (a partition's bronze table, the event-frame reads).

    `pipelines.reset.allowed: false` makes a full refresh keep the table's data instead of truncating it, so one
    click cannot throw away history that PI may no longer hold; the operator re-ingests on purpose by deploying
    with `--var allow_full_refresh=true` first (see pipelines/README.md).
    """
    allowed = "true" if conf.values["allow_full_refresh"] else "false"
    return {"quality": "bronze", "pipelines.reset.allowed": allowed}


def bronze_table_properties(conf: PipelineConf) -> dict[str, str]:
    """Table properties of a partition's bronze table: history kept, and the partition it belongs to."""
    return {**history_table_properties(conf), "osipi.partition_id": conf.partition_id}


TRIGGER_INTERVAL_CONF = "pipelines.trigger.interval"
"""The flow setting a continuously running pipeline takes its micro-batch interval from; a triggered update ignores it
(https://docs.databricks.com/en/delta-live-tables/pipeline-mode.html, "Set trigger interval for continuous
pipelines"). The local live runner (`osipi run --live`) reads the same setting from the flow."""


def live_flow_conf(conf: PipelineConf) -> dict[str, str]:
    """The bronze flow's settings: a micro-batch every `live_interval` whenever the pipeline runs continuously."""
    seconds = int(conf.values["live_interval"].total_seconds())
    return {TRIGGER_INTERVAL_CONF: f"{seconds} second{'s' if seconds != 1 else ''}"}


def bronze_stream(spark: SparkSession, conf: PipelineConf, credentials: Mapping[str, str]) -> DataFrame:
    """Stream the partition's tags: events, coverage rows and gap rows, each stamped with its read."""
    options = conf.reader_options(credentials)
    return spark.readStream.format(contract.FORMAT_RECORDED).options(**options).load()
