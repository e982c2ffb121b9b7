"""The event-frame tables users query, from the reads table (`datasource.frames`): the latest of every frame.

`pi_event_frames` has one row per frame ever read: its latest `frame` row, with `deleted_in_pi` set once a later
read found it gone from PI (its last known columns stay, so history is kept). `pi_event_frame_attributes` holds
the attribute rows of each frame's latest read. Both are materialized views over the append-only reads table, so
a refresh recomputes them from every read and nothing is ever lost by a refresh.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as sf

from osipi_lakeflow.client import EVENT_FRAME_VALUE_SCHEMA
from osipi_lakeflow.datasource.frames import ATTRIBUTE, DELETED, FRAME, FRAME_FIELDS

FRAME_COLUMNS = ["webid", *(f.name for f in FRAME_FIELDS), "deleted_in_pi", "deleted_seen_at", "observed_at"]
"""Columns of `pi_event_frames`: the frame, whether PI deleted it (and when a read saw that), when it was read."""
ATTRIBUTE_COLUMNS = [f.name for f in EVENT_FRAME_VALUE_SCHEMA] + ["observed_at"]
"""Columns of `pi_event_frame_attributes`: one row per (frame, attribute) of the frame's latest read."""


def _latest_reads(reads: DataFrame) -> DataFrame:
    """(event_frame_webid, read_seq) of every frame's latest `frame` row.

    A group-by and a join rather than a window function: open-source SDP analyses a window over a dataset of the
    same pipeline when the flow is registered, before that dataset exists, and fails.
    """
    frames = reads.where(sf.col("row_kind") == FRAME)
    return frames.groupBy("event_frame_webid").agg(sf.max("read_seq").alias("read_seq"))


def _latest_frame_reads(reads: DataFrame) -> DataFrame:
    """The latest `frame` row of every frame (a read lands at most one frame row per frame)."""
    return reads.where(sf.col("row_kind") == FRAME).join(_latest_reads(reads), ["event_frame_webid", "read_seq"])


def current_frames(reads: DataFrame) -> DataFrame:
    """One row per frame ever read, its latest state; deleted frames flagged, not dropped."""
    deletions = (
        reads.where(sf.col("row_kind") == DELETED)
        .groupBy("event_frame_webid")
        .agg(sf.max("read_seq").alias("_deleted_seq"), sf.max("ingested_at").alias("_deleted_at"))
    )
    latest = _latest_frame_reads(reads).join(deletions, "event_frame_webid", "left")
    deleted = sf.coalesce(sf.col("_deleted_seq") > sf.col("read_seq"), sf.lit(False))
    return latest.select(
        sf.col("event_frame_webid").alias("webid"),
        *(sf.col(f.name) for f in FRAME_FIELDS),
        deleted.alias("deleted_in_pi"),
        sf.when(deleted, sf.col("_deleted_at")).alias("deleted_seen_at"),
        sf.col("ingested_at").alias("observed_at"),
    )


def current_attributes(reads: DataFrame) -> DataFrame:
    """The attribute rows of every frame's latest read."""
    latest = (
        reads.where(sf.col("row_kind") == FRAME).groupBy("event_frame_webid").agg(sf.max("read_seq").alias("read_seq"))
    )
    attributes = reads.where(sf.col("row_kind") == ATTRIBUTE)
    return attributes.join(latest, ["event_frame_webid", "read_seq"]).select(
        *(f.name for f in EVENT_FRAME_VALUE_SCHEMA), sf.col("ingested_at").alias("observed_at")
    )
