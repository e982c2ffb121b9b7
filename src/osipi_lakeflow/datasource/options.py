"""Data source options: raw strings from Spark parsed once into a frozen, picklable dataclass.

Option keys are camelCase (Spark lower-cases them; parsing is case-insensitive). Credentials are referenced by
secret scope and key names only; `credentials.py` resolves them where the read runs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from osipi_lakeflow.errors import PIConfigError

AUTH_METHODS = ("basic", "bearer", "oidc", "kerberos", "anonymous")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str, key: str) -> timedelta:
    """Parse `90s`, `15m`, `1h`, `2d`; the error names the key and the accepted forms."""
    match = _DURATION.match(text or "")
    if not match:
        raise PIConfigError(f"'{key}' must be a duration like 90s, 15m, 1h or 2d, got {text!r}")
    value = float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
    if value <= 0:
        raise PIConfigError(f"'{key}' must be a positive duration, got {text!r}")
    return timedelta(seconds=value)


def parse_late_window(text: str, key: str) -> timedelta:
    """A late window: a duration, or `off` (or `0`) for sources that never deliver late (no re-read, no dedupe)."""
    if (text or "").strip().lower() in ("off", "0"):
        return timedelta(0)
    return parse_duration(text, key)


def parse_int(text: str, key: str, minimum: int = 1) -> int:
    """Parse a positive integer option."""
    try:
        value = int(str(text).replace("_", ""))
    except ValueError:
        raise PIConfigError(f"'{key}' must be a whole number, got {text!r}") from None
    if value < minimum:
        raise PIConfigError(f"'{key}' must be at least {minimum}, got {value}")
    return value


def split_tags(text: str) -> tuple[str, ...]:
    """Comma-separated WebIds, blanks dropped, first occurrence kept, order preserved."""
    return tuple(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))


@dataclass(frozen=True, slots=True)
class AuthRef:
    """Where credentials come from: the auth method, the secret scope and the key NAMES (never values)."""

    method: str = "basic"
    secret_scope: str = ""
    username_key: str = "pi-username"
    password_key: str = "pi-password"
    token_key: str = "pi-bearer-token"
    client_id_key: str = "pi-oidc-client-id"
    client_secret_key: str = "pi-oidc-client-secret"

    def validate(self) -> None:
        """Reject an unknown auth method, naming the accepted ones."""
        if self.method not in AUTH_METHODS:
            raise PIConfigError(
                f"'osipi.auth.method' (option authMethod) must be one of {', '.join(AUTH_METHODS)}, got {self.method!r}"
            )

    def to_options(self) -> dict[str, str]:
        """Data source options for this reference."""
        return {
            "authMethod": self.method,
            "secretScope": self.secret_scope,
            "usernameKey": self.username_key,
            "passwordKey": self.password_key,
            "tokenKey": self.token_key,
            "clientIdKey": self.client_id_key,
            "clientSecretKey": self.client_secret_key,
        }

    @classmethod
    def from_options(cls, opts: Mapping[str, str]) -> AuthRef:
        """Read the reference back from lower-cased options."""
        ref = cls(
            method=(opts.get("authmethod") or "basic").lower(),
            secret_scope=opts.get("secretscope") or "",
            username_key=opts.get("usernamekey") or "pi-username",
            password_key=opts.get("passwordkey") or "pi-password",
            token_key=opts.get("tokenkey") or "pi-bearer-token",
            client_id_key=opts.get("clientidkey") or "pi-oidc-client-id",
            client_secret_key=opts.get("clientsecretkey") or "pi-oidc-client-secret",
        )
        ref.validate()
        return ref


def _lower(options: Mapping[str, str]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in options.items() if v is not None}


def _url(opts: Mapping[str, str], source: str) -> str:
    url = (opts.get("url") or "").strip()
    if not url:
        raise PIConfigError(
            f"the {source} data source needs option 'url' (the PI Web API URL); in a pipeline it comes from "
            "'osipi.pi_url' in the pipeline configuration"
        )
    if not url.startswith(("https://", "http://")):
        raise PIConfigError(f"option 'url' must start with https:// (or http://), got {url!r}")
    return url


@dataclass(frozen=True, slots=True)
class ReaderOptions:
    """Options of the time-series source (`format("osipi")`).

    Attributes:
        url: PI Web API base URL.
        auth: credential reference.
        partition_id: the pipeline partition, for log lines (default "adhoc").
        tags: point WebIds read by this source.
        start: history start of a tag with no offset yet (PI time or ISO-8601), default `*-1d`.
        end: batch reads only: end of the window (default `*`).
        late_window: how far behind each watermark late events are re-read (default 1h; `off` disables).
        max_window: largest span one micro-batch reads per tag (default 1d).
        max_values: largest estimated values per micro-batch (default 5,000,000).
        tags_per_partition: tags per Spark partition (default 25).
    """

    url: str
    auth: AuthRef
    tags: tuple[str, ...]
    partition_id: str = "adhoc"
    start: str = "*-1d"
    end: str = "*"
    late_window: timedelta = timedelta(hours=1)
    max_window: timedelta = timedelta(days=1)
    max_values: int = 5_000_000
    tags_per_partition: int = 25

    @classmethod
    def parse(cls, options: Mapping[str, str]) -> ReaderOptions:
        """Validate raw Spark options; the error names the option and the fix."""
        opts = _lower(options)
        url = _url(opts, "osipi")
        partition = opts.get("partitionid") or "adhoc"
        tags = split_tags(opts.get("tags") or "")
        if not tags:
            raise PIConfigError(
                f"partition {partition}: the osipi data source needs option 'tags' (comma-separated point WebIds); "
                "in a pipeline it comes from 'osipi.tags' in the pipeline configuration"
            )
        return cls(
            url=url,
            auth=AuthRef.from_options(opts),
            tags=tags,
            partition_id=partition,
            start=opts.get("start") or "*-1d",
            end=opts.get("end") or "*",
            late_window=parse_late_window(opts.get("latewindow") or "1h", "lateWindow"),
            max_window=parse_duration(opts.get("maxwindow") or "1d", "maxWindow"),
            max_values=parse_int(opts.get("maxvalues") or "5000000", "maxValues"),
            tags_per_partition=parse_int(opts.get("tagsperpartition") or "25", "tagsPerPartition"),
        )


@dataclass(frozen=True, slots=True)
class AFOptions:
    """Options of the AF and event-frame sources: URL, credentials, AF database and the frame search start."""

    url: str
    auth: AuthRef
    database: str
    start: str = "*-30d"

    @classmethod
    def parse(cls, options: Mapping[str, str], source: str) -> AFOptions:
        """Validate raw Spark options for the AF source named `source`."""
        opts = _lower(options)
        url = _url(opts, source)
        database = (opts.get("database") or "").strip()
        if not database:
            raise PIConfigError(
                f"the {source} data source needs option 'database' (an AF database path like \\\\PIAF01\\Plant); "
                "in a pipeline it comes from 'osipi.af_database'"
            )
        return cls(url=url, auth=AuthRef.from_options(opts), database=database, start=opts.get("start") or "*-30d")
