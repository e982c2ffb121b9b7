"""Bronze PI time series of one partition: `pi_timeseries_<pid>`, a streaming table with expectations.

Configuration: the `osipi.*` keys of `contract.settings_for("timeseries")` and the partition keys
(`osipi.partition_id`, `osipi.tags`, `osipi.tag_starts`), rendered from osipi.plan.json by `osipi generate`.
Bronze keeps every read; users query the view `pi_timeseries`, which keeps the latest read of each instant over
every partition table, published by `osipi-publish-views`.
"""

from pyspark import pipelines as dp
from pyspark.sql import SparkSession

from osipi_lakeflow import contract
from osipi_lakeflow.datasource import register_all
from osipi_lakeflow.pipeline.bronze import FUTURE_TOLERANCE, bronze_stream, bronze_table_properties, live_flow_conf
from osipi_lakeflow.pipeline.conf import PipelineConf
from osipi_lakeflow.pipeline.credentials import pipeline_credentials
from osipi_lakeflow.pipeline.expectations import dataset_name, expect, expect_or_drop

spark = globals().get("spark") or SparkSession.active()  # injected by the runtime on Databricks and locally
register_all(spark)
conf = PipelineConf.from_conf(spark.conf, contract.TIMESERIES)
credentials = pipeline_credentials(conf)  # read here, in the pipeline's session: the reader runs elsewhere
(TABLE,) = conf.tables


@dp.table(
    name=TABLE,
    comment=f"Raw PI recorded values of partition {conf.partition_id} ({len(conf.tags)} tags)",
    table_properties=bronze_table_properties(conf),
    spark_conf=live_flow_conf(conf),
)
@expect_or_drop("timestamp_and_tag_present", "timestamp IS NOT NULL AND tag_webid IS NOT NULL")
@expect("timestamp_not_in_future", f"row_kind <> 'event' OR timestamp <= ingested_at + {FUTURE_TOLERANCE}")
@expect("good_quality", "row_kind <> 'event' OR good")
@expect("read_complete", "row_kind <> 'gap'")
@dataset_name(TABLE)
def pi_timeseries_partition():
    """The partition's reads: PI events, what each read covered, and what could not be read."""
    return bronze_stream(spark, conf, credentials)
