"""Spark Python data sources for PI: `osipi` (time series) and the AF / event-frame sources."""

from osipi_lakeflow.datasource.af import PIAttributesDataSource, PIElementsDataSource
from osipi_lakeflow.datasource.frames import PIEventFramesDataSource
from osipi_lakeflow.datasource.notifications import PINotificationRulesDataSource
from osipi_lakeflow.datasource.reading import SOURCE_SCHEMA, SOURCE_SCHEMA_DDL, PIReadError
from osipi_lakeflow.datasource.timeseries import PIDataSource

ALL_SOURCES = (
    PIDataSource,
    PIElementsDataSource,
    PIAttributesDataSource,
    PIEventFramesDataSource,
    PINotificationRulesDataSource,
)


def register_all(spark) -> None:
    """Register every PI data source with a session (allowed inside pipeline sources)."""
    for source in ALL_SOURCES:
        spark.dataSource.register(source)


__all__ = [
    "ALL_SOURCES",
    "PIAttributesDataSource",
    "PIDataSource",
    "PIElementsDataSource",
    "PIEventFramesDataSource",
    "PINotificationRulesDataSource",
    "PIReadError",
    "SOURCE_SCHEMA",
    "SOURCE_SCHEMA_DDL",
    "register_all",
]
