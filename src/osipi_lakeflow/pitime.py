"""PI time strings and UTC datetimes: parse what users pass, format what the server reads (pure: no I/O)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from osipi_lakeflow.errors import PIConfigError

_RELATIVE = re.compile(r"^\*\s*(?:([+-])\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w))?$")
_UNITS = {"ms": "milliseconds", "s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_FRACTION = re.compile(r"(\.\d{6})\d+")

TimeLike = datetime | str


def parse_timestamp(text: str) -> datetime:
    """Parse a PI ISO-8601 timestamp to a UTC datetime, truncating (never rounding) past microseconds."""
    try:
        parsed = datetime.fromisoformat(_FRACTION.sub(r"\1", text.strip()).replace("Z", "+00:00"))
    except ValueError:
        raise PIConfigError(f"{text!r} is not an ISO-8601 timestamp like 2026-11-01T00:00:00Z") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def resolve_time(value: TimeLike, now: datetime | None) -> datetime:
    """Turn a datetime, ISO string or PI relative time (`*`, `*-1h`, `*+30m`) into a UTC datetime.

    Args:
        value: what the caller passed; naive datetimes are rejected because their zone is a guess.
        now: the server's current time, which `*` means (None when the caller knows no relative time is given).
    """
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise PIConfigError(f"{value!r} is a naive datetime; pass a timezone-aware one (tzinfo=UTC)")
        return value.astimezone(UTC)
    text = value.strip()
    match = _RELATIVE.match(text)
    if match:
        sign, amount, unit = match.groups()
        if now is None:
            raise PIConfigError(f"relative time {value!r} needs the server clock")
        if sign is None:
            return now
        delta = timedelta(**{_UNITS[unit]: float(amount)})
        return now + delta if sign == "+" else now - delta
    try:
        return parse_timestamp(text)
    except PIConfigError:
        raise PIConfigError(
            f"time {value!r} not understood; use a UTC datetime, ISO-8601 (2026-11-01T00:00:00Z) "
            "or a PI relative time such as '*', '*-1h', '*-7d'"
        ) from None


def check_pi_time(text: str) -> str:
    """Validate a PI time without a server clock: `*`, `*-1h`, `*+30m` or ISO 8601; returns it stripped.

    Raises:
        ValueError: naming the accepted forms (PIConfigError is a ValueError).
    """
    value = (text or "").strip()
    if _RELATIVE.match(value):
        return value
    try:
        parse_timestamp(value)
    except PIConfigError:
        raise ValueError(
            f"{text!r} is not a PI time: use a relative time such as '*', '*-1h', '*-7d' or ISO 8601 such as "
            "2026-11-01T00:00:00Z"
        ) from None
    return value


def format_time(value: datetime) -> str:
    """Format a UTC datetime the way PI Web API reads it, with all six fractional digits."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
