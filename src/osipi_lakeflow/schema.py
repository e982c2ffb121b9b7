"""The one schema of PI recorded values, shared by the client's Arrow batches and the bronze tables.

Columns (the README's table reference says the same):
- `tag_webid` (string, not null): the PI point's WebId, the stream read.
- `tag` (string): the PI point's name.
- `timestamp` (timestamp UTC, microseconds, not null): PI's 7th fractional digit is truncated, never rounded.
- `event_ordinal` (int32, not null): 0-based position among the tag's events with the same timestamp and value;
  it tells identical events at one instant apart.
- `value_double` (float64): numeric values (Float16/32/64, Int16/32/64; booleans as 1/0); NaN and infinities too,
  whether PI wrote them as numbers or as the strings "NaN", "Infinity", "-Infinity" of a numeric point.
- `value_int` (int64): the exact value when PI sent an integer (Int16/32/64 points and attributes), so values
  beyond 2^53, which a double cannot hold, keep every digit.
- `value_string` (string): String points, and other non-numeric good values (DateTime, Guid) as text.
- `state_name`, `state_code` (string, int32): a digital state, or a system state ("I/O Timeout" 246, ...).
- `is_system_state` (bool, not null): the value is a PI SYSTEM state or an error object (`state_name` then holds
  the error text). A null value (PI sends `"Value": null` with `Good: false`) is a row too, every value column null.
- `good`, `questionable`, `substituted`, `annotated` (bool, not null): PI's flags; `annotated` is false where
  the server omits it.
- `units` (string): UnitsAbbreviation of the value or of the stream.
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
        pa.field("value_int", pa.int64()),
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
    "value_double DOUBLE, value_int BIGINT, value_string STRING, state_name STRING, state_code INT, "
    "is_system_state BOOLEAN NOT NULL, good BOOLEAN NOT NULL, questionable BOOLEAN NOT NULL, "
    "substituted BOOLEAN NOT NULL, annotated BOOLEAN NOT NULL, units STRING"
)
"""The same schema as a Spark DDL string (Spark's TIMESTAMP is UTC microseconds)."""

READ_COLUMNS: pa.Schema = pa.schema(
    [
        pa.field("ingested_at", UTC_MICROS, nullable=False),
        pa.field("read_seq", pa.int64(), nullable=False),
        pa.field("row_kind", pa.string(), nullable=False),
        pa.field("covered_until", UTC_MICROS),
        pa.field("read_error", pa.string()),
    ]
)
"""What a bronze row adds about the read that produced it.

- `ingested_at`: the PI server time of the micro-batch.
- `read_seq`: the micro-batch's read sequence, increasing with (wall-clock) time across every pipeline, so the
  latest read of an instant is the one with the highest `read_seq`.
- `row_kind`: `event` (a PI event), `coverage` (this read covered the tag's range [`timestamp`, `covered_until`):
  what it found there supersedes every earlier read of that range) or `gap` (the range [`timestamp`,
  `covered_until`) could not be read; `read_error` says why).
"""

EVENT, COVERAGE, GAP = "event", "coverage", "gap"
"""The values of `row_kind`."""

BRONZE_SCHEMA: pa.Schema = pa.schema([*RECORDED_SCHEMA, *READ_COLUMNS])
"""Rows of a bronze time-series table: recorded values and coverage and gap rows, each with its read."""

BRONZE_SCHEMA_DDL = (
    RECORDED_SCHEMA_DDL + ", ingested_at TIMESTAMP NOT NULL, read_seq BIGINT NOT NULL, row_kind STRING NOT NULL, "
    "covered_until TIMESTAMP, read_error STRING"
)
"""The same schema as a Spark DDL string."""
