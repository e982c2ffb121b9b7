"""Render a plan and settings into bundle files: databricks.yml and resources/*.yml, as text in memory.

What each file says is decided here, from the contract (`osipi_lakeflow.contract`): the bundle variables, every
pipeline's `configuration` keys, its tables and source file. The templates only lay that out as YAML, so they
spell no setting, key or table name of their own. Rendering is strict (an undefined template variable is an error)
and every file is parsed back as YAML before it is returned, so a quoting bug fails here and not at
`databricks bundle deploy`. Scalars go through `tojson`: JSON is valid YAML, so names and WebIds can never break
the document.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import yaml
from jinja2 import Environment, PackageLoader, StrictUndefined

from generator import dashboard
from generator.errors import GeneratorError
from generator.jobs import layout_jobs
from generator.plan import Partition, Plan
from generator.settings import BundleSettings
from osipi_lakeflow import contract, parsers

RESOURCES_DIR = "resources"
BUNDLE_FILE = "databricks.yml"
GENERATED_GLOBS = ("osipi_timeseries_*.pipeline.yml", "osipi_ingest*.job.yml", "osipi_live*.job.yml")
"""Resource files the generator owns by pattern: any of them not in the new rendering is stale and removed."""
WHEEL = "../dist/*.whl"
"""The product wheel built by the bundle's artifact, relative to a resource file (the CLI uploads it)."""

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster on 1,000 files


def load_yaml(text: str) -> object:
    """Parse YAML safely (with libyaml when installed)."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader


_ENV = Environment(
    loader=PackageLoader("generator", "templates"),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    autoescape=False,  # YAML, not HTML: scalars are escaped by `tojson`
)
# JSON strings are YAML double-quoted scalars; Jinja's own tojson would also escape ' < > & for HTML
_ENV.filters["tojson"] = lambda value: json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class RenderedBundle:
    """Bundle-relative POSIX path -> file text, in sorted path order."""

    files: dict[str, str]

    def resource_paths(self) -> list[str]:
        """Paths of the rendered resources/*.yml files."""
        return [p for p in self.files if p.startswith(RESOURCES_DIR + "/")]


@dataclass(frozen=True, slots=True)
class PipelineSpec:
    """What one pipeline resource holds, decided from the contract; the template only lays it out."""

    key: str
    kind: contract.PipelineKind
    configuration: dict[str, str]
    tables: tuple[str, ...]
    event_log: str
    doc: str
    tags: dict[str, str]


def _render(template: str, name: str, **context: object) -> str:
    text = _ENV.get_template(template).render(**context)
    try:
        load_yaml(text)
    except yaml.YAMLError as exc:  # a template bug, never the operator's input
        raise GeneratorError(f"template {template} rendered invalid YAML for {name}: {exc}") from exc
    return text


def pipeline_configuration(kind: str, settings: BundleSettings, partition: Partition | None = None) -> dict[str, str]:
    """A pipeline's `configuration`: every setting of its kind (bundle variables by reference), then the partition."""
    conf = {
        s.conf_key: f"${{var.{s.name}}}" if s.variable else settings.text(s.name) for s in contract.settings_for(kind)
    }
    if partition is not None:
        conf[contract.PARTITION_ID.conf_key] = partition.id
        conf[contract.TAGS.conf_key] = parsers.join_list([t.webid for t in partition.tags])
        conf[contract.TAG_STARTS.conf_key] = parsers.format_tag_starts({t.webid: t.since for t in partition.tags})
    return conf


def pipeline_spec(kind: str, settings: BundleSettings, partition: Partition | None = None) -> PipelineSpec:
    """The resource of one pipeline of `kind` (a partition's, for the time-series kind)."""
    spec = contract.PIPELINE_KINDS[kind]
    pid = partition.id if partition else None
    key = spec.resource_key(pid)
    doc = spec.doc
    if partition is not None:
        count = f"{len(partition.tags)} tag" + ("s" if len(partition.tags) != 1 else "")
        doc = f"partition {partition.id}: {count}, about {partition.load:.1f} events/hour"
    return PipelineSpec(
        key=key,
        kind=spec,
        configuration=pipeline_configuration(kind, settings, partition),
        tables=spec.tables_of(pid),
        event_log=contract.event_log_table(key),
        doc=doc,
        tags={"osipi_partition": pid} if pid else {},
    )


def bundle_variables(settings: BundleSettings) -> list[dict[str, str | None]]:
    """The bundle variables: every contract setting marked `variable`, its default the chosen or default value."""
    out = []
    for s in contract.SETTINGS:
        if s.variable:
            default = settings.chosen.get(s.name, s.default)
            out.append({"name": s.name, "description": s.doc, "default": default})
    return out


def render_bundle(plan: Plan, settings: BundleSettings) -> RenderedBundle:
    """Render every generated file of the bundle for `plan`."""
    common = {"s": settings, "wheel": WHEEL, "serverless": settings.value("serverless")}
    files: dict[str, str] = {
        BUNDLE_FILE: _render(
            "databricks.yml.j2", BUNDLE_FILE, variables=bundle_variables(settings), schema=settings.text("schema")
        )
    }
    specs = [pipeline_spec(contract.TIMESERIES, settings, part) for part in plan.partitions]
    specs += [pipeline_spec(kind, settings) for kind in contract.PIPELINE_KINDS if kind != contract.TIMESERIES]
    for spec in specs:
        path = f"{RESOURCES_DIR}/{spec.key}.pipeline.yml"
        files[path] = _render("pipeline.yml.j2", path, p=spec, **common)
    continuous = settings.value("ingestion_mode") == "continuous"
    for job in layout_jobs(plan, continuous, settings.value("max_parallel_pipelines")):
        path = f"{RESOURCES_DIR}/{job.key}.job.yml"
        files[path] = _render("job.yml.j2", path, job=job, view=contract.TIMESERIES_VIEW, wheel=WHEEL)
    path = f"{RESOURCES_DIR}/{dashboard.DASHBOARD_KEY}.dashboard.yml"
    files[path] = _render(
        "dashboard.yml.j2", path, key=dashboard.DASHBOARD_KEY, title=dashboard.TITLE,
        file_path=f"../{dashboard.DASHBOARD_FILE}",
    )  # fmt: skip
    files[dashboard.DASHBOARD_FILE] = dashboard.dashboard_json(plan)
    return RenderedBundle(dict(sorted(files.items())))
