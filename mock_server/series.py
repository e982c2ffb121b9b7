"""Streams (points and attributes) and the values they serve: recorded, interpolated, plot, end and value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

from mock_server import fields, objects
from mock_server.changes import FLOAT_TYPES
from mock_server.encode import encode_events, json_value
from mock_server.lookup import AttrRef, max_count, point_error, resolve_attribute, resolve_point
from mock_server.pitime import TICKS_PER_HOUR, TICKS_PER_SECOND, format_ticks
from mock_server.routing import Ctx, PIError, not_found
from mock_server.signals import Events

NO_DATA = {"Name": "No Data", "Value": 248, "IsSystem": True}
LOOKBACK = 7 * 24 * TICKS_PER_HOUR  # how far back /end, /value and interpolation look for a previous event
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d|day)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400, "day": 86400}


@dataclass(frozen=True, slots=True)
class Stream:
    """A readable stream: a PI point, or an attribute (PI Point reference or static value)."""

    web_id: str
    name: str
    path: str
    units: str
    point: int  # -1 for a static attribute
    static: Any = None
    attribute: AttrRef | None = None

    def source_link(self, ctx: Ctx) -> str:
        """Links.Source of a stream-set item."""
        kind = "attributes" if self.attribute is not None else "points"
        return ctx.link(f"{kind}/{self.web_id}")


def stream_for(ctx: Ctx, web_id: str, check: bool = True) -> Stream:
    """The stream a WebId names (point or attribute); 404 for anything else.

    With `check`, a stream whose point answers an error now (denied, conflict, vanished) raises it: every data
    call goes through here, so direct calls, batch sub-requests and stream-set items all meet it.
    """
    if web_id[2:4] == "DP":
        p = resolve_point(ctx, web_id)
        plant = ctx.state.archive.plant
        stream = Stream(web_id, plant.point_names[p], plant.point_path(p), plant.units(p), p)
    elif web_id[2:4] == "Ab":
        stream = attribute_stream(ctx, resolve_attribute(ctx, web_id), web_id)
    else:
        raise not_found(web_id)
    if check:
        check_stream(ctx, stream)
    return stream


def check_stream(ctx: Ctx, stream: Stream) -> None:
    """Raise the error of a stream whose point cannot be read now (an attribute answers as its point)."""
    if stream.point >= 0 and ctx.state.archive.rules.active:
        error = point_error(ctx, stream.point)
        if error is not None:
            raise error


def attribute_stream(ctx: Ctx, ref: AttrRef, web_id: str) -> Stream:
    """The stream of an attribute."""
    return Stream(web_id, ref.name, f"{ref.owner_path}|{ref.name}", ref.spec.units, ref.point, ref.value, ref)


def check_max_count(ctx: Ctx, streams: int = 1) -> int:
    """The `maxCount` of a data call; with `limit_scope=total` streams x maxCount must fit the limit too."""
    count = max_count(ctx)
    limit = ctx.state.settings.max_returned_items
    if ctx.state.settings.limit_scope == "total" and streams * count > limit:
        raise PIError(
            400,
            f"The number of items requested ({streams} streams x maxCount {count} = "
            f"{streams * count}) is greater than the maximum allowed ({limit}).",
        )
    return count


def time_range(ctx: Ctx, stream: Stream | None = None) -> tuple[int, int]:
    """(startTime, endTime) in ticks; event-frame attributes default to the frame's own range."""
    frame = stream.attribute.frame if stream is not None and stream.attribute is not None else None
    if frame is not None:
        start_default = format_ticks(frame.start)
        end_default = "*" if frame.is_open(ctx.now) else format_ticks(frame.end)
    else:
        start_default, end_default = "*-1d", "*"
    return ctx.query.pi_time("startTime", start_default, ctx.now), ctx.query.pi_time("endTime", end_default, ctx.now)


def recorded(ctx: Ctx, stream: Stream, start: int, end: int, max_count: int, annotated_only: bool = False) -> Events:
    """Recorded events by boundaryType (Inside or Outside); newest first when end < start.

    `annotated_only` (the filter `IsSet('.', "a")`) keeps annotated events; as in PI, the boundary events of
    Outside are passed through the filter, and one that fails it is left out, not replaced by an earlier one.
    """
    boundary = (ctx.query.get("boundaryType") or "Inside").lower()
    if boundary not in ("inside", "outside"):
        raise PIError(
            400, f"boundaryType '{ctx.query.get('boundaryType')}' is not supported by the mock; use Inside or Outside."
        )
    archive = ctx.state.archive
    descending = end < start
    low, high = (end, start) if descending else (start, end)
    found = archive.select(stream.point, low, high, ctx.now, max_count, descending, annotated_only=annotated_only)
    if boundary == "outside":
        before = archive.select(stream.point, low - LOOKBACK, low - 1, ctx.now, 1, descending=True)
        after = archive.select(stream.point, high + 1, high + LOOKBACK, ctx.now, 1)
        if annotated_only:
            before, after = before.annotated(), after.annotated()
        parts = [after, found, before] if descending else [before, found, after]
        found = Events.concat([p for p in parts if len(p)]).take(slice(0, max_count))
    return found


def static_value(stream: Stream, tree_fields: frozenset[str] | None = None) -> dict[str, Any]:
    """A static attribute's value (PI stamps them 1970-01-01)."""
    return {
        "Timestamp": "1970-01-01T00:00:00Z",
        "Value": stream.static,
        "UnitsAbbreviation": stream.units,
        "Good": True,
        "Questionable": False,
        "Substituted": False,
        "Annotated": False,
    }


def values_bytes(ctx: Ctx, stream: Stream, events: Events | None, event_tree: fields.Tree | None) -> bytes:
    """JSON array of a stream's values with only the selected event fields."""
    selected = None if event_tree is None else frozenset(event_tree)
    if stream.point < 0:
        return orjson.dumps([fields.project(static_value(stream), event_tree)])
    return encode_events(ctx.state.archive.plant, stream.point, events, selected, ctx.state.settings.nan_format)


def annotated_values_bytes(ctx: Ctx, stream: Stream, events: Events | None, event_tree: fields.Tree | None) -> bytes:
    """As `values_bytes`, with `Annotations` (one `StreamAnnotation`) on annotated values (associations=Annotations).

    Dicts per value: the slow path, taken only when a client asks for annotations.
    """
    if stream.point < 0:
        return values_bytes(ctx, stream, events, event_tree)
    values = timed_values(ctx, stream.point, events)
    for value, found in zip(values, ctx.state.archive.value_annotations_of(stream.point, events), strict=True):
        if found is not None:
            value["Annotations"] = [objects.annotation(ctx, found)]
    return orjson.dumps(fields.project(values, event_tree))


def timed_values(ctx: Ctx, p: int, events: Events) -> list[dict[str, Any]]:
    """TimedValue dicts of point `p`'s events (NaN and infinities ready for orjson in the server's nan_format)."""
    plant = ctx.state.archive.plant
    out = orjson.loads(encode_events(plant, p, events))
    if plant.point_spec[p].point_type in FLOAT_TYPES:
        nan_format = ctx.state.settings.nan_format
        for i in np.flatnonzero(~np.isfinite(events.values) & (events.system == 0)).tolist():
            out[i]["Value"] = json_value(float(events.values[i]), nan_format)
    return out


def default_time(ctx: Ctx, stream: Stream) -> int:
    """The time a value is read at when the request gives none: the owner's time context.

    PI Web API (Stream GetValue): "The default time context is determined from the owning object - for example, the
    time range of the event frame"; a closed frame's PI Point attribute reads at the frame's end, an open one's (and
    any other stream) at the snapshot.
    """
    frame = stream.attribute.frame if stream.attribute is not None else None
    return frame.end if frame is not None and not frame.is_open(ctx.now) else ctx.now


def single_value(ctx: Ctx, stream: Stream, at: int | None = None) -> dict[str, Any]:
    """The value at or before `at` (default: the owner's time context, PI's snapshot for a point); No Data when none."""
    if stream.point < 0:
        return static_value(stream)
    when = default_time(ctx, stream) if at is None else min(at, ctx.now)
    found = ctx.state.archive.select(stream.point, when - LOOKBACK, when, ctx.now, 1, descending=True)
    if not len(found):
        return {
            "Timestamp": format_ticks(when),
            "Value": NO_DATA,
            "UnitsAbbreviation": "",
            "Good": False,
            "Questionable": False,
            "Substituted": False,
            "Annotated": False,
        }
    return timed_values(ctx, stream.point, found)[0]


def interval_ticks(text: str, name: str = "interval") -> int:
    """Ticks of an interval such as `1h`, `30m` or `10s` (parameter `name`); 400 otherwise."""
    match = _INTERVAL.match(text)
    if not match or float(match.group(1)) <= 0:
        raise PIError(400, f"The value '{text}' is not valid for parameter '{name}'; use e.g. 1h, 30m or 10s.")
    return round(float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()] * TICKS_PER_SECOND)


def _interpolate_at(ctx: Ctx, stream: Stream, t: int, numeric: bool) -> dict[str, Any]:
    """The value at `t` from the last event at or before it and the first after it (hours come from the cache)."""
    archive = ctx.state.archive
    before = archive.select(stream.point, t - LOOKBACK, t, ctx.now, 1, descending=True)
    if not len(before):
        return {"Timestamp": format_ticks(t), "Value": NO_DATA, "Good": False}
    system = int(before.system[0])
    value = archive.python_value(stream.point, before.values[0], system)
    if numeric and not system and before.ticks[0] != t:
        after = archive.select(stream.point, t + 1, min(t + LOOKBACK, ctx.now), ctx.now, 1)
        if len(after) and not after.system[0]:
            t0, t1 = int(before.ticks[0]), int(after.ticks[0])
            v0, v1 = float(before.values[0]), float(after.values[0])
            if np.isfinite(v0) and np.isfinite(v1):  # next to NaN or an infinity, the value before holds
                value = round(v0 + (v1 - v0) * (t - t0) / (t1 - t0), 6)
    value = json_value(value, ctx.state.settings.nan_format)
    return {"Timestamp": format_ticks(t), "Value": value, "Good": not system}


def interpolated(ctx: Ctx, stream: Stream, start: int, end: int, step: int) -> list[dict[str, Any]]:
    """Values every `step` from start to end: linear for numbers, previous value for states and text.

    Each time looks up only its two neighbours, so a long window of a fast point costs memory for two events.
    """
    count = (end - start) // step + 1 if end >= start else 0
    if count > ctx.state.settings.max_returned_items:
        raise PIError(
            400,
            f"The number of intervals ({count}) is greater than the maximum allowed "
            f"({ctx.state.settings.max_returned_items}).",
        )
    if stream.point < 0:
        return [static_value(stream)]
    numeric = ctx.state.archive.plant.point_spec[stream.point].point_type in ("Float32", "Float64")
    times = [t for t in range(start, end + 1, step) if t <= ctx.now]
    out = [_interpolate_at(ctx, stream, t, numeric) for t in times]
    return [
        dict(v, UnitsAbbreviation=stream.units if v["Good"] else "", Questionable=False, Substituted=False,
             Annotated=False)
        for v in out
    ]  # fmt: skip


def plot(ctx: Ctx, stream: Stream, start: int, end: int, intervals: int) -> Events | None:
    """Per interval the first, last, min and max events (and any system state or odd value), in time order.

    Intervals are read one at a time, so memory stays bounded by one interval's events. None for a static
    attribute (`values_bytes` writes its one value).
    """
    if stream.point < 0:
        return None
    edges = np.linspace(start, end, intervals + 1).astype(np.int64)
    chosen = []
    for i in range(intervals):
        low = int(edges[i]) if i == 0 else int(edges[i]) + 1
        events = ctx.state.archive.select(stream.point, low, int(edges[i + 1]), ctx.now)
        if not len(events):
            continue
        finite = np.isfinite(events.values)
        keep = {0, len(events) - 1}
        if finite.any():
            numbers = np.where(finite, events.values, np.nan)
            keep.update((int(np.nanargmin(numbers)), int(np.nanargmax(numbers))))
        keep.update(np.flatnonzero(events.system | ~finite).tolist())
        chosen.append(events.take(np.array(sorted(keep), dtype=np.int64)))
    return Events.concat(chosen)
