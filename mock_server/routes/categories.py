r"""Element categories of the Plant database (`ElementCategory` model): the categories its templates give.

Elements and event frames carry these names in `CategoryNames`; a category's WebId decodes to its index in
`catalog.ELEMENT_CATEGORIES`, and its path is `\\PIAF01\Plant\CategoriesElement[name]`.
"""

from __future__ import annotations

from typing import Any

from mock_server import objects, webids
from mock_server.catalog import CATEGORY_DESCRIPTIONS, ELEMENT_CATEGORIES
from mock_server.lookup import check_database, resolve_element
from mock_server.routing import Ctx, PIError, Router, not_found

router = Router()
OBJ = ("selectedFields", "webIdType")


def _path(ctx: Ctx, name: str) -> str:
    return f"{ctx.state.archive.plant.db_path}\\CategoriesElement[{name}]"


def category_webid(ctx: Ctx, index: int) -> str:
    """WebId of element category `index` in the request's webIdType."""
    archive = ctx.state.archive
    guid = webids.guid_text(archive.ids.guid("category", index))
    return webids.make("EC", [archive.af_guid, guid], _path(ctx, ELEMENT_CATEGORIES[index]), ctx.id_type)


def category(ctx: Ctx, index: int) -> dict[str, Any]:
    """One element category."""
    name = ELEMENT_CATEGORIES[index]
    web_id = category_webid(ctx, index)
    return {
        "WebId": web_id,
        "Id": str(ctx.state.archive.ids.guid("category", index)),
        "Name": name,
        "Description": CATEGORY_DESCRIPTIONS.get(name, ""),
        "Path": _path(ctx, name),
        "Links": {
            "Self": ctx.link(f"elementcategories/{web_id}"),
            "Database": ctx.link(f"assetdatabases/{objects.database_webid(ctx)}"),
        },
    }


def _by_name(ctx: Ctx, names: tuple[str, ...] | list[str]) -> dict[str, Any]:
    index = {n.upper(): i for i, n in enumerate(ELEMENT_CATEGORIES)}
    return {"Links": {}, "Items": [category(ctx, index[n.upper()]) for n in names]}


@router.add("GET", "/assetdatabases/{webId}/elementcategories", OBJ)
def database_categories(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """Every element category of the database, by name."""
    check_database(ctx, web_id)
    return _by_name(ctx, ELEMENT_CATEGORIES)


def _index_of_path(ctx: Ctx, path: str) -> int | None:
    wanted = path.upper()
    return next((i for i, name in enumerate(ELEMENT_CATEGORIES) if _path(ctx, name).upper() == wanted), None)


@router.add("GET", "/elementcategories", ("path",) + OBJ)
def category_by_path(ctx: Ctx) -> dict[str, Any]:
    r"""A category by `\\PIAF01\Plant\CategoriesElement[name]`."""
    path = ctx.query.get("path") or ""
    index = _index_of_path(ctx, path)
    if index is None:
        raise PIError(404, f"The path '{path}' was not found.")
    return category(ctx, index)


@router.add("GET", "/elementcategories/{webId}", OBJ)
def category_by_webid(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """A category by WebId (Full, IDOnly or PathOnly)."""
    decoded = webids.decode(web_id)
    index = None
    if decoded is not None and decoded.marker == "EC":
        if decoded.path is not None:
            index = _index_of_path(ctx, decoded.path)
        elif decoded.parts[0] == ctx.state.archive.af_guid:
            parsed = ctx.state.archive.ids.parse_guid(decoded.parts[1])
            index = parsed[1] if parsed and parsed[0] == "category" and parsed[1] < len(ELEMENT_CATEGORIES) else None
    if index is None:
        raise not_found(web_id)
    return category(ctx, index)


@router.add("GET", "/elements/{webId}/categories", OBJ)
def element_categories(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """The categories of one element (its `CategoryNames`, as objects)."""
    node = ctx.state.archive.plant.elements[resolve_element(ctx, web_id)]
    return _by_name(ctx, list(node.categories))
