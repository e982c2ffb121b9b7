r"""AF hierarchy data sources (batch): elements and attributes.

Each reads one AF database (option `afDatabase`) in full, so a materialized view over it is a complete, current
snapshot. Options: the settings of `contract.settings_for("af_hierarchy")` by their option names, and the
credentials of the auth method. Event frames have their own source, which keeps history (`frames.py`).

Usage::

    spark.read.format("osipi_af_elements").options(piUrl=..., afDatabase=r"\\\\PIAF01\\Plant").load()
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
from pyspark.sql.datasource import DataSource, DataSourceReader, InputPartition
from pyspark.sql.pandas.types import from_arrow_schema
from pyspark.sql.types import StructType

from osipi_lakeflow import contract
from osipi_lakeflow.datasource.options import AFOptions
from osipi_lakeflow.models import Attribute, Element

_TAGS = pa.list_(pa.string())

ELEMENT_SCHEMA = pa.schema(
    [
        pa.field("element_id", pa.string(), nullable=False),
        pa.field("webid", pa.string(), nullable=False),
        pa.field("name", pa.string()),
        pa.field("path", pa.string()),
        pa.field("parent_id", pa.string()),
        pa.field("depth", pa.int32()),
        pa.field("template", pa.string()),
        pa.field("categories", _TAGS),
        pa.field("description", pa.string()),
        pa.field("has_children", pa.bool_()),
    ]
)
ATTRIBUTE_SCHEMA = pa.schema(
    [
        pa.field("attribute_id", pa.string(), nullable=False),
        pa.field("webid", pa.string(), nullable=False),
        pa.field("element_id", pa.string()),
        pa.field("name", pa.string()),
        pa.field("path", pa.string()),
        pa.field("point_webid", pa.string()),
        pa.field("point_name", pa.string()),
        pa.field("units", pa.string()),
        pa.field("data_reference", pa.string()),
        pa.field("type", pa.string()),
    ]
)


def element_rows(elements: list[Element]) -> pa.Table:
    """Elements with their parent's id, found through the parent's path."""
    ids = {e.path: e.id for e in elements}
    return pa.Table.from_pylist(
        [
            {
                "element_id": e.id,
                "webid": e.webid,
                "name": e.name,
                "path": e.path,
                "parent_id": ids.get(e.parent_path) if e.parent_path else None,
                "depth": e.depth,
                "template": e.template or None,
                "categories": list(e.categories),
                "description": e.description or None,
                "has_children": e.has_children,
            }
            for e in elements
        ],
        schema=ELEMENT_SCHEMA,
    )


def attribute_rows(attributes: list[Attribute], element_ids: dict[str, str]) -> pa.Table:
    """Attributes with their element's id (from the owner WebId)."""
    return pa.Table.from_pylist(
        [
            {
                "attribute_id": a.id,
                "webid": a.webid,
                "element_id": element_ids.get(a.owner_webid),
                "name": a.name,
                "path": a.path,
                "point_webid": a.point_webid,
                "point_name": a.point_name,
                "units": a.units or None,
                "data_reference": a.data_reference or None,
                "type": a.type or None,
            }
            for a in attributes
        ],
        schema=ATTRIBUTE_SCHEMA,
    )


def read_af(kind: str, opts: AFOptions) -> pa.Table:
    """Read one AF entity set of the database in full."""
    with opts.connection.open() as pi:
        elements = list(pi.elements(pi.asset_database(opts.database)))
        if kind == "elements":
            return element_rows(elements)
        return attribute_rows(list(pi.attributes(elements)), {e.webid: e.id for e in elements})


class _AFReader(DataSourceReader):
    def __init__(self, kind: str, opts: AFOptions) -> None:
        self.kind = kind
        self.opts = opts

    def read(self, partition: InputPartition) -> Iterator[pa.RecordBatch]:
        """The whole entity set, in one task (AF listings page sequentially anyway)."""
        yield from read_af(self.kind, self.opts).to_batches(max_chunksize=50_000)


class _AFSource(DataSource):
    kind = ""
    arrow_schema: pa.Schema

    def schema(self) -> StructType:
        """The Spark schema of this entity set."""
        return from_arrow_schema(self.arrow_schema)

    def reader(self, schema: StructType) -> _AFReader:
        """Validate options and build the reader."""
        return _AFReader(self.kind, AFOptions.parse(self.options, contract.AF_HIERARCHY))


class PIElementsDataSource(_AFSource):
    """`format("osipi_af_elements")`: every element of the AF database."""

    kind, arrow_schema = "elements", ELEMENT_SCHEMA

    @classmethod
    def name(cls) -> str:
        """The format name."""
        return contract.FORMAT_AF_ELEMENTS


class PIAttributesDataSource(_AFSource):
    """`format("osipi_af_attributes")`: every attribute of every element, PI Point ones with their point."""

    kind, arrow_schema = "attributes", ATTRIBUTE_SCHEMA

    @classmethod
    def name(cls) -> str:
        """The format name."""
        return contract.FORMAT_AF_ATTRIBUTES
