"""Summaries (Total, Average, Minimum, ..., Count, PercentGood) of one stream over one or many intervals.

Computed with numpy over the same per-hour events the data routes serve: a day of a 10 Hz point is a few passes
over arrays, never a Python object per event. Rules from the PI Web API reference (Calculation Basis, Summary
Type and Time Type topics):

- EventWeighted: each event weighs the same. One interval takes the events at both ends; several ascending
  intervals take the events at their start (descending ones at their most recent end), and the
  ExcludeMostRecentEvent / ExcludeEarliestEvent / IncludeBothEnds variants do what they say.
- TimeWeighted: each value weighs the time it holds. Values are interpolated between events (linear, or held for
  stepped points and TimeWeightedDiscrete) and at interval edges; a bad event makes the time up to the next event
  bad. There is no data before the first event or after the server's now.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mock_server.pitime import TICKS_PER_SECOND
from mock_server.routing import PIError
from mock_server.signals import Events

SUMMARY_TYPES = (
    "Total",
    "Average",
    "Minimum",
    "Maximum",
    "Range",
    "StdDev",
    "PopulationStdDev",
    "Count",
    "PercentGood",
    "TotalWithUOM",
)
"""In AFSummaryTypes flag order, the order of a response whatever the order of the request (flags combine)."""
_ALIASES = {"all": SUMMARY_TYPES[:9], "allfornonnumeric": ("Count", "PercentGood")}
NON_NUMERIC_TYPES = frozenset({"Count", "PercentGood"})
TIME_TYPES = ("Auto", "EarliestTime", "MostRecentTime")
SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True, slots=True)
class Basis:
    """A calculationBasis: event or time weighted, forced stepping, and which interval ends take events."""

    name: str
    event_weighted: bool
    stepped: bool | None = None  # time weighted: None = the stream's own Step attribute
    ends: str = "auto"  # event weighted, several intervals: auto, earliest, latest or both


BASES = {
    b.name.lower(): b
    for b in (
        Basis("TimeWeighted", False),
        Basis("EventWeighted", True),
        Basis("TimeWeightedContinuous", False, stepped=False),
        Basis("TimeWeightedDiscrete", False, stepped=True),
        Basis("EventWeightedExcludeMostRecentEvent", True, ends="earliest"),
        Basis("EventWeightedExcludeEarliestEvent", True, ends="latest"),
        Basis("EventWeightedIncludeBothEnds", True, ends="both"),
    )
}


@dataclass(frozen=True, slots=True)
class Series:
    """What one summary reads: events inside the window, the last one before it and the first one after it."""

    inside: Events
    before: Events  # at most one event (time weighted only)
    after: Events  # at most one event (time weighted only)
    now: int
    numeric: bool
    stepped: bool


@dataclass(frozen=True, slots=True)
class Column:
    """One summary type over every interval: values (NaN where there is no good data) and timestamps.

    `supported` is False for a type the stream cannot have (Average of a String point): every value is NaN.
    """

    values: np.ndarray
    ticks: np.ndarray
    integer: bool = False
    supported: bool = True


def parse_types(raw: list[str]) -> tuple[str, ...]:
    """Summary types of repeated (or comma-separated) `summaryType` values; default Total; 400 for unknown ones."""
    by_lower = {name.lower(): (name,) for name in SUMMARY_TYPES} | _ALIASES
    wanted: set[str] = set()
    for value in raw:
        for name in (n.strip() for n in value.split(",")):
            if name.lower() not in by_lower:
                choices = ", ".join((*SUMMARY_TYPES, "All", "AllForNonNumeric"))
                message = f"The value '{name}' is not valid for parameter 'summaryType'; use one of {choices}."
                raise PIError(400, message)
            wanted.update(by_lower[name.lower()])
    return tuple(t for t in SUMMARY_TYPES if t in wanted) or ("Total",)


def parse_choice(raw: str | None, default: str, choices: tuple[str, ...], name: str) -> str:
    """The canonical spelling of a case-insensitive choice parameter; 400 naming the choices."""
    if not raw:
        return default
    found = {c.lower(): c for c in choices}.get(raw.strip().lower())
    if found is None:
        raise PIError(400, f"The value '{raw}' is not valid for parameter '{name}'; use one of {', '.join(choices)}.")
    return found


def interval_edges(start: int, end: int, duration: int | None, limit: int) -> np.ndarray:
    """Ascending edges of the intervals laid from `start` towards `end` (a last, shorter one ends at `end`)."""
    low, high = min(start, end), max(start, end)
    count = 1 if duration is None or high - low <= duration else -(-(high - low) // duration)
    if count > limit:
        raise PIError(
            400,
            f"The number of summary intervals ({count}) is greater than the maximum allowed ({limit}, "
            "MaxReturnedItemsPerCall shared by the streams and summary types of the call); "
            "use a longer summaryDuration or a shorter time range.",
        )
    steps = np.arange(1, count, dtype=np.int64) * (duration or 0)
    inner = start + steps if start <= end else (start - steps)[::-1]
    return np.concatenate([[low], inner, [high]]).astype(np.int64)


def summarize(
    series: Series, edges: np.ndarray, types: tuple[str, ...], basis: Basis, descending: bool, time_type: str
) -> dict[str, Column]:
    """Each requested type over the intervals between `edges`."""
    k = len(edges) - 1
    spans = (edges[1:] - edges[:-1]) / TICKS_PER_SECOND
    if basis.event_weighted:
        samples = _event_samples(series, edges, basis, descending)
    else:
        stepped = series.stepped if basis.stepped is None else basis.stepped
        samples = _time_samples(series, edges, stepped)
    weight = np.bincount(samples.group, samples.weight, minlength=k)
    s1 = np.bincount(samples.group, samples.weight * samples.m1, minlength=k)
    s2 = np.bincount(samples.group, samples.weight * samples.m2, minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(weight > 0, s1 / weight, np.nan)
        variance = np.maximum(np.where(weight > 0, s2 / weight, np.nan) - mean**2, 0.0)
        if basis.event_weighted:
            total = np.where(weight > 0, s1 + samples.shift * weight, np.nan)
            sample_variance = np.where(weight > 1, variance * weight / (weight - 1), np.nan)
            good = np.where(samples.count > 0, 100.0 * weight / samples.count, np.nan)
            count = samples.count.astype(np.float64)
        else:  # the total assumes a rate per day and is scaled up over bad time (the reference's rule)
            total = (mean + samples.shift) * spans / SECONDS_PER_DAY
            sample_variance = variance
            good = np.where(spans > 0, 100.0 * weight / spans, np.nan)
            count = weight
    start_ticks = edges[1:] if descending else edges[:-1]
    default_ticks = {"EarliestTime": edges[:-1], "MostRecentTime": edges[1:]}.get(time_type, start_ticks)
    plain = {
        "Total": total,
        "TotalWithUOM": total,
        "Average": mean + samples.shift,
        "StdDev": np.sqrt(sample_variance),
        "PopulationStdDev": np.sqrt(variance),
        "Count": count,
        "PercentGood": good,
    }
    found: dict[bool, tuple[np.ndarray, np.ndarray]] = {}

    def extreme(largest: bool) -> tuple[np.ndarray, np.ndarray]:
        if largest not in found:
            found[largest] = _extreme(samples, k, largest)
        return found[largest]

    out: dict[str, Column] = {}
    for name in types:
        ticks = default_ticks
        if not series.numeric and name not in NON_NUMERIC_TYPES:
            out[name] = Column(np.full(k, np.nan), ticks, supported=False)
            continue
        if name in ("Minimum", "Maximum"):
            values, at = extreme(name == "Maximum")
            if time_type == "Auto":  # an extreme carries its own time (an empty interval keeps the default)
                ticks = np.where(np.isnan(values), default_ticks, at)
        elif name == "Range":
            values = extreme(True)[0] - extreme(False)[0]
        else:
            values = plain[name]
        out[name] = Column(np.asarray(values, np.float64), ticks, integer=name == "Count" and basis.event_weighted)
    return out


@dataclass(frozen=True, slots=True)
class _Samples:
    """Good data as weighted samples per interval, plus candidates for the extremes and the Count per interval.

    Values are shifted by `shift` (a typical value) before squaring, so variances of large counters keep their
    precision.
    """

    group: np.ndarray
    weight: np.ndarray
    m1: np.ndarray  # mean of (value - shift) over the sample
    m2: np.ndarray  # mean of (value - shift) ** 2 over the sample
    shift: float
    count: np.ndarray  # per interval: events (event weighted)
    extreme_group: np.ndarray
    extreme_value: np.ndarray
    extreme_ticks: np.ndarray


def _expand(starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(interval, position) of every position in the ranges [starts[i], starts[i] + lengths[i])."""
    group = np.repeat(np.arange(len(starts), dtype=np.int64), lengths)
    offsets = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return group, np.repeat(starts, lengths) + offsets


def _event_samples(series: Series, edges: np.ndarray, basis: Basis, descending: bool) -> _Samples:
    events = series.inside
    lows, highs = edges[:-1], edges[1:]
    if len(lows) == 1 or basis.ends == "both":
        take_low, take_high = True, True
    elif basis.ends == "auto":
        take_low, take_high = not descending, descending
    else:
        take_low, take_high = basis.ends == "earliest", basis.ends == "latest"
    first = np.searchsorted(events.ticks, lows, side="left" if take_low else "right")
    stop = np.searchsorted(events.ticks, highs, side="right" if take_high else "left")
    count = np.maximum(stop - first, 0)
    group, position = _expand(first, count)
    keep = events.system[position] == 0
    group, position = group[keep], position[keep]
    values = events.values[position].astype(np.float64)
    shift = float(values.mean()) if len(values) else 0.0
    shifted = values - shift
    return _Samples(
        group, np.ones(len(values)), shifted, shifted**2, shift, count, group, values, events.ticks[position]
    )


def _time_samples(series: Series, edges: np.ndarray, stepped: bool) -> _Samples:
    vertices = Events.concat([p for p in (series.before, series.inside, series.after) if len(p)])
    times, values = vertices.ticks, vertices.values.astype(np.float64)
    good = vertices.system == 0
    if len(times) and not len(series.after) and times[-1] < series.now:  # the last value holds until now
        times, values, good = np.append(times, series.now), np.append(values, values[-1]), np.append(good, good[-1])
    k = len(edges) - 1
    points = np.union1d(times, edges)
    piece_start, piece_end = points[:-1], points[1:]
    segment = np.searchsorted(times, piece_start, side="right") - 1
    group = np.searchsorted(edges, piece_start, side="right") - 1
    inside = (segment >= 0) & (segment < len(times) - 1) & (group >= 0) & (group < k)
    segment, group, piece_start, piece_end = segment[inside], group[inside], piece_start[inside], piece_end[inside]
    keep = good[segment]
    segment, group, piece_start, piece_end = segment[keep], group[keep], piece_start[keep], piece_end[keep]
    begin_value = values[segment]
    if stepped or not len(segment):
        slope = np.zeros(len(segment))
    else:
        follow = np.where(good[segment + 1], values[segment + 1], begin_value)
        length = (times[segment + 1] - times[segment]).astype(np.float64)
        slope = (follow - begin_value) / length  # pieces never lie in zero-length segments
    a = begin_value + slope * (piece_start - times[segment])
    b = begin_value + slope * (piece_end - times[segment])
    shift = float(values[good].mean()) if good.any() else 0.0
    sa, sb = a - shift, b - shift
    return _Samples(
        group,
        (piece_end - piece_start) / TICKS_PER_SECOND,
        (sa + sb) / 2,
        (sa * sa + sa * sb + sb * sb) / 3,
        shift,
        np.zeros(k, np.int64),
        np.concatenate([group, group]),
        np.concatenate([a, b]),
        np.concatenate([piece_start, piece_end]),
    )


def _extreme(samples: _Samples, k: int, largest: bool) -> tuple[np.ndarray, np.ndarray]:
    """(value, timestamp) of the minimum or maximum per interval; the earliest wins a tie; NaN when empty."""
    values = np.full(k, np.nan)
    ticks = np.zeros(k, np.int64)
    group, value, at = samples.extreme_group, samples.extreme_value, samples.extreme_ticks
    if len(group):
        order = np.lexsort((at, -value if largest else value, group))
        sorted_group = group[order]
        first = order[np.flatnonzero(np.r_[True, sorted_group[1:] != sorted_group[:-1]])]
        values[group[first]] = value[first]
        ticks[group[first]] = at[first]
    return values, ticks
