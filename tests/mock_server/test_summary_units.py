"""The summary arithmetic without HTTP: interval edges, summary types, and both calculation bases on small series."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mock_server.pitime import TICKS_PER_SECOND
from mock_server.routing import PIError
from mock_server.signals import EMPTY, Events
from mock_server.summaries import BASES, Series, interval_edges, parse_types, summarize

S = TICKS_PER_SECOND


def _events(ticks: list[int], values: list[float], system: list[int] | None = None) -> Events:
    n = len(ticks)
    return Events(
        np.array(ticks, np.int64),
        np.array(ticks, np.int64),
        np.array(values, np.float64),
        np.array(system or [0] * n, np.int16),
        np.zeros(n, np.uint8),
    )


@given(st.integers(0, 10**12), st.integers(0, 10**12), st.integers(1, 300), st.integers(0, 10**6))
def test_intervals_are_laid_from_the_start_and_cover_the_window(start, end, pieces, jitter) -> None:
    duration = max(1, abs(end - start) // pieces + jitter)
    edges = interval_edges(start, end, duration, limit=10**9)
    assert edges[0] == min(start, end) and edges[-1] == max(start, end)
    steps = np.diff(edges) if start <= end else np.diff(edges)[::-1]  # in the order they were laid
    assert (steps[:-1] == duration).all()
    assert 0 < steps[-1] <= duration or start == end


def test_too_many_intervals_are_refused() -> None:
    with pytest.raises(PIError, match="summary intervals"):
        interval_edges(0, 100 * S, S, limit=99)


def test_summary_types_follow_flag_order_and_expand_aliases() -> None:
    assert parse_types([]) == ("Total",)
    assert parse_types(["count", "Average"]) == ("Average", "Count")
    assert parse_types(["Maximum, minimum"]) == ("Minimum", "Maximum")
    assert parse_types(["AllForNonNumeric"]) == ("Count", "PercentGood")
    assert len(parse_types(["All"])) == 9 and "TotalWithUOM" not in parse_types(["All"])
    with pytest.raises(PIError, match="'Median'"):
        parse_types(["Median"])


EVENTS = st.lists(st.tuples(st.integers(0, 40), st.floats(-1e3, 1e3), st.booleans()), min_size=0, max_size=40).map(
    sorted
)


@given(EVENTS, st.integers(1, 40))
def test_event_weighted_intervals_match_a_plain_loop(events, duration) -> None:
    ticks = [t * S for t, _, _ in events]
    series = Series(
        _events(ticks, [v for _, v, _ in events], [0 if ok else 1 for _, _, ok in events]),
        EMPTY,
        EMPTY,
        10**12,
        numeric=True,
        stepped=False,
    )
    edges = interval_edges(0, 40 * S, duration * S, limit=10**6)
    found = summarize(series, edges, ("Average", "Minimum", "Count"), BASES["eventweighted"], False, "Auto")
    several = len(edges) > 2
    for i, (lo, hi) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
        inside = [e for e, t in zip(events, ticks, strict=True) if lo <= t < hi or (t == hi and not several)]
        good = [v for _, v, ok in inside if ok]
        assert found["Count"].values[i] == len(inside)
        if good:
            assert found["Average"].values[i] == pytest.approx(sum(good) / len(good), abs=1e-9)
            assert found["Minimum"].values[i] == min(good)
        else:
            assert math.isnan(found["Average"].values[i]) and math.isnan(found["Minimum"].values[i])


def _ramp(stepped: bool) -> dict:
    """0 at 0 s, 10 at 10 s, then a bad value at 20 s, summarised over [5 s, 25 s] at now = 30 s."""
    inside = _events([10 * S, 20 * S], [10.0, 0.0], [0, 1])
    series = Series(inside, _events([0], [0.0]), EMPTY, 30 * S, numeric=True, stepped=stepped)
    types = ("Average", "Minimum", "Maximum", "Count", "PercentGood", "Total")
    found = summarize(series, np.array([5 * S, 25 * S]), types, BASES["timeweighted"], False, "Auto")
    return {name: (column.values[0], column.ticks[0] // S) for name, column in found.items()}


def test_time_weighted_linear_values_interpolate_at_the_edge_and_stop_at_bad_data() -> None:
    found = _ramp(stepped=False)
    # good from 5 s to 20 s: ramp 5 -> 10 over 5 s (mean 7.5), then 10 held (next value bad) for 10 s
    assert found["Average"][0] == pytest.approx((7.5 * 5 + 10 * 10) / 15)
    assert found["Minimum"] == (5.0, 5) and found["Maximum"] == (10.0, 10)
    assert found["Count"][0] == pytest.approx(15.0) and found["PercentGood"][0] == pytest.approx(75.0)
    assert found["Total"][0] == pytest.approx(found["Average"][0] * 20 / 86400)


def test_time_weighted_stepped_values_hold_until_the_next_event() -> None:
    found = _ramp(stepped=True)
    assert found["Average"][0] == pytest.approx((0 * 5 + 10 * 10) / 15)
    assert found["Minimum"] == (0.0, 5)


def test_non_numeric_streams_count_but_do_not_average() -> None:
    series = Series(_events([S, 2 * S], [1.0, 2.0]), EMPTY, EMPTY, 10 * S, numeric=False, stepped=True)
    found = summarize(series, np.array([0, 3 * S]), ("Average", "Count"), BASES["eventweighted"], False, "Auto")
    assert found["Count"].values[0] == 2 and found["Count"].integer
    assert not found["Average"].supported


def test_an_interval_without_good_data_has_no_value_and_keeps_its_own_timestamp() -> None:
    series = Series(_events([5 * S], [1.0], [1]), EMPTY, EMPTY, 10 * S, numeric=True, stepped=False)
    found = summarize(series, np.array([0, 9 * S]), ("Minimum", "Count"), BASES["eventweighted"], False, "Auto")
    assert math.isnan(found["Minimum"].values[0]) and found["Minimum"].ticks[0] == 0
    assert found["Count"].values[0] == 1  # the bad event is still an event
