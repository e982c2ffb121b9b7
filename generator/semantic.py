"""Checks the bundle schema cannot make: facts that span files, touch the disk, or concern secrets.

Each check takes the parsed documents (bundle-relative path -> YAML) and returns messages that name the file,
the problem and the fix.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from generator.jobs import MAX_TASKS_PER_JOB

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
_NAME_SUFFIXES = ("_key", "_scope")  # settings that name a secret (or its scope) rather than hold it
_SECRET_KEY = re.compile(r"(password|secret|token|credential)", re.IGNORECASE)
SECRET_ENV_VARS = ("PI_PASSWORD", "PI_BEARER_TOKEN", "PI_OIDC_CLIENT_SECRET")
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
    for kind in ("pipelines", "jobs"):
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
    """Pipeline source files must exist (paths are relative to the resource file); so must the package to install."""
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
        for dep in (spec.get("environment") or {}).get("dependencies") or []:
            if "${workspace.file_path}" in dep and not (root / "pyproject.toml").exists():
                out.append(
                    f"{name}: pipeline {key} installs the bundle root as a package, but {root} has no "
                    "pyproject.toml: generate into the repository root"
                )
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
        pid = (spec.get("configuration") or {}).get("osipi.partition_id")
        if pid is None:
            continue
        tables[f"pi_timeseries_{pid}"] += 1
        if key != f"osipi_timeseries_{pid}":
            out.append(f"{name}: pipeline {key} carries osipi.partition_id {pid}: {_REGEN}")
    out += [f"table {t} is written by {n} pipelines: {_REGEN}" for t, n in tables.items() if n > 1]
    return out


def check_configuration(docs: Docs) -> list[str]:
    """Pipeline configuration values must be strings: the service rejects others, Spark conf reads strings."""
    out = []
    for name, key, spec in _resources(docs, "pipelines"):
        for conf_key, value in (spec.get("configuration") or {}).items():
            if not isinstance(value, str):
                out.append(
                    f"{name}: pipeline {key} configuration {conf_key} is {type(value).__name__}, not a string: quote it"
                )
    return out


def check_no_secrets(docs: Docs, texts: Mapping[str, str], environ: Mapping[str, str] | None = None) -> list[str]:
    """No secret value in any file; messages never repeat the secret.

    Credential settings hold key names only, no URL carries a password, and the values of the PI credential
    environment variables appear nowhere.
    """
    env = os.environ if environ is None else environ
    out = []
    for name, key, spec in _resources(docs, "pipelines"):
        for conf_key in spec.get("configuration") or {}:
            if _SECRET_KEY.search(conf_key) and not conf_key.endswith(_NAME_SUFFIXES):
                out.append(
                    f"{name}: pipeline {key} configuration {conf_key} looks like a credential value: "
                    "store it in the secret scope and pass the key name in a *_key setting"
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


def check_ingestion_mode(docs: Docs) -> list[str]:
    """The rendered `continuous` flags must agree with the `ingestion_mode` variable they were rendered from."""
    bundle = docs.get("databricks.yml") or {}
    mode = ((bundle.get("variables") or {}).get("ingestion_mode") or {}).get("default")
    overriding = [
        t
        for t, spec in (bundle.get("targets") or {}).items()
        if "ingestion_mode" in ((spec or {}).get("variables") or {})
    ]
    out = [
        f"databricks.yml: target {t} overrides ingestion_mode, which is rendered into the resources: "
        "regenerate with --ingestion-mode instead"
        for t in overriding
    ]
    for name, key, spec in _resources(docs, "pipelines"):
        is_partition = "osipi.partition_id" in (spec.get("configuration") or {})
        if is_partition and spec.get("continuous") != (mode == "continuous"):
            out.append(
                f"{name}: pipeline {key} continuous={spec.get('continuous')} disagrees with ingestion_mode "
                f"{mode!r}: regenerate with --ingestion-mode {mode}"
            )
    return out
