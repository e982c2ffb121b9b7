"""Discovery: data servers, points, AF databases, elements, attributes, templates and event frames as models."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import quote

from osipi_lakeflow.client import parse
from osipi_lakeflow.client.listing import Params, batch_get, batched_items, calls_in_order, chunked, paged
from osipi_lakeflow.client.session import Transport, error_text, status_error
from osipi_lakeflow.errors import PINotFoundError, PIResponseError
from osipi_lakeflow.models import AssetDatabase, Attribute, DataServer, Element, EventFrame, Point

POINT_FIELDS = (
    "Items.WebId;Items.Name;Items.Path;Items.PointType;Items.EngineeringUnits;Items.DigitalSetName;Items.Descriptor"
)
ELEMENT_FIELDS = (
    "Items.WebId;Items.Id;Items.Name;Items.Path;Items.TemplateName;Items.CategoryNames;"
    "Items.Description;Items.HasChildren"
)
ATTRIBUTE_FIELDS = (
    "Items.WebId;Items.Id;Items.Name;Items.Path;Items.DataReferencePlugIn;Items.ConfigString;"
    "Items.DefaultUnitsNameAbbreviation;Items.Type;Items.CategoryNames;Items.Links.Point"
)
FRAME_FIELDS = (
    "Items.WebId;Items.Id;Items.Name;Items.Path;Items.TemplateName;Items.StartTime;Items.EndTime;"
    "Items.Severity;Items.CategoryNames;Items.Description;Items.CanBeAcknowledged;Items.IsAcknowledged;"
    "Items.AcknowledgedBy;Items.AcknowledgedDate;Items.IsAnnotated;Items.RefElementWebIds;Items.AreValuesCaptured"
)


def data_servers(transport: Transport) -> list[DataServer]:
    """Every PI Data Archive this PI Web API knows."""
    items = transport.get("dataservers").data.get("Items") or []
    return [parse.data_server(i) for i in items]


def pick_data_server(servers: list[DataServer], name: str | None) -> DataServer:
    """The named data server (case-insensitive), or the only/first one when no name is given."""
    if not servers:
        raise PINotFoundError("PI Web API lists no data servers; check its PI Data Archive configuration")
    if name is None:
        return servers[0]
    for server in servers:
        if server.name.lower() == name.lower() or server.webid == name:
            return server
    known = ", ".join(s.name for s in servers)
    raise PINotFoundError(f"no data server named {name!r}; this PI Web API knows: {known}")


def points(transport: Transport, server: DataServer, name_filter: str, page_size: int) -> Iterator[Point]:
    """Points of one data server whose names match `name_filter` (PI wildcards `*` and `?`)."""
    params = [("nameFilter", name_filter), ("selectedFields", POINT_FIELDS)]
    for i in paged(transport, f"dataservers/{server.webid}/points", params, page_size):
        yield parse.point(i)


def asset_database(transport: Transport, path: str) -> AssetDatabase:
    r"""An AF database by path (`\\AFSERVER\Database`); a miss names the databases that exist."""
    try:
        data = transport.get("assetdatabases", [("path", path)]).data
    except PINotFoundError:
        known = ", ".join(_database_paths(transport)) or "none"
        raise PINotFoundError(f"no AF database at {path!r}; this PI Web API has: {known}", status=404) from None
    return AssetDatabase(data["WebId"], data["Name"], data.get("Path", path))


def asset_databases(transport: Transport) -> list[AssetDatabase]:
    """Every AF database on every AF server this PI Web API knows."""
    servers = transport.get("assetservers").data.get("Items") or []
    return [
        AssetDatabase(db["WebId"], db["Name"], db.get("Path", ""))
        for server in servers
        for db in transport.get(f"assetservers/{server['WebId']}/assetdatabases").data.get("Items") or []
    ]


def _database_paths(transport: Transport) -> list[str]:
    try:
        return [db.path for db in asset_databases(transport)]
    except PIResponseError:
        return []


def elements(transport: Transport, database: AssetDatabase, filters: Params, page_size: int) -> Iterator[Element]:
    """Every element of a database at any depth (`searchFullHierarchy`), filtered by the server."""
    params = [("searchFullHierarchy", "true"), *filters, ("selectedFields", ELEMENT_FIELDS)]
    for i in paged(transport, f"assetdatabases/{database.webid}/elements", params, page_size):
        yield parse.element(i)


def walk_elements(transport: Transport, database: AssetDatabase, page_size: int, batch_size: int) -> Iterator[Element]:
    """Every element, level by level, asking only elements with `HasChildren` for children (many per call)."""
    level = [
        parse.element(i)
        for i in paged(
            transport, f"assetdatabases/{database.webid}/elements", [("selectedFields", ELEMENT_FIELDS)], page_size
        )
    ]
    while level:
        yield from level
        parents = [e.webid for e in level if e.has_children]
        level = [
            parse.element(i)
            for _, i in batched_items(
                transport, parents, "elements/{}/elements", [("selectedFields", ELEMENT_FIELDS)], page_size, batch_size
            )
        ]


def attributes(
    transport: Transport, owners: Iterable[str], kind: str, page_size: int, batch_size: int, *, pi_points_only: bool
) -> Iterator[Attribute]:
    """Attributes (child attributes included) of elements or event frames (`kind`), many owners per call."""
    params = [("searchFullHierarchy", "true"), ("selectedFields", ATTRIBUTE_FIELDS)]
    for owner, i in batched_items(transport, owners, kind + "/{}/attributes", params, page_size, batch_size):
        attribute = parse.attribute(owner, i)
        if not pi_points_only or attribute.point_webid:
            yield attribute


def event_frames(
    transport: Transport, database: AssetDatabase, filters: Params, page_size: int
) -> Iterator[EventFrame]:
    """Event frames of a database matching the search filters (start/end/searchMode/template/names)."""
    params = [*filters, ("searchFullHierarchy", "true"), ("selectedFields", FRAME_FIELDS)]
    for i in paged(transport, f"assetdatabases/{database.webid}/eventframes", params, page_size):
        yield parse.event_frame(i)


def event_frames_by_webid(transport: Transport, webids: Sequence[str], per_call: int) -> dict[str, EventFrame | None]:
    """Each event frame by WebId, many per call: the frame, or None where PI answers 404 (deleted).

    Raises:
        PIResponseError: any other failure of a sub-request (a denial, a server error), naming its URL.
    """
    params = [("selectedFields", FRAME_FIELDS.replace("Items.", ""))]
    found: dict[str, EventFrame | None] = {}

    def ask(chunk: Sequence[str]) -> list[tuple[int, Any, str]]:
        return batch_get(transport, [(f"eventframes/{quote(w, safe='')}", params) for w in chunk])

    for chunk, answers in calls_in_order(transport, chunked(webids, per_call), ask):
        for webid, (status, content, url) in zip(chunk, answers, strict=True):
            if status == 404:
                found[webid] = None
            elif status >= 400 or not isinstance(content, dict):
                raise status_error(status, url, error_text(content))
            else:
                found[webid] = parse.event_frame(content)
    return found
