"""Root links, data servers and PI points."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mock_server import objects, webids
from mock_server.lookup import collection_paging, paged, point_gone, resolve_point, wildcard
from mock_server.plant import DATA_SERVER
from mock_server.routing import Ctx, PIError, Router, not_found

router = Router()
OBJ = ("selectedFields", "webIdType")


@router.add("GET", "/")
def root(ctx: Ctx) -> dict[str, Any]:
    """Landing: links to the top-level collections."""
    names = ("AssetServers", "DataServers", "Search", "System")
    return {"Links": {"Self": ctx.link("")[:-1], **{name: ctx.link(name.lower()) for name in names}}}


def _check_server(ctx: Ctx, web_id: str) -> None:
    """404 unless `web_id` names PISRV01 (any webIdType)."""
    decoded = webids.decode(web_id)
    if decoded is None or decoded.marker != "DS":
        raise not_found(web_id)
    if decoded.path is not None:
        ok = decoded.path.upper() == f"\\\\{DATA_SERVER}"
    else:
        ok = decoded.parts[0] == ctx.state.archive.server_guid
    if not ok:
        raise not_found(web_id)


@router.add("GET", "/dataservers", ("path", "name") + OBJ)
def data_servers(ctx: Ctx) -> dict[str, Any]:
    """`Items` of the one data server; `path` or `name` select it (404 for any other)."""
    server = objects.data_server(ctx)
    path, name = ctx.query.get("path"), ctx.query.get("name")
    if path is not None or name is not None:
        wanted = (path or "").lstrip("\\").upper() if path is not None else (name or "").upper()
        if wanted != DATA_SERVER:
            raise PIError(
                404, f"A data server with the {'path' if path is not None else 'name'} '{path or name}' was not found."
            )
        return server
    return {"Links": {}, "Items": [server]}


@router.add("GET", "/dataservers/{webId}", OBJ)
def data_server(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """The data server."""
    _check_server(ctx, web_id)
    return objects.data_server(ctx)


def _matching_points(ctx: Ctx, name_filter: str) -> Sequence[int]:
    """Indexes of points whose name matches, remembered per filter (a client pages the same filter 100 times)."""
    cache = ctx.state.point_filters
    if name_filter not in cache:
        if len(cache) > 64:
            cache.clear()
        names = ctx.state.archive.plant.point_names
        pattern = wildcard(name_filter)
        cache[name_filter] = (
            range(len(names)) if name_filter == "*" else [i for i, n in enumerate(names) if pattern.fullmatch(n)]
        )
    return cache[name_filter]


@router.add("GET", "/dataservers/{webId}/points", ("nameFilter", "startIndex", "maxCount") + OBJ)
def points(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """Points of the data server, in point id order, filtered by `nameFilter` wildcards and paged."""
    _check_server(ctx, web_id)
    start_index, max_count = collection_paging(ctx)
    matching = _matching_points(ctx, ctx.query.get("nameFilter") or "*")
    archive = ctx.state.archive
    if archive.rules.vanished and ctx.now >= archive.rules.vanish_at:  # deleted points are listed no more
        matching = [p for p in matching if p not in archive.rules.vanished]
    page = paged(ctx, matching, start_index, max_count)
    page["Items"] = [objects.point(ctx, p) for p in page["Items"]]
    return page


@router.add("GET", "/points", ("path",) + OBJ)
def point_by_path(ctx: Ctx) -> dict[str, Any]:
    r"""A point by `\\PISRV01\TAG` path."""
    path = ctx.query.get("path")
    if not path:
        raise PIError(400, "The 'path' parameter is required; give a point path such as \\\\PISRV01\\TAG.")
    server, _, tag = path.lstrip("\\").partition("\\")
    p = ctx.state.archive.plant.name_index.get(tag.upper()) if server.upper() == DATA_SERVER else None
    if p is None:
        raise PIError(404, f"PI Point not found '{path}'.")
    if ctx.state.archive.point_state(p, ctx.now) == "vanished":
        raise point_gone(ctx, p)
    return objects.point(ctx, p)


@router.add("GET", "/points/{webId}", OBJ)
def point(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """A point by WebId."""
    return objects.point(ctx, resolve_point(ctx, web_id))


@router.add("GET", "/points/{webId}/attributes", ("name", "nameFilter") + OBJ)
def point_attributes(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """Raw PI point attributes (`pointsource`, `engunits`, `span`...); 400 when a requested `name` is unknown."""
    p = resolve_point(ctx, web_id)
    plant = ctx.state.archive.plant
    spec = plant.point_spec[p]
    found = {
        "tag": plant.point_names[p], "pointid": p + 1, "pointtype": spec.point_type, "ptclassname": "classic",
        "pointsource": "OPC" if plant.point_owner[p] >= 0 else "L", "engunits": spec.units,
        "digitalset": spec.digital_set, "descriptor": objects.point(ctx, p)["Descriptor"], "zero": float(spec.low),
        "span": float(spec.high - spec.low or 100), "step": int(spec.point_type in ("Digital", "String", "Int32")),
        "compressing": 1, "excdev": 0.0, "excmax": 600, "scan": 1, "archiving": 1,
    }  # fmt: skip
    names = [n.lower() for n in ctx.query.getall("name")]
    unknown = [n for n in names if n not in found]
    if unknown:
        raise PIError(400, f"The following point attribute names were not found: {', '.join(unknown)}.")
    name_filter = ctx.query.get("nameFilter")
    items = [{"Name": k, "Value": v} for k, v in found.items() if (not names or k in names)]
    if name_filter:
        items = [i for i in items if wildcard(name_filter).fullmatch(i["Name"])]
    return {"Links": {}, "Items": items}
