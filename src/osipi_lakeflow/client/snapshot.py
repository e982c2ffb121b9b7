"""Single values per stream: event-frame attribute values (as a table) and event rates for load balancing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import quote, urlencode

import pyarrow as pa

from osipi_lakeflow.client.decode import StreamValues, decode_streams
from osipi_lakeflow.client.session import Transport, error_text, status_error
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
    """Values of every attribute of each event frame (`streamsets/{frame}/value`), many frames per call."""
    frame_ids = list(dict.fromkeys(frames))
    batches = []
    for offset in range(0, len(frame_ids), frames_per_call):
        chunk = frame_ids[offset : offset + frames_per_call]
        urls = [
            transport.url(f"streamsets/{quote(f, safe='')}/value")
            + "?"
            + urlencode([("searchFullHierarchy", "true"), ("selectedFields", _VALUE_SELECTED)])
            for f in chunk
        ]
        data = transport.post("batch", {str(i): {"Method": "GET", "Resource": u} for i, u in enumerate(urls)}).data
        for i, (frame, url) in enumerate(zip(chunk, urls, strict=True)):
            item = data.get(str(i)) or {}
            status, content = int(item.get("Status", 502)), item.get("Content")
            if status >= 400:
                raise status_error(status, url, error_text(content))
            batches.append(_frame_batch(frame, (content or {}).get("Items") or []))
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


def stream_names(transport: Transport, tags: Sequence[str], tags_per_call: int) -> dict[str, str]:
    """Name of each stream (PI point) by WebId, from ad-hoc `streamsets/value` calls projected to WebId and Name.

    A WebId the server does not know is left out; reading it later reports the failure per tag.
    """
    names: dict[str, str] = {}
    for offset in range(0, len(tags), tags_per_call):
        params = [("webId", t) for t in tags[offset : offset + tags_per_call]]
        params.append(("selectedFields", "Items.WebId;Items.Name"))
        for item in transport.get("streamsets/value", params).data.get("Items") or []:
            if item.get("WebId") and item.get("Name"):
                names[item["WebId"]] = item["Name"]
    return names
