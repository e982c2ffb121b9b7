"""The AF hierarchy, refreshed in full each run: `pi_af_elements` and `pi_af_attributes` (materialized views).

Configuration: the `osipi.*` keys of `contract.settings_for("af_hierarchy")` (PI Web API, auth, AF database).
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
conf = PipelineConf.from_conf(spark.conf, contract.AF_HIERARCHY)
options = conf.reader_options(pipeline_credentials(conf))


@dp.materialized_view(name=contract.AF_ELEMENTS, comment="AF elements", table_properties={"quality": "bronze"})
@expect_or_drop("element_id_present", "element_id IS NOT NULL")
@expect("root_or_parent_known", "depth = 0 OR parent_id IS NOT NULL")
@dataset_name(contract.AF_ELEMENTS)
def pi_af_elements():
    """Every element of the AF database."""
    return spark.read.format(contract.FORMAT_AF_ELEMENTS).options(**options).load()


@dp.materialized_view(name=contract.AF_ATTRIBUTES, comment="AF attributes", table_properties={"quality": "bronze"})
@expect_or_drop("attribute_id_present", "attribute_id IS NOT NULL")
@expect("pi_point_resolved", "data_reference IS NULL OR data_reference <> 'PI Point' OR point_webid IS NOT NULL")
@dataset_name(contract.AF_ATTRIBUTES)
def pi_af_attributes():
    """Every attribute of every element."""
    return spark.read.format(contract.FORMAT_AF_ATTRIBUTES).options(**options).load()
