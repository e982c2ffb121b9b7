"""Parsers of setting values: text in, typed value out, or a `ValueError` saying what a valid value is.

Each takes the text a user typed (a flag, a bundle variable, a pipeline configuration string or a data source
option).

They are pure (no I/O), so the generator, `osipi validate`, the pipeline configuration reader and the Spark data
source all run the very same check; `contract.Setting` attaches the setting's names to the message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import timedelta
from urllib.parse import urlsplit

from osipi_lakeflow.pitime import check_pi_time

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")
_SECRET_SCOPE = re.compile(r"^[A-Za-z0-9_.@-]{1,128}$")
_CRON = re.compile(r"^[0-9A-Za-z*?/,#\- ]+$")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def duration(text: str) -> timedelta:
    """A positive duration: `90s`, `15m`, `1h`, `2d`, `1w` (also `500ms`)."""
    match = _DURATION.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not a duration like 90s, 15m, 1h or 2d")
    seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
    if seconds <= 0:
        raise ValueError(f"{text!r} is not a positive duration")
    return timedelta(seconds=seconds)


def late_window(text: str) -> timedelta:
    """A duration, or `off` (also `0`) for sources that never deliver late: no re-read, no dedupe state."""
    if (text or "").strip().lower() in ("off", "0"):
        return timedelta(0)
    return duration(text)


def trigger_interval(text: str) -> timedelta:
    """Whole seconds from 1s to 1h between micro-batches (faster would poll PI Web API more than it gains)."""
    value = duration(text)
    seconds = value.total_seconds()
    if seconds != int(seconds) or not 1 <= seconds <= 3600:
        raise ValueError(f"{text!r} is not a whole number of seconds from 1s to 1h")
    return value


def positive_int(text: str) -> int:
    """A whole number of at least 1 (`_` separators allowed: 5_000_000)."""
    try:
        value = int(str(text).strip().replace("_", ""))
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise ValueError(f"{value} is below 1")
    return value


def positive_float(text: str) -> float:
    """A number greater than 0."""
    try:
        value = float(str(text).strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise ValueError(f"{text!r} is not a finite number greater than 0")
    return value


def boolean(text: str) -> bool:
    """`true` or `false` (also yes/no, on/off, 1/0)."""
    value = str(text).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{text!r} is neither true nor false")


def http_url(text: str) -> str:
    """An http(s) URL with a host and no user:password in it; a trailing slash is dropped."""
    url = (text or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http(s) URL")
    if parts.username or parts.password:
        raise ValueError("the URL carries user:password@; credentials belong in the secret scope or PI_* variables")
    return url.rstrip("/")


def optional_http_url(text: str) -> str:
    """Empty, or an http(s) URL (see `http_url`)."""
    return http_url(text) if (text or "").strip() else ""


def pi_time(text: str) -> str:
    """A PI time: relative to the server clock (`*`, `*-1d`, `*-6h`) or ISO 8601 UTC (2026-11-01T00:00:00Z)."""
    return check_pi_time(text)


def af_database(text: str) -> str:
    r"""An AF database path, `\\AFSERVER\Database`."""
    value = (text or "").strip()
    if not value.startswith("\\\\") or value.count("\\") != 3 or value.endswith("\\"):
        raise ValueError(f"{value!r} is not an AF database path like \\\\AFSERVER\\Database")
    return value


def identifier(text: str) -> str:
    """A Unity Catalog name: letters, digits and underscores, not starting with a digit."""
    value = (text or "").strip()
    if not _IDENTIFIER.match(value):
        raise ValueError(f"{value!r} is not a name of letters, digits and underscores")
    return value


def secret_scope_name(text: str) -> str:
    """A Databricks secret scope name: letters, digits, `_`, `-`, `.` and `@`, at most 128 characters."""
    value = (text or "").strip()
    if not _SECRET_SCOPE.match(value):
        raise ValueError(f"{value!r} is not a secret scope name (letters, digits, _ - . @; at most 128)")
    return value


_WAREHOUSE_ID = re.compile(r"^[0-9A-Za-z]{1,64}$")


def warehouse_id(text: str) -> str:
    """A SQL warehouse id, as its Connection details show it (letters and digits, e.g. 47bb1c472649e711)."""
    value = (text or "").strip()
    if not _WAREHOUSE_ID.match(value):
        raise ValueError(f"{value!r} is not a SQL warehouse id (letters and digits)")
    return value


def quartz_cron(text: str) -> str:
    """A Quartz cron expression: 6 or 7 fields (seconds first)."""
    value = " ".join((text or "").split())
    if len(value.split()) not in (6, 7) or not _CRON.match(value):
        raise ValueError(f"{text!r} is not a Quartz cron expression (6 or 7 fields, seconds first)")
    return value


def absolute_path_or_empty(text: str) -> str:
    """Empty, or an absolute file path (a Unity Catalog volume `/Volumes/...` or workspace file `/Workspace/...`)."""
    value = (text or "").strip()
    if value and not value.startswith("/"):
        raise ValueError(f"{value!r} is not an absolute path such as /Volumes/main/osipi/certs/ca.pem")
    return value


def timeouts(text: str) -> tuple[float, float]:
    """HTTP timeouts in seconds, `CONNECT,READ` (or one number for both)."""
    parts = [p for p in str(text).replace(" ", "").split(",") if p]
    if len(parts) == 1:
        parts = parts * 2
    if len(parts) != 2:
        raise ValueError(f"{text!r} is not CONNECT,READ seconds")
    connect, read = (positive_float(p) for p in parts)
    return connect, read


def free_text(text: str) -> str:
    """Any non-empty text without surrounding blanks."""
    value = (text or "").strip()
    if not value:
        raise ValueError("the value is empty")
    return value


def one_of(*allowed: str, lower: bool = True) -> Callable[[str], str]:
    """A parser accepting exactly one of `allowed` (compared lower-cased unless `lower` is False)."""

    def parse(text: str) -> str:
        value = (text or "").strip()
        value = value.lower() if lower else value
        if value not in allowed:
            raise ValueError(f"{text!r} is not one of {', '.join(allowed)}")
        return value

    parse.__doc__ = f"One of {', '.join(allowed)}."
    return parse


def split_list(text: str) -> tuple[str, ...]:
    """Comma-separated items, blanks dropped, first occurrence kept, order preserved."""
    return tuple(dict.fromkeys(t.strip() for t in (text or "").split(",") if t.strip()))


AF_NAME_FORBIDDEN = frozenset("*?;{}[]|\\`'\"")
"""Characters AF refuses in an object name (templates and categories included)."""


def af_names(text: str) -> tuple[str, ...]:
    """Comma-separated AF template or category names (may be empty); a character AF refuses in a name is an error."""
    names = split_list(text)
    for name in names:
        bad = sorted(set(name) & AF_NAME_FORBIDDEN)
        if bad:
            raise ValueError(f"{name!r} holds {''.join(bad)!r}, which AF refuses in template and category names")
    return names


def join_list(items: Sequence[str]) -> str:
    """The inverse of `split_list`."""
    return ",".join(items)


def tag_starts(text: str) -> dict[str, str]:
    """Per-tag history starts, `2026-11-01T00:00:00Z=W1,W2|2026-11-20T00:00:00Z=W3` -> {WebId: start}.

    WebIds (WebID 2.0 is URL-safe base64 without padding) never hold `=`, `|` or `,`. Each start is a PI time.
    """
    starts: dict[str, str] = {}
    for group in (g for g in (text or "").split("|") if g.strip()):
        start, sep, webids = group.partition("=")
        if not sep:
            raise ValueError(f"{group!r} is not START=WebId,WebId")
        when = pi_time(start)
        for webid in split_list(webids):
            if webid in starts:
                raise ValueError(f"tag {webid} has two history starts")
            starts[webid] = when
    return starts


def format_tag_starts(starts: dict[str, str]) -> str:
    """The inverse of `tag_starts`: groups by start, starts in time order, WebIds in the order given."""
    groups: dict[str, list[str]] = {}
    for webid, start in starts.items():
        groups.setdefault(start, []).append(webid)
    return "|".join(f"{start}={join_list(webids)}" for start, webids in sorted(groups.items()))
