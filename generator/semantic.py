"""Checks the bundle schema cannot make: facts that span files, touch the disk, or concern secrets.

Each check takes the parsed documents (bundle-relative path -> YAML) and returns messages that name the file,
the problem and the fix.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from generator.jobs import MAX_TASKS_PER_JOB
from generator.render import WHEEL
from osipi_lakeflow import contract

Docs = Mapping[str, Any]
_REF = re.compile(r"\$\{([^}]*)\}")
_BUNDLE_REFS = {"bundle.target", "bundle.name", "bundle.git.branch", "bundle.git.commit"}
_WORKSPACE_REFS = {
    "workspace.file_path",
    "workspace.root_path",
    "workspace.artifact_path",
    "workspace.state_path",
    "workspace.current_user.userName",
    "workspace.current_user.short_name",
    "workspace.host",
}
_SECRET_KEY = re.compile(r"(password|secret|token|credential)", re.IGNORECASE)
SECRET_ENV_VARS = tuple(c.env for m in contract.AUTH_METHODS.values() for c in m.credentials if c.secret)
_URL_WITH_USERINFO = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@\"']+:[^/\s@\"']+@", re.IGNORECASE)
_REGEN = "regenerate with `python -m generator generate` instead of editing generated files"


def _strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, f"{path}/{i}")
    elif isinstance(node, str):
        yield path, node


def _resources(docs: Docs, kind: str) -> Iterator[tuple[str, str, dict]]:
    """(file, key, definition) of every resource of `kind` (pipelines, jobs) in every file."""
    for name, doc in docs.items():
        for key, spec in ((doc or {}).get("resources") or {}).get(kind, {}).items():
            yield name, key, spec or {}


def check_unique_keys(docs: Docs) -> list[str]:
    """A resource key defined in two files is a CLI error at deploy time."""
    out = []
    for kind in ("pipelines", "jobs", "dashboards"):
        seen = Counter(key for _, key, _ in _resources(docs, kind))
        out += [
            f"resources.{kind}.{k} is defined {n} times: remove the duplicate file" for k, n in seen.items() if n > 1
        ]
    return out


def check_references(docs: Docs) -> list[str]:
    """Every `${...}` must name a declared variable, an existing resource, or a known bundle/workspace field."""
    variables = set(((docs.get("databricks.yml") or {}).get("variables") or {}).keys())
    keys = {kind: {k for _, k, _ in _resources(docs, kind)} for kind in ("pipelines", "jobs")}
    out = []
    for name, doc in docs.items():
        for where, text in _strings(doc):
            for ref in _REF.findall(text):
                parts = ref.split(".")
                if parts[0] == "var" and len(parts) == 2:
                    ok = parts[1] in variables
                elif parts[0] == "resources" and len(parts) == 4 and parts[1] in keys:
                    ok = parts[2] in keys[parts[1]]
                else:
                    ok = ref in _BUNDLE_REFS or ref in _WORKSPACE_REFS
                if not ok:
                    out.append(f"{name}{where}: reference ${{{ref}}} does not resolve: declare it or {_REGEN}")
    return out


def check_library_paths(docs: Docs, root: Path) -> list[str]:
    """Pipeline source files must exist (paths are relative to the resource file)."""
    out = []
    for name, key, spec in _resources(docs, "pipelines"):
        base = PurePosixPath(name).parent
        for lib in spec.get("libraries") or []:
            for kind in ("file", "notebook"):
                path = (lib.get(kind) or {}).get("path")
                if path and not (root / base / path).resolve().exists():
                    out.append(
                        f"{name}: pipeline {key} library {path} does not exist under {root}: add the source file"
                    )
    return out


def check_dashboards(docs: Docs, texts: Mapping[str, str], root: Path) -> list[str]:
    """A dashboard's `file_path` (relative to its resource file) is a dashboard document with datasets and pages.

    The file is looked up among the files about to be written first, then on disk.
    """
    out = []
    for name, key, spec in _resources(docs, "dashboards"):
        path = spec.get("file_path")
        if not path:
            out.append(f"{name}: dashboard {key} has no file_path: {_REGEN}")
            continue
        target = os.path.normpath(PurePosixPath(name).parent / path).replace(os.sep, "/")
        text = texts.get(target)
        if text is None and (root / target).is_file():
            text = (root / target).read_text(encoding="utf-8")
        try:
            document = json.loads(text) if text is not None else None
        except ValueError as exc:
            out.append(f"{name}: dashboard {key} file {target} is not JSON ({exc}): {_REGEN}")
            continue
        if not isinstance(document, dict) or not document.get("datasets") or not document.get("pages"):
            found = "missing" if text is None else "not a dashboard (no datasets or pages)"
            out.append(f"{name}: dashboard {key} file {target} is {found}: {_REGEN}")
    return out


def check_wheel_only(docs: Docs) -> list[str]:
    """Pipelines install the product wheel built by the bundle's artifact and nothing of the product besides.

    An editable install of the bundle folder would drag the application's dependencies (generator, mock server)
    onto serverless and miss the data source in the processes that unpickle it; the wheel carries the runtime only.
    """
    out = []
    bundle = docs.get("databricks.yml") or {}
    wheels = [a for a in (bundle.get("artifacts") or {}).values() if (a or {}).get("type") == "whl"]
    if not wheels:
        out.append(f"databricks.yml: no `whl` artifact builds the product wheel: {_REGEN}")
    for name, key, spec in _resources(docs, "pipelines"):
        deps = list((spec.get("environment") or {}).get("dependencies") or [])
        deps += [lib["whl"] for lib in spec.get("libraries") or [] if lib.get("whl")]
        if deps != [WHEEL]:
            installs = deps or "nothing"
            out.append(f"{name}: pipeline {key} installs {installs}, not only the product wheel {WHEEL}: {_REGEN}")
    return out


def check_names(docs: Docs) -> list[str]:
    """Pipeline names, event-log tables and partition tables must be unique, and partition ids match their keys."""
    out = []
    pipelines = list(_resources(docs, "pipelines"))
    for label, values in (
        ("pipeline name", [spec.get("name") for _, _, spec in pipelines]),
        ("event log table", [(spec.get("event_log") or {}).get("name") for _, _, spec in pipelines]),
        ("job name", [spec.get("name") for _, _, spec in _resources(docs, "jobs")]),
    ):
        out += [f"{label} {v} is used {n} times: {_REGEN}" for v, n in Counter(filter(None, values)).items() if n > 1]
    tables = Counter()
    for name, key, spec in pipelines:
        pid = (spec.get("configuration") or {}).get(contract.PARTITION_ID.conf_key)
        if pid is None:
            continue
        tables[contract.partition_table(pid)] += 1
        if key != contract.PIPELINE_KINDS[contract.TIMESERIES].resource_key(pid):
            out.append(f"{name}: pipeline {key} carries {contract.PARTITION_ID.conf_key} {pid}: {_REGEN}")
    out += [f"table {t} is written by {n} pipelines: {_REGEN}" for t, n in tables.items() if n > 1]
    return out


def check_configuration(docs: Docs) -> list[str]:
    """Every `osipi.*` value is a string its setting's parser accepts (a `${var.x}` through the variable's default).

    The same parsers run in the pipeline, so a bundle that passes here does not fail at the pipeline's start.
    """
    variables = {
        k: (v or {}).get("default") for k, v in ((docs.get("databricks.yml") or {}).get("variables") or {}).items()
    }
    known = {s.conf_key: s for s in contract.SETTINGS} | {k.conf_key: None for k in contract.PARTITION_KEYS}
    out = []
    for name, key, spec in _resources(docs, "pipelines"):
        kind = contract.kind_of_resource(key)
        for conf_key, value in (spec.get("configuration") or {}).items():
            if not isinstance(value, str):
                out.append(f"{name}: pipeline {key} configuration {conf_key} is {type(value).__name__}, not a string")
                continue
            if conf_key not in known:
                out.append(f"{name}: pipeline {key} configuration {conf_key} is not a setting of osipi: {_REGEN}")
                continue
            setting = known[conf_key]
            if setting is None:
                continue
            ref = _REF.fullmatch(value)
            text = variables.get(ref.group(1)[4:]) if ref and ref.group(1).startswith("var.") else value
            if isinstance(text, str) and "${" not in text:
                try:
                    setting.check(text)
                except contract.SettingError as error:
                    out.append(f"{name}: pipeline {key}: {error}")
        if kind is not None:
            wanted = {s.conf_key for s in contract.settings_for(kind.name)}
            missing = sorted(wanted - set(spec.get("configuration") or {}))
            if missing:
                out.append(f"{name}: pipeline {key} lacks configuration {', '.join(missing)}: {_REGEN}")
    return out


def check_no_secrets(docs: Docs, texts: Mapping[str, str], environ: Mapping[str, str] | None = None) -> list[str]:
    """No secret value in any file; messages never repeat the secret.

    No configuration key outside the contract looks like a credential (the contract's keys hold none), no URL
    carries a password, and the values of the PI credential environment variables appear nowhere.
    """
    env = os.environ if environ is None else environ
    out = []
    known = {s.conf_key for s in contract.SETTINGS} | {k.conf_key for k in contract.PARTITION_KEYS}
    for name, key, spec in _resources(docs, "pipelines"):
        for conf_key in spec.get("configuration") or {}:
            if conf_key not in known and _SECRET_KEY.search(conf_key):
                out.append(
                    f"{name}: pipeline {key} configuration {conf_key} looks like a credential value: "
                    "store it in the secret scope (the pipelines read it from there by key name)"
                )
    secrets = [(var, env[var]) for var in SECRET_ENV_VARS if len(env.get(var, "")) >= 4]
    for name, text in texts.items():
        if _URL_WITH_USERINFO.search(text):
            out.append(f"{name}: a URL carries user:password@: remove the credentials and use the secret scope")
        for var, value in secrets:
            if value in text:
                out.append(f"{name}: contains the value of ${var}: remove it; credentials live in the secret scope")
    return out


def check_jobs(docs: Docs) -> list[str]:
    """Jobs stay under the task limit, task keys are unique and every dependency names a task of the same job."""
    out = []
    for name, key, spec in _resources(docs, "jobs"):
        tasks = spec.get("tasks") or []
        if len(tasks) > MAX_TASKS_PER_JOB:
            out.append(f"{name}: job {key} has {len(tasks)} tasks, over the limit of {MAX_TASKS_PER_JOB}: {_REGEN}")
        task_keys = [t.get("task_key") for t in tasks]
        out += [f"{name}: job {key} task {t} is defined {n} times" for t, n in Counter(task_keys).items() if n > 1]
        for task in tasks:
            for dep in task.get("depends_on") or []:
                if dep.get("task_key") not in task_keys:
                    out.append(
                        f"{name}: job {key} task {task.get('task_key')} depends on unknown task "
                        f"{dep.get('task_key')}: {_REGEN}"
                    )
    return out


def _target_schema(bundle: dict, target: str) -> str:
    overrides = ((bundle.get("targets") or {}).get(target) or {}).get("variables") or {}
    default = ((bundle.get("variables") or {}).get("schema") or {}).get("default")
    return str(overrides.get("schema", default))


def check_targets(docs: Docs) -> list[str]:
    """Dev and prod live side by side: their own schemas (per user in dev), prod as a service principal."""
    bundle = docs.get("databricks.yml") or {}
    targets = bundle.get("targets") or {}
    out = []
    for name in ("dev", "prod"):
        if name not in targets:
            out.append(f"databricks.yml: target {name} is missing: {_REGEN}")
    if out:
        return out
    dev, prod = targets["dev"] or {}, targets["prod"] or {}
    if dev.get("mode") != "development" or prod.get("mode") != "production":
        out.append(f"databricks.yml: dev must use mode development and prod mode production: {_REGEN}")
    dev_schema, prod_schema = _target_schema(bundle, "dev"), _target_schema(bundle, "prod")
    if "${workspace.current_user.short_name}" not in dev_schema:
        out.append(
            f"databricks.yml: the dev schema {dev_schema!r} is shared by every developer: give it "
            f"${{workspace.current_user.short_name}}, or their deployments write each other's tables: {_REGEN}"
        )
    if dev_schema == prod_schema:
        out.append(f"databricks.yml: dev and prod write the same schema {prod_schema!r}: {_REGEN}")
    for _, key, spec in _resources(docs, "pipelines"):
        places = ((spec.get("schema"), "schema"), ((spec.get("event_log") or {}).get("schema"), "event log"))
        for field, where in places:
            if field != "${var.schema}":
                out.append(f"pipeline {key}: its {where} is {field!r}, not ${{var.schema}}: targets would share it")
    run_as = prod.get("run_as") or {}
    if not run_as.get("service_principal_name"):
        out.append(f"databricks.yml: the prod target has no run_as service_principal_name: {_REGEN}")
    if not (prod.get("workspace") or {}).get("root_path"):
        out.append(f"databricks.yml: the prod target has no workspace.root_path (one shared copy): {_REGEN}")
    if not prod.get("permissions"):
        out.append(f"databricks.yml: the prod target grants no permissions: {_REGEN}")
    return out
