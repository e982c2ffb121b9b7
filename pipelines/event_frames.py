"""AF event frames with their history: every frame ever read keeps one row, updated while open, closed or deleted.

`pi_event_frame_reads` (a streaming table) lands, each run, the frames that are new or changed in the window
[osipi.event_frame_start, now] and the frames PI deleted; `pi_event_frames` and `pi_event_frame_attributes`
(materialized views over it) are the latest state of every frame ever read (`osipi_lakeflow.pipeline.frames`).
A frame that leaves the window keeps its last row. Configuration: the `osipi.*` keys of
`contract.settings_for("event_frames")` (PI Web API, auth, AF database, event-frame start).
"""

from pyspark import pipelines as dp
from pyspark.sql import SparkSession

from osipi_lakeflow import contract
from osipi_lakeflow.datasource import register_all
from osipi_lakeflow.pipeline.bronze import history_table_properties
from osipi_lakeflow.pipeline.conf import PipelineConf
from osipi_lakeflow.pipeline.credentials import pipeline_credentials
from osipi_lakeflow.pipeline.expectations import dataset_name, expect, expect_or_drop
from osipi_lakeflow.pipeline.frames import current_attributes, current_frames

spark = globals().get("spark") or SparkSession.active()
register_all(spark)
conf = PipelineConf.from_conf(spark.conf, contract.EVENT_FRAMES)
options = conf.reader_options(pipeline_credentials(conf))


@dp.table(
    name=contract.EVENT_FRAME_READS,
    comment="Every read of the AF event frames: frames new or changed, their attributes, frames deleted in PI",
    table_properties=history_table_properties(conf),
)
@expect_or_drop("frame_present", "event_frame_webid IS NOT NULL")
@expect_or_drop("frame_has_start", "row_kind <> 'frame' OR (event_frame_id IS NOT NULL AND start_time IS NOT NULL)")
@expect("end_after_start", "row_kind <> 'frame' OR end_time IS NULL OR end_time >= start_time")
@expect("attribute_good", "row_kind <> 'attribute' OR good")
@dataset_name(contract.EVENT_FRAME_READS)
def pi_event_frame_reads():
    """What changed in the event frames at each read."""
    return spark.readStream.format(contract.FORMAT_EVENT_FRAMES).options(**options).load()


@dp.materialized_view(
    name=contract.EVENT_FRAMES_TABLE,
    comment="AF event frames: one row per frame ever read, its latest state (deleted_in_pi once PI deleted it)",
    table_properties={"quality": "bronze"},
)
def pi_event_frames():
    """The latest state of every event frame."""
    return current_frames(spark.read.table(contract.EVENT_FRAME_READS))


@dp.materialized_view(
    name=contract.EVENT_FRAME_ATTRIBUTES,
    comment="Event-frame attribute values of each frame's latest read",
    table_properties={"quality": "bronze"},
)
def pi_event_frame_attributes():
    """Attribute values of every event frame, as last read."""
    return current_attributes(spark.read.table(contract.EVENT_FRAME_READS))
