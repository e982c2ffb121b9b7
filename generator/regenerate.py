"""The whole regeneration, all or nothing: discover -> estimate loads -> plan -> render -> validate -> write.

Every check that can fail runs before the first byte is written, so on any error the existing plan and resources
stay exactly as they were. Running it twice with the same inputs writes nothing the second time: the settings and
every tag's history start are kept in the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from rich.progress import Progress

from generator.diff import PlanDiff, diff_plans
from generator.discover import DiscoverySpec, TagSource, discover_tags
from generator.errors import BundleValidationError, DiscoveryError, PlanConfigError, PlanFileError
from generator.loads import RateSource, estimate_loads
from generator.plan import Plan, dump_plan, read_plan
from generator.planner import check_cap, plan_partitions
from generator.render import render_bundle
from generator.settings import BundleSettings, anchor, resolve_settings
from generator.validate import bundle_texts, validate_files
from generator.writer import stale_resources, write_bundle
from osipi_lakeflow.errors import PIAuthError, PIConnectionError, PINotFoundError, PIWebAPIError
from osipi_lakeflow.pitime import format_time, resolve_time

DEFAULT_TAGS_PER_PIPELINE = 100
DEFAULT_EVENTS_PER_HOUR = 60.0


class PISource(TagSource, RateSource, Protocol):
    """What the regeneration needs from PI Web API: discovery, rate sampling and the server clock."""

    def server_time(self) -> datetime: ...  # noqa: D102


@dataclass(frozen=True, slots=True)
class RegenerateRequest:
    """Inputs of one regeneration.

    Attributes:
        bundle: bundle root (holds databricks.yml, resources/, osipi.plan.json).
        discovery: what to discover.
        settings: settings given now (contract names); the rest come from the plan, then the contract's defaults.
        tags_per_pipeline: the cap N; None keeps the existing plan's (100 for a new plan).
        rebalance: rewrite the plan from scratch (moves tags: their pipelines re-read history).
        sample_rates: sample recent data for the load of tags with no known rate; False uses `default_rate`.
        default_rate: events/hour assumed when a tag cannot be sampled.
        sample_window: PI time the sample starts at (to now).
        dry_run: compute and validate everything, write nothing.
    """

    bundle: Path
    discovery: DiscoverySpec
    settings: dict[str, Any] = field(default_factory=dict)
    tags_per_pipeline: int | None = None
    rebalance: bool = False
    sample_rates: bool = True
    default_rate: float = DEFAULT_EVENTS_PER_HOUR
    sample_window: str = "*-1h"
    dry_run: bool = False


@dataclass(frozen=True, slots=True)
class RegenerateResult:
    """What a regeneration produced and whether it was written."""

    plan: Plan
    diff: PlanDiff
    files: dict[str, str]
    written: bool
    removed: tuple[Path, ...]


def client_error(exc: PIWebAPIError, url: str, spec: DiscoverySpec) -> DiscoveryError:
    """Turn a client error into a DiscoveryError that names the cause and the fix."""
    if isinstance(exc, PINotFoundError):
        return DiscoveryError(
            f"not found on {url}: {exc}. Check --af-database {', '.join(spec.af_databases)} (a path like "
            "\\\\AFSERVER\\Database, as PI System Explorer shows it) and --data-server"
        )
    if isinstance(exc, PIAuthError):
        return DiscoveryError(
            f"PI Web API at {url} refused the credentials ({exc}): set PI_USERNAME and PI_PASSWORD (or the bearer / "
            "OIDC variables) for an account that can read the AF database"
        )
    if isinstance(exc, PIConnectionError):
        return DiscoveryError(
            f"cannot reach PI Web API at {url} ({exc}): check --pi-url, the network path and TLS trust "
            "(PI_CA_BUNDLE for a private CA)"
        )
    return DiscoveryError(f"PI Web API at {url} failed during discovery: {exc}")


def _previous(req: RegenerateRequest) -> Plan | None:
    try:
        return read_plan(req.bundle)
    except PlanFileError:
        if req.rebalance:  # the documented way out of a damaged plan: rewrite it
            return None
        raise


def discovery_spec(req: RegenerateRequest, previous: Plan | None) -> DiscoverySpec:
    """The request's discovery spec or, when it gives none at all, the one recorded in the previous plan."""
    if not req.discovery.is_empty():
        if not req.discovery.has_source:
            raise DiscoveryError(
                "filters were given without a source: add --af-database (or --point-filter); "
                "a run with no discovery flags at all repeats the plan's recorded discovery"
            )
        return req.discovery
    if previous is None or not previous.discovery:
        raise DiscoveryError("nothing to discover: pass --af-database (repeatable) and/or --point-filter")
    return DiscoverySpec.from_record(previous.discovery)


def request_settings(req: RegenerateRequest, spec: DiscoverySpec, previous: Plan | None) -> BundleSettings:
    """The settings of a request: given now, then recorded in the plan, then the contract's defaults."""
    given = {**req.settings}
    recorded = dict(previous.settings) if previous else {}
    if spec.af_databases and "af_database" not in recorded:
        given.setdefault("af_database", spec.af_databases[0])
    return resolve_settings(recorded, given)


def prepare(req: RegenerateRequest) -> tuple[Plan | None, DiscoverySpec, BundleSettings]:
    """Every check that needs no network: the cap, the previous plan, the discovery spec and the settings."""
    if req.tags_per_pipeline is not None:
        check_cap(req.tags_per_pipeline)
    if req.default_rate < 0:
        raise PlanConfigError(f"--default-rate must be 0 or more events/hour, got {req.default_rate}")
    previous = _previous(req)
    spec = discovery_spec(req, previous)
    return previous, spec, request_settings(req, spec, previous)


def fix_history_starts(tags: list, previous: Plan | None, history_start: str, now: datetime) -> list:
    """Tags already planned keep their history start; new ones start at `history_start` resolved against `now`."""
    known = {t.webid: t.since for p in previous.partitions for t in p.tags if t.since} if previous else {}
    begin = format_time(resolve_time(history_start, now))
    return [replace(t, since=known.get(t.webid, begin)) for t in tags]


def regenerate(req: RegenerateRequest, pi: PISource, progress: Progress | None = None) -> RegenerateResult:
    """Run the whole flow against `pi` and write the bundle unless `dry_run`; see the module docstring.

    Raises:
        PlanConfigError: bad cap or settings. PlanFileError: the plan on disk is damaged (without --rebalance).
        DiscoveryError / NoTagsError: PI Web API could not be read or nothing matched.
        BundleValidationError: the rendering failed validation (a bug or a broken bundle folder).
    """
    previous, spec, settings = prepare(req)
    cap = req.tags_per_pipeline or (previous.tags_per_pipeline if previous else DEFAULT_TAGS_PER_PIPELINE)
    try:
        now = pi.server_time()
        settings = anchor(settings, now)
        found = discover_tags(pi, spec, progress)
        known = (
            {}
            if req.rebalance or previous is None
            else {t.webid: t.events_per_hour for p in previous.partitions for t in p.tags}
        )
        tags = estimate_loads(
            found, known, pi if req.sample_rates else None, req.default_rate, req.sample_window, progress
        )
    except PIWebAPIError as exc:
        raise client_error(exc, settings.text("pi_url"), spec) from exc
    tags = fix_history_starts(tags, previous, settings.text("history_start"), now)
    plan = plan_partitions(tags, cap, previous, req.rebalance, spec.to_record(), dict(settings.chosen))
    rendered = render_bundle(plan, settings)
    overlay = _overlay(req.bundle, rendered.files)
    problems = validate_files(req.bundle, overlay, plan)
    if problems:
        raise BundleValidationError(problems)
    diff = diff_plans(previous, plan)
    if req.dry_run:
        return RegenerateResult(plan, diff, rendered.files, False, ())
    removed = write_bundle(req.bundle, rendered.files, dump_plan(plan))
    return RegenerateResult(plan, diff, rendered.files, True, tuple(removed))


def _overlay(root: Path, files: dict[str, str]) -> dict[str, str]:
    """The bundle as it will be after writing: files on disk, minus stale generated ones, plus the new files."""
    stale = {p.relative_to(root).as_posix() for p in stale_resources(root, files)}
    on_disk = {k: v for k, v in bundle_texts(root).items() if k not in stale}
    return {**on_disk, **files}
