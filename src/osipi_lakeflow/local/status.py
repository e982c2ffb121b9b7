"""What landed locally: tables under the warehouse folder, with their Parquet paths and row counts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq


@dataclass(frozen=True)
class LandedTable:
    """One local table: schema, name, folder, Parquet files and rows (from Parquet footers, no Spark)."""

    schema: str
    name: str
    path: Path
    files: int
    rows: int


def list_tables(warehouse: Path) -> list[LandedTable]:
    """Every table under `warehouse/warehouse/<schema>.db/`, sorted by schema and name."""
    root = Path(warehouse) / "warehouse"
    tables = []
    for schema_dir in sorted(root.glob("*.db")):
        for table_dir in sorted(p for p in schema_dir.iterdir() if p.is_dir()):
            files = [
                f
                for f in table_dir.rglob("*.parquet")
                if not any(part.startswith(("_", ".")) for part in f.relative_to(table_dir).parts)
            ]
            rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
            tables.append(LandedTable(schema_dir.name[:-3], table_dir.name, table_dir, len(files), rows))
    return tables
