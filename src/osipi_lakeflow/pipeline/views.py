"""Publish `pi_timeseries`, the one name users query: the latest read of every instant, over all partition tables.

Bronze keeps every read (`pipeline.bronze`): events, and a coverage row for each tag and range each read covered.
An event belongs to the archive's current state unless a later read (higher `read_seq`) covered its instant: then
that later read's events are the truth there (a late event joined, a value was edited or deleted, compression
discarded a snapshot, or the same range was simply read again: a late scan, a tag that moved partitions). The
view applies that rule across every partition table, so a tag read by two partitions over time is never doubled.
The join is an equi-join on (tag, hour of the event) with the coverage rows exploded into the hours they span, so
it stays cheap; filters on tag and time reach both sides.

A view (not append flows into one sink) because each partition is its own pipeline with its own checkpoint: a
dataset can be written by one pipeline only, and a view adds no copy and no extra job latency. The job's last
task runs `osipi-publish-views --catalog C --schema S` on Databricks (the partition tables are found in the
schema, so the task's arguments stay short at any number of partitions); the local runtime calls `publish_views`
after local runs. Beside it, `pi_timeseries_reads` is the plain union of bronze (every read, no rule applied).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence

from pyspark.sql.pandas.types import from_arrow_schema

from osipi_lakeflow import contract
from osipi_lakeflow.errors import PIConfigError
from osipi_lakeflow.schema import BRONZE_SCHEMA, COVERAGE, EVENT, RECORDED_SCHEMA

VIEW_NAME = contract.TIMESERIES_VIEW
READS_VIEW_NAME = contract.TIMESERIES_READS_VIEW
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _ident(name: str, what: str) -> str:
    if not _IDENT.match(name or ""):
        raise PIConfigError(f"{what} must be a plain identifier (letters, digits, _), got {name!r}")
    return f"`{name}`"


VIEW_COLUMNS = [f.name for f in RECORDED_SCHEMA] + ["ingested_at"]
"""What users see: the recorded value columns and when each row was read."""
_BRONZE_COLUMNS = ", ".join(f.name for f in BRONZE_SCHEMA)


def current_sql(source: str) -> str:
    """The query keeping the latest read of every instant from `source` (a table or a parenthesised union)."""
    columns = ", ".join(f"e.{c}" for c in VIEW_COLUMNS)
    return f"""WITH reads AS (SELECT {_BRONZE_COLUMNS} FROM {source}),
covers AS (
  SELECT tag_webid AS cover_tag, read_seq AS cover_seq, timestamp AS cover_from, covered_until AS cover_until,
         explode(sequence(date_trunc('HOUR', timestamp), date_trunc('HOUR', covered_until - INTERVAL 1 MICROSECOND),
                          INTERVAL 1 HOUR)) AS cover_hour
  FROM reads WHERE row_kind = '{COVERAGE}' AND covered_until > timestamp
)
SELECT {columns}
FROM reads e LEFT ANTI JOIN covers c
  ON c.cover_tag = e.tag_webid AND c.cover_hour = date_trunc('HOUR', e.timestamp)
 AND c.cover_seq > coalesce(e.read_seq, 0) AND e.timestamp >= c.cover_from AND e.timestamp < c.cover_until
WHERE coalesce(e.row_kind, '{EVENT}') = '{EVENT}'"""


def _no_reads() -> str:
    """A relation of bronze's columns and types holding no row: the view's source before any partition exists."""
    fields = from_arrow_schema(BRONZE_SCHEMA).fields
    return (
        "SELECT " + ", ".join(f"CAST(NULL AS {f.dataType.simpleString()}) AS {f.name}" for f in fields) + " WHERE 1 = 0"
    )


def _prefix(catalog: str | None, schema: str) -> str:
    """`catalog`.`schema`. (or `schema`.), validated."""
    return (f"{_ident(catalog, 'catalog')}." if catalog else "") + f"{_ident(schema, 'schema')}."


def _all_reads(prefix: str, tables: Sequence[str]) -> str:
    """Every bronze row of `tables` (a typed empty relation when there is none)."""
    union = "\n  UNION ALL\n  ".join(
        f"SELECT {_BRONZE_COLUMNS} FROM {prefix}{_ident(t, 'table')}" for t in sorted(set(tables))
    )
    return union or _no_reads()


def view_sql(catalog: str | None, schema: str, tables: Sequence[str], view: str = VIEW_NAME) -> str:
    """The CREATE OR REPLACE VIEW statement; identifiers are validated, so nothing can be injected.

    With no partition table yet the view is empty but typed, so what reads it (dashboards) works from the first
    deploy.
    """
    prefix = _prefix(catalog, schema)
    return f"CREATE OR REPLACE VIEW {prefix}{_ident(view, 'view')} AS\n{current_sql(f'({_all_reads(prefix, tables)})')}"


def reads_view_sql(catalog: str | None, schema: str, tables: Sequence[str]) -> str:
    """The CREATE OR REPLACE VIEW statement of `pi_timeseries_reads`: every row of `tables`, no rule applied.

    For what needs every instant any read found, not the current state: the alarms pipeline asks PI for the
    annotations of every instant a read found annotated (PI's answer is the truth, so asking for an instant a later
    read superseded costs a little and changes nothing), without the supersession join over all of bronze.
    """
    prefix = _prefix(catalog, schema)
    return f"CREATE OR REPLACE VIEW {prefix}{_ident(READS_VIEW_NAME, 'view')} AS\n{_all_reads(prefix, tables)}"


def partition_tables(spark, catalog: str | None, schema: str) -> list[str]:
    """The partition tables that exist in the schema now (a retired partition's pipeline takes its table along)."""
    rows = spark.sql(f"SHOW TABLES IN {_prefix(catalog, schema).rstrip('.')}").collect()
    return sorted(r.tableName for r in rows if contract.is_partition_table(r.tableName) and not r.isTemporary)


def publish_views(spark, catalog: str | None, schema: str, tables: Sequence[str] | None = None) -> str:
    """Create or replace both views over `tables` (default: every partition table in the schema); the statements."""
    tables = tables if tables is not None else partition_tables(spark, catalog, schema)
    statements = [view_sql(catalog, schema, tables), reads_view_sql(catalog, schema, tables)]
    for statement in statements:
        spark.sql(statement)
    return ";\n".join(statements)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point `osipi-publish-views` (the ingest job's final wheel task)."""
    parser = argparse.ArgumentParser(prog="osipi-publish-views", description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--tables", help="comma-separated partition tables (default: every one in the schema)")
    args = parser.parse_args(argv)
    tables = [t.strip() for t in args.tables.split(",") if t.strip()] if args.tables else None
    from pyspark.sql import SparkSession

    print(publish_views(SparkSession.builder.getOrCreate(), args.catalog, args.schema, tables))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
