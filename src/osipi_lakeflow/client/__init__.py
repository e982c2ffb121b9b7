"""PI Web API client: `PIWebAPI(url, auth=..., config=ClientConfig(...))`; see README.md beside this file."""

from osipi_lakeflow.client.annotations import ANNOTATION_SCHEMA
from osipi_lakeflow.client.api import PIWebAPI
from osipi_lakeflow.client.config import ClientConfig
from osipi_lakeflow.client.notifications import NOTIFICATION_RULE_SCHEMA
from osipi_lakeflow.client.recorded import RecordedRead
from osipi_lakeflow.client.snapshot import EVENT_FRAME_VALUE_SCHEMA

__all__ = [
    "ANNOTATION_SCHEMA",
    "ClientConfig",
    "EVENT_FRAME_VALUE_SCHEMA",
    "NOTIFICATION_RULE_SCHEMA",
    "PIWebAPI",
    "RecordedRead",
]
