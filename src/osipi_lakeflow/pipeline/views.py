"""Publish `pi_timeseries`, the one name users query: a view, UNION ALL over the partition tables.

A view (not append flows into one sink) because each partition is its own pipeline with its own checkpoint: a
dataset can be written by one pipeline only, and a view adds no copy and no extra job latency. The job's last
task runs `osipi-publish-views --catalog C --schema S` on Databricks (the partition tables are found in the
schema, so the task's arguments stay short at any number of partitions); the local runtime calls `publish_views`
after local runs.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence

from osipi_lakeflow import contract
from osipi_lakeflow.errors import PIConfigError

VIEW_NAME = contract.TIMESERIES_VIEW
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _ident(name: str, what: str) -> str:
    if not _IDENT.match(name or ""):
        raise PIConfigError(f"{what} must be a plain identifier (letters, digits, _), got {name!r}")
    return f"`{name}`"


def view_sql(catalog: str | None, schema: str, tables: Sequence[str], view: str = VIEW_NAME) -> str:
    """The CREATE OR REPLACE VIEW statement; identifiers are validated, so nothing can be injected."""
    if not tables:
        raise PIConfigError("no partition tables to publish: pass --tables pi_timeseries_p0001,... (comma-separated)")
    prefix = (f"{_ident(catalog, 'catalog')}." if catalog else "") + f"{_ident(schema, 'schema')}."
    selects = "\nUNION ALL\n".join(f"SELECT * FROM {prefix}{_ident(t, 'table')}" for t in sorted(set(tables)))
    return f"CREATE OR REPLACE VIEW {prefix}{_ident(view, 'view')} AS\n{selects}"


def partition_tables(spark, catalog: str | None, schema: str) -> list[str]:
    """The partition tables that exist in the schema now (a retired partition's pipeline takes its table along)."""
    where = f"{_ident(catalog, 'catalog')}.{_ident(schema, 'schema')}" if catalog else _ident(schema, "schema")
    rows = spark.sql(f"SHOW TABLES IN {where}").collect()
    return sorted(r.tableName for r in rows if contract.is_partition_table(r.tableName) and not r.isTemporary)


def publish_views(spark, catalog: str | None, schema: str, tables: Sequence[str] | None = None) -> str:
    """Create or replace the `pi_timeseries` view over `tables` (default: every partition table in the schema)."""
    statement = view_sql(catalog, schema, tables if tables is not None else partition_tables(spark, catalog, schema))
    spark.sql(statement)
    return statement


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
