r"""`format("osipi_notification_rules")` (batch): the AF database's notification rules with their subscribers.

Usage::

    spark.read.format("osipi_notification_rules").options(piUrl=..., afDatabase=r"\\\\PIAF01\\Plant").load()

AF time spans (PI's ISO-8601 durations) land as seconds in a double (`resend_interval_seconds`, ...): Spark reads
Arrow durations as `INTERVAL DAY TO SECOND`, which neither Parquet (the local engine) nor Delta can store, and
seconds sum, compare and chart in plain SQL. A server older than PI Web API 2018 has no notification rules: the
read logs one warning naming the release it needs and returns no rows, so the pipeline carries on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from pyspark.sql.datasource import DataSource, DataSourceReader, InputPartition
from pyspark.sql.pandas.types import from_arrow_schema
from pyspark.sql.types import StructType

from osipi_lakeflow import contract
from osipi_lakeflow.client import NOTIFICATION_RULE_SCHEMA
from osipi_lakeflow.datasource.options import AFOptions
from osipi_lakeflow.errors import PIUnsupportedError

log = logging.getLogger("osipi_lakeflow.datasource")


def _in_seconds(field: pa.Field) -> pa.Field:
    """`field` with every duration (nested ones too) as a double of seconds named `<name>_seconds`."""
    kind = field.type
    if pa.types.is_duration(kind):
        return pa.field(f"{field.name}_seconds", pa.float64(), field.nullable)
    if pa.types.is_list(kind):
        return field.with_type(pa.list_(_in_seconds(kind.value_field)))
    if pa.types.is_struct(kind):
        return field.with_type(pa.struct([_in_seconds(f) for f in kind]))
    return field


RULE_SCHEMA: pa.Schema = pa.schema([_in_seconds(f) for f in NOTIFICATION_RULE_SCHEMA])
"""`NOTIFICATION_RULE_SCHEMA` with durations as seconds (`nonrepetition_interval_seconds`, subscribers'
`escalation_timeout_seconds`, ...)."""


def _value(value: Any, kind: pa.DataType) -> Any:
    """One client value in `RULE_SCHEMA`'s shape (timedelta -> seconds, recursively)."""
    if value is None:
        return None
    if pa.types.is_duration(kind):
        return value.total_seconds()
    if pa.types.is_list(kind):
        return [_value(v, kind.value_type) for v in value]
    if pa.types.is_struct(kind):
        return {_in_seconds(f).name: _value(value.get(f.name), f.type) for f in kind}
    return value


def rule_rows(rules: pa.Table) -> pa.Table:
    """The client's rules table in `RULE_SCHEMA`."""
    fields = list(NOTIFICATION_RULE_SCHEMA)
    rows = [{_in_seconds(f).name: _value(row[f.name], f.type) for f in fields} for row in rules.to_pylist()]
    return pa.Table.from_pylist(rows, schema=RULE_SCHEMA)


def read_rules(opts: AFOptions) -> pa.Table:
    """Every notification rule of the database; no rows (and one warning) on a server that predates them."""
    with opts.connection.open() as pi:
        try:
            return rule_rows(pi.notification_rules(pi.asset_database(opts.database)))
        except PIUnsupportedError as error:
            log.warning(
                "notification rules: PI Web API at %s predates them (%s or later needed); %s stays empty",
                opts.connection.url, error.required, contract.NOTIFICATION_RULES,
            )  # fmt: skip
            return RULE_SCHEMA.empty_table()


class _RulesReader(DataSourceReader):
    def __init__(self, opts: AFOptions) -> None:
        self.opts = opts

    def read(self, partition: InputPartition) -> Iterator[pa.RecordBatch]:
        """Every rule in one task (rules are few: AF configuration, not data)."""
        yield from read_rules(self.opts).to_batches(max_chunksize=50_000)


class PINotificationRulesDataSource(DataSource):
    """`format("osipi_notification_rules")`: notification rules with their subscribers nested."""

    @classmethod
    def name(cls) -> str:
        """The format name."""
        return contract.FORMAT_NOTIFICATION_RULES

    def schema(self) -> StructType:
        """`RULE_SCHEMA` as a Spark schema."""
        return from_arrow_schema(RULE_SCHEMA)

    def reader(self, schema: StructType) -> _RulesReader:
        """Validate options and build the reader."""
        return _RulesReader(AFOptions.parse(self.options, contract.ALARMS))
