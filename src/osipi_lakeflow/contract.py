"""The contract between the generator, the bundle and the pipelines: one owner for every name they share.

- `SETTINGS`: every setting a user chooses. A setting has ONE name; its flag (`--late-window`), bundle variable
  (`late_window`), pipeline configuration key (`osipi.late_window`) and data source option (`lateWindow`) are
  derived from it, and one parser validates it wherever it arrives, so a value that passes `osipi generate`
  is a value the pipeline accepts.
- `PIPELINE_KINDS`: the pipelines of a bundle: their source file, the tables they write, the formats they read.
- `AUTH_METHODS`: how pipelines authenticate to PI Web API: the credentials each needs, their environment
  variables (local runs) and their key names in the secret scope (Databricks).
- Dataset names: the partition tables, the `pi_timeseries` view, event-log tables.

Pure on purpose: it imports no Spark, no Jinja2 and no HTTP library, so the generator and the notebook can use it
anywhere (a test checks this).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from osipi_lakeflow import parsers
from osipi_lakeflow.errors import PIConfigError

CONF_PREFIX = "osipi."

TIMESERIES, AF_HIERARCHY, EVENT_FRAMES, ALARMS = "timeseries", "af_hierarchy", "event_frames", "alarms"
ALL_KINDS = frozenset({TIMESERIES, AF_HIERARCHY, EVENT_FRAMES, ALARMS})
AF_KINDS = frozenset({AF_HIERARCHY, EVENT_FRAMES, ALARMS})


class SettingError(PIConfigError):
    """A setting's value is invalid; the message names the setting in every form and shows a valid value."""


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


@dataclass(frozen=True)
class ConfName:
    """A name a pipeline's `configuration` carries, and the two spellings it takes on the way to the reader."""

    name: str

    @property
    def conf_key(self) -> str:
        """The key in a pipeline's `configuration` map."""
        return CONF_PREFIX + self.name

    @property
    def option(self) -> str:
        """The Spark data source option (Spark lower-cases option names; they are read case-insensitively)."""
        return _camel(self.name)


@dataclass(frozen=True)
class Setting(ConfName):
    """One setting: its name, the parser every component runs, its default and where it travels.

    Attributes:
        name: the one name (snake_case); also the bundle variable's name when `variable` is set.
        parse: validates the text and returns the typed value; raises ValueError saying what is valid.
        default: the text used when the user chose nothing; None means required.
        example: a valid value, shown in every error.
        doc: one line for `--help`, the README and the bundle variable's description.
        kinds: pipeline kinds whose `configuration` carries it (empty: it shapes the bundle only).
        reader: handed on to the Spark data source as an option (False: only the pipeline source reads it).
        variable: rendered as a bundle variable, so it can be overridden per deploy (`--var name=value`).
        env: the environment variable local runs (`osipi run`, `osipi generate`) read it from, if any.
    """

    parse: Callable[[str], Any]
    default: str | None
    example: str
    doc: str
    kinds: frozenset[str] = frozenset()
    reader: bool = True
    variable: bool = False
    env: str | None = None

    @property
    def flag(self) -> str:
        """The command-line flag of `osipi generate`."""
        return "--" + self.name.replace("_", "-")

    def check(self, text: str | None) -> Any:
        """Parse `text` (the default when None); raises SettingError naming the setting and a valid example."""
        raw = self.default if text is None else text
        if raw is None:
            raise SettingError(f"{self.describe()} is required; for example {self.example}")
        try:
            return self.parse(str(raw))
        except ValueError as error:
            raise SettingError(f"{self.describe()}: {error}; for example {self.example}") from None

    def describe(self) -> str:
        """The setting's names, for messages: `late_window (--late-window, osipi.late_window, option lateWindow)`."""
        where = [self.flag]
        if self.kinds:
            where += [self.conf_key] + ([f"option {self.option}"] if self.reader else [])
        if self.env:
            where.append(f"env {self.env}")
        return f"setting {self.name} ({', '.join(where)})"


def _s(name: str, parse: Callable[[str], Any], default: str | None, example: str, doc: str, **kw: Any) -> Setting:
    return Setting(name, parse, default, example, doc, **kw)


SETTINGS: tuple[Setting, ...] = (
    # where PI is and how to log in: every pipeline
    _s(
        "pi_url",
        parsers.http_url,
        None,
        "https://pi.example.com/piwebapi",
        "PI Web API base URL, ending in /piwebapi (no credentials in it)",
        kinds=ALL_KINDS,
        variable=True,
        env="PI_WEB_API_URL",
    ),
    _s(
        "auth_method",
        parsers.one_of("basic", "bearer", "oidc", "kerberos", "anonymous"),
        "basic",
        "oidc",
        "how pipelines authenticate to PI Web API: basic, bearer, oidc, kerberos or anonymous",
        kinds=ALL_KINDS,
        variable=True,
        env="PI_AUTH",
    ),
    _s(
        "auth_scope",
        parsers.secret_scope_name,
        "osipi",
        "pi-prod",
        "Databricks secret scope holding the PI credentials (key names: see AUTH_METHODS)",
        kinds=ALL_KINDS,
        reader=False,
        variable=True,
    ),
    _s(
        "oidc_endpoint",
        parsers.optional_http_url,
        "",
        "https://idp.example.com/connect/token",
        "OIDC token endpoint (empty: discovered at <pi_url>/.well-known/openid-configuration)",
        kinds=ALL_KINDS,
        env="PI_OIDC_TOKEN_URL",
    ),
    _s(
        "oidc_scope",
        parsers.free_text,
        "system",
        "pi-api",
        "scope asked of the OIDC token endpoint",
        kinds=ALL_KINDS,
        env="PI_OIDC_SCOPE",
    ),
    # how the client talks to PI: every pipeline
    _s(
        "ca_bundle",
        parsers.absolute_path_or_empty,
        "",
        "/Volumes/main/osipi/certs/pi-ca.pem",
        "PEM bundle of a private CA that signed PI Web API's certificate (a volume or workspace file path)",
        kinds=ALL_KINDS,
        variable=True,
        env="PI_CA_BUNDLE",
    ),
    _s(
        "verify_tls",
        parsers.boolean,
        "true",
        "false",
        "verify PI Web API's TLS certificate (false: lab servers only)",
        kinds=ALL_KINDS,
        env="PI_VERIFY_TLS",
    ),
    _s(
        "http_timeout",
        parsers.timeouts,
        "5,60",
        "10,120",
        "HTTP connect and read timeouts in seconds (CONNECT,READ)",
        kinds=ALL_KINDS,
    ),
    _s("concurrency", parsers.positive_int, "4", "8", "HTTP calls in flight at once per reading task", kinds=ALL_KINDS),
    _s(
        "rate_limit",
        parsers.positive_float,
        "1000",
        "200",
        "most requests per second per reading task (PI Web API allows 1,000 per client address by default)",
        kinds=ALL_KINDS,
    ),
    _s(
        "max_count",
        parsers.positive_int,
        "150000",
        "50000",
        "most values per HTTP call (PI Web API's MaxReturnedItemsPerCall; lowered by itself on a 400)",
        kinds=ALL_KINDS,
    ),
    _s(
        "read_method",
        parsers.one_of("batch", "streamsets"),
        "batch",
        "streamsets",
        "batch controller (one sub-request per tag) or ad-hoc stream sets",
        kinds=ALL_KINDS,
    ),
    # time series
    _s(
        "history_start",
        parsers.pi_time,
        "*-1d",
        "*-30d",
        "where a tag's history begins when it enters the plan (fixed then as an absolute time)",
    ),
    _s(
        "late_window",
        parsers.late_window,
        "1h",
        "2h",
        "how far back each tag is re-read for late events (off: never)",
        kinds=frozenset({TIMESERIES}),
    ),
    _s(
        "max_window",
        parsers.duration,
        "1d",
        "6h",
        "largest span of time one micro-batch reads per tag",
        kinds=frozenset({TIMESERIES}),
    ),
    _s(
        "max_values",
        parsers.positive_int,
        "5000000",
        "1000000",
        "largest estimated number of values per micro-batch",
        kinds=frozenset({TIMESERIES}),
    ),
    _s(
        "live_interval",
        parsers.trigger_interval,
        "1s",
        "5s",
        "time between micro-batches of a time-series pipeline that runs continuously (osipi_live, osipi run --live)",
        kinds=frozenset({TIMESERIES}),
        reader=False,
    ),
    _s(
        "tags_per_task",
        parsers.positive_int,
        "25",
        "50",
        "tags read by one Spark task of a large micro-batch (a small one is read by fewer tasks)",
        kinds=frozenset({TIMESERIES}),
    ),
    _s(
        "allow_full_refresh",
        parsers.boolean,
        "false",
        "true",
        "let a full refresh truncate the bronze tables and re-read every tag from its history start, and every event "
        "frame of the window (off: refused)",
        kinds=frozenset({TIMESERIES, EVENT_FRAMES}),
        reader=False,
        variable=True,
    ),
    # AF and event frames
    _s(
        "af_database",
        parsers.af_database,
        None,
        "\\\\PIAF01\\Plant",
        "AF database the AF-hierarchy, event-frame and alarms pipelines read (default: the first one discovered)",
        kinds=AF_KINDS,
        variable=True,
    ),
    _s(
        "event_frame_start",
        parsers.pi_time,
        "*-30d",
        "*-90d",
        "where event-frame history begins (fixed as an absolute time when first generated)",
        kinds=frozenset({EVENT_FRAMES}),
    ),
    # alarms
    _s(
        "alarm_templates",
        parsers.af_names,
        "",
        "Limit Violation,Process Alarms",
        "event-frame templates or categories that are alarms besides the frames PI lets operators acknowledge or "
        "gives a severity (comma-separated; empty: none)",
        kinds=frozenset({ALARMS}),
        reader=False,
    ),
    _s(
        "alarm_trigger_attribute",
        parsers.free_text,
        "Trigger Value",
        "Triggering Value",
        "name of the alarm frames' attribute holding the value that raised the alarm (null where a frame lacks it)",
        kinds=frozenset({ALARMS}),
        reader=False,
    ),
    # the bundle's shape
    _s("catalog", parsers.identifier, "main", "ot_data", "Unity Catalog catalog of the tables", variable=True),
    _s(
        "schema",
        parsers.identifier,
        "osipi",
        "pi_bronze",
        "schema of the tables in prod (each dev deployment gets its own: <schema>_<user>)",
        variable=True,
    ),
    _s(
        "ingestion_mode",
        parsers.one_of("triggered", "continuous"),
        "triggered",
        "continuous",
        "triggered (the ingest job runs the pipelines on the schedule) or continuous pipelines",
    ),
    _s(
        "schedule",
        parsers.quartz_cron,
        "0 0 * * * ?",
        "0 0/15 * * * ?",
        "Quartz cron (UTC) of the ingest job",
        variable=True,
    ),
    _s(
        "channel",
        parsers.one_of("CURRENT", "PREVIEW", lower=False),
        "CURRENT",
        "PREVIEW",
        "Lakeflow runtime channel of the pipelines",
    ),
    _s(
        "serverless",
        parsers.boolean,
        "true",
        "false",
        "serverless pipelines (true), or classic compute in your own network to reach an on-premises PI Web API",
    ),
    _s(
        "service_principal",
        parsers.free_text,
        None,
        "6f1c2a3b-0000-4000-8000-000000000000",
        "application ID of the service principal the prod target runs as (give it at deploy: --var)",
        variable=True,
    ),
    _s(
        "operators_group",
        parsers.free_text,
        "admins",
        "pi-operators",
        "workspace group that may run and view the prod deployment",
        variable=True,
    ),
    _s(
        "warehouse_id",
        parsers.warehouse_id,
        None,
        "47bb1c472649e711",
        "SQL warehouse that runs the monitoring dashboard's queries (give it at deploy: --var)",
        variable=True,
    ),
    _s(
        "max_parallel_pipelines",
        parsers.positive_int,
        "50",
        "20",
        "time-series pipeline updates the ingest job runs at once",
    ),
)
"""Every setting, in the order the README and `--help` list them."""

SETTING = {s.name: s for s in SETTINGS}

SPARK_REDACTED = re.compile(r"(?i)secret|password|token|access[.]?key|credential")
"""Spark's default `spark.redaction.regex` (pyspark 4.3). Spark Connect (serverless, and the local engine) answers
`spark.conf.get` with nothing for a key that matches it, so no configuration key may (a test checks every one)."""


def settings_for(kind: str) -> tuple[Setting, ...]:
    """The settings a pipeline of `kind` carries in its configuration."""
    return tuple(s for s in SETTINGS if kind in s.kinds)


def check_settings(values: Mapping[str, str | None]) -> dict[str, Any]:
    """Parse named setting values (unknown names are an error); returns name -> typed value."""
    unknown = sorted(set(values) - set(SETTING))
    if unknown:
        raise SettingError(f"unknown setting(s) {unknown}; known: {sorted(SETTING)}")
    return {name: SETTING[name].check(text) for name, text in values.items()}


def parse_options(options: Mapping[str, str], kind: str) -> dict[str, Any]:
    """Typed values of the reader settings of `kind` from Spark options (keys compared case-insensitively)."""
    lowered = {str(k).lower(): v for k, v in options.items()}
    return {s.name: s.check(lowered.get(s.option.lower()) or None) for s in settings_for(kind) if s.reader}


# -- the time-series partition: structure, not settings ----------------------------------------------------------
@dataclass(frozen=True)
class Key(ConfName):
    """A configuration key the generator writes from the plan (not a user's setting), and its reader option."""

    doc: str


PARTITION_ID = Key("partition_id", "the partition's id, e.g. p0001; names its table")
TAGS = Key("tags", "the partition's point WebIds, comma-separated")
TAG_STARTS = Key("tag_starts", "where each tag's history begins: ISO=WebId,WebId|ISO=WebId (fixed in the plan)")
PARTITION_KEYS = (PARTITION_ID, TAGS, TAG_STARTS)


# -- datasets ---------------------------------------------------------------------------------------------------
TIMESERIES_VIEW = "pi_timeseries"
"""The one name users query: a view over every partition table."""
TIMESERIES_READS_VIEW = "pi_timeseries_reads"
"""Every row of every partition table: each read's events (every version) and coverage rows."""
TIMESERIES_TABLE_PREFIX = "pi_timeseries_"
AF_ELEMENTS, AF_ATTRIBUTES = "pi_af_elements", "pi_af_attributes"
EVENT_FRAMES_TABLE, EVENT_FRAME_ATTRIBUTES = "pi_event_frames", "pi_event_frame_attributes"
EVENT_FRAME_READS = "pi_event_frame_reads"
"""Every read of the event frames (what changed, each time); the two tables above are its latest state."""
ALARMS_TABLE, ACTIVE_ALARMS, ALARM_SUMMARY = "pi_alarms", "pi_active_alarms", "pi_alarm_summary"
NOTIFICATION_RULES, ANNOTATIONS = "pi_notification_rules", "pi_annotations"
RESOURCE_PREFIX = "osipi_"


def partition_table(partition_id: str) -> str:
    """The bronze table of one partition: `pi_timeseries_p0001`."""
    return TIMESERIES_TABLE_PREFIX + partition_id


PARTITION_ID_PATTERN = re.compile(r"^p\d{4,}$")
"""Partition ids: p0001, p0002, ..., p10000 (never reused)."""


def partition_id(number: int) -> str:
    """The id of the n-th partition ever created."""
    return f"p{number:04d}"


def is_partition_table(name: str) -> bool:
    """True for `pi_timeseries_<partition id>` tables (not the view, nor any other table)."""
    return name.startswith(TIMESERIES_TABLE_PREFIX) and bool(
        PARTITION_ID_PATTERN.match(name[len(TIMESERIES_TABLE_PREFIX) :])
    )


# -- data source formats ------------------------------------------------------------------------------------------
FORMAT_RECORDED = "osipi"
FORMAT_AF_ELEMENTS = "osipi_af_elements"
FORMAT_AF_ATTRIBUTES = "osipi_af_attributes"
FORMAT_EVENT_FRAMES = "osipi_event_frames"
FORMAT_NOTIFICATION_RULES = "osipi_notification_rules"


# -- pipeline kinds ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PipelineKind:
    """A kind of pipeline in the bundle.

    Attributes:
        name: the kind (`timeseries`, ...); also the middle of its resource key.
        source: its source file under `pipelines/`.
        tables: the tables one pipeline of this kind writes (partitioned kinds: computed per partition).
        formats: the data source formats it reads.
        partitioned: one pipeline per plan partition (else one pipeline per bundle).
        continuous_capable: follows `ingestion_mode` (the others are always triggered by the ingest job).
        runs_after: kinds whose tables it reads, so the ingest job runs it after their tasks.
        doc: one line for the resource file's header.
    """

    name: str
    source: str
    tables: tuple[str, ...]
    formats: tuple[str, ...]
    doc: str
    partitioned: bool = False
    continuous_capable: bool = False
    runs_after: tuple[str, ...] = ()

    def resource_key(self, partition_id: str | None = None) -> str:
        """The bundle resource key: `osipi_timeseries_p0001`, `osipi_af_hierarchy`."""
        return RESOURCE_PREFIX + self.name + (f"_{partition_id}" if partition_id else "")

    def tables_of(self, partition_id: str | None = None) -> tuple[str, ...]:
        """The tables a pipeline of this kind writes."""
        return (partition_table(partition_id or ""),) if self.partitioned else self.tables


PIPELINE_KINDS: dict[str, PipelineKind] = {
    kind.name: kind
    for kind in (
        PipelineKind(
            TIMESERIES, "timeseries.py", (), (FORMAT_RECORDED,),
            "PI recorded values of one partition of tags, streamed into pi_timeseries_<partition>",
            partitioned=True, continuous_capable=True,
        ),
        PipelineKind(
            AF_HIERARCHY, "af_hierarchy.py", (AF_ELEMENTS, AF_ATTRIBUTES), (FORMAT_AF_ELEMENTS, FORMAT_AF_ATTRIBUTES),
            "the AF hierarchy, refreshed in full on every run",
        ),
        PipelineKind(
            EVENT_FRAMES, "event_frames.py", (EVENT_FRAME_READS, EVENT_FRAMES_TABLE, EVENT_FRAME_ATTRIBUTES),
            (FORMAT_EVENT_FRAMES,),
            "AF event frames and their attribute values, every frame ever read kept",
        ),
        PipelineKind(
            ALARMS, "alarms.py", (ALARMS_TABLE, ACTIVE_ALARMS, ALARM_SUMMARY, NOTIFICATION_RULES, ANNOTATIONS),
            (FORMAT_NOTIFICATION_RULES,),
            "alarms from the event frames, notification rules and annotations, recomputed on every run",
            runs_after=(AF_HIERARCHY, EVENT_FRAMES, TIMESERIES),
        ),
    )
}  # fmt: skip


def kind_of_resource(resource_key: str) -> PipelineKind | None:
    """The pipeline kind a resource key belongs to (None for keys this contract did not make)."""
    for kind in PIPELINE_KINDS.values():
        base = kind.resource_key()
        if resource_key == base or (kind.partitioned and resource_key.startswith(base + "_")):
            return kind
    return None


def event_log_table(resource_key: str) -> str:
    """The event-log table of a pipeline: `osipi_event_log_timeseries_p0001`."""
    return RESOURCE_PREFIX + "event_log_" + resource_key.removeprefix(RESOURCE_PREFIX)


# -- authentication ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Credential:
    """One credential value an auth method needs.

    Attributes:
        option: the data source option that carries it to the reader (redacted by name in Spark plans).
        env: the environment variable local runs read it from.
        secret_key: its key name in the secret scope on Databricks.
        secret: the value is a secret (a password, token or client secret); a user name or client id is not.
    """

    option: str
    env: str
    secret_key: str
    secret: bool


@dataclass(frozen=True)
class AuthMethod:
    """An authentication method and the credentials it needs."""

    name: str
    credentials: tuple[Credential, ...]
    doc: str
    extras: tuple[str, ...] = field(default=())


AUTH_METHODS: dict[str, AuthMethod] = {
    method.name: method
    for method in (
        AuthMethod(
            "basic",
            (Credential("username", "PI_USERNAME", "pi-username", False),
             Credential("password", "PI_PASSWORD", "pi-password", True)),
            "HTTP Basic with a service account (Basic must be in the server's AuthenticationMethods)",
        ),
        AuthMethod(
            "bearer", (Credential("token", "PI_BEARER_TOKEN", "pi-bearer-token", True),),
            "a static bearer token (PI Web API 2023+ with AVEVA Identity Manager)",
        ),
        AuthMethod(
            "oidc",
            (Credential("clientId", "PI_OIDC_CLIENT_ID", "pi-oidc-client-id", False),
             Credential("clientSecret", "PI_OIDC_CLIENT_SECRET", "pi-oidc-client-secret", True)),
            "OpenID Connect client credentials; tokens are fetched and refreshed before they expire",
        ),
        AuthMethod("kerberos", (), "Kerberos / Negotiate (a ticket from kinit or a keytab)", extras=("kerberos",)),
        AuthMethod("anonymous", (), "no credentials (the mock server's default)"),
    )
}  # fmt: skip

CREDENTIAL_OPTIONS = frozenset(c.option for m in AUTH_METHODS.values() for c in m.credentials)
SECRET_OPTIONS = frozenset(c.option for m in AUTH_METHODS.values() for c in m.credentials if c.secret)


def auth_method(name: str) -> AuthMethod:
    """The auth method called `name` (already validated by the `auth_method` setting)."""
    return AUTH_METHODS[SETTING["auth_method"].check(name)]


def settings_from_env(env: Mapping[str, str]) -> dict[str, str]:
    """Setting values a local run takes from the environment (`PI_WEB_API_URL`, `PI_CA_BUNDLE`, ...)."""
    return {s.name: env[s.env] for s in SETTINGS if s.env and env.get(s.env, "").strip()}


def credentials_from_env(method: AuthMethod, env: Mapping[str, str]) -> dict[str, str]:
    """The credentials of `method` found in the environment, keyed by their data source option."""
    return {c.option: env[c.env] for c in method.credentials if env.get(c.env)}


def infer_auth_method(env: Mapping[str, str]) -> str:
    """`PI_AUTH`, else the method whose credential variables are set (anonymous when none are)."""
    explicit = env.get(SETTING["auth_method"].env or "", "").strip()
    if explicit:
        return "anonymous" if explicit.lower() == "none" else explicit.lower()
    for name in ("oidc", "bearer", "basic"):
        if any(env.get(c.env) for c in AUTH_METHODS[name].credentials):
            return name
    return "anonymous"
