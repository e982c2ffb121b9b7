"""Turning WebIds, paths and filters of a request into plant objects, and paging collections."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from mock_server import webids
from mock_server.catalog import StaticSpec
from mock_server.eventframes import Frame
from mock_server.objects import ATTR_SLOTS, element_webid
from mock_server.routing import Ctx, PIError, not_found

FRAME_POINT_ATTRIBUTE = {"Batch": "Process Value", "Downtime": "Equipment Status", "Alarm": "Trigger Value"}


@lru_cache(maxsize=256)
def wildcard(pattern: str) -> re.Pattern[str]:
    """A PI name filter (`*` any run, `?` one character), matched whole and case-insensitively."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.IGNORECASE)


def paged(ctx: Ctx, items: list[Any], start_index: int, max_count: int) -> dict[str, Any]:
    """`{"Links": {...}, "Items": [...]}` for one page of a collection, with First/Previous/Next/Last links."""
    page = items[start_index : start_index + max_count]
    links: dict[str, str] = {}
    if len(items) > max_count or start_index > 0:

        def at(index: int) -> str:
            pairs = [(k, v) for k, v in ctx.query.pairs if k.lower() != "startindex"] + [("startIndex", str(index))]
            return f"{ctx.base_url}{ctx.path}?{urlencode(pairs)}"

        links["First"] = at(0)
        if start_index > 0:
            links["Previous"] = at(max(0, start_index - max_count))
        if start_index + max_count < len(items):
            links["Next"] = at(start_index + max_count)
        links["Last"] = at(max(0, (len(items) - 1) // max_count * max_count))
    return {"Links": links, "Items": page}


def max_count(ctx: Ctx) -> int:
    """The `maxCount` parameter (default 1000); above MaxReturnedItemsPerCall a 400, never a silent clamp."""
    value = ctx.query.integer("maxCount", 1000, minimum=1)
    limit = ctx.state.settings.max_returned_items
    if value > limit:
        raise PIError(400, f"Parameter 'maxCount' is greater than the maximum allowed ({limit}).")
    return value


def collection_paging(ctx: Ctx) -> tuple[int, int]:
    """(startIndex, maxCount) of a collection request."""
    return ctx.query.integer("startIndex", 0), max_count(ctx)


def resolve_point(ctx: Ctx, web_id: str) -> int:
    """Point index of a point WebId; 404 otherwise, and for a point deleted by now (`vanished_points`)."""
    archive = ctx.state.archive
    p = archive.point_index(web_id)
    if p is None:
        raise not_found(web_id)
    if archive.rules.active and archive.point_state(p, ctx.now) == "vanished":
        raise point_gone(ctx, p)
    return p


def point_gone(ctx: Ctx, p: int) -> PIError:
    """404 for a point deleted from the data archive."""
    return PIError(404, f"PI Point not found '{ctx.state.archive.plant.point_path(p)}'.")


def point_error(ctx: Ctx, p: int) -> PIError | None:
    """The error every data call for point `p` answers now, or None.

    `denied_points` answer 500 (PI's point-security denial), `conflict_points` 409, `vanished_points` 404.
    """
    archive = ctx.state.archive
    if not archive.rules.active:
        return None
    state = archive.point_state(p, ctx.now)
    if state is None:
        return None
    if state == "vanished":
        return point_gone(ctx, p)
    if state == "denied":  # PI answers a point-security denial with a 500
        return PIError(500, "[-10400] No Read Access - Secure Object")
    path = archive.plant.point_path(p)
    return PIError(409, f"The request conflicts with the current state of the PI Point '{path}'; try again later.")


def _guid_index(ctx: Ctx, text: str, kind: str) -> int | None:
    parsed = ctx.state.archive.ids.parse_guid(text)
    return parsed[1] if parsed and parsed[0] == kind else None


def check_database(ctx: Ctx, web_id: str) -> None:
    """404 unless `web_id` names the Plant database."""
    decoded = webids.decode(web_id)
    ok = (
        decoded is not None
        and decoded.marker == "RD"
        and (
            decoded.path is not None
            and decoded.path.upper() == ctx.state.archive.plant.db_path.upper()
            or decoded.parts == (ctx.state.archive.af_guid, ctx.state.archive.db_guid)
        )
    )
    if not ok:
        raise not_found(web_id)


def resolve_element(ctx: Ctx, web_id: str) -> int:
    """Element index of an element WebId; 404 otherwise."""
    decoded = webids.decode(web_id)
    plant = ctx.state.archive.plant
    index = None
    if decoded is not None and decoded.marker == "Em":
        if decoded.path is not None:
            index = plant.element_by_path.get(decoded.path.upper())
        elif decoded.parts[0] == ctx.state.archive.af_guid:
            index = _guid_index(ctx, decoded.parts[1], "element")
    if index is None or index >= len(plant.elements):
        raise not_found(web_id)
    return index


def resolve_frame(ctx: Ctx, web_id: str) -> Frame:
    """The event frame of a WebId that exists at the current server time; 404 otherwise."""
    decoded = webids.decode(web_id)
    frame = None
    if (
        decoded is not None
        and decoded.marker == "Fm"
        and decoded.path is None
        and decoded.parts[0] == ctx.state.archive.af_guid
    ):
        index = _guid_index(ctx, decoded.parts[1], "eventframe")
        frame = ctx.state.frames.frame(index, ctx.now) if index is not None else None
    if frame is None:
        raise not_found(web_id)
    return frame


def frame_path(ctx: Ctx, frame: Frame) -> str:
    r"""`\\PIAF01\Plant\EventFrames[name]`."""
    return ctx.state.archive.frame_path(frame)


def frame_webid(ctx: Ctx, frame: Frame) -> str:
    """WebId of an event frame in the request's webIdType."""
    return ctx.state.archive.frame_webid(frame, ctx.id_type)


@dataclass(frozen=True, slots=True)
class AttrRef:
    """An attribute of an element (`E`) or event frame (`F`) with what it holds."""

    owner_marker: str
    owner: int
    slot: int
    name: str
    spec: Any
    point: int  # -1 for a static attribute
    owner_path: str
    owner_link: str
    value: Any = None  # static value
    frame: Frame | None = None


def element_attributes(ctx: Ctx, e: int) -> list[AttrRef]:
    """Attributes of element `e` in slot order."""
    node = ctx.state.archive.plant.elements[e]
    link = ctx.link(f"elements/{element_webid(ctx, e)}")
    return [
        AttrRef("E", e, slot, name, spec, p, node.path, link, spec.value if p < 0 else None)
        for slot, (name, spec, p) in enumerate(ctx.state.archive.plant.element_attributes(e))
    ]


def frame_attributes(ctx: Ctx, frame: Frame) -> list[AttrRef]:
    """Attributes of an event frame: its static values, then one PI Point reference."""
    path = frame_path(ctx, frame)
    link = ctx.link(f"eventframes/{frame_webid(ctx, frame)}")
    refs = [
        AttrRef("F", frame.index, slot, name, StaticSpec(name, kind, value), -1, path, link, value, frame)
        for slot, (name, kind, value) in enumerate(frame.statics)
    ]
    statics = ctx.state.archive.frame_statics(frame)
    extra = [  # the Int64 attribute comes last, so every other attribute keeps its slot (and WebId)
        (name, StaticSpec(name, kind, value), value) for name, kind, value in statics[len(frame.statics) :]
    ]
    if frame.point >= 0:
        spec = ctx.state.archive.plant.point_spec[frame.point]
        refs.append(
            AttrRef(
                "F",
                frame.index,
                len(refs),
                FRAME_POINT_ATTRIBUTE[frame.template],
                spec,
                frame.point,
                path,
                link,
                None,
                frame,
            )
        )
    for name, spec, value in extra:
        refs.append(AttrRef("F", frame.index, len(refs), name, spec, -1, path, link, value, frame))
    return refs


def resolve_attribute(ctx: Ctx, web_id: str) -> AttrRef:
    """The attribute of an attribute WebId (element or event-frame owner); 404 otherwise."""
    decoded = webids.decode(web_id)
    archive = ctx.state.archive
    if decoded is None or decoded.marker not in ("AbE", "AbF"):
        raise not_found(web_id)
    if decoded.path is not None:
        owner_path, _, name = decoded.path.partition("|")
        e = archive.plant.element_by_path.get(owner_path.upper())
        found = [a for a in element_attributes(ctx, e) if a.name.upper() == name.upper()] if e is not None else []
        if not found:
            raise not_found(web_id)
        return found[0]
    attr_index = _guid_index(ctx, decoded.parts[2], "attribute")
    if decoded.parts[0] != archive.af_guid or attr_index is None:
        raise not_found(web_id)
    owner, slot = divmod(attr_index, ATTR_SLOTS)
    if decoded.marker == "AbE":
        if _guid_index(ctx, decoded.parts[1], "element") != owner or owner >= len(archive.plant.elements):
            raise not_found(web_id)
        refs = element_attributes(ctx, owner)
    else:
        frame = ctx.state.frames.frame(owner, ctx.now)
        if frame is None or _guid_index(ctx, decoded.parts[1], "eventframe") != owner:
            raise not_found(web_id)
        refs = frame_attributes(ctx, frame)
    if slot >= len(refs):
        raise not_found(web_id)
    return refs[slot]


def resolve_path(ctx: Ctx, path: str) -> tuple[str, Any]:
    """An AF path to ("element", index) or ("attribute", AttrRef); 404 when nothing is there."""
    plant = ctx.state.archive.plant
    owner, bar, name = path.partition("|")
    e = plant.element_by_path.get(owner.upper())
    if e is not None and not bar:
        return "element", e
    if e is not None:
        for ref in element_attributes(ctx, e):
            if ref.name.upper() == name.upper():
                return "attribute", ref
    raise PIError(404, f"The path '{path}' was not found.")
