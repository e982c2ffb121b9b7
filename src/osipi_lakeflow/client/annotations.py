"""Annotations: operators' comments on event frames and on recorded values, as Arrow tables of one schema.

Event-frame annotations come from `eventframes/{webId}/annotations`, many frames per `POST /batch`. A value's
annotation comes with the value itself: `streams/{webId}/recorded?associations=Annotations` (the association
PI Web API documents for GetRecorded) with the filter that keeps annotated values only, so PI sends those alone;
paged by time like any recorded read over a range, many ranges per `POST /batch`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import quote

import pyarrow as pa

from osipi_lakeflow.client.listing import Params, batch_answers, batch_get_each
from osipi_lakeflow.client.parse import time_or_none
from osipi_lakeflow.client.session import Transport, error_text, status_error
from osipi_lakeflow.errors import PIResponseError
from osipi_lakeflow.pitime import format_time

_UTC_MICROS = pa.timestamp("us", tz="UTC")
ANNOTATION_SCHEMA: pa.Schema = pa.schema(
    [
        pa.field("owner_webid", pa.string(), nullable=False),
        pa.field("value_timestamp", _UTC_MICROS),
        pa.field("id", pa.string()),
        pa.field("name", pa.string()),
        pa.field("description", pa.string()),
        pa.field("value", pa.string()),
        pa.field("creator", pa.string()),
        pa.field("creation_date", _UTC_MICROS),
        pa.field("modifier", pa.string()),
        pa.field("modify_date", _UTC_MICROS),
    ]
)
"""One row per annotation: `owner_webid` is the event frame or the stream; `value_timestamp` is the annotated
value's time (null for event-frame annotations); a `value` that is not text is kept as its JSON."""

_FIELDS = ("Id", "Name", "Description", "Value", "Creator", "CreationDate", "Modifier", "ModifyDate")


def frame_annotations(transport: Transport, frames: Iterable[str], frames_per_call: int) -> pa.Table:
    """The annotations of each event frame in `ANNOTATION_SCHEMA`; a frame deleted since it was found is left out."""
    frame_ids = list(dict.fromkeys(frames))
    params = [("selectedFields", ";".join(f"Items.{f}" for f in _FIELDS))]
    rows = []
    for frame, content in batch_get_each(transport, frame_ids, "eventframes/{}/annotations", params, frames_per_call):
        rows += [_row(frame, None, a) for a in (content or {}).get("Items") or [] if isinstance(a, dict)]
    return pa.Table.from_pylist(rows, schema=ANNOTATION_SCHEMA)


ANNOTATED_ONLY = "IsSet('.', \"a\")"
"""PI's filter expression for annotated values only: the swagger of GetRecorded names it for reading annotations,
so PI scans a range for them and sends those alone."""

SPAN = timedelta(days=1)
"""The longest range of one stream a filtered read covers when reading at known instants: PI scans every event of
the range for the annotated ones, so this bounds the archive one sub-request makes it scan (86,400 events of a
1 Hz point), while a stream's annotated instants within it cost one sub-request instead of one each."""

MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class _Range:
    """One stream's range to read annotated values over, and which of their instants to keep (None: all)."""

    webid: str
    start: str
    end: str
    keep: frozenset[datetime] | None = None


@dataclass(frozen=True)
class _Refusal:
    """How PI refused a stream: kept whole, so a single-stream read raises the mapped error of its status."""

    status: int
    url: str
    text: str


def _annotated_values(
    transport: Transport, ranges: Sequence[_Range], per_call: int, max_count: int
) -> tuple[list[dict], dict[str, _Refusal]]:
    """Annotation rows of the annotated values in each range, `per_call` ranges per `POST /batch`.

    Each range is read with `ANNOTATED_ONLY` and `associations=Annotations`, in pages of `max_count` values: a
    full page is read again from its last timestamp (dropping the values at it), so several values at one instant
    are neither lost nor repeated. A stream PI refuses (deleted, denied) is not asked for its later ranges beyond
    the calls already in flight (`calls_in_order`): its refusal holds for all of them.
    """
    selected = "Items.Timestamp;" + ";".join(f"Items.Annotations.{f}" for f in _FIELDS)

    def request(part: _Range) -> tuple[str, Params]:
        return (
            f"streams/{quote(part.webid, safe='')}/recorded",
            [("startTime", part.start), ("endTime", part.end), ("maxCount", str(max_count)),
             ("filterExpression", ANNOTATED_ONLY), ("associations", "Annotations"), ("selectedFields", selected)],
        )  # fmt: skip

    rows: list[dict] = []
    refused: dict[str, _Refusal] = {}
    pending = list(ranges)
    while pending:
        next_pages: list[_Range] = []
        wanted = (part for part in pending if part.webid not in refused)  # drawn a call at a time
        for part, status, content, url in batch_answers(transport, wanted, request, per_call):
            if status >= 400:
                refused.setdefault(part.webid, _Refusal(status, url, error_text(content)))
                continue
            values = [v for v in (content or {}).get("Items") or [] if isinstance(v, dict)]
            if len(values) >= max_count:
                last = values[-1].get("Timestamp")
                values = [v for v in values if v.get("Timestamp") != last]
                if not values:
                    raise PIResponseError(
                        f"{max_count} or more annotated values of {part.webid} at {last}: raise max_count to read "
                        "their annotations",
                        url=url,
                    )
                next_pages.append(replace(part, start=last))
            for value in values:
                stamp = time_or_none(value.get("Timestamp"))
                if part.keep is None or stamp in part.keep:
                    rows += [_row(part.webid, stamp, a) for a in value.get("Annotations") or [] if isinstance(a, dict)]
        pending = next_pages
    return rows, refused


def value_annotations(transport: Transport, webid: str, start: str, end: str, max_count: int) -> pa.Table:
    """The annotations of a stream's recorded values with start <= time <= end, in time order.

    Raises:
        PIResponseError: PI refused the stream (the mapped error of its status, naming the URL).
    """
    rows, refused = _annotated_values(transport, [_Range(webid, start, end)], 1, max_count)
    for refusal in refused.values():
        raise status_error(refusal.status, refusal.url, refusal.text)
    return pa.Table.from_pylist(rows, schema=ANNOTATION_SCHEMA)


def _spans(webid: str, instants: Sequence[datetime]) -> Iterator[_Range]:
    """Ranges over a stream's sorted instants, each from an instant to at most `SPAN` later, keeping those."""
    first = 0
    for i in range(1, len(instants) + 1):
        if i == len(instants) or instants[i] - instants[first] > SPAN:
            # PI's clock is finer than a microsecond and tables hold times to the microsecond: the value kept at
            # t may be stamped up to 999 ns later, so the range runs to the last instant + 1 us.
            chunk = instants[first:i]
            yield _Range(webid, format_time(chunk[0]), format_time(chunk[-1] + MICROSECOND), frozenset(chunk))
            first = i


def value_annotations_at(
    transport: Transport, instants: Sequence[tuple[str, datetime]], per_call: int, max_count: int
) -> tuple[pa.Table, dict[str, str]]:
    """The annotations of the values at each (stream WebId, instant), read a range of instants at a time.

    A stream's annotated instants within `SPAN` of each other are read by one filtered sub-request
    (`ANNOTATED_ONLY`), `per_call` sub-requests per `POST /batch`, and only the values at the asked instants, to
    the microsecond, are kept: what a table holds as annotated may be a subset of what PI holds now.

    Returns:
        The annotations, and the streams PI refused (deleted, denied: WebId -> why), so the caller can report them
        while the other streams' annotations land.
    """
    by_stream: dict[str, list[datetime]] = {}
    for webid, at in sorted(set(instants)):
        by_stream.setdefault(webid, []).append(at)
    ranges = [part for webid, times in by_stream.items() for part in _spans(webid, times)]
    rows, refused = _annotated_values(transport, ranges, per_call, max_count)
    why = {webid: f"status {r.status} from {r.url}: {r.text}" for webid, r in refused.items()}
    return pa.Table.from_pylist(rows, schema=ANNOTATION_SCHEMA), why


def _row(owner: str, value_timestamp: object, item: dict) -> dict:
    value = item.get("Value")
    return {
        "owner_webid": owner,
        "value_timestamp": value_timestamp,
        "id": item.get("Id"),
        "name": item.get("Name"),
        "description": item.get("Description"),
        "value": value if isinstance(value, str) or value is None else json.dumps(value),
        "creator": item.get("Creator"),
        "creation_date": time_or_none(item.get("CreationDate")),
        "modifier": item.get("Modifier"),
        "modify_date": time_or_none(item.get("ModifyDate")),
    }
