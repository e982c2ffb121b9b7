"""Annotations: operators' comments on event frames and on recorded values, as Arrow tables of one schema.

Event-frame annotations come from `eventframes/{webId}/annotations`, many frames per `POST /batch`. A value's
annotation comes with the value itself: `streams/{webId}/recorded?associations=Annotations` (the association
PI Web API documents for GetRecorded), paged by time like any recorded read over a range, or read at known
instants, many per `POST /batch`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from urllib.parse import quote

import pyarrow as pa

from osipi_lakeflow.client.listing import Params, batch_answers, batch_get_each
from osipi_lakeflow.client.parse import time_or_none
from osipi_lakeflow.client.session import Transport, error_text
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


def value_annotations(transport: Transport, webid: str, start: str, end: str, max_count: int) -> pa.Table:
    """The annotations of a stream's recorded values with start <= time <= end, in time order.

    Pages of `max_count` values: a full page is re-read from its last timestamp (dropping the values at it), so
    several values at one instant are neither lost nor repeated.
    """
    selected = "Items.Timestamp;Items.Annotated;" + ";".join(f"Items.Annotations.{f}" for f in _FIELDS)
    path = f"streams/{quote(webid, safe='')}/recorded"
    rows: list[dict] = []
    while True:
        params = [("startTime", start), ("endTime", end), ("maxCount", str(max_count))]
        params += [("associations", "Annotations"), ("selectedFields", selected)]
        values = [v for v in transport.get(path, params).data.get("Items") or [] if isinstance(v, dict)]
        full = len(values) >= max_count
        if full:
            last = values[-1].get("Timestamp")
            values = [v for v in values if v.get("Timestamp") != last]
            if not values:
                raise PIResponseError(
                    f"more than {max_count} values of {webid} at {last}: raise max_count to read their annotations",
                    url=transport.url(path),
                )
        for value in values:
            stamp = time_or_none(value.get("Timestamp"))
            rows += [_row(webid, stamp, a) for a in value.get("Annotations") or [] if isinstance(a, dict)]
        if not full:
            return pa.Table.from_pylist(rows, schema=ANNOTATION_SCHEMA)
        start = last


MICROSECOND = timedelta(microseconds=1)


def value_annotations_at(
    transport: Transport, instants: Sequence[tuple[str, datetime]], per_call: int, max_count: int
) -> tuple[pa.Table, dict[str, str]]:
    """The annotations of the values at each (stream WebId, instant), `per_call` instants per `POST /batch`.

    Reading only the annotated instants costs a call per `per_call` of them, where reading the ranges between them
    costs every value in between. Each instant is read over [t, t + 1 us] and the values whose time, to the
    microsecond, is t are kept: PI's clock is finer than a microsecond, and tables hold times to the microsecond.

    A stream PI refuses is not asked for its later instants beyond the calls already in flight (`calls_in_order`):
    its refusal (deleted, denied) holds for all of them.

    Returns:
        The annotations, and the streams PI refused (deleted, denied: WebId -> why), so the caller can report them
        while the other streams' annotations land.
    """
    selected = "Items.Timestamp;" + ";".join(f"Items.Annotations.{f}" for f in _FIELDS)

    def request(instant: tuple[str, datetime]) -> tuple[str, Params]:
        webid, at = instant
        return (
            f"streams/{quote(webid, safe='')}/recorded",
            [("startTime", format_time(at)), ("endTime", format_time(at + MICROSECOND)),
             ("maxCount", str(max_count)), ("associations", "Annotations"), ("selectedFields", selected)],
        )  # fmt: skip

    rows: list[dict] = []
    refused: dict[str, str] = {}
    wanted = (instant for instant in sorted(set(instants)) if instant[0] not in refused)  # drawn a call at a time
    for (webid, at), status, content, url in batch_answers(transport, wanted, request, per_call):
        if status >= 400:
            refused.setdefault(webid, f"status {status} from {url}: {error_text(content)}")
            continue
        values = [v for v in (content or {}).get("Items") or [] if isinstance(v, dict)]
        if len(values) >= max_count:
            raise PIResponseError(
                f"{max_count} or more values of {webid} at {format_time(at)}: raise max_count to read their "
                "annotations",
                url=url,
            )
        for value in values:
            stamp = time_or_none(value.get("Timestamp"))
            if stamp == at:
                rows += [_row(webid, stamp, a) for a in value.get("Annotations") or [] if isinstance(a, dict)]
    return pa.Table.from_pylist(rows, schema=ANNOTATION_SCHEMA), refused


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
