"""Stream updates: register streams for a marker, then retrieve what became visible since (late events too)."""

from __future__ import annotations

from typing import Any

import orjson

from mock_server import series
from mock_server.encode import encode_events
from mock_server.routing import Ctx, PIError, Router
from mock_server.state import Marker

router = Router()
OBJ = ("selectedFields", "webIdType")


def _register_item(ctx: Ctx, stream: series.Stream) -> dict[str, Any]:
    base = {"Source": stream.web_id, "SourceName": stream.name, "SourcePath": stream.path}
    if stream.point < 0:
        return dict(base, Status="Failed", Exception={"Errors": ["Static attributes do not support updates."]})
    marker = ctx.state.new_marker(stream.point, stream.web_id, ctx.now)
    return dict(base, Status="Succeeded", LatestMarker=marker, Exception=None)


@router.add("POST", "/streams/{webId}/updates", OBJ)
def register(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """Register one stream; 409 for a static attribute."""
    stream = series.stream_for(ctx, web_id)
    if stream.point < 0:
        raise PIError(409, f"The attribute '{stream.path}' is a static attribute and does not support updates.")
    return _register_item(ctx, stream)


@router.add("POST", "/streamsets/updates", ("webId",) + OBJ)
def register_set(ctx: Ctx) -> dict[str, Any]:
    """Register many streams; any unknown WebId is a 400, any static attribute a 409 (as the swagger says)."""
    web_ids = ctx.query.getall("webId")
    if not web_ids:
        raise PIError(400, "At least one 'webId' parameter is required.")
    try:
        streams = [series.stream_for(ctx, w) for w in web_ids]
    except PIError as exc:
        raise PIError(400, *exc.errors) from None
    static = [s.path for s in streams if s.point < 0]
    if static:
        raise PIError(409, f"Static attributes do not support updates: {', '.join(static)}.")
    return {"Links": {}, "Items": [_register_item(ctx, s) for s in streams]}


def _retrieve(ctx: Ctx, text: str, found: Marker) -> dict[str, Any]:
    state = ctx.state
    p, web_id = found.point, found.web_id
    events = state.archive.visible_between(p, found.delivered_to, ctx.now)
    stem, _, sequence = text.rpartition("_")
    latest = state.new_marker(p, web_id, ctx.now, stem, int(sequence) + 1) if len(events) else text
    values = orjson.loads(encode_events(state.archive.plant, p, events))
    plant = state.archive.plant
    return {
        "Source": web_id,
        "SourceName": plant.point_names[p],
        "SourcePath": plant.point_path(p),
        "RequestedMarker": text,
        "LatestMarker": latest,
        "Status": "Updated",
        "Events": [dict(Action="Add", PreviousEventAction="PreviousEventArchived", **v) for v in values],
        "Exception": None,
    }


def _marker(ctx: Ctx, text: str) -> Marker:
    if "_" not in text or not text.rpartition("_")[2].isdigit():
        raise PIError(409, f"Invalid marker supplied: '{text}'.")
    found = ctx.state.marker(text)
    if found is None:
        raise PIError(404, "Cache not found", f"The marker '{text}' is unknown or expired; register the stream again.")
    return found


@router.add("GET", "/streams/updates/{marker}", ("desiredUnits",) + OBJ)
def retrieve(ctx: Ctx, marker: str) -> dict[str, Any]:
    """Events that became visible since the marker; 404 "Cache not found" once the marker expired."""
    return _retrieve(ctx, marker, _marker(ctx, marker))


@router.add("GET", "/streamsets/updates", ("marker",) + OBJ)
def retrieve_set(ctx: Ctx) -> dict[str, Any]:
    """Updates of many markers (`marker` repeated); an expired one is an item with an Exception."""
    markers = ctx.query.getall("marker")
    if not markers:
        raise PIError(400, "At least one 'marker' parameter is required.")
    items = []
    for text in markers:
        try:
            items.append(_retrieve(ctx, text, _marker(ctx, text)))
        except PIError as exc:
            items.append(
                {
                    "RequestedMarker": text,
                    "Status": "Failed",
                    "Exception": {"Errors": exc.errors, "StatusCode": exc.status},
                }
            )
    return {"Links": {}, "Items": items}
