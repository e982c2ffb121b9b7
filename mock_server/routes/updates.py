"""Stream updates: register streams for a marker, then retrieve what changed since (late events too).

Each retrieved event carries PI's `Action` (`Add` for a new event, `Update` for an edit, `Delete` for a
deletion) and `PreviousEventAction` (`PreviousEventArchived`, or `PreviousEventDiscarded` when the event's
arrival made compression discard the previous snapshot), in the order the changes became visible on the server
clock. A marker whose point can no longer be read gets an `Exception` once and is then unregistered (a deleted
point: "The signup was removed because it is no longer valid.").
"""

from __future__ import annotations

from typing import Any

from mock_server import fields, series
from mock_server.changes import ACTIONS, Updates
from mock_server.encode import encode_events
from mock_server.lookup import point_error
from mock_server.routes.data import marker as placeholder
from mock_server.routes.data import splice
from mock_server.routing import Ctx, PIError, Reply, Router
from mock_server.state import Marker

router = Router()
OBJ = ("selectedFields", "webIdType")
SIGNUP_REMOVED = "The signup was removed because it is no longer valid."
_JSON = {"Content-Type": "application/json; charset=utf-8"}
_PREVIOUS = ("PreviousEventArchived", "PreviousEventDiscarded")


def _register_item(ctx: Ctx, stream: series.Stream) -> dict[str, Any]:
    base = {"Source": stream.web_id, "SourceName": stream.name, "SourcePath": stream.path}
    if stream.point < 0:
        return dict(base, Status="Failed", Exception={"Errors": ["Static attributes do not support updates."]})
    error = point_error(ctx, stream.point)
    if error is not None:
        return dict(base, Status="Failed", Exception={"Errors": error.errors})
    marker = ctx.state.new_marker(stream.point, stream.web_id, ctx.now)
    return dict(base, Status="Succeeded", LatestMarker=marker, Exception=None)


@router.add("POST", "/streams/{webId}/updates", OBJ)
def register(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """Register one stream; 409 for a static attribute, the point's error for a point that cannot be read."""
    stream = series.stream_for(ctx, web_id)
    if stream.point < 0:
        raise PIError(409, f"The attribute '{stream.path}' is a static attribute and does not support updates.")
    return _register_item(ctx, stream)


@router.add("POST", "/streamsets/updates", ("webId",) + OBJ)
def register_set(ctx: Ctx) -> dict[str, Any]:
    """Register many streams; any unknown WebId is a 400, any static attribute a 409 (as the swagger says).

    A point that exists but cannot be read (denied, conflict) is a `Failed` item with its `Exception`.
    """
    web_ids = ctx.query.getall("webId")
    if not web_ids:
        raise PIError(400, "At least one 'webId' parameter is required.")
    try:
        streams = [series.stream_for(ctx, w, check=False) for w in web_ids]
    except PIError as exc:
        raise PIError(400, *exc.errors) from None
    static = [s.path for s in streams if s.point < 0]
    if static:
        raise PIError(409, f"Static attributes do not support updates: {', '.join(static)}.")
    return {"Links": {}, "Items": [_register_item(ctx, s) for s in streams]}


def _lead(tree: fields.Tree | None) -> list[bytes] | None:
    """The Action / PreviousEventAction members of each (action, discarded) pair, as selectedFields allow."""
    keep = [
        name
        for name in ("Action", "PreviousEventAction")
        if tree is None or not tree or name.lower() in tree  # an empty subtree keeps everything
    ]
    if not keep:
        return None
    table = []
    for action in ACTIONS:
        for previous in _PREVIOUS:
            members = {
                "Action": b'"Action":"%b"' % action.encode(),
                "PreviousEventAction": b'"PreviousEventAction":"%b"' % previous.encode(),
            }
            table.append(b",".join(members[name] for name in keep))
    return table


def _events_bytes(ctx: Ctx, p: int, found: Updates, tree: fields.Tree | None) -> bytes:
    table = _lead(tree)
    lead = None
    if table is not None:
        keys = (found.action.astype("int64") * 2 + found.discarded).tolist()
        lead = [table[k] for k in keys]
    selected = None if tree is None else frozenset(tree)
    archive = ctx.state.archive
    return encode_events(archive.plant, p, found.events, selected, ctx.state.settings.nan_format, lead)


def _retrieve(ctx: Ctx, text: str, found: Marker) -> tuple[dict[str, Any], Any]:
    """The retrieve item (its Events a placeholder) and the function writing its events."""
    state = ctx.state
    p, web_id = found.point, found.web_id
    plant = state.archive.plant
    item = {
        "Source": web_id,
        "SourceName": plant.point_names[p],
        "SourcePath": plant.point_path(p),
        "RequestedMarker": text,
    }
    error = point_error(ctx, p)
    if error is not None:  # PI unregisters a stream whose retrieval fails: the client must register again
        state.drop_marker(text)
        errors = [SIGNUP_REMOVED] if error.status == 404 else error.errors
        return dict(item, LatestMarker=text, Status="Failed", Events=[], Exception={"Errors": errors}), None
    updates = state.archive.updates_between(p, found.delivered_to, ctx.now)
    stem, _, sequence = text.rpartition("_")
    latest = state.new_marker(p, web_id, ctx.now, stem, int(sequence) + 1) if len(updates) else text
    item = dict(item, LatestMarker=latest, Status="Updated", Events=None, Exception=None)
    return item, lambda tree: _events_bytes(ctx, p, updates, tree)


def _marker(ctx: Ctx, text: str) -> Marker:
    if "_" not in text or not text.rpartition("_")[2].isdigit():
        raise PIError(409, f"Invalid marker supplied: '{text}'.")
    found = ctx.state.marker(text)
    if found is None:
        raise PIError(404, "Cache not found", f"The marker '{text}' is unknown or expired; register the stream again.")
    return found


@router.add("GET", "/streams/updates/{marker}", ("desiredUnits",) + OBJ)
def retrieve(ctx: Ctx, marker: str) -> Reply:
    """Changes since the marker; 404 "Cache not found" once the marker expired, 409 for a malformed one."""
    item, write = _retrieve(ctx, marker, _marker(ctx, marker))
    fill = []
    if write is not None:
        item["Events"] = placeholder(0)
        fill.append(write)
    return Reply(splice(item, ctx.tree, fill, ("events",)), headers=dict(_JSON))


@router.add("GET", "/streamsets/updates", ("marker",) + OBJ)
def retrieve_set(ctx: Ctx) -> Reply:
    """Updates of many markers (`marker` repeated); an expired one is an item with an Exception."""
    markers = ctx.query.getall("marker")
    if not markers:
        raise PIError(400, "At least one 'marker' parameter is required.")
    items, fill = [], []
    for text in markers:
        try:
            item, write = _retrieve(ctx, text, _marker(ctx, text))
        except PIError as exc:
            items.append(
                {
                    "RequestedMarker": text,
                    "Status": "Failed",
                    "Exception": {"Errors": exc.errors, "StatusCode": exc.status},
                }
            )
            continue
        if write is not None:
            item["Events"] = placeholder(len(fill))
            fill.append(write)
        items.append(item)
    return Reply(splice({"Links": {}, "Items": items}, ctx.tree, fill, ("items", "events")), headers=dict(_JSON))
