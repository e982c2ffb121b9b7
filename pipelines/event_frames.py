"""Event frames overlapping [osipi.event_frame_start, now], refreshed in full: one row per frame id.

`pi_event_frames` and `pi_event_frame_attributes` are materialized views, so a frame that closed since the last
run shows its end time and never appears twice. Configuration: the `osipi.*` keys of
`contract.settings_for("event_frames")` (PI Web API, auth, AF database, event-frame start).
"""

from pyspark import pipelines as dp
from pyspark.sql import SparkSession

from osipi_lakeflow import contract
from osipi_lakeflow.datasource import register_all
from osipi_lakeflow.pipeline.conf import PipelineConf
from osipi_lakeflow.pipeline.credentials import pipeline_credentials
from osipi_lakeflow.pipeline.expectations import dataset_name, expect, expect_or_drop

spark = globals().get("spark") or SparkSession.active()
register_all(spark)
conf = PipelineConf.from_conf(spark.conf, contract.EVENT_FRAMES)
options = conf.reader_options(pipeline_credentials(conf))


@dp.materialized_view(
    name=contract.EVENT_FRAMES_TABLE, comment="AF event frames", table_properties={"quality": "bronze"}
)
@expect_or_drop("frame_id_and_start_present", "event_frame_id IS NOT NULL AND start_time IS NOT NULL")
@expect("end_after_start", "end_time IS NULL OR end_time >= start_time")
@dataset_name(contract.EVENT_FRAMES_TABLE)
def pi_event_frames():
    """Event frames of the window, one row per frame id."""
    return spark.read.format(contract.FORMAT_EVENT_FRAMES).options(**options).load()


@dp.materialized_view(
    name=contract.EVENT_FRAME_ATTRIBUTES,
    comment="Event-frame attribute values",
    table_properties={"quality": "bronze"},
)
@expect_or_drop("frame_and_attribute_present", "event_frame_webid IS NOT NULL AND attribute_webid IS NOT NULL")
@dataset_name(contract.EVENT_FRAME_ATTRIBUTES)
def pi_event_frame_attributes():
    """Attribute values of those event frames."""
    return spark.read.format(contract.FORMAT_EVENT_FRAME_VALUES).options(**options).load()
