"""Asset Framework: asset servers, the Plant database, elements, attributes and element templates."""

from __future__ import annotations

from typing import Any

from mock_server import objects, webids
from mock_server.lookup import (
    AttrRef,
    check_database,
    collection_paging,
    element_attributes,
    paged,
    resolve_attribute,
    resolve_element,
    resolve_path,
    wildcard,
)
from mock_server.plant import AF_DATABASE, AF_SERVER
from mock_server.routing import Ctx, PIError, Router, not_found

router = Router()
OBJ = ("selectedFields", "webIdType")
ELEMENT_SEARCH = (
    "nameFilter",
    "templateName",
    "categoryName",
    "searchFullHierarchy",
    "sortField",
    "sortOrder",
    "startIndex",
    "maxCount",
    "descriptionFilter",
    "elementType",
    "associations",
) + OBJ
ATTRIBUTE_SEARCH = (
    "nameFilter",
    "categoryName",
    "valueType",
    "searchFullHierarchy",
    "showExcluded",
    "showHidden",
    "sortField",
    "sortOrder",
    "startIndex",
    "maxCount",
    "associations",
) + OBJ


def _check_af_server(ctx: Ctx, web_id: str) -> None:
    decoded = webids.decode(web_id)
    ok = (
        decoded is not None
        and decoded.marker == "RS"
        and (
            decoded.path.upper() == f"\\\\{AF_SERVER}"
            if decoded.path is not None
            else decoded.parts[0] == ctx.state.archive.af_guid
        )
    )
    if not ok:
        raise not_found(web_id)


@router.add("GET", "/assetservers", ("path", "name") + OBJ)
def asset_servers(ctx: Ctx) -> dict[str, Any]:
    """`Items` of the one AF server; `path` or `name` select it."""
    path, name = ctx.query.get("path"), ctx.query.get("name")
    if path is not None or name is not None:
        wanted = (path or "").lstrip("\\") if path is not None else name or ""
        if wanted.upper() != AF_SERVER:
            raise PIError(
                404,
                f"An asset server with the {'path' if path is not None else 'name'} '{path or name}' was not found.",
            )
        return objects.asset_server(ctx)
    return {"Links": {}, "Items": [objects.asset_server(ctx)]}


@router.add("GET", "/assetservers/{webId}", OBJ)
def asset_server(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """The AF server."""
    _check_af_server(ctx, web_id)
    return objects.asset_server(ctx)


@router.add("GET", "/assetservers/{webId}/assetdatabases", OBJ)
def databases(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """The one database, Plant."""
    _check_af_server(ctx, web_id)
    return {"Links": {}, "Items": [objects.database(ctx)]}


@router.add("GET", "/assetdatabases", ("path",) + OBJ)
def database_by_path(ctx: Ctx) -> dict[str, Any]:
    r"""The database by `\\PIAF01\Plant` path."""
    path = ctx.query.get("path") or ""
    if path.upper() != f"\\\\{AF_SERVER}\\{AF_DATABASE}".upper():
        raise PIError(404, f"The path '{path}' was not found.")
    return objects.database(ctx)


@router.add("GET", "/assetdatabases/{webId}", OBJ)
def database(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """The Plant database."""
    check_database(ctx, web_id)
    return objects.database(ctx)


def _descendants(ctx: Ctx, roots: list[int], full: bool) -> list[int]:
    children = ctx.state.archive.plant.children
    if not full:
        return list(roots)
    found, stack = [], list(reversed(roots))
    while stack:
        e = stack.pop()
        found.append(e)
        stack.extend(reversed(children[e]))
    return found


def _sorted(ctx: Ctx, items: list[Any], key) -> list[Any]:
    field = (ctx.query.get("sortField") or "Name").lower()
    order = (ctx.query.get("sortOrder") or "Ascending").lower()
    if field not in ("name", "") or order not in ("ascending", "descending"):
        raise PIError(
            400,
            f"Unsupported sortField '{ctx.query.get('sortField')}' or sortOrder "
            f"'{ctx.query.get('sortOrder')}'; use sortField=Name and sortOrder=Ascending|Descending.",
        )
    return sorted(items, key=key, reverse=order == "descending")


def _element_search(ctx: Ctx, roots: list[int]) -> dict[str, Any]:
    start_index, max_count = collection_paging(ctx)
    plant = ctx.state.archive.plant
    found = _descendants(ctx, roots, ctx.query.boolean("searchFullHierarchy", False))
    name_filter, template, category = (ctx.query.get(n) for n in ("nameFilter", "templateName", "categoryName"))
    if name_filter:
        pattern = wildcard(name_filter)
        found = [e for e in found if pattern.fullmatch(plant.elements[e].name)]
    if template:
        found = [e for e in found if plant.elements[e].template.upper() == template.upper()]
    if category:
        found = [e for e in found if category.upper() in (c.upper() for c in plant.elements[e].categories)]
    found = _sorted(ctx, found, key=lambda e: plant.elements[e].name)
    page = paged(ctx, found, start_index, max_count)
    page["Items"] = [objects.element(ctx, e) for e in page["Items"]]
    return page


@router.add("GET", "/assetdatabases/{webId}/elements", ELEMENT_SEARCH)
def database_elements(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """Root elements of the database, or every element with searchFullHierarchy=true; filtered and paged."""
    check_database(ctx, web_id)
    roots = [e.index for e in ctx.state.archive.plant.elements if e.parent < 0]
    return _element_search(ctx, roots)


@router.add("GET", "/elements", ("path", "associations") + OBJ)
def element_by_path(ctx: Ctx) -> dict[str, Any]:
    """An element by path."""
    kind, found = resolve_path(ctx, ctx.query.get("path") or "")
    if kind != "element":
        raise PIError(404, f"The path '{ctx.query.get('path')}' was not found.")
    return objects.element(ctx, found)


@router.add("GET", "/elements/{webId}", ("associations",) + OBJ)
def element(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """An element by WebId."""
    return objects.element(ctx, resolve_element(ctx, web_id))


@router.add("GET", "/elements/{webId}/elements", ELEMENT_SEARCH)
def child_elements(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """Child elements (or all descendants with searchFullHierarchy=true)."""
    e = resolve_element(ctx, web_id)
    return _element_search(ctx, list(ctx.state.archive.plant.children[e]))


def attribute_object(ctx: Ctx, ref: AttrRef) -> dict[str, Any]:
    """The JSON object of an attribute; `associations=DataReference` adds its PI point."""
    found = objects.attribute(
        ctx, ref.owner_marker, ref.owner, ref.slot, ref.name, ref.spec, ref.point, ref.owner_path, ref.owner_link
    )
    if "datareference" in (ctx.query.get("associations") or "").lower():
        found["DataReference"] = (
            {"Type": "PI Point", "PIPoint": objects.point(ctx, ref.point)} if ref.point >= 0 else None
        )
    return found


def attribute_search(ctx: Ctx, refs: list[AttrRef]) -> dict[str, Any]:
    """Filter, sort and page attributes of one owner."""
    start_index, max_count = collection_paging(ctx)
    name_filter, category = ctx.query.get("nameFilter"), ctx.query.get("categoryName")
    if name_filter:
        refs = [r for r in refs if wildcard(name_filter).fullmatch(r.name)]
    if category:
        wanted = category.upper()
        refs = [r for r in refs if wanted == ("PROCESS DATA" if r.point >= 0 else "CONFIGURATION")]
    refs = _sorted(ctx, refs, key=lambda r: r.name)
    page = paged(ctx, refs, start_index, max_count)
    page["Items"] = [attribute_object(ctx, r) for r in page["Items"]]
    return page


@router.add("GET", "/elements/{webId}/attributes", ATTRIBUTE_SEARCH)
def element_attribute_list(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """Attributes of an element: PI Point references (with Links.Point) and static attributes."""
    return attribute_search(ctx, element_attributes(ctx, resolve_element(ctx, web_id)))


@router.add("GET", "/attributes", ("path", "associations") + OBJ)
def attribute_by_path(ctx: Ctx) -> dict[str, Any]:
    """An attribute by `element path|attribute name`."""
    kind, found = resolve_path(ctx, ctx.query.get("path") or "")
    if kind != "attribute":
        raise PIError(404, f"The path '{ctx.query.get('path')}' was not found.")
    return attribute_object(ctx, found)


@router.add("GET", "/attributes/{webId}", ("associations",) + OBJ)
def attribute(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """An attribute by WebId."""
    return attribute_object(ctx, resolve_attribute(ctx, web_id))


@router.add(
    "GET", "/assetdatabases/{webId}/elementtemplates", ("field", "query", "maxCount", "sortField", "sortOrder") + OBJ
)
def element_templates(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """Element and event-frame templates of the database (`query` filters names with wildcards)."""
    check_database(ctx, web_id)
    names = list(objects.TEMPLATE_NAMES)
    query = ctx.query.get("query")
    if query:
        names = [n for n in names if wildcard(query).fullmatch(n)]
    names = _sorted(ctx, names, key=str)[: ctx.query.integer("maxCount", 1000, minimum=1)]
    return {"Links": {}, "Items": [objects.template(ctx, n) for n in names]}


@router.add("GET", "/elementtemplates/{webId}", OBJ)
def element_template(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """A template by WebId."""
    decoded = webids.decode(web_id)
    if decoded is not None and decoded.marker == "ET" and decoded.path is None:
        parsed = ctx.state.archive.ids.parse_guid(decoded.parts[1])
        if parsed and parsed[0] == "template" and parsed[1] < len(objects.TEMPLATE_NAMES):
            return objects.template(ctx, objects.TEMPLATE_NAMES[parsed[1]])
    if decoded is not None and decoded.path is not None:
        for name in objects.TEMPLATE_NAMES:
            if decoded.path.upper().endswith(f"[{name.upper()}]"):
                return objects.template(ctx, name)
    raise not_found(web_id)
