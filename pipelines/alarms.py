"""Alarms, notification rules and annotations: materialized views recomputed in full on every run.

Reads what the other pipelines landed in the same catalog and schema (the ingest job runs this one after them):
`pi_event_frames` and `pi_event_frame_attributes` (event frames), `pi_af_elements` (AF hierarchy) and the
`pi_timeseries_reads` view (time series: which values were annotated). Notification rules come from PI through
`format("osipi_notification_rules")`; annotations from PI through readers that run in Spark's Python workers with
the same options as every data source (`osipi_lakeflow.datasource.annotations`). `active_seconds` and the open
alarms' share of the summary are as of the last refresh (`as_of`). Configuration: the `osipi.*` keys of
`contract.settings_for("alarms")`.
"""

from pyspark import pipelines as dp
from pyspark.sql import SparkSession
from pyspark.sql.pandas.types import from_arrow_schema

from osipi_lakeflow import contract
from osipi_lakeflow.datasource import register_all
from osipi_lakeflow.datasource.annotations import ANNOTATIONS_SCHEMA, FrameAnnotations, ValueAnnotations
from osipi_lakeflow.datasource.options import AFOptions
from osipi_lakeflow.pipeline import alarms as al
from osipi_lakeflow.pipeline.conf import PipelineConf
from osipi_lakeflow.pipeline.credentials import pipeline_credentials
from osipi_lakeflow.pipeline.expectations import dataset_name, expect, expect_or_drop

spark = globals().get("spark") or SparkSession.active()
register_all(spark)
conf = PipelineConf.from_conf(spark.conf, contract.ALARMS)
options = conf.reader_options(pipeline_credentials(conf))
reader = AFOptions.parse(options, contract.ALARMS)
SILVER = {"quality": "silver"}
ANNOTATION_TASKS = 4


@dp.materialized_view(name=contract.ALARMS_TABLE, comment="One row per alarm ever read", table_properties=SILVER)
@expect_or_drop("alarm_present", "alarm_webid IS NOT NULL AND start_time IS NOT NULL")
@expect("end_after_start", "end_time IS NULL OR end_time >= start_time")
@expect("severity_known", "severity_level IS NOT NULL")
@expect("element_known", "primary_element_webid IS NULL OR element_path IS NOT NULL")
@dataset_name(contract.ALARMS_TABLE)
def pi_alarms():
    """Alarm frames with severity level, acknowledgement, element path and trigger value."""
    return al.alarms(
        spark.read.table(contract.EVENT_FRAMES_TABLE),
        spark.read.table(contract.EVENT_FRAME_ATTRIBUTES),
        spark.read.table(contract.AF_ELEMENTS),
        conf.values["alarm_templates"],
        conf.values["alarm_trigger_attribute"],
    )


@dp.materialized_view(
    name=contract.ACTIVE_ALARMS,
    comment="Alarms open as of the last refresh (as_of: PI server time of the latest event-frame read)",
    table_properties=SILVER,
)
@expect("active_seconds_known", "active_seconds IS NOT NULL AND active_seconds >= 0")
@dataset_name(contract.ACTIVE_ALARMS)
def pi_active_alarms():
    """Open alarms and how long each has been active at `as_of`."""
    return al.active_alarms(spark.read.table(contract.ALARMS_TABLE))


@dp.materialized_view(
    name=contract.ALARM_SUMMARY,
    comment="Alarms per element and severity, as of the last refresh",
    table_properties=SILVER,
)
@expect("counts_consistent", "active_count <= alarm_count AND acknowledged_count <= alarm_count")
@dataset_name(contract.ALARM_SUMMARY)
def pi_alarm_summary():
    """Counts, active time and time to acknowledge per primary element and severity."""
    return al.alarm_summary(spark.read.table(contract.ALARMS_TABLE))


@dp.materialized_view(
    name=contract.NOTIFICATION_RULES,
    comment="Notification rules of the AF database with their subscribers (empty before PI Web API 2018)",
    table_properties={"quality": "bronze"},
)
@expect_or_drop("rule_present", "webid IS NOT NULL")
@expect("rule_has_name", "name IS NOT NULL")
@dataset_name(contract.NOTIFICATION_RULES)
def pi_notification_rules():
    """Every notification rule, read in full."""
    return spark.read.format(contract.FORMAT_NOTIFICATION_RULES).options(**options).load()


@dp.materialized_view(
    name=contract.ANNOTATIONS,
    comment="Annotations of event frames and of recorded values",
    table_properties={"quality": "bronze"},
)
@expect_or_drop("owner_present", "owner_kind IS NOT NULL AND owner_webid IS NOT NULL")
@expect("value_has_timestamp", "owner_kind <> 'value' OR value_timestamp IS NOT NULL")
@dataset_name(contract.ANNOTATIONS)
def pi_annotations():
    """Annotations of annotated frames and annotated values, read from PI on each refresh."""
    schema = from_arrow_schema(ANNOTATIONS_SCHEMA)
    frames = al.annotated_frames(spark.read.table(contract.EVENT_FRAMES_TABLE))
    values = al.annotated_values(spark.read.table(contract.TIMESERIES_READS_VIEW), ANNOTATION_TASKS)
    return frames.mapInArrow(FrameAnnotations(reader), schema).unionByName(
        values.mapInArrow(ValueAnnotations(reader), schema)
    )
