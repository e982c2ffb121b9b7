"""Render-time settings of the bundle, and how they carry over from one generation to the next.

The values land as `databricks.yml` variable defaults. Regenerating reads those defaults back, so an option given
once (say `--ingestion-mode continuous`) is not silently reverted by the next daily run that omits it. Per-deploy
overrides belong on the command line (`databricks bundle deploy -t prod --var="catalog=prod"`) or in
`BUNDLE_VAR_<name>` environment variables, never in hand edits of generated files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from generator.errors import PlanConfigError

INGESTION_MODES = ("triggered", "continuous")
AUTH_METHODS = ("basic", "bearer", "oidc", "kerberos", "anonymous")
CHANNELS = ("CURRENT", "PREVIEW")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PI_TIME = re.compile(r"^[\w:.+\-* ]+$")
_CRON = re.compile(r"^[0-9A-Za-z*?/,#\- ]+$")


@dataclass(frozen=True, slots=True)
class BundleSettings:
    """Everything a rendering needs besides the plan. Defaults follow the bundle contract.

    Attributes:
        pi_web_api_url: base URL of PI Web API, ending in /piwebapi; no credentials in it.
        af_database: AF database path the AF and event-frame pipelines read (first one discovered).
        catalog: Unity Catalog catalog (default `main`).
        schema: schema of the bronze tables (default `osipi`).
        pi_secret_scope: secret scope holding the PI credentials (default `osipi`).
        pi_auth_method: basic | bearer | oidc | kerberos | anonymous (default `basic`).
        ingestion_mode: triggered (the job runs the pipelines on `schedule`) or continuous.
        schedule: Quartz cron of the ingest job (default hourly at minute 0).
        channel: Lakeflow channel, CURRENT or PREVIEW.
        history_start: PI time a new tag's backfill starts from (default `*-1d`).
        late_window: how far back each read re-checks for late values (default `1h`).
        event_frame_start: PI time event frames are read from (default `*-30d`).
        max_window: optional largest time window per tag in one micro-batch (e.g. `1d`).
        max_values: optional largest number of values in one micro-batch.
        max_parallel_pipelines: how many pipeline updates the ingest job runs at once (workspaces cap concurrent
            updates; default 50).
    """

    pi_web_api_url: str
    af_database: str
    catalog: str = "main"
    schema: str = "osipi"
    pi_secret_scope: str = "osipi"
    pi_auth_method: str = "basic"
    ingestion_mode: str = "triggered"
    schedule: str = "0 0 * * * ?"
    channel: str = "CURRENT"
    history_start: str = "*-1d"
    late_window: str = "1h"
    event_frame_start: str = "*-30d"
    max_window: str | None = None
    max_values: int | None = None
    max_parallel_pipelines: int = 50

    def __post_init__(self) -> None:
        """Reject values that would render a bundle that cannot deploy, naming the option to fix."""
        problems = list(_problems(self))
        if problems:
            raise PlanConfigError("invalid bundle settings: " + "; ".join(problems))


def _problems(s: BundleSettings) -> list[str]:
    out: list[str] = []
    url = urlsplit(s.pi_web_api_url)
    if url.scheme not in ("http", "https") or not url.hostname:
        out.append(f"--pi-url {s.pi_web_api_url!r} is not an http(s) URL such as https://piserver/piwebapi")
    if url.username or url.password:
        out.append("--pi-url must not carry credentials; set PI_USERNAME / PI_PASSWORD (or the secret scope) instead")
    if not s.af_database.startswith("\\\\") or s.af_database.count("\\") != 3:
        out.append(f"--af-database {s.af_database!r} must be a path like \\\\AFSERVER\\Database")
    for name in ("catalog", "schema", "pi_secret_scope"):
        if not _NAME.match(getattr(s, name)):
            out.append(f"{name} {getattr(s, name)!r} must be letters, digits and underscores")
    for name, allowed in (("ingestion_mode", INGESTION_MODES), ("pi_auth_method", AUTH_METHODS), ("channel", CHANNELS)):
        if getattr(s, name) not in allowed:
            out.append(f"{name} {getattr(s, name)!r} must be one of {', '.join(allowed)}")
    for name in ("history_start", "late_window", "event_frame_start"):
        if not _PI_TIME.match(getattr(s, name)):
            out.append(f"{name} {getattr(s, name)!r} holds characters that cannot be in a PI time")
    if len(s.schedule.split()) not in (6, 7) or not _CRON.match(s.schedule):
        out.append(f"schedule {s.schedule!r} must be a Quartz cron expression such as '0 0 * * * ?'")
    if s.max_window is not None and not _PI_TIME.match(s.max_window):
        out.append(f"max_window {s.max_window!r} must be a PI interval such as 1d")
    if s.max_values is not None and s.max_values <= 0:
        out.append(f"max_values must be at least 1, got {s.max_values}")
    if s.max_parallel_pipelines <= 0:
        out.append(f"max_parallel_pipelines must be at least 1, got {s.max_parallel_pipelines}")
    return out


CARRIED_OVER = (
    "pi_web_api_url",
    "af_database",
    "catalog",
    "schema",
    "pi_secret_scope",
    "pi_auth_method",
    "ingestion_mode",
    "schedule",
    "history_start",
    "late_window",
    "event_frame_start",
)
"""Settings stored as databricks.yml variables (same names) and read back on the next run."""


def previous_settings(bundle: Path) -> dict[str, Any]:
    """Variable defaults of the bundle's existing databricks.yml (empty when there is none).

    Raises:
        PlanConfigError: the file exists but is not valid YAML.
    """
    path = bundle / "databricks.yml"
    if not path.exists():
        return {}
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise PlanConfigError(
            f"{path} is not valid YAML ({exc}); its variable defaults carry the bundle settings: restore it with "
            "`git checkout -- databricks.yml`, or delete it and pass --pi-url and the other settings again"
        ) from None
    variables = doc.get("variables") or {}
    out = {}
    for name in CARRIED_OVER:
        spec = variables.get(name)
        if isinstance(spec, dict) and isinstance(spec.get("default"), str):
            out[name] = spec["default"]
    return out


def resolve_settings(bundle: Path, given: dict[str, Any]) -> BundleSettings:
    """Settings from explicit options, else the bundle's previous databricks.yml, else the defaults.

    Raises:
        PlanConfigError: a value is invalid, or the PI URL / AF database is given nowhere.
    """
    merged = {**previous_settings(bundle), **{k: v for k, v in given.items() if v is not None}}
    known = {f.name for f in fields(BundleSettings)}
    unknown = set(merged) - known
    if unknown:
        raise PlanConfigError(f"unknown bundle settings {sorted(unknown)}; known: {sorted(known)}")
    missing = [n for n in ("pi_web_api_url", "af_database") if not merged.get(n)]
    if missing:
        flags = ", ".join("--" + n.replace("pi_web_api_url", "pi-url").replace("_", "-") for n in missing)
        raise PlanConfigError(f"missing {flags}: give it once; later runs read it back from databricks.yml")
    return BundleSettings(**merged)
