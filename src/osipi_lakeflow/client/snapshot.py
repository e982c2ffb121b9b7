"""Single values and facts per stream: event-frame attribute values, event rates for load balancing, point details."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

import pyarrow as pa

from osipi_lakeflow.client import parse
from osipi_lakeflow.client.decode import StreamValues, decode_streams
from osipi_lakeflow.client.listing import batch_get, batch_get_each, calls_in_order, chunked
from osipi_lakeflow.client.parse import time_or_none
from osipi_lakeflow.client.session import Transport, error_text
from osipi_lakeflow.errors import PIAuthError, PIResponseError
from osipi_lakeflow.models import Point, StreamStatus
from osipi_lakeflow.schema import RECORDED_SCHEMA

_VALUE_COLUMNS = [f for f in RECORDED_SCHEMA if f.name not in ("tag_webid", "tag", "event_ordinal")]

EVENT_FRAME_VALUE_SCHEMA: pa.Schema = pa.schema(
    [
        pa.field("event_frame_webid", pa.string(), nullable=False),
        pa.field("attribute_webid", pa.string(), nullable=False),
        pa.field("attribute_name", pa.string()),
        *_VALUE_COLUMNS,
    ]
)
"""One row per (event frame, attribute): the attribute's value for the frame (at its end, or now while open).

Value columns mean what they mean in `RECORDED_SCHEMA`: timestamp, value_double, value_string, state_name,
state_code, is_system_state, good, questionable, substituted, annotated, units.
"""

_VALUE_SELECTED = ";".join(
    [
        "Items.WebId",
        "Items.Name",
        "Items.UnitsAbbreviation",
        *(
            f"Items.Value.{f}"
            for f in ("Timestamp", "Value", "Good", "Questionable", "Substituted", "Annotated", "UnitsAbbreviation")
        ),
    ]
)


def event_frame_values(transport: Transport, frames: Iterable[str], frames_per_call: int) -> pa.Table:
    """Values of every attribute of each event frame (`streamsets/{frame}/value`), many frames per call.

    A frame deleted since it was found (404) is left out: the caller, which found it, decides what that means.
    """
    frame_ids = list(dict.fromkeys(frames))
    params = [("searchFullHierarchy", "true"), ("selectedFields", _VALUE_SELECTED)]
    batches = [
        _frame_batch(frame, (content or {}).get("Items") or [])
        for frame, content in batch_get_each(transport, frame_ids, "streamsets/{}/value", params, frames_per_call)
    ]
    if not batches:
        return EVENT_FRAME_VALUE_SCHEMA.empty_table()
    return pa.Table.from_batches(batches, schema=EVENT_FRAME_VALUE_SCHEMA)


def _frame_batch(frame: str, items: list[dict]) -> pa.RecordBatch:
    streams = [
        StreamValues(i.get("WebId", ""), i.get("Name"), i.get("UnitsAbbreviation"), [i["Value"]])
        for i in items
        if isinstance(i.get("Value"), dict) and "Timestamp" in i["Value"]
    ]
    decoded = decode_streams(streams).batch
    columns = {
        "event_frame_webid": pa.array([frame] * decoded.num_rows, pa.string()),
        "attribute_webid": decoded.column("tag_webid"),
        "attribute_name": decoded.column("tag"),
        **{f.name: decoded.column(f.name) for f in _VALUE_COLUMNS},
    }
    return pa.RecordBatch.from_arrays(
        [columns[f.name] for f in EVENT_FRAME_VALUE_SCHEMA], schema=EVENT_FRAME_VALUE_SCHEMA
    )


def event_counts(transport: Transport, tags: Sequence[str], start: str, end: str, tags_per_call: int) -> dict[str, int]:
    """Recorded event counts per tag over a window, from `streamsets/summary` (summaryType=Count, EventWeighted)."""
    counts: dict[str, int] = {}
    for offset in range(0, len(tags), tags_per_call):
        chunk = tags[offset : offset + tags_per_call]
        params = [("webId", t) for t in chunk] + [
            ("startTime", start),
            ("endTime", end),
            ("summaryType", "Count"),
            ("calculationBasis", "EventWeighted"),
            ("selectedFields", "Items.WebId;Items.Items.Value.Value"),
        ]
        for item in transport.get("streamsets/summary", params).data.get("Items") or []:
            summaries = item.get("Items") or []
            value = (summaries[0].get("Value") or {}).get("Value") if summaries else 0
            counts[item.get("WebId", "")] = int(value) if isinstance(value, int | float) else 0
    return counts


def points_by_webid(transport: Transport, tags: Sequence[str], per_call: int) -> dict[str, Point]:
    """The PI points of WebIds (name, point type, ...), one batch-controller call per `per_call` points.

    A WebId the server does not know is left out; reading it later reports the failure per tag.
    """
    params = [("selectedFields", "WebId;Name;Path;PointType;EngineeringUnits;DigitalSetName")]
    found: dict[str, Point] = {}

    def ask(chunk: Sequence[str]) -> list[tuple[int, Any, str]]:
        return batch_get(transport, [(f"points/{quote(t, safe='')}", params) for t in chunk])

    for chunk, answers in calls_in_order(transport, chunked(tags, per_call), ask):
        for webid, (status, content, _) in zip(chunk, answers, strict=True):
            if status < 300 and isinstance(content, dict) and content.get("WebId") and content.get("Name"):
                found[webid] = parse.point(content)
    return found


def stream_statuses(transport: Transport, tags: Sequence[str], per_call: int) -> dict[str, StreamStatus]:
    """Each stream's snapshot time, or why it cannot be read: one ad-hoc `streamsets/value` call per `per_call`.

    A stream-set item carries its own `WebException` (a denied, deleted or conflicting point); a call refused as a
    whole (a proxy answering 404 for the route, a 5xx) marks every stream of the call with that status.
    """

    def ask(chunk: Sequence[str]) -> dict[str, StreamStatus]:
        params = [("webId", t) for t in chunk]
        params.append(("selectedFields", "Items.WebId;Items.Value.Timestamp;Items.WebException;WebException"))
        try:
            items = transport.get("streamsets/value", params).data.get("Items") or []
        except PIAuthError:
            raise
        except PIResponseError as error:
            return dict.fromkeys(chunk, StreamStatus(status=error.status, error=str(error)))
        by_webid = {i.get("WebId"): i for i in items if isinstance(i, dict)}
        return {webid: _status(by_webid.get(webid)) for webid in chunk}

    found: dict[str, StreamStatus] = {}
    for _, statuses in calls_in_order(transport, chunked(tags, per_call), ask):
        found.update(statuses)
    return found


def _status(item: dict | None) -> StreamStatus:
    if item is None:
        return StreamStatus(error="the stream set response has no item for this stream")
    exception = item.get("WebException")
    if exception:
        code = exception.get("StatusCode") if isinstance(exception, dict) else None
        return StreamStatus(status=code, error=error_text(item) or f"WebException {code}")
    value = item.get("Value")
    stamp = value.get("Timestamp") if isinstance(value, dict) else None
    return StreamStatus(snap=time_or_none(stamp))
