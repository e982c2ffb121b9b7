"""The bronze time-series stream of one partition: the PI source with the late-data dedupe applied."""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from osipi_lakeflow.config import PipelineConf

DEDUPE_KEY = ["tag_webid", "timestamp", "value_double", "value_string", "state_code", "event_ordinal"]
"""Tells PI events apart: identical events at one instant differ in `event_ordinal`, so all of them are kept."""

FUTURE_TOLERANCE = "INTERVAL 5 MINUTES"
"""How far past the server clock of its micro-batch an event may lie before it is flagged (clock skew)."""


def partition_table(partition_id: str) -> str:
    """The bronze table of one partition: `pi_timeseries_<pid>`."""
    return f"pi_timeseries_{partition_id}"


def bronze_stream(spark: SparkSession, conf: PipelineConf) -> DataFrame:
    """Stream the partition's tags; events re-read by a late scan and already landed are dropped by Spark state.

    Each row carries `ingested_at` (the PI server time of its micro-batch). `dropDuplicatesWithinWatermark` keeps
    the first row per `DEDUPE_KEY` for 2 x late_window of `ingested_at`, in the pipeline's own checkpoint.
    With `osipi.late_window: off` there is no re-read and no dedupe state (for sources that never deliver late).
    """
    stream = spark.readStream.format("osipi").options(**conf.reader_options()).load()
    delay = conf.dedupe_delay()
    if delay is None:  # late_window off: nothing is re-read, so there is nothing to drop
        return stream
    return stream.withWatermark("ingested_at", delay).dropDuplicatesWithinWatermark(DEDUPE_KEY)
