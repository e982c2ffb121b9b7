"""Client settings: one frozen object, validated once, documented field by field."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Literal

from osipi_lakeflow import contract
from osipi_lakeflow.errors import PIConfigError

ReadMethod = Literal["batch", "streamsets"]


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """How the client talks to PI Web API.

    Attributes:
        verify: verify the server's TLS certificate (on by default; turn off only for a lab server).
        ca_bundle: path of a PEM CA bundle for a server signed by a private CA; implies verification. It is read
            where the client opens its session (on Databricks: a volume or workspace file the reader can see).
        timeout: (connect, read) timeouts in seconds for every HTTP call.
        max_count: values per HTTP call; PI Web API's `MaxReturnedItemsPerCall` is 150,000 by default. A 400
            naming a lower server limit steps it down for the rest of the client's life.
        retries: attempts after the first for 429/502/503/504, connection errors, timeouts and `WebException`s.
        backoff: first backoff in seconds; doubles each retry, with full jitter, capped by `backoff_max`.
        backoff_max: largest single sleep between attempts (a longer `Retry-After` is capped to it).
        retry_budget_s: total seconds one request may spend retrying before it gives up.
        concurrency: HTTP calls in flight at once (and the connection pool size): a read's value calls, each
            holding up to `max_count` values while it is decoded (~80 MB at 150,000), so 4 keeps a read well under
            1 GB; and the calls of a hundred tags each (statuses, stream updates, points, batch reads) side by side.
        rate_limit_per_s: requests per second across all threads; PI Web API allows 1,000 per client by default.
        tags_per_request: tags read per HTTP call (sub-requests of one batch, or WebIds of one stream set).
        method: "batch" (the batch controller, one sub-request per tag) or "streamsets" (ad-hoc stream sets);
            batch is the default because each tag keeps its own paging cursor (see bench/RESULTS.md).
        page_size: items per page when listing points, elements, attributes and event frames.
        max_tag_attempts: attempts for one tag whose sub-request keeps failing before it is reported as failed.
    """

    verify: bool = True
    ca_bundle: str | None = None
    timeout: tuple[float, float] = (5.0, 60.0)
    max_count: int = 150_000
    retries: int = 6
    backoff: float = 0.5
    backoff_max: float = 30.0
    retry_budget_s: float = 120.0
    concurrency: int = 4
    rate_limit_per_s: float = 1000.0
    tags_per_request: int = 100
    method: ReadMethod = "batch"
    page_size: int = 1000
    max_tag_attempts: int = 4

    def __post_init__(self) -> None:
        for name in ("max_count", "concurrency", "tags_per_request", "page_size", "max_tag_attempts"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise PIConfigError(f"ClientConfig.{name} must be a positive integer, got {value!r}")
        for name in ("backoff", "backoff_max", "retry_budget_s", "rate_limit_per_s"):
            if getattr(self, name) <= 0:
                raise PIConfigError(f"ClientConfig.{name} must be greater than 0, got {getattr(self, name)!r}")
        if self.retries < 0:
            raise PIConfigError(f"ClientConfig.retries must be 0 or more, got {self.retries!r}")
        if len(self.timeout) != 2 or min(self.timeout) <= 0:
            raise PIConfigError(f"ClientConfig.timeout must be (connect_s, read_s), both > 0, got {self.timeout!r}")
        if self.method not in ("batch", "streamsets"):
            raise PIConfigError(f"ClientConfig.method must be 'batch' or 'streamsets', got {self.method!r}")

    @property
    def requests_verify(self) -> bool | str:
        """The value for `requests.Session.verify`: the CA bundle path when given, else the flag."""
        return self.ca_bundle if self.ca_bundle else self.verify

    def replace(self, **changes: object) -> ClientConfig:
        """A copy with some fields changed (validated again)."""
        current = {f.name: getattr(self, f.name) for f in fields(self)}
        unknown = set(changes) - set(current)
        if unknown:
            raise PIConfigError(f"unknown ClientConfig fields {sorted(unknown)}; known: {sorted(current)}")
        return ClientConfig(**{**current, **changes})  # type: ignore[arg-type]

    @classmethod
    def from_settings(cls, values: Mapping[str, object], **overrides: object) -> ClientConfig:
        """A config from typed contract settings (`contract.check_settings` / `parse_options`); others keep defaults.

        Pipelines build their client from these settings (their configuration and the data source options), never
        from environment variables, which serverless pipelines do not have.
        """
        settings = {field: values[name] for name, field in _SETTING_FIELDS.items() if name in values}
        if "ca_bundle" in settings and not settings["ca_bundle"]:
            settings["ca_bundle"] = None
        settings.update(overrides)
        return cls(**settings)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> ClientConfig:
        """Read PI_CA_BUNDLE and PI_VERIFY_TLS (default true) from a mapping, then apply `overrides`."""
        env = os.environ if env is None else env
        given = {name: text for name, text in contract.settings_from_env(env).items() if name in _SETTING_FIELDS}
        return cls.from_settings(contract.check_settings(given), **overrides)


_SETTING_FIELDS = {
    "verify_tls": "verify",
    "ca_bundle": "ca_bundle",
    "http_timeout": "timeout",
    "concurrency": "concurrency",
    "rate_limit": "rate_limit_per_s",
    "max_count": "max_count",
    "read_method": "method",
}
"""Contract setting name -> ClientConfig field."""
