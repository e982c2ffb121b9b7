"""OSI PI into Databricks: the PI Web API client, the record schema, and the types they share.

The Spark data sources (`osipi_lakeflow.datasource`), the local engine (`osipi_lakeflow.local`) and the command
line (`osipi_lakeflow.cli`) are imported on their own, so this package imports without Spark.

Example:
    >>> from osipi_lakeflow import PIWebAPI
    >>> with PIWebAPI("https://pi.example.com/piwebapi") as pi:  # doctest: +SKIP
    ...     table = pi.recorded(["F1DP..."], "*-1h", "*").to_table()
"""

from osipi_lakeflow.client import ClientConfig, PIWebAPI, RecordedRead
from osipi_lakeflow.errors import (
    PIAuthError,
    PIConfigError,
    PIConnectionError,
    PINotFoundError,
    PIResponseError,
    PIWebAPIError,
)
from osipi_lakeflow.models import Watermark
from osipi_lakeflow.schema import RECORDED_SCHEMA

__all__ = [
    "RECORDED_SCHEMA",
    "ClientConfig",
    "PIAuthError",
    "PIConfigError",
    "PIConnectionError",
    "PINotFoundError",
    "PIResponseError",
    "PIWebAPI",
    "PIWebAPIError",
    "RecordedRead",
    "Watermark",
]
