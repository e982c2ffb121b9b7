"""Event frames: search by time and filters, one frame, its attributes, referenced elements and annotations."""

from __future__ import annotations

from typing import Any

from mock_server import objects
from mock_server.catalog import EVENT_FRAME_TEMPLATES
from mock_server.eventframes import Frame
from mock_server.lookup import (
    check_database,
    collection_paging,
    frame_attributes,
    frame_path,
    frame_webid,
    paged,
    resolve_element,
    resolve_frame,
    wildcard,
)
from mock_server.pitime import OPEN_END_TEXT, format_ticks
from mock_server.routes.assets import ATTRIBUTE_SEARCH, OBJ, attribute_search
from mock_server.routing import Ctx, PIError, Router

router = Router()
SEARCH_MODES = ("Overlapped", "Inclusive", "StartInclusive", "EndInclusive", "InProgress")
SEARCH = (
    "searchMode",
    "startTime",
    "endTime",
    "nameFilter",
    "categoryName",
    "templateName",
    "severity",
    "canBeAcknowledged",
    "isAcknowledged",
    "sortField",
    "sortOrder",
    "startIndex",
    "maxCount",
) + OBJ


def frame_object(ctx: Ctx, frame: Frame) -> dict[str, Any]:
    """An event frame (`EventFrame` model); open frames end 9999-12-31T23:59:59Z."""
    web_id = frame_webid(ctx, frame)
    element_id = objects.element_webid(ctx, frame.element)
    acknowledged = frame.acknowledged(ctx.now)
    annotated = bool(ctx.state.archive.annotations_of(frame, ctx.now))
    return {
        "WebId": web_id,
        "Id": str(ctx.state.archive.ids.guid("eventframe", frame.index)),
        "Name": frame.name,
        "Description": f"{frame.template} on {ctx.state.archive.plant.elements[frame.element].name}",
        "Path": frame_path(ctx, frame),
        "TemplateName": frame.template,
        "HasChildren": False,
        "CategoryNames": list(EVENT_FRAME_TEMPLATES[frame.template]),
        "ExtendedProperties": {},
        "StartTime": format_ticks(frame.start),
        "EndTime": OPEN_END_TEXT if frame.is_open(ctx.now) else format_ticks(frame.end),
        "Severity": frame.severity,
        "AcknowledgedBy": frame.ack_by if acknowledged else "",
        "AcknowledgedDate": format_ticks(frame.ack_at) if acknowledged else "1970-01-01T00:00:00Z",
        "CanBeAcknowledged": frame.template == "Alarm",
        "IsAcknowledged": acknowledged,
        "IsAnnotated": annotated,
        "IsLocked": False,
        "AreValuesCaptured": not frame.is_open(ctx.now),
        "RefElementWebIds": [element_id],
        "Links": {
            "Self": ctx.link(f"eventframes/{web_id}"),
            "Attributes": ctx.link(f"eventframes/{web_id}/attributes"),
            "ReferencedElements": ctx.link(f"eventframes/{web_id}/referencedelements"),
            "Annotations": ctx.link(f"eventframes/{web_id}/annotations"),
            "PrimaryReferencedElement": ctx.link(f"elements/{element_id}"),
            "Template": ctx.link(f"elementtemplates/{objects.template_webid(ctx, frame.template)}"),
            "Value": ctx.link(f"streamsets/{web_id}/value"),
            "RecordedData": ctx.link(f"streamsets/{web_id}/recorded"),
            "SummaryData": ctx.link(f"streamsets/{web_id}/summary"),
        },
    }


def _flag(ctx: Ctx, name: str) -> bool | None:
    return ctx.query.boolean(name, False) if ctx.query.get(name) else None


@router.add(
    "GET", "/assetdatabases/{webId}/eventframes", SEARCH + ("referencedElementNameFilter", "searchFullHierarchy")
)
def search(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """Frames by searchMode (default Overlapped) over [startTime (default *-8h), endTime (default *)]."""
    check_database(ctx, web_id)
    frames = _frames_in_window(ctx)
    name_filter = ctx.query.get("referencedElementNameFilter")
    if name_filter:
        elements = ctx.state.archive.plant.elements
        frames = [f for f in frames if wildcard(name_filter).fullmatch(elements[f.element].name)]
    return _filtered_page(ctx, frames)


@router.add("GET", "/elements/{webId}/eventframes", SEARCH)
def element_frames(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """Frames that reference one element, searched like the database's."""
    element = resolve_element(ctx, web_id)
    return _filtered_page(ctx, [f for f in _frames_in_window(ctx) if f.element == element])


def _frames_in_window(ctx: Ctx) -> list[Frame]:
    requested = ctx.query.get("searchMode") or "Overlapped"
    mode = next((m for m in SEARCH_MODES if m.lower() == requested.lower()), None)
    if mode is None:
        raise PIError(400, f"searchMode '{requested}' is not supported; use one of {', '.join(SEARCH_MODES)}.")
    start = ctx.query.pi_time("startTime", "*-8h", ctx.now)
    end = ctx.query.pi_time("endTime", "*", ctx.now)
    return ctx.state.frames.search(start, end, mode, ctx.now)


def _filtered_page(ctx: Ctx, frames: list[Frame]) -> dict[str, Any]:
    """Apply the name, template, category, severity and acknowledgement filters, sort and page."""
    start_index, max_count = collection_paging(ctx)
    name_filter, template, category = (ctx.query.get(n) for n in ("nameFilter", "templateName", "categoryName"))
    if name_filter:
        frames = [f for f in frames if wildcard(name_filter).fullmatch(f.name)]
    if template:
        frames = [f for f in frames if f.template.upper() == template.upper()]
    if category:
        frames = [f for f in frames if category.upper() in (c.upper() for c in EVENT_FRAME_TEMPLATES[f.template])]
    severities = {s.upper() for s in ctx.query.getall("severity")}
    if severities:
        frames = [f for f in frames if f.severity.upper() in severities]
    can_ack, is_ack = _flag(ctx, "canBeAcknowledged"), _flag(ctx, "isAcknowledged")
    if can_ack is not None:
        frames = [f for f in frames if (f.template == "Alarm") == can_ack]
    if is_ack is not None:
        frames = [f for f in frames if f.acknowledged(ctx.now) == is_ack]
    page = paged(ctx, _sort(ctx, frames), start_index, max_count)
    page["Items"] = [frame_object(ctx, f) for f in page["Items"]]
    return page


def _sort(ctx: Ctx, frames: list[Frame]) -> list[Frame]:
    field = (ctx.query.get("sortField") or "Name").lower()
    keys = {"name": lambda f: f.name, "starttime": lambda f: (f.start, f.name), "endtime": lambda f: (f.end, f.name)}
    order = (ctx.query.get("sortOrder") or "Ascending").lower()
    if field not in keys or order not in ("ascending", "descending"):
        raise PIError(
            400, "Event frames sort by sortField=Name, StartTime or EndTime with sortOrder=Ascending|Descending."
        )
    return sorted(frames, key=keys[field], reverse=order == "descending")


@router.add("GET", "/eventframes/{webId}", OBJ)
def frame(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """One event frame."""
    return frame_object(ctx, resolve_frame(ctx, web_id))


@router.add("GET", "/eventframes/{webId}/attributes", ATTRIBUTE_SEARCH)
def attributes(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """Attributes of a frame: static values and one PI Point reference."""
    return attribute_search(ctx, frame_attributes(ctx, resolve_frame(ctx, web_id)))


@router.add("GET", "/eventframes/{webId}/referencedelements", ("associations",) + OBJ)
def referenced_elements(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """The element a frame references."""
    found = resolve_frame(ctx, web_id)
    return {"Links": {}, "Items": [objects.element(ctx, found.element)]}


@router.add("GET", "/eventframes/{webId}/annotations", OBJ)
def annotations(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """A frame's annotations that exist now (created at or before the server time), oldest first."""
    found = resolve_frame(ctx, web_id)
    owner = ctx.link(f"eventframes/{frame_webid(ctx, found)}")
    return {
        "Links": {},
        "Items": [objects.annotation(ctx, a, owner) for a in ctx.state.archive.annotations_of(found, ctx.now)],
    }


@router.add("GET", "/eventframes/{webId}/annotations/{id}", OBJ)
def annotation(ctx: Ctx, web_id: str, id: str) -> dict[str, Any]:  # noqa: A002 - PI's path parameter name
    """One annotation of a frame by its Id; 404 for an Id the frame does not have (yet)."""
    found = resolve_frame(ctx, web_id)
    owner = ctx.link(f"eventframes/{frame_webid(ctx, found)}")
    for item in ctx.state.archive.annotations_of(found, ctx.now):
        if str(ctx.state.archive.ids.guid("annotation", item.index)).lower() == id.lower():
            return objects.annotation(ctx, item, owner)
    raise PIError(404, f"The annotation '{id}' was not found on the event frame.")
