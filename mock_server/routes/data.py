"""Stream and stream-set data: recorded, interpolated, plot, value and end, for points and attributes.

Recorded responses are assembled as bytes: the wrapper objects are projected by `selectedFields` and
serialised by orjson with a placeholder per stream, and each placeholder is replaced by the stream's values
built by `encode.encode_events`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson

from mock_server import fields, objects, series
from mock_server.lookup import element_attributes, frame_attributes, resolve_element, resolve_frame, wildcard
from mock_server.routing import Ctx, PIError, Reply, Router

router = Router()
SET = ("webId", "sortField", "sortOrder", "selectedFields", "webIdType")
RECORDED = ("startTime", "endTime", "boundaryType", "maxCount", "filterExpression", "includeFilteredValues", "timeZone")
INTERPOLATED = (
    "startTime",
    "endTime",
    "interval",
    "filterExpression",
    "includeFilteredValues",
    "syncTime",
    "syncTimeBoundaryType",
    "timeZone",
)
PARENT = (
    "nameFilter",
    "categoryName",
    "templateName",
    "searchFullHierarchy",
    "showExcluded",
    "showHidden",
    "sortField",
    "sortOrder",
    "timeZone",
    "selectedFields",
    "webIdType",
)
_MARK = "\u2063"
_SPLIT = re.compile(rb'"\xe2\x81\xa3(\d+)\xe2\x81\xa3"')
ITEM_ERROR = {"Errors": ["Error occurred during writing of the output stream."], "StatusCode": 500}


_ANNOTATED_FILTER = re.compile(r"""^\s*IsSet\(\s*'\.'\s*,\s*"a"\s*\)\s*$""", re.IGNORECASE)


def no_filter(ctx: Ctx) -> None:
    """409 for a `filterExpression`, which the mock does not evaluate."""
    if ctx.query.get("filterExpression"):
        raise PIError(
            409,
            "The supplied filter expression is not supported (the mock does not implement filterExpression).",
        )


def annotated_filter(ctx: Ctx) -> bool:
    """Whether `filterExpression` keeps only annotated values: `IsSet('.', "a")`, the one filter the mock evaluates.

    The swagger of GetRecorded: "If only recorded values with annotations are desired, the filterExpression
    parameter should include the filter IsSet('.', "a")". Any other expression is a 409, as one PI does not support.
    """
    expression = ctx.query.get("filterExpression")
    if not expression:
        return False
    if not _ANNOTATED_FILTER.match(expression):
        no_filter(ctx)
    if (ctx.query.get("includeFilteredValues") or "").lower() == "true":
        raise PIError(409, "includeFilteredValues=true is not supported by the mock; leave it out or false.")
    return True


def splice(
    body: Any, tree: fields.Tree | None, fill: list[Callable[[fields.Tree | None], bytes]], item_path: tuple[str, ...]
) -> bytes:
    """Serialise `body` whose placeholders `marker(i)` stand for `fill[i](event tree)` bytes."""
    raw = orjson.dumps(fields.project(body, tree))
    parts = _SPLIT.split(raw)
    if len(parts) == 1:
        return raw
    try:
        event_tree = fields.descend(tree, *item_path)
    except KeyError:
        event_tree = None
    out = [parts[0]]
    for i in range(1, len(parts), 2):
        out.append(fill[int(parts[i])](event_tree))
        out.append(parts[i + 1])
    return b"".join(out)


def marker(i: int) -> str:
    """The placeholder of the i-th stream's values."""
    return f"{_MARK}{i}{_MARK}"


def _json(data: bytes) -> Reply:
    return Reply(data, headers={"Content-Type": "application/json; charset=utf-8"})


# -- single streams --------------------------------------------------------------------------------------------
@router.add("GET", "/streams/{webId}/recorded", RECORDED + ("associations", "desiredUnits", "selectedFields"))
def stream_recorded(ctx: Ctx, web_id: str) -> Reply:
    """Recorded values: boundaryType Inside by default, maxCount 1000 truncating silently.

    `associations=Annotations` adds each annotated value's annotations, as `Annotations`;
    `filterExpression=IsSet('.', "a")` returns only the annotated values.
    """
    annotated_only = annotated_filter(ctx)
    encode = series.annotated_values_bytes if _wants_annotations(ctx) else series.values_bytes
    stream = series.stream_for(ctx, web_id)
    max_count = series.check_max_count(ctx)
    start, end = series.time_range(ctx, stream)
    events = series.recorded(ctx, stream, start, end, max_count, annotated_only) if stream.point >= 0 else None
    body = {"Items": marker(0), "UnitsAbbreviation": stream.units}
    return _json(splice(body, ctx.tree, [lambda t: encode(ctx, stream, events, t)], ("items",)))


def _wants_annotations(ctx: Ctx) -> bool:
    """`associations` names Annotations; 409 for any other association, as the swagger documents."""
    names = {n.strip() for n in (ctx.query.get("associations") or "").split(";") if n.strip()}
    unsupported = sorted(n for n in names if n.lower() != "annotations")
    if unsupported:
        raise PIError(409, f"The association '{unsupported[0]}' is not supported by this method; use Annotations.")
    return bool(names)


@router.add("GET", "/streams/{webId}/interpolated", INTERPOLATED + ("desiredUnits", "selectedFields"))
def stream_interpolated(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """Interpolated values every `interval` (default 1h)."""
    no_filter(ctx)
    stream = series.stream_for(ctx, web_id)
    start, end = series.time_range(ctx, stream)
    step = series.interval_ticks(ctx.query.get("interval") or "1h")
    return {"Items": series.interpolated(ctx, stream, start, end, step), "UnitsAbbreviation": stream.units}


def _intervals(ctx: Ctx) -> int:
    return ctx.query.integer("intervals", 24, minimum=1)


@router.add(
    "GET", "/streams/{webId}/plot", ("startTime", "endTime", "intervals", "timeZone", "desiredUnits", "selectedFields")
)
def stream_plot(ctx: Ctx, web_id: str) -> Reply:
    """Plot values: per interval first, last, min, max and exceptional values."""
    stream = series.stream_for(ctx, web_id)
    start, end = series.time_range(ctx, stream)
    intervals = _intervals(ctx)
    body = {"Items": marker(0), "UnitsAbbreviation": stream.units}
    events = series.plot(ctx, stream, start, end, intervals)
    return _json(splice(body, ctx.tree, [lambda t: series.values_bytes(ctx, stream, events, t)], ("items",)))


@router.add("GET", "/streams/{webId}/value", ("time", "timeZone", "desiredUnits", "selectedFields"))
def stream_value(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """The snapshot value, or the value at or before `time`."""
    stream = series.stream_for(ctx, web_id)
    at = ctx.query.pi_time("time", "*", ctx.now) if ctx.query.get("time") else None
    return series.single_value(ctx, stream, at)


@router.add("GET", "/streams/{webId}/end", ("desiredUnits", "selectedFields"))
def stream_end(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """The last recorded value visible now."""
    return series.single_value(ctx, series.stream_for(ctx, web_id))


# -- stream sets -----------------------------------------------------------------------------------------------
def adhoc_streams(ctx: Ctx, sort: bool = True) -> list[series.Stream | tuple[str, PIError]]:
    """The streams of repeated `webId` parameters; an unknown one stays in place as (webId, error).

    `sort=False` for routes whose swagger has no sortField (summaries): they keep the request's order.
    """
    web_ids = ctx.query.getall("webId")
    if not web_ids:
        raise PIError(400, "At least one 'webId' parameter is required (repeat webId=... once per stream).")
    out: list[series.Stream | tuple[str, PIError]] = []
    for web_id in web_ids:
        try:
            out.append(series.stream_for(ctx, web_id))
        except PIError as exc:
            out.append((web_id, exc))
    return _sort(ctx, out) if sort else out


def _sort(ctx: Ctx, streams: list) -> list:
    field, order = ctx.query.get("sortField"), (ctx.query.get("sortOrder") or "Ascending").lower()
    if field is None:
        return streams  # PI's default: no sorting, for speed
    if field.lower() != "name" or order not in ("ascending", "descending"):
        raise PIError(400, "Stream sets sort only by sortField=Name with sortOrder=Ascending or Descending.")
    return sorted(streams, key=lambda s: s.name if isinstance(s, series.Stream) else "", reverse=order == "descending")


def stream_item(ctx: Ctx, stream: series.Stream | tuple[str, PIError], payload: dict[str, Any]) -> dict[str, Any]:
    """One stream-set item: WebId, Name, Path, Links.Source and `payload`, or the stream's WebException."""
    if isinstance(stream, tuple):
        web_id, error = stream
        return {"WebId": web_id, "Links": {}, "WebException": {"Errors": error.errors, "StatusCode": error.status}}
    item = {
        "WebId": stream.web_id,
        "Name": stream.name,
        "Path": stream.path,
        "Links": {"Source": stream.source_link(ctx)},
    }
    if ctx.state.roll(ctx.state.settings.fault_item_error):
        return dict(item, Items=[], WebException=ITEM_ERROR)
    return dict(item, **payload)


def _recorded_set(ctx: Ctx, streams: list) -> Reply:
    no_filter(ctx)
    max_count = series.check_max_count(ctx, len(streams))
    items, fill = [], []
    for stream in streams:
        if isinstance(stream, series.Stream):
            start, end = series.time_range(ctx, stream)
            events = series.recorded(ctx, stream, start, end, max_count) if stream.point >= 0 else None
            fill.append(lambda t, s=stream, e=events: series.values_bytes(ctx, s, e, t))
            payload = {"Items": marker(len(fill) - 1), "UnitsAbbreviation": stream.units}
        else:
            payload = {}
        items.append(stream_item(ctx, stream, payload))
    return _json(splice({"Links": {}, "Items": items}, ctx.tree, fill, ("items", "items")))


@router.add("GET", "/streamsets/recorded", SET + RECORDED)
def set_recorded(ctx: Ctx) -> Reply:
    """Recorded values of many streams (`webId` repeated); maxCount applies to each stream."""
    return _recorded_set(ctx, adhoc_streams(ctx))


@router.add("GET", "/streamsets/interpolated", SET + INTERPOLATED)
def set_interpolated(ctx: Ctx) -> dict[str, Any]:
    """Interpolated values of many streams."""
    no_filter(ctx)
    step = series.interval_ticks(ctx.query.get("interval") or "1h")
    items = []
    for stream in adhoc_streams(ctx):
        payload = {}
        if isinstance(stream, series.Stream):
            start, end = series.time_range(ctx, stream)
            payload = {"Items": series.interpolated(ctx, stream, start, end, step), "UnitsAbbreviation": stream.units}
        items.append(stream_item(ctx, stream, payload))
    return {"Links": {}, "Items": items}


@router.add("GET", "/streamsets/plot", SET + ("startTime", "endTime", "intervals", "timeZone"))
def set_plot(ctx: Ctx) -> Reply:
    """Plot values of many streams."""
    intervals = _intervals(ctx)
    items, fill = [], []
    for stream in adhoc_streams(ctx):
        payload = {}
        if isinstance(stream, series.Stream):
            start, end = series.time_range(ctx, stream)
            events = series.plot(ctx, stream, start, end, intervals)
            fill.append(lambda t, s=stream, e=events: series.values_bytes(ctx, s, e, t))
            payload = {"Items": marker(len(fill) - 1), "UnitsAbbreviation": stream.units}
        items.append(stream_item(ctx, stream, payload))
    return _json(splice({"Links": {}, "Items": items}, ctx.tree, fill, ("items", "items")))


def _value_set(ctx: Ctx, streams: list, at: int | None, as_list: bool = False) -> dict[str, Any]:
    """`Value` per stream (`/value`), or `Items` holding that one value (`/end`, as PI shapes it)."""
    items = []
    for stream in streams:
        payload = {}
        if isinstance(stream, series.Stream):
            value = series.single_value(ctx, stream, at)
            payload = {"Items": [value], "UnitsAbbreviation": stream.units} if as_list else {"Value": value}
        items.append(stream_item(ctx, stream, payload))
    return {"Links": {}, "Items": items}


@router.add("GET", "/streamsets/value", SET + ("time", "timeZone"))
def set_value(ctx: Ctx) -> dict[str, Any]:
    """Snapshot values of many streams."""
    at = ctx.query.pi_time("time", "*", ctx.now) if ctx.query.get("time") else None
    return _value_set(ctx, adhoc_streams(ctx), at)


@router.add("GET", "/streamsets/end", SET)
def set_end(ctx: Ctx) -> dict[str, Any]:
    """Last recorded values of many streams."""
    return _value_set(ctx, adhoc_streams(ctx), None, as_list=True)


# -- attributes of an element or event frame -------------------------------------------------------------------
def parent_streams(ctx: Ctx, web_id: str, sort: bool = True) -> list[series.Stream | tuple[str, PIError]]:
    """The attribute streams of an element or event frame, filtered by nameFilter and categoryName.

    An attribute whose point cannot be read now stays in place as (webId, error), an item with a WebException.
    """
    if web_id[2:4] == "Fm":
        refs = frame_attributes(ctx, resolve_frame(ctx, web_id))
    else:
        refs = element_attributes(ctx, resolve_element(ctx, web_id))
    name_filter, category = ctx.query.get("nameFilter"), ctx.query.get("categoryName")
    if name_filter:
        refs = [r for r in refs if wildcard(name_filter).fullmatch(r.name)]
    if category:
        refs = [r for r in refs if category.upper() == ("PROCESS DATA" if r.point >= 0 else "CONFIGURATION")]
    streams = []
    for ref in refs:
        web_id = objects.attribute(
            ctx, ref.owner_marker, ref.owner, ref.slot, ref.name, ref.spec, ref.point, ref.owner_path, ref.owner_link
        )["WebId"]
        stream = series.attribute_stream(ctx, ref, web_id)
        try:
            series.check_stream(ctx, stream)
        except PIError as exc:
            streams.append((web_id, exc))
            continue
        streams.append(stream)
    return _sort(ctx, streams) if sort else streams


@router.add("GET", "/streamsets/{webId}/value", PARENT + ("time",))
def parent_value(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """Values of the attributes of an element or event frame."""
    at = ctx.query.pi_time("time", "*", ctx.now) if ctx.query.get("time") else None
    return _value_set(ctx, parent_streams(ctx, web_id), at)


@router.add(
    "GET",
    "/streamsets/{webId}/recorded",
    PARENT + ("startTime", "endTime", "boundaryType", "maxCount", "filterExpression", "includeFilteredValues"),
)
def parent_recorded(ctx: Ctx, web_id: str) -> Reply:
    """Recorded values of the attributes of an element or event frame (frames default to their own range)."""
    return _recorded_set(ctx, parent_streams(ctx, web_id))
