"""The one schema of PI recorded values, shared by the client's Arrow batches and the bronze tables.

Every column is documented here once; the README's table reference is generated from the same words.

| column              | type                      | meaning                                                            |
|---------------------|---------------------------|--------------------------------------------------------------------|
| tag_webid           | string, not null          | the PI point's WebId (the stream read)                             |
| tag                 | string                    | the PI point's name                                                |
| timestamp           | timestamp (UTC, µs)       | the event's time; PI's 7th fractional digit is truncated, never rounded |
| event_ordinal       | int32, not null           | 0-based position among this tag's events that share the timestamp and the same value; tells identical events apart |
| value_double        | float64                   | numeric value (Float16/32/64, Int16/32, and digital codes stay out of it) |
| value_string        | string                    | String points, and any non-numeric good value (DateTime, Guid) as text |
| state_name          | string                    | digital state name, or system state name ("I/O Timeout", "Shutdown") |
| state_code          | int32                     | digital state code, or system state code (246, 254, ...)           |
| is_system_state     | bool, not null            | the value is a PI SYSTEM digital state (IsSystem true) or an error object |
| good                | bool, not null            | PI's Good flag                                                     |
| questionable        | bool, not null            | PI's Questionable flag                                             |
| substituted         | bool, not null            | PI's Substituted flag                                              |
| annotated           | bool, not null            | PI's Annotated flag (false where the server omits it)              |
| units               | string                    | UnitsAbbreviation of the value or of the stream                    |
"""

from __future__ import annotations

import pyarrow as pa

UTC_MICROS = pa.timestamp("us", tz="UTC")

RECORDED_SCHEMA: pa.Schema = pa.schema(
    [
        pa.field("tag_webid", pa.string(), nullable=False),
        pa.field("tag", pa.string()),
        pa.field("timestamp", UTC_MICROS, nullable=False),
        pa.field("event_ordinal", pa.int32(), nullable=False),
        pa.field("value_double", pa.float64()),
        pa.field("value_string", pa.string()),
        pa.field("state_name", pa.string()),
        pa.field("state_code", pa.int32()),
        pa.field("is_system_state", pa.bool_(), nullable=False),
        pa.field("good", pa.bool_(), nullable=False),
        pa.field("questionable", pa.bool_(), nullable=False),
        pa.field("substituted", pa.bool_(), nullable=False),
        pa.field("annotated", pa.bool_(), nullable=False),
        pa.field("units", pa.string()),
    ]
)
"""Arrow schema of recorded values: what the client yields and what the data source hands to Spark."""

RECORDED_SCHEMA_DDL = (
    "tag_webid STRING NOT NULL, tag STRING, timestamp TIMESTAMP NOT NULL, event_ordinal INT NOT NULL, "
    "value_double DOUBLE, value_string STRING, state_name STRING, state_code INT, "
    "is_system_state BOOLEAN NOT NULL, good BOOLEAN NOT NULL, questionable BOOLEAN NOT NULL, "
    "substituted BOOLEAN NOT NULL, annotated BOOLEAN NOT NULL, units STRING"
)
"""The same schema as a Spark DDL string (Spark's TIMESTAMP is UTC microseconds)."""
