"""Summary routes: `/streams/{webId}/summary`, ad hoc `/streamsets/summary` and `/streamsets/{webId}/summary`.

Events come from the archive's per-hour generation without entering its hour cache (a summary sweeps many hours
once); the numbers come from `mock_server.summaries`. Only the summary values themselves become JSON objects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from mock_server import series, summaries
from mock_server.catalog import SYSTEM_STATES
from mock_server.pitime import format_ticks
from mock_server.routes import data
from mock_server.routing import Ctx, Router
from mock_server.signals import EMPTY, Events

router = Router()
SUMMARY = (
    "startTime",
    "endTime",
    "summaryType",
    "calculationBasis",
    "timeType",
    "summaryDuration",
    "sampleType",
    "sampleInterval",
    "filterExpression",
)
NUMERIC_POINT_TYPES = frozenset({"Float32", "Float64", "Int32"})
CONTINUOUS_POINT_TYPES = frozenset({"Float32", "Float64"})  # the others are stepped (Point.Step)
SAMPLE_TYPES = ("ExpressionRecordedValues", "Interval")
_CALC_FAILED = dict(zip(("Name", "Value"), next(s for s in SYSTEM_STATES if s[0] == "Calc Failed"), strict=True))
_UNITS = {"Count": "", "PercentGood": "%", "Total": "", "TotalWithUOM": ""}


@dataclass(frozen=True, slots=True)
class SummaryRequest:
    """The summary parameters of one call, shared by every stream of a stream set."""

    types: tuple[str, ...]
    basis: summaries.Basis
    time_type: str
    duration: int | None


def _summary_request(ctx: Ctx) -> SummaryRequest:
    data.no_filter(ctx)
    summaries.parse_choice(ctx.query.get("sampleType"), SAMPLE_TYPES[0], SAMPLE_TYPES, "sampleType")  # filters only
    basis_name = summaries.parse_choice(
        ctx.query.get("calculationBasis"),
        "TimeWeighted",
        tuple(b.name for b in summaries.BASES.values()),
        "calculationBasis",
    )
    duration = ctx.query.get("summaryDuration")
    return SummaryRequest(
        summaries.parse_types(ctx.query.getall("summaryType")),
        summaries.BASES[basis_name.lower()],
        summaries.parse_choice(ctx.query.get("timeType"), "Auto", summaries.TIME_TYPES, "timeType"),
        series.interval_ticks(duration, "summaryDuration") if duration else None,
    )


def _series(ctx: Ctx, stream: series.Stream, low: int, high: int, basis: summaries.Basis) -> summaries.Series:
    """The events a summary of `stream` over [low, high] reads (a static attribute is one event in 1970)."""
    if stream.point < 0:
        numeric = isinstance(stream.static, int | float) and not isinstance(stream.static, bool)
        one = np.zeros(1, np.int64)
        value = np.array([float(stream.static) if numeric else 0.0])
        before = Events(one, one, value, np.zeros(1, np.int16), np.zeros(1, np.uint8))
        return summaries.Series(EMPTY, before, EMPTY, ctx.now, numeric, stepped=True)
    archive = ctx.state.archive
    p = stream.point
    inside = archive.select(p, low, high, ctx.now, keep=False)
    before = after = EMPTY
    if not basis.event_weighted:
        before = archive.select(p, low - series.LOOKBACK, low - 1, ctx.now, 1, descending=True, keep=False)
        if high < ctx.now:
            after = archive.select(p, high + 1, high + series.LOOKBACK, ctx.now, 1, keep=False)
    point_type = archive.plant.point_spec[p].point_type
    if point_type in CONTINUOUS_POINT_TYPES:
        inside, before, after = _finite(inside), _finite(before), _finite(after)
    return summaries.Series(
        inside, before, after, ctx.now, point_type in NUMERIC_POINT_TYPES, point_type not in CONTINUOUS_POINT_TYPES
    )


def _finite(events: Events) -> Events:
    """NaN and infinities count as bad values in summaries (reading: they cannot be averaged or totalled)."""
    bad = ~np.isfinite(events.values)
    if not bad.any():
        return events
    values = np.where(bad, 0.0, events.values)
    return Events(events.ticks, events.visible, values, np.where(bad, -1, events.system).astype(np.int16), events.flags)


def _timed(ticks: int, value: Any, units: str, good: bool = True) -> dict[str, Any]:
    return {
        "Timestamp": format_ticks(ticks),
        "Value": value,
        "UnitsAbbreviation": units if good else "",
        "Good": good,
        "Questionable": False,
        "Substituted": False,
        "Annotated": False,
    }


def stream_summaries(
    ctx: Ctx, stream: series.Stream, request: SummaryRequest, streams: int = 1
) -> list[dict[str, Any]]:
    """`SummaryValue`s of one stream: every interval of the first type, then of the next type, and so on.

    Intervals x types (x streams with `limit_scope=total`) must fit MaxReturnedItemsPerCall.
    """
    start, end = series.time_range(ctx, stream)
    share = len(request.types) * (streams if ctx.state.settings.limit_scope == "total" else 1)
    edges = summaries.interval_edges(
        start, end, request.duration, max(1, ctx.state.settings.max_returned_items // share)
    )
    found = summaries.summarize(
        _series(ctx, stream, int(edges[0]), int(edges[-1]), request.basis),
        edges,
        request.types,
        request.basis,
        end < start,
        request.time_type,
    )
    order = slice(None, None, -1) if end < start else slice(None)
    out: list[dict[str, Any]] = []
    for name, column in found.items():
        units = _UNITS.get(name, stream.units)
        if name == "Count" and not request.basis.event_weighted:
            units = "s"  # time weighted: seconds of good data ("the sum of event time duration")
        for value, at in zip(column.values[order].tolist(), column.ticks[order].tolist(), strict=True):
            if not column.supported:  # the reference: Count is the only summary of non-numeric data (and PercentGood)
                failed = _timed(at, {**_CALC_FAILED, "IsSystem": True}, "", good=False)
                message = f"{name} is not supported for non-numeric data; only Count and PercentGood are."
                out.append({"Type": name, "Value": dict(failed, Errors=[{"FieldName": "Value", "Message": [message]}])})
            elif math.isnan(value):
                out.append({"Type": name, "Value": _timed(at, series.NO_DATA, "", good=False)})
            else:
                out.append({"Type": name, "Value": _timed(at, round(value) if column.integer else value, units)})
    return out


def _set_reply(ctx: Ctx, streams: list) -> dict[str, Any]:
    request = _summary_request(ctx)
    items = []
    for stream in streams:
        payload = {}
        if isinstance(stream, series.Stream):
            payload = {"Items": stream_summaries(ctx, stream, request, len(streams))}
        items.append(data.stream_item(ctx, stream, payload))
    return {"Links": {}, "Items": items}


@router.add("GET", "/streams/{webId}/summary", (*SUMMARY, "timeZone", "selectedFields"))
def stream_summary(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """Summaries of one point or attribute over a window (default `*-1d` to `*`), optionally per summaryDuration."""
    request = _summary_request(ctx)
    return {"Links": {}, "Items": stream_summaries(ctx, series.stream_for(ctx, web_id), request)}


@router.add("GET", "/streamsets/summary", ("webId", "selectedFields", "webIdType", "timeZone", *SUMMARY))
def set_summary(ctx: Ctx) -> dict[str, Any]:
    """Summaries of many streams (`webId` repeated), in the request's order; an unknown WebId is an item error."""
    return _set_reply(ctx, data.adhoc_streams(ctx, sort=False))


@router.add(
    "GET",
    "/streamsets/{webId}/summary",
    (*(p for p in data.PARENT if p not in ("sortField", "sortOrder")), *SUMMARY),
)
def parent_summary(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """Summaries of the attributes of an element or event frame (frames default to their own time range)."""
    return _set_reply(ctx, data.parent_streams(ctx, web_id, sort=False))
