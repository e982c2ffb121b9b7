"""The bronze time-series stream of one partition: the PI source with the late-data dedupe applied."""

from __future__ import annotations

from collections.abc import Mapping

from pyspark.sql import DataFrame, SparkSession

from osipi_lakeflow import contract
from osipi_lakeflow.pipeline.conf import PipelineConf

DEDUPE_KEY = ["tag_webid", "timestamp", "value_double", "value_string", "state_code", "event_ordinal"]
"""Tells PI events apart: identical events at one instant differ in `event_ordinal`, so all of them are kept."""

FUTURE_TOLERANCE = "INTERVAL 5 MINUTES"
"""How far past the server clock of its micro-batch an event may lie before it is flagged (clock skew)."""


def bronze_table_properties(conf: PipelineConf) -> dict[str, str]:
    """Table properties of a partition's bronze table.

    `pipelines.reset.allowed: false` makes a full refresh keep the table's data instead of truncating it, so one
    click cannot throw away history that PI may no longer hold; the operator re-ingests on purpose by deploying
    with `--var allow_full_refresh=true` first (see pipelines/README.md).
    """
    allowed = "true" if conf.values["allow_full_refresh"] else "false"
    return {"quality": "bronze", "osipi.partition_id": conf.partition_id, "pipelines.reset.allowed": allowed}


def dedupe_delay(conf: PipelineConf) -> str | None:
    """The watermark delay on `ingested_at` for the bronze dedupe (twice the late window); None when off."""
    seconds = int(conf.late_window.total_seconds()) * 2
    return f"{seconds} seconds" if seconds else None


def bronze_stream(spark: SparkSession, conf: PipelineConf, credentials: Mapping[str, str]) -> DataFrame:
    """Stream the partition's tags; events re-read by a late scan and already landed are dropped by Spark state.

    Each row carries `ingested_at` (the PI server time of its micro-batch). `dropDuplicatesWithinWatermark` keeps
    the first row per `DEDUPE_KEY` for 2 x late_window of `ingested_at`, in the pipeline's own checkpoint.
    With `osipi.late_window: off` there is no re-read and no dedupe state (for sources that never deliver late).
    """
    options = conf.reader_options(credentials)
    stream = spark.readStream.format(contract.FORMAT_RECORDED).options(**options).load()
    delay = dedupe_delay(conf)
    if delay is None:  # late_window off: nothing is re-read, so there is nothing to drop
        return stream
    return stream.withWatermark("ingested_at", delay).dropDuplicatesWithinWatermark(DEDUPE_KEY)
