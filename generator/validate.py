"""Validate a bundle: every file against the bundle JSON schema, then the semantic checks, then the plan.

`validate_files` checks a set of texts (used before anything is written, so the overlay of new files on the
bundle is what gets checked); `validate_bundle` reads the bundle from disk and checks it the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml

from generator import semantic
from generator.errors import PlanFileError
from generator.jobs import timeseries_key
from generator.plan import PLAN_FILE, Plan, read_plan
from generator.render import BUNDLE_FILE, RESOURCES_DIR, load_yaml
from generator.schema_check import BUNDLE_SCHEMA, schema_problems
from osipi_lakeflow import contract, parsers


def bundle_texts(root: Path) -> dict[str, str]:
    """databricks.yml and resources/*.yml of the bundle at `root`, by bundle-relative POSIX path."""
    paths = [root / BUNDLE_FILE, *sorted((root / RESOURCES_DIR).glob("*.yml"))]
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in paths if p.exists()}


def check_plan_matches(docs: Mapping[str, object], plan: Plan) -> list[str]:
    """Each plan partition has exactly its resource file, carrying exactly its tags and their history starts."""
    out = []
    fix = "regenerate with `osipi generate` (resources must never be edited by hand)"
    wanted = {timeseries_key(p.id): p for p in plan.partitions}
    found = {}
    for name, doc in docs.items():
        for key, spec in (((doc or {}).get("resources") or {}).get("pipelines") or {}).items():
            if contract.kind_of_resource(key) is contract.PIPELINE_KINDS[contract.TIMESERIES]:
                found[key] = (name, spec or {})
    for key in sorted(set(wanted) - set(found)):
        out.append(f"plan partition {wanted[key].id} has no resources/{key}.pipeline.yml: {fix}")
    for key in sorted(set(found) - set(wanted)):
        out.append(f"{found[key][0]}: pipeline {key} is not in {PLAN_FILE}: {fix}")
    for key in sorted(set(found) & set(wanted)):
        name, spec = found[key]
        conf = spec.get("configuration") or {}
        part = wanted[key]
        if parsers.split_list(str(conf.get(contract.TAGS.conf_key, ""))) != tuple(t.webid for t in part.tags):
            out.append(f"{name}: {contract.TAGS.conf_key} differ from partition {part.id} in {PLAN_FILE}: {fix}")
        try:
            starts = parsers.tag_starts(str(conf.get(contract.TAG_STARTS.conf_key, "")))
        except ValueError:
            starts = {}
        if starts != {t.webid: t.since for t in part.tags}:
            out.append(
                f"{name}: {contract.TAG_STARTS.conf_key} differ from the history starts of partition {part.id} "
                f"in {PLAN_FILE}: {fix}"
            )
    return out


def validate_files(
    root: Path,
    texts: Mapping[str, str],
    plan: Plan | None = None,
    schema_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[str]:
    """All findings for `texts` (bundle-relative path -> YAML text) as they would sit in the bundle at `root`.

    `schema_path` overrides the schema shipped with the generator; an absent override is itself reported (with
    where it was looked for) and the other checks still run.
    """
    problems: list[str] = []
    docs: dict[str, object] = {}
    for name, text in texts.items():
        if not name.endswith(".yml"):  # a file a resource points at (the dashboard): checked through that resource
            continue
        try:
            docs[name] = load_yaml(text)
        except yaml.YAMLError as exc:
            problems.append(f"{name}: not valid YAML ({exc}): fix the syntax or regenerate")
    if BUNDLE_FILE not in docs:
        problems.append(f"{root / BUNDLE_FILE} is missing: run `python -m generator generate --bundle {root}`")
    schema = schema_path or BUNDLE_SCHEMA
    if schema.is_file():
        for name, doc in docs.items():
            problems += schema_problems(name, doc, schema)
    else:
        problems.append(
            f"bundle schema not found at {schema}: schema checks skipped; pass --schema-file with a copy of the "
            "Databricks CLI's bundle JSON schema, or leave it out to use the one shipped with the generator "
            "(semantic checks still ran)"
        )
    problems += semantic.check_unique_keys(docs)
    problems += semantic.check_references(docs)
    problems += semantic.check_library_paths(docs, root)
    problems += semantic.check_dashboards(docs, texts, root)
    problems += semantic.check_names(docs)
    problems += semantic.check_configuration(docs)
    problems += semantic.check_no_secrets(docs, texts, environ)
    problems += semantic.check_jobs(docs)
    problems += semantic.check_targets(docs)
    problems += semantic.check_wheel_only(docs)
    if plan is not None:
        problems += check_plan_matches(docs, plan)
    return problems


def validate_bundle(root: Path, schema_path: Path | None = None) -> list[str]:
    """All findings for the bundle on disk at `root`, including a damaged or mismatched plan file."""
    try:
        plan = read_plan(root)
    except PlanFileError as exc:
        return [str(exc)] + validate_files(root, bundle_texts(root), None, schema_path)
    return validate_files(root, bundle_texts(root), plan, schema_path)
