"""Read the annotations of landed event frames and values: Arrow functions for `DataFrame.mapInArrow`.

Which frames and values carry annotations is known only from tables (`pi_event_frames.is_annotated`, the
time-series `annotated` flag), and a Python data source takes options, not a DataFrame. So these readers run over
those rows with `mapInArrow`, in Spark's Python workers, exactly as a data source's `read()` would: each is built
from the data source options the pipeline source hands every reader (`AFOptions`: URL, credentials, client
settings), carries them pickled like a reader's options (never shown in a plan or a repr) and opens its client
where it runs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa

from osipi_lakeflow.client import ANNOTATION_SCHEMA
from osipi_lakeflow.datasource.options import AFOptions

log = logging.getLogger("osipi_lakeflow.datasource")

EVENT_FRAME, VALUE = "event_frame", "value"
"""The values of `owner_kind`: what an annotation belongs to."""

ANNOTATIONS_SCHEMA: pa.Schema = pa.schema(
    [pa.field("owner_kind", pa.string(), nullable=False), *(f.with_nullable(True) for f in ANNOTATION_SCHEMA)]
)
"""Rows of `pi_annotations`: `ANNOTATION_SCHEMA` with the owner's kind (`event_frame` or `value`)."""


def _with_kind(table: pa.Table, kind: str) -> pa.Table:
    kinds = pa.array([kind] * table.num_rows, pa.string())
    return pa.Table.from_arrays([kinds, *table.columns], schema=ANNOTATIONS_SCHEMA)


@dataclass(frozen=True)
class FrameAnnotations:
    """`mapInArrow` over rows with a `webid` column (annotated frames): their annotations, many frames per call."""

    opts: AFOptions

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """The annotations of this task's frames (a frame deleted since it was read has none)."""
        webids = [w for b in batches for w in b.column("webid").to_pylist() if w]
        if not webids:
            return
        with self.opts.connection.open() as pi:
            table = pi.event_frame_annotations(webids)
        yield from _with_kind(table, EVENT_FRAME).to_batches()


@dataclass(frozen=True)
class ValueAnnotations:
    """`mapInArrow` over rows of (`tag_webid`, `timestamp`): the annotations of those annotated values.

    Only the annotated values are read, a day of a stream per sub-request with PI's annotated-only filter
    (`PIWebAPI.value_annotations_at`), never the values between them. A tag PI refuses (deleted, denied) is
    logged and left out, so one tag never holds back the others' annotations.
    """

    opts: AFOptions

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """The annotations of this task's annotated values."""
        instants = [
            (tag, at)
            for b in batches
            for tag, at in zip(b.column("tag_webid").to_pylist(), b.column("timestamp").to_pylist(), strict=True)
            if tag and at
        ]
        if not instants:
            return
        with self.opts.connection.open() as pi:
            table, refused = pi.value_annotations_at(instants)
        for tag, why in sorted(refused.items()):
            log.warning("value annotations of %s skipped: %s", tag, why)
        yield from _with_kind(table, VALUE).to_batches()
