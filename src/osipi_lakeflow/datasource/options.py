"""Data source options: Spark's raw strings, parsed once with the contract's parsers into frozen dataclasses.

Every setting is read from its contract option name (`contract.SETTINGS`), so the values a pipeline's configuration
carries reach the reader under one name and pass the one parser `osipi generate` ran. Credentials arrive as options
too (`contract.AUTH_METHODS`), read by the pipeline source in its own session, because the reader runs in other
processes (the streaming source runner, executors) that have neither `dbutils` nor environment variables; no repr
or message here ever shows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from osipi_lakeflow import contract, parsers
from osipi_lakeflow.client import ClientConfig, PIWebAPI
from osipi_lakeflow.client.auth import build_auth
from osipi_lakeflow.errors import PIConfigError


def _lower(options: Mapping[str, str]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in options.items() if v is not None}


@dataclass(frozen=True, slots=True)
class Connection:
    """Where PI Web API is and how one reading task logs in.

    Attributes:
        url: the PI Web API base URL.
        auth_method: basic, bearer, oidc, kerberos or anonymous.
        credentials: the method's credential values by option name (never shown in a repr).
        oidc_endpoint, oidc_scope: the OIDC client-credentials grant.
        client: timeouts, TLS, concurrency and rate cap.
    """

    url: str
    auth_method: str
    credentials: Mapping[str, str] = field(repr=False)
    oidc_endpoint: str
    oidc_scope: str
    client: ClientConfig

    @classmethod
    def from_options(cls, opts: Mapping[str, str], values: Mapping[str, object]) -> Connection:
        """The connection from lower-cased options and their settings parsed by `contract.parse_options`."""
        method = contract.auth_method(values["auth_method"])
        credentials = {c.option: opts[c.option.lower()] for c in method.credentials if opts.get(c.option.lower())}
        return cls(
            url=values["pi_url"],
            auth_method=method.name,
            credentials=credentials,
            oidc_endpoint=values["oidc_endpoint"],
            oidc_scope=values["oidc_scope"],
            client=ClientConfig.from_settings(values),
        )

    def open(self) -> PIWebAPI:
        """A client for this task (credentials turned into auth here, where the read runs)."""
        auth = build_auth(
            self.auth_method,
            self.credentials,
            base_url=self.url,
            oidc_endpoint=self.oidc_endpoint,
            oidc_scope=self.oidc_scope,
            verify=self.client.requests_verify,
        )
        return PIWebAPI(self.url, auth=auth, config=self.client)


@dataclass(frozen=True, slots=True)
class ReaderOptions:
    """Options of the time-series source (`format("osipi")`).

    Attributes:
        connection: URL, credentials and client settings.
        tags: point WebIds read by this source.
        tag_starts: per tag, where its history begins (a PI time; from the plan in pipelines).
        partition_id: the pipeline partition, for log lines (default "adhoc").
        start: history start of a tag without its own (PI time or ISO-8601), default `*-1d`.
        end: batch reads only: end of the window (default `*`).
        late_window: how far behind each position late events are re-read (`off`: never).
        max_window: largest span one micro-batch reads per tag.
        max_values: largest estimated values per micro-batch.
        tags_per_task: tags per Spark partition (one task each).
    """

    connection: Connection
    tags: tuple[str, ...]
    tag_starts: Mapping[str, str]
    partition_id: str
    start: str
    end: str
    late_window: timedelta
    max_window: timedelta
    max_values: int
    tags_per_task: int

    @classmethod
    def parse(cls, options: Mapping[str, str]) -> ReaderOptions:
        """Validate raw Spark options; the error names the option and the fix."""
        opts = _lower(options)
        partition = opts.get(contract.PARTITION_ID.option.lower()) or "adhoc"
        tags = parsers.split_list(opts.get(contract.TAGS.option.lower(), ""))
        if not tags:
            raise PIConfigError(
                f"partition {partition}: the osipi data source needs option '{contract.TAGS.option}' "
                f"(comma-separated point WebIds); in a pipeline it comes from '{contract.TAGS.conf_key}'"
            )
        try:
            starts = parsers.tag_starts(opts.get(contract.TAG_STARTS.option.lower(), ""))
            start = parsers.pi_time(opts.get("start") or "*-1d")
            end = parsers.pi_time(opts.get("end") or "*")
        except ValueError as error:
            raise PIConfigError(f"partition {partition}: {error}") from None
        values = contract.parse_options(opts, contract.TIMESERIES)
        return cls(
            connection=Connection.from_options(opts, values),
            tags=tags,
            tag_starts={t: starts[t] for t in tags if t in starts},
            partition_id=partition,
            start=start,
            end=end,
            late_window=values["late_window"],
            max_window=values["max_window"],
            max_values=values["max_values"],
            tags_per_task=values["tags_per_task"],
        )


@dataclass(frozen=True, slots=True)
class AFOptions:
    """Options of the AF and event-frame sources: the connection, the AF database, the event-frame start."""

    connection: Connection
    database: str
    event_frame_start: str = "*-30d"

    @classmethod
    def parse(cls, options: Mapping[str, str], kind: str) -> AFOptions:
        """Validate raw Spark options for a source of pipeline `kind` (af_hierarchy or event_frames)."""
        opts = _lower(options)
        values = contract.parse_options(opts, kind)
        return cls(
            connection=Connection.from_options(opts, values),
            database=values["af_database"],
            event_frame_start=values.get("event_frame_start", "*-30d"),
        )
