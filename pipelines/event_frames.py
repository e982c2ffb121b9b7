"""Event frames overlapping [osipi.event_frame_start, now], refreshed in full: one row per frame id.

`pi_event_frames` and `pi_event_frame_attributes` are materialized views, so a frame that closed since the last
run shows its end time and never appears twice. Configuration: osipi.pi_url, osipi.af_database,
osipi.event_frame_start, osipi.auth.* (key names only).
"""

from pyspark import pipelines as dp
from pyspark.sql import SparkSession

from osipi_lakeflow.config import PipelineConf
from osipi_lakeflow.datasource import register_all
from osipi_lakeflow.expectations import dataset_name, expect, expect_or_drop

spark = globals().get("spark") or SparkSession.active()
register_all(spark)
conf = PipelineConf.from_conf(spark.conf, "event_frames")


@dp.materialized_view(name="pi_event_frames", comment="AF event frames", table_properties={"quality": "bronze"})
@expect_or_drop("frame_id_and_start_present", "event_frame_id IS NOT NULL AND start_time IS NOT NULL")
@expect("end_after_start", "end_time IS NULL OR end_time >= start_time")
@dataset_name("pi_event_frames")
def pi_event_frames():
    """Event frames of the window, one row per frame id."""
    return spark.read.format("osipi_event_frames").options(**conf.af_options()).load()


@dp.materialized_view(
    name="pi_event_frame_attributes", comment="Event-frame attribute values", table_properties={"quality": "bronze"}
)
@expect_or_drop("frame_and_attribute_present", "event_frame_webid IS NOT NULL AND attribute_webid IS NOT NULL")
@dataset_name("pi_event_frame_attributes")
def pi_event_frame_attributes():
    """Attribute values of those event frames."""
    return spark.read.format("osipi_event_frame_attributes").options(**conf.af_options()).load()
