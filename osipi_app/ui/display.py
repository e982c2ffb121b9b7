"""How times, durations and counts read on the pages: compact, UTC, the same everywhere."""

from __future__ import annotations

from datetime import datetime, timedelta


def when(value: datetime | None) -> str:
    """A UTC time to the second, `-` when unknown."""
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def span(value: timedelta | None) -> str:
    """A duration in its largest sensible unit: `42 s`, `12.5 min`, `3.2 h`, `2.0 d`; `-` when unknown."""
    if value is None:
        return "-"
    seconds = value.total_seconds()
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def minutes(value: timedelta | None) -> float:
    """A duration in minutes for a chart (0 when unknown)."""
    return round(value.total_seconds() / 60, 1) if value else 0.0
