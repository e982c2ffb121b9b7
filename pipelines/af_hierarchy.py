"""The AF hierarchy, refreshed in full each run: `pi_af_elements` and `pi_af_attributes` (materialized views).

Configuration: osipi.pi_url, osipi.af_database, osipi.auth.* (key names only).
"""

from pyspark import pipelines as dp
from pyspark.sql import SparkSession

from osipi_lakeflow.config import PipelineConf
from osipi_lakeflow.datasource import register_all
from osipi_lakeflow.expectations import dataset_name, expect, expect_or_drop

spark = globals().get("spark") or SparkSession.active()
register_all(spark)
conf = PipelineConf.from_conf(spark.conf, "af_hierarchy")


@dp.materialized_view(name="pi_af_elements", comment="AF elements", table_properties={"quality": "bronze"})
@expect_or_drop("element_id_present", "element_id IS NOT NULL")
@expect("root_or_parent_known", "depth = 0 OR parent_id IS NOT NULL")
@dataset_name("pi_af_elements")
def pi_af_elements():
    """Every element of the AF database."""
    return spark.read.format("osipi_af_elements").options(**conf.af_options()).load()


@dp.materialized_view(name="pi_af_attributes", comment="AF attributes", table_properties={"quality": "bronze"})
@expect_or_drop("attribute_id_present", "attribute_id IS NOT NULL")
@expect("pi_point_resolved", "data_reference IS NULL OR data_reference <> 'PI Point' OR point_webid IS NOT NULL")
@dataset_name("pi_af_attributes")
def pi_af_attributes():
    """Every attribute of every element."""
    return spark.read.format("osipi_af_attributes").options(**conf.af_options()).load()
