"""PI time syntax and PI timestamp formatting.

Times inside the mock are int64 ticks: 100 ns units since the Unix epoch, the resolution PI Web API prints
(7 fractional digits). Parsing accepts what PI Web API accepts in practice: `*`, `*-1h`, `t`, `y`, `today`,
`yesterday`, `t+8h`, relative offsets alone (`-1d`, relative to now) and ISO 8601 (with `Z` or an offset;
a time without a zone is taken as UTC, where the real server would use its own time zone).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import numpy as np

TICKS_PER_SECOND = 10_000_000
TICKS_PER_HOUR = 3600 * TICKS_PER_SECOND
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
OPEN_END_TEXT = "9999-12-31T23:59:59Z"

_UNIT_SECONDS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "week": 604800,
    "weeks": 604800,
}
_OFFSET = re.compile(r"\s*([+-])\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*", re.IGNORECASE)
_BASES = ("*", "today", "yesterday", "t", "y")


class PITimeError(ValueError):
    """A time string PI Web API would refuse."""


def to_ticks(moment: datetime) -> int:
    """Ticks of an aware datetime (naive ones are refused: every time here is UTC)."""
    if moment.tzinfo is None:
        raise PITimeError(f"naive datetime {moment.isoformat()} given; pass a timezone-aware UTC datetime")
    delta = moment - EPOCH
    return (delta.days * 86400 + delta.seconds) * TICKS_PER_SECOND + delta.microseconds * 10


def from_ticks(ticks: int) -> datetime:
    """Aware UTC datetime of ticks, the 7th fractional digit truncated (never rounded)."""
    return EPOCH + timedelta(microseconds=int(ticks) // 10)


def parse_iso(text: str) -> int:
    """Ticks of an ISO-8601 time; up to 7 fractional digits are kept exactly."""
    match = re.fullmatch(
        r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?",
        text.strip(),
    )
    if not match:
        raise PITimeError(f"'{text}' is not an ISO-8601 time; use e.g. 2026-11-01T00:00:00Z")
    day, hh, mm, ss, frac, zone = match.groups()
    try:
        base = datetime.fromisoformat(f"{day}T{hh or '00'}:{mm or '00'}:{ss or '00'}+00:00")
    except ValueError as exc:
        raise PITimeError(f"'{text}' is not a valid date or time: {exc}") from None
    ticks = to_ticks(base) + int(((frac or "") + "0000000")[:7])
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        ticks -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60) * TICKS_PER_SECOND
    return ticks


def parse_pi_time(text: str, now_ticks: int) -> int:
    """Ticks of a PI time expression evaluated at server time `now_ticks`."""
    raw = text.strip()
    if not raw:
        raise PITimeError("an empty time was given; use e.g. '*', '*-1h' or 2026-11-01T00:00:00Z")
    if raw[0].isdigit() and "-" in raw[:5]:
        return parse_iso(raw)
    lowered = raw.lower()
    base_ticks = now_ticks
    rest = lowered
    for base in _BASES:
        if lowered.startswith(base):
            midnight = now_ticks - now_ticks % (86400 * TICKS_PER_SECOND)
            base_ticks = {"*": now_ticks, "t": midnight, "today": midnight}.get(
                base, midnight - 86400 * TICKS_PER_SECOND
            )
            rest = lowered[len(base) :]
            break
    position, total = 0, 0.0
    while position < len(rest):
        match = _OFFSET.match(rest, position)
        if not match or match.group(3) not in _UNIT_SECONDS:
            raise PITimeError(
                f"Cannot parse time string '{text}'; use e.g. '*', '*-1h', 't+8h' or 2026-11-01T00:00:00Z"
            )
        sign = -1 if match.group(1) == "-" else 1
        total += sign * float(match.group(2)) * _UNIT_SECONDS[match.group(3)]
        position = match.end()
    if rest.strip() and position == 0:
        raise PITimeError(f"Cannot parse time string '{text}'")
    return base_ticks + round(total * TICKS_PER_SECOND)


def format_ticks(ticks: int) -> str:
    """PI's text of one timestamp: whole seconds without a fraction, else up to 7 digits, trailing zeros trimmed."""
    seconds, frac = divmod(int(ticks), TICKS_PER_SECOND)
    head = (EPOCH + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")
    if frac == 0:
        return head + "Z"
    return f"{head}.{frac:07d}".rstrip("0") + "Z"


def format_ticks_array(ticks: np.ndarray) -> list[bytes]:
    """Vectorised `format_ticks`: the hot path of every data response (about 0.3 us a timestamp)."""
    n = len(ticks)
    if n == 0:
        return []
    seconds, frac = np.divmod(ticks, TICKS_PER_SECOND)
    hours, in_hour = np.divmod(seconds, 3600)
    unique_hours, inverse = np.unique(hours, return_inverse=True)
    prefixes = np.array(
        [(EPOCH + timedelta(hours=int(h))).strftime("%Y-%m-%dT%H:").encode() for h in unique_hours], dtype="S14"
    )
    out = np.zeros((n, 29), dtype=np.uint8)
    out[:, :14] = prefixes.view(np.uint8).reshape(-1, 14)[inverse]
    minutes, secs = np.divmod(in_hour, 60)
    out[:, 14], out[:, 15] = 48 + minutes // 10, 48 + minutes % 10
    out[:, 16] = 58
    out[:, 17], out[:, 18] = 48 + secs // 10, 48 + secs % 10
    out[:, 19] = 46
    digits = frac.copy()
    significant = np.zeros(n, dtype=np.int64)
    for column in range(26, 19, -1):
        digit = digits % 10
        out[:, column] = 48 + digit
        significant = np.where((significant == 0) & (digit != 0), column - 19, significant)
        digits //= 10
    length = np.where(significant > 0, 20 + significant, 19)
    keep = np.arange(29)[None, :] < length[:, None]
    out[~keep] = 0
    out[np.arange(n), length] = 90  # 'Z'
    return out.view("S29").ravel().tolist()
