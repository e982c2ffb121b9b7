"""The alarm tables users query, from the event-frame and AF tables: pure DataFrame functions, tested directly.

An alarm is an event frame PI lets operators acknowledge, or gives a severity, or whose template or category the
operator names (`alarm_templates`). `pi_event_frames` keeps every frame ever read, so recomputing these views on
each run never loses an alarm as it ages. Times that depend on "now" (`active_seconds`, open alarms' share of
the summary) are taken at `as_of`: the PI server time of the latest event-frame read (the newest `observed_at`),
on PI's clock like every start and end time, so they are as of the last refresh and never mix clocks.

Group-bys and joins only, no window functions: open-source SDP analyses a window over a dataset of the same
pipeline before that dataset exists, and fails (`pipeline.frames`).
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as sf
from pyspark.sql.types import StringType, StructField, StructType, TimestampType

from osipi_lakeflow.schema import EVENT

SEVERITY_LEVELS: dict[str, int] = {"None": 0, "Information": 1, "Warning": 2, "Minor": 3, "Major": 4, "Critical": 5}
"""AF's `AFEventFrameSeverity` names and their order (an unknown name has no level: null)."""

ALARM_COLUMNS = [
    "alarm_webid", "event_frame_id", "alarm_name", "template", "categories", "severity", "severity_level",
    "start_time", "end_time", "duration_seconds", "is_active", "acknowledged", "acknowledged_by",
    "acknowledged_at", "seconds_to_acknowledge", "primary_element_webid", "element_path", "trigger_attribute",
    "trigger_value", "trigger_value_text", "trigger_units", "is_annotated", "deleted_in_pi", "observed_at", "as_of",
]  # fmt: skip
"""Columns of `pi_alarms`."""


def _seconds_between(start: Column, end: Column) -> Column:
    return (sf.unix_micros(end) - sf.unix_micros(start)) / sf.lit(1e6)


def severity_level(severity: Column) -> Column:
    """0 (None) .. 5 (Critical) for AF's severity names, null for any other."""
    pairs = [sf.lit(x) for name, level in SEVERITY_LEVELS.items() for x in (name, level)]
    return sf.element_at(sf.create_map(*pairs), severity)


def is_alarm(templates: Sequence[str]) -> Column:
    """A frame that can be acknowledged, carries a severity, or has a template or category named in `templates`."""
    flagged = sf.col("can_be_acknowledged") | (sf.coalesce(sf.col("severity"), sf.lit("None")) != "None")
    if templates:
        named = sf.array(*(sf.lit(t) for t in templates))
        flagged = flagged | sf.col("template").isin(list(templates)) | sf.arrays_overlap("categories", named)
    return sf.coalesce(flagged, sf.lit(False))


def alarms(
    frames: DataFrame, attributes: DataFrame, elements: DataFrame, templates: Sequence[str], trigger: str
) -> DataFrame:
    """One row per alarm ever read (`ALARM_COLUMNS`), with its element's AF path and its trigger attribute's value.

    Args:
        frames: `pi_event_frames`.
        attributes: `pi_event_frame_attributes` (each frame's latest read).
        elements: `pi_af_elements`.
        templates: templates or categories that make a frame an alarm besides PI's own flags.
        trigger: the name of the attribute holding the value that raised the alarm.
    """
    as_of = frames.agg(sf.max("observed_at").alias("as_of"))
    values = attributes.where(sf.col("attribute_name") == trigger).select(
        sf.col("event_frame_webid").alias("webid"),
        sf.col("attribute_name").alias("trigger_attribute"),
        sf.coalesce(sf.col("value_double"), sf.col("value_int").cast("double")).alias("trigger_value"),
        sf.coalesce(sf.col("value_string"), sf.col("state_name")).alias("trigger_value_text"),
        sf.col("units").alias("trigger_units"),
    )
    paths = elements.select(sf.col("webid").alias("primary_element_webid"), sf.col("path").alias("element_path"))
    found = (
        frames.where(is_alarm(templates))
        .join(values, "webid", "left")
        .join(paths, "primary_element_webid", "left")
        .crossJoin(as_of)
    )
    acknowledged = sf.coalesce(sf.col("acknowledged"), sf.lit(False))
    return found.select(
        sf.col("webid").alias("alarm_webid"),
        "event_frame_id",
        sf.col("name").alias("alarm_name"),
        "template",
        "categories",
        "severity",
        severity_level(sf.col("severity")).alias("severity_level"),
        "start_time",
        "end_time",
        "duration_seconds",
        (sf.coalesce(sf.col("is_open"), sf.lit(False)) & ~sf.col("deleted_in_pi")).alias("is_active"),
        acknowledged.alias("acknowledged"),
        "acknowledged_by",
        "acknowledged_at",
        sf.when(acknowledged, _seconds_between(sf.col("start_time"), sf.col("acknowledged_at"))).alias(
            "seconds_to_acknowledge"
        ),
        "primary_element_webid",
        "element_path",
        "trigger_attribute",
        "trigger_value",
        "trigger_value_text",
        "trigger_units",
        sf.coalesce(sf.col("is_annotated"), sf.lit(False)).alias("is_annotated"),
        "deleted_in_pi",
        "observed_at",
        "as_of",
    )


def _active_seconds() -> Column:
    """How long an alarm was active: its duration, or up to `as_of` while open."""
    return sf.coalesce(sf.col("duration_seconds"), _seconds_between(sf.col("start_time"), sf.col("as_of")))


def active_alarms(alarm_rows: DataFrame) -> DataFrame:
    """The alarms open at `as_of`, with how long each has been active then."""
    return alarm_rows.where(sf.col("is_active")).select(
        "alarm_webid", "alarm_name", "template", "severity", "severity_level", "start_time",
        _active_seconds().alias("active_seconds"), "acknowledged", "acknowledged_by", "acknowledged_at",
        "primary_element_webid", "element_path", "trigger_attribute", "trigger_value", "trigger_value_text",
        "trigger_units", "as_of",
    )  # fmt: skip


def alarm_summary(alarm_rows: DataFrame) -> DataFrame:
    """Per primary element and severity: counts, active time (open alarms up to `as_of`) and time to acknowledge.

    Alarms deleted in PI stay in `pi_alarms` (flagged) but are not counted: PI no longer holds them.
    """
    counted = alarm_rows.where(~sf.col("deleted_in_pi"))
    return counted.groupBy("primary_element_webid", "element_path", "severity", "severity_level").agg(
        sf.count(sf.lit(1)).alias("alarm_count"),
        sf.sum(sf.col("is_active").cast("long")).alias("active_count"),
        sf.sum(_active_seconds()).alias("total_active_seconds"),
        sf.avg(_active_seconds()).alias("mean_active_seconds"),
        sf.sum(sf.col("acknowledged").cast("long")).alias("acknowledged_count"),
        sf.avg("seconds_to_acknowledge").alias("mean_seconds_to_acknowledge"),
        sf.max("as_of").alias("as_of"),
    )


# The inputs of the annotation readers declare their schema (`DataFrame.to`): `mapInArrow` asks its input for its
# columns, which over Spark Connect is an analysis, refused while a pipeline registers its query functions.
FRAME_KEYS = StructType([StructField("webid", StringType())])
VALUE_KEYS = StructType([StructField("tag_webid", StringType()), StructField("timestamp", TimestampType())])


def annotated_frames(frames: DataFrame) -> DataFrame:
    """WebIds of the frames PI marks annotated and still holds (a deleted frame's annotations went with it)."""
    annotated = sf.coalesce(sf.col("is_annotated"), sf.lit(False)) & ~sf.col("deleted_in_pi")
    return frames.where(annotated).select("webid").to(FRAME_KEYS)


def annotated_values(reads: DataFrame, tasks: int) -> DataFrame:
    """(tag_webid, timestamp) of every event a read of bronze found annotated, spread over `tasks` tasks by tag.

    `reads` is `pi_timeseries_reads`: PI's answer is the truth, so an instant a later read superseded is asked
    too (it changes nothing) rather than paying the supersession join over all of bronze.
    """
    event = sf.coalesce(sf.col("row_kind"), sf.lit(EVENT)) == EVENT  # rows landed before row_kind have none
    annotated = reads.where(event & sf.col("annotated")).select("tag_webid", "timestamp").distinct()
    return annotated.repartition(tasks, "tag_webid").to(VALUE_KEYS)
