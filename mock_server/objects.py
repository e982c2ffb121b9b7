"""PI Web API JSON objects (swagger model field names) of servers, points, elements, attributes and templates."""

from __future__ import annotations

from typing import Any

from mock_server import webids
from mock_server.annotations import Annotation
from mock_server.catalog import EQUIPMENT, EVENT_FRAME_TEMPLATES, LEVEL_TEMPLATES, AttrSpec
from mock_server.pitime import format_ticks
from mock_server.plant import AF_DATABASE, AF_SERVER, DATA_SERVER
from mock_server.releases import NOTIFICATION_RULES, has
from mock_server.routing import Ctx

TEMPLATE_NAMES = tuple(LEVEL_TEMPLATES) + tuple(t.name for t in EQUIPMENT) + tuple(EVENT_FRAME_TEMPLATES)
ATTR_SLOTS = 64  # attribute index = owner index * ATTR_SLOTS + slot


def _ids(ctx: Ctx):
    return ctx.state.archive.ids


def data_server_webid(ctx: Ctx) -> str:
    """WebId of PISRV01 in the request's webIdType."""
    return ctx.state.archive.server_webid(ctx.id_type)


def data_server(ctx: Ctx) -> dict[str, Any]:
    """The one PI Data Archive, PISRV01."""
    archive = ctx.state.archive
    web_id = data_server_webid(ctx)
    return {
        "WebId": web_id,
        "Id": str(archive.ids.guid("server", 0)),
        "Name": DATA_SERVER,
        "Path": f"\\\\PIServers[{DATA_SERVER}]",
        "IsConnected": True,
        "ServerVersion": "3.4.440.477",
        "ServerTime": format_ticks(ctx.now),
        "Links": {
            "Self": ctx.link(f"dataservers/{web_id}"),
            "Points": ctx.link(f"dataservers/{web_id}/points"),
        },
    }


def point(ctx: Ctx, p: int) -> dict[str, Any]:
    """A PI point (`Point` model)."""
    archive = ctx.state.archive
    plant = archive.plant
    spec = plant.point_spec[p]
    web_id = archive.point_webid(p, ctx.id_type)
    points, streams = f"{ctx.base_url}/points/{web_id}", f"{ctx.base_url}/streams/{web_id}"  # 1,000 points a page
    owner = int(plant.point_owner[p])
    descriptor = f"{plant.elements[owner].name} {spec.name}" if owner >= 0 else f"{spec.name} loop"
    return {
        "WebId": web_id,
        "Id": p + 1,
        "Name": plant.point_names[p],
        "Path": plant.point_path(p),
        "Descriptor": descriptor,
        "PointClass": "classic",
        "PointType": spec.point_type,
        "DigitalSetName": spec.digital_set,
        "EngineeringUnits": spec.units,
        "Span": float(spec.high - spec.low or 100),
        "Zero": float(spec.low),
        "Step": spec.point_type in ("Digital", "String", "Int32"),
        "Future": False,
        "DisplayDigits": -5,
        "Links": {
            "Self": points,
            "DataServer": ctx.link(f"dataservers/{data_server_webid(ctx)}"),
            "Attributes": f"{points}/attributes",
            "InterpolatedData": f"{streams}/interpolated",
            "RecordedData": f"{streams}/recorded",
            "PlotData": f"{streams}/plot",
            "SummaryData": f"{streams}/summary",
            "Value": f"{streams}/value",
            "EndValue": f"{streams}/end",
        },
    }


def asset_server_webid(ctx: Ctx) -> str:
    """WebId of the AF server PIAF01."""
    return webids.make("RS", [ctx.state.archive.af_guid], f"\\\\{AF_SERVER}", ctx.id_type)


def asset_server(ctx: Ctx) -> dict[str, Any]:
    """The one AF server, PIAF01."""
    archive = ctx.state.archive
    web_id = asset_server_webid(ctx)
    return {
        "WebId": web_id,
        "Id": str(archive.ids.guid("server", 1)),
        "Name": AF_SERVER,
        "Description": "",
        "Path": f"\\\\{AF_SERVER}",
        "IsConnected": True,
        "ServerVersion": "2.10.9.593",
        "ServerTime": format_ticks(ctx.now),
        "ExtendedProperties": {},
        "Links": {
            "Self": ctx.link(f"assetservers/{web_id}"),
            "Databases": ctx.link(f"assetservers/{web_id}/assetdatabases"),
        },
    }


def database_webid(ctx: Ctx) -> str:
    """WebId of the AF database `Plant`."""
    archive = ctx.state.archive
    return webids.make("RD", [archive.af_guid, archive.db_guid], archive.plant.db_path, ctx.id_type)


def database(ctx: Ctx) -> dict[str, Any]:
    r"""The AF database `\\PIAF01\Plant`."""
    web_id = database_webid(ctx)
    archive = ctx.state.archive
    return {
        "WebId": web_id,
        "Id": str(archive.ids.guid("database", 0)),
        "Name": AF_DATABASE,
        "Description": "Process plant asset model",
        "Path": archive.plant.db_path,
        "ExtendedProperties": {},
        "Links": {
            "Self": ctx.link(f"assetdatabases/{web_id}"),
            "Elements": ctx.link(f"assetdatabases/{web_id}/elements"),
            "ElementTemplates": ctx.link(f"assetdatabases/{web_id}/elementtemplates"),
            "ElementCategories": ctx.link(f"assetdatabases/{web_id}/elementcategories"),
            "EventFrames": ctx.link(f"assetdatabases/{web_id}/eventframes"),
            "AssetServer": ctx.link(f"assetservers/{asset_server_webid(ctx)}"),
        },
    }


def element_webid(ctx: Ctx, e: int) -> str:
    """WebId of element `e` in the request's webIdType."""
    return ctx.state.archive.element_webid(e, ctx.id_type)


def element(ctx: Ctx, e: int) -> dict[str, Any]:
    """An AF element (`Element` model)."""
    plant = ctx.state.archive.plant
    node = plant.elements[e]
    web_id = element_webid(ctx, e)
    links = {
        "Self": ctx.link(f"elements/{web_id}"),
        "Attributes": ctx.link(f"elements/{web_id}/attributes"),
        "Elements": ctx.link(f"elements/{web_id}/elements"),
        "Database": ctx.link(f"assetdatabases/{database_webid(ctx)}"),
        "Template": ctx.link(f"elementtemplates/{template_webid(ctx, node.template)}"),
        "Categories": ctx.link(f"elements/{web_id}/categories"),
        "Value": ctx.link(f"streamsets/{web_id}/value"),
        "RecordedData": ctx.link(f"streamsets/{web_id}/recorded"),
        "SummaryData": ctx.link(f"streamsets/{web_id}/summary"),
        "EventFrames": ctx.link(f"elements/{web_id}/eventframes"),
    }
    if has(ctx.state.settings.release, NOTIFICATION_RULES):
        links["NotificationRules"] = ctx.link(f"elements/{web_id}/notificationrules")
    if node.parent >= 0:
        links["Parent"] = ctx.link(f"elements/{element_webid(ctx, node.parent)}")
    return {
        "WebId": web_id,
        "Id": str(ctx.state.archive.ids.guid("element", e)),
        "Name": node.name,
        "Description": f"{node.template} {node.name}",
        "Path": node.path,
        "TemplateName": node.template,
        "HasChildren": bool(plant.children[e]),
        "CategoryNames": list(node.categories),
        "ExtendedProperties": {},
        "Links": links,
    }


def template_webid(ctx: Ctx, name: str) -> str:
    """WebId of an element or event-frame template."""
    archive = ctx.state.archive
    guid = webids.guid_text(archive.ids.guid("template", TEMPLATE_NAMES.index(name)))
    return webids.make("ET", [archive.af_guid, guid], f"{archive.plant.db_path}\\ElementTemplates[{name}]", ctx.id_type)


def template(ctx: Ctx, name: str) -> dict[str, Any]:
    """An element or event-frame template (`ElementTemplate` model)."""
    archive = ctx.state.archive
    web_id = template_webid(ctx, name)
    is_frame = name in EVENT_FRAME_TEMPLATES
    equipment = next((t for t in EQUIPMENT if t.name == name), None)
    categories = EVENT_FRAME_TEMPLATES.get(name) or (equipment.categories if equipment else LEVEL_TEMPLATES[name][0])
    return {
        "WebId": web_id,
        "Id": str(archive.ids.guid("template", TEMPLATE_NAMES.index(name))),
        "Name": name,
        "Description": f"{name} template",
        "Path": f"{archive.plant.db_path}\\ElementTemplates[{name}]",
        "AllowElementToExtend": True,
        "BaseTemplate": "",
        "InstanceType": "EventFrame" if is_frame else "Element",
        "NamingPattern": "%TEMPLATE%-%STARTTIME:yyyyMMdd%" if is_frame else "",
        "CategoryNames": list(categories),
        "ExtendedProperties": {},
        "Severity": "None",
        "CanBeAcknowledged": name == "Alarm",
        "Links": {
            "Self": ctx.link(f"elementtemplates/{web_id}"),
            "Database": ctx.link(f"assetdatabases/{database_webid(ctx)}"),
        },
    }


def attribute(
    ctx: Ctx,
    owner_marker: str,
    owner: int,
    slot: int,
    name: str,
    spec: Any,
    point_index: int,
    owner_path: str,
    owner_link: str,
    value: Any = None,
) -> dict[str, Any]:
    """An AF attribute (`Attribute` model): PI Point references carry Links.Point and a ConfigString."""
    archive = ctx.state.archive
    kind = "element" if owner_marker == "E" else "eventframe"
    owner_guid = webids.guid_text(archive.ids.guid(kind, owner))
    attr_guid = webids.guid_text(archive.ids.guid("attribute", owner * ATTR_SLOTS + slot))
    path = f"{owner_path}|{name}"
    web_id = webids.make("Ab" + owner_marker, [archive.af_guid, owner_guid, attr_guid], path, ctx.id_type)
    is_point = point_index >= 0
    if is_point:
        attr_type = {"Float32": "Single", "Float64": "Double", "Digital": "EnumerationValue"}.get(
            spec.point_type, spec.point_type
        )
        units = spec.units
    else:
        attr_type, units = spec.type, spec.units
    links = {
        "Self": ctx.link(f"attributes/{web_id}"),
        "Value": ctx.link(f"streams/{web_id}/value"),
        "EndValue": ctx.link(f"streams/{web_id}/end"),
        "RecordedData": ctx.link(f"streams/{web_id}/recorded"),
        "InterpolatedData": ctx.link(f"streams/{web_id}/interpolated"),
        "PlotData": ctx.link(f"streams/{web_id}/plot"),
        "SummaryData": ctx.link(f"streams/{web_id}/summary"),
        ("Element" if owner_marker == "E" else "EventFrame"): owner_link,
    }
    config = ""
    if is_point:
        links["Point"] = ctx.link(f"points/{archive.point_webid(point_index, ctx.id_type)}")
        config = archive.plant.point_path(point_index) + f";ptclassname=classic;pointtype={spec.point_type}"
        if units:
            config += f";UOM={units}"
    return {
        "WebId": web_id,
        "Id": str(archive.ids.guid("attribute", owner * ATTR_SLOTS + slot)),
        "Name": name,
        "Description": "",
        "Path": path,
        "Type": attr_type,
        "TypeQualifier": spec.digital_set if is_point else "",
        "DefaultUnitsName": units,
        "DefaultUnitsNameAbbreviation": units,
        "DisplayDigits": -5,
        "DataReferencePlugIn": "PI Point" if is_point else "",
        "ConfigString": config,
        "IsConfigurationItem": not is_point,
        "IsExcluded": False,
        "IsHidden": False,
        "IsManualDataEntry": False,
        "HasChildren": False,
        "CategoryNames": ["Process Data"] if is_point else ["Configuration"],
        "Step": is_point and spec.point_type in ("Digital", "String"),
        "TraitName": "",
        "Span": float(spec.high - spec.low) if isinstance(spec, AttrSpec) else 0.0,
        "Zero": float(spec.low) if isinstance(spec, AttrSpec) else 0.0,
        "Links": links,
    }


def annotation(ctx: Ctx, item: Annotation, owner_link: str | None = None) -> dict[str, Any]:
    """An annotation, never modified since it was written.

    An event frame's (`Annotation`, with `Links` to itself and its owner) or a recorded value's
    (`StreamAnnotation`, which has no `Links`).
    """
    guid = str(ctx.state.archive.ids.guid("annotation", item.index))
    created = format_ticks(item.created)
    found = {
        "Id": guid,
        "Name": item.name,
        "Description": item.description,
        "Value": item.value,
        "Creator": item.creator,
        "CreationDate": created,
        "Modifier": item.creator,
        "ModifyDate": created,
        "Errors": None,
    }
    if owner_link is not None:
        found["Links"] = {"Self": f"{owner_link}/annotations/{guid}", "Owner": owner_link}
    return found
