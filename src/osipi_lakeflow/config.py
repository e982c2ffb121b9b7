r"""Pipeline configuration: the `osipi.*` strings a pipeline resource passes, parsed once into typed settings.

Pipeline sources read `spark.conf` through `PipelineConf.from_conf` and hand `reader_options()` to the data
source. Credentials never pass through here: only the secret scope and the key NAMES, resolved where the read runs.

| key                       | pipelines   | default      | meaning                                          |
|---------------------------|-------------|--------------|--------------------------------------------------|
| osipi.pi_url              | all         | (required)   | PI Web API base URL, ending in /piwebapi         |
| osipi.auth.method         | all         | basic        | basic, bearer, oidc, kerberos or anonymous       |
| osipi.auth.secret_scope   | all         | osipi        | Databricks secret scope of the credentials       |
| osipi.auth.*_key          | all         | pi-username  | secret key names (never values)                  |
| osipi.partition_id        | time series | (required)   | partition id, e.g. p0001; names the table        |
| osipi.tags                | time series | (required)   | comma-separated point WebIds                     |
| osipi.start               | time series | *-1d         | history start of a new tag (PI time or ISO)      |
| osipi.late_window         | time series | 1h           | late events looked for this far back; off: none |
| osipi.max_window          | time series | 1d           | largest span one micro-batch reads per tag       |
| osipi.max_values          | time series | 5000000      | largest estimated values per micro-batch         |
| osipi.tags_per_partition  | time series | 25           | tags per Spark partition (one task each)         |
| osipi.af_database         | AF, frames  | (required)   | AF database path, e.g. \\PIAF01\Plant             |
| osipi.event_frame_start   | frames      | *-30d        | start of the event-frame search window           |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from osipi_lakeflow.datasource.options import AuthRef, parse_duration, parse_int, parse_late_window, split_tags
from osipi_lakeflow.errors import PIConfigError

PREFIX = "osipi."


class ConfLike(Protocol):
    """What `spark.conf` offers: `get(key, default)`."""

    def get(self, key: str, default: Any = ...) -> Any:  # pragma: no cover - protocol
        """Return the value of `key`, or `default`."""


def _read(conf: ConfLike | Mapping[str, str], key: str) -> str | None:
    """Read one key from `spark.conf` or a mapping; blank values count as missing."""
    value = conf.get(key, None)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _required(conf: ConfLike | Mapping[str, str], key: str, what: str, kind: str) -> str:
    value = _read(conf, key)
    if value is None:
        raise PIConfigError(
            f"the {kind} pipeline configuration has no '{key}' ({what}); add it under `configuration:` in the "
            f"pipeline resource (resources/*.pipeline.yml), or regenerate the bundle with `osipi generate`"
        )
    return value


@dataclass(frozen=True, slots=True)
class PipelineConf:
    """The settings of one pipeline, from its `configuration` map."""

    pi_url: str
    auth: AuthRef
    partition_id: str = ""
    tags: tuple[str, ...] = ()
    start: str = "*-1d"
    late_window: str = "1h"
    max_window: str = "1d"
    max_values: int = 5_000_000
    tags_per_partition: int = 25
    af_database: str = ""
    event_frame_start: str = "*-30d"

    @classmethod
    def from_conf(cls, conf: ConfLike | Mapping[str, str], kind: str = "timeseries") -> PipelineConf:
        """Parse the `osipi.*` keys for a pipeline of `kind` (timeseries, af_hierarchy, event_frames).

        Raises:
            PIConfigError: a required key is missing or a value is malformed; the message names the key and the fix.
        """
        url = _required(conf, PREFIX + "pi_url", "the PI Web API URL", kind)
        auth = AuthRef(
            method=(_read(conf, PREFIX + "auth.method") or "basic").lower(),
            secret_scope=_read(conf, PREFIX + "auth.secret_scope") or "",
            username_key=_read(conf, PREFIX + "auth.username_key") or "pi-username",
            password_key=_read(conf, PREFIX + "auth.password_key") or "pi-password",
            token_key=_read(conf, PREFIX + "auth.token_key") or "pi-bearer-token",
            client_id_key=_read(conf, PREFIX + "auth.client_id_key") or "pi-oidc-client-id",
            client_secret_key=_read(conf, PREFIX + "auth.client_secret_key") or "pi-oidc-client-secret",
        )
        auth.validate()
        if kind == "timeseries":
            partition_id = _required(conf, PREFIX + "partition_id", "the partition id, e.g. p0001", kind)
            tags = split_tags(_required(conf, PREFIX + "tags", "comma-separated point WebIds", kind))
            late_window = _read(conf, PREFIX + "late_window") or "1h"
            max_window = _read(conf, PREFIX + "max_window") or "1d"
            parse_late_window(late_window, PREFIX + "late_window")
            parse_duration(max_window, PREFIX + "max_window")
            return cls(
                pi_url=url,
                auth=auth,
                partition_id=partition_id,
                tags=tags,
                start=_read(conf, PREFIX + "start") or "*-1d",
                late_window=late_window,
                max_window=max_window,
                max_values=parse_int(_read(conf, PREFIX + "max_values") or "5000000", PREFIX + "max_values"),
                tags_per_partition=parse_int(
                    _read(conf, PREFIX + "tags_per_partition") or "25", PREFIX + "tags_per_partition"
                ),
            )
        database = _required(conf, PREFIX + "af_database", r"the AF database path, e.g. \\PIAF01\Plant", kind)
        return cls(
            pi_url=url,
            auth=auth,
            af_database=database,
            event_frame_start=_read(conf, PREFIX + "event_frame_start") or "*-30d",
        )

    def auth_options(self) -> dict[str, str]:
        """Data source options naming the credentials (method, scope, key names), never their values."""
        return self.auth.to_options()

    def reader_options(self) -> dict[str, str]:
        """Options for `spark.readStream.format("osipi")`: every value a string, as Spark requires."""
        return {
            "url": self.pi_url,
            **self.auth_options(),
            "partitionId": self.partition_id,
            "tags": ",".join(self.tags),
            "start": self.start,
            "lateWindow": self.late_window,
            "maxWindow": self.max_window,
            "maxValues": str(self.max_values),
            "tagsPerPartition": str(self.tags_per_partition),
        }

    def af_options(self) -> dict[str, str]:
        """Options for the AF and event-frame data sources."""
        return {
            "url": self.pi_url,
            **self.auth_options(),
            "database": self.af_database,
            "start": self.event_frame_start,
        }

    def dedupe_delay(self) -> str | None:
        """The watermark delay on `ingested_at` for the bronze dedupe (twice the late window); None when off."""
        seconds = int(parse_late_window(self.late_window, PREFIX + "late_window").total_seconds()) * 2
        return f"{seconds} seconds" if seconds else None
