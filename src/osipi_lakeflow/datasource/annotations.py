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
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc

from osipi_lakeflow.client import ANNOTATION_SCHEMA
from osipi_lakeflow.datasource.options import AFOptions
from osipi_lakeflow.errors import PIResponseError

log = logging.getLogger("osipi_lakeflow.datasource")

EVENT_FRAME, VALUE = "event_frame", "value"
"""The values of `owner_kind`: what an annotation belongs to."""

ANNOTATIONS_SCHEMA: pa.Schema = pa.schema(
    [pa.field("owner_kind", pa.string(), nullable=False), *(f.with_nullable(True) for f in ANNOTATION_SCHEMA)]
)
"""Rows of `pi_annotations`: `ANNOTATION_SCHEMA` with the owner's kind (`event_frame` or `value`)."""

SPAN_GAP = timedelta(hours=1)
"""Annotated instants of one tag closer than this are read by one recorded-values call (with their neighbours)."""


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _at(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


def _with_kind(table: pa.Table, kind: str) -> pa.Table:
    kinds = pa.array([kind] * table.num_rows, pa.string())
    return pa.Table.from_arrays([kinds, *table.columns], schema=ANNOTATIONS_SCHEMA)


def spans(instants: Iterable[int], gap: timedelta = SPAN_GAP) -> list[tuple[int, int]]:
    """Sorted instants (epoch microseconds) grouped into [first, last] spans with no gap wider than `gap`."""
    limit = gap // timedelta(microseconds=1)
    found: list[tuple[int, int]] = []
    for t in sorted(set(instants)):
        if found and t - found[-1][1] <= limit:
            found[-1] = (found[-1][0], t)
        else:
            found.append((t, t))
    return found


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

    Each tag's instants are read in spans (`spans`), one paged recorded-values call per span, and only the
    annotations at the requested instants are kept. A tag PI refuses (deleted, denied) is logged and skipped, so
    one tag never holds back the others' annotations.
    """

    opts: AFOptions

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """The annotations of this task's annotated values."""
        instants: dict[str, set[int]] = defaultdict(set)
        for batch in batches:
            stamps = pc.cast(batch.column("timestamp"), pa.int64()).to_pylist()
            for tag, at in zip(batch.column("tag_webid").to_pylist(), stamps, strict=True):
                instants[tag].add(at)
        if not instants:
            return
        with self.opts.connection.open() as pi:
            for tag in sorted(instants):
                for first, last in spans(instants[tag]):
                    try:
                        table = pi.value_annotations(tag, _at(first), _at(last))
                    except PIResponseError as error:
                        log.warning("value annotations of %s skipped: %s", tag, error)
                        break
                    wanted = pa.array(sorted(instants[tag]), pa.int64())
                    keep = pc.is_in(pc.cast(table.column("value_timestamp"), pa.int64()), value_set=wanted)
                    yield from _with_kind(table.filter(keep), VALUE).to_batches()
