"""Read pipeline resources of a bundle for local runs: variables resolved, library paths made absolute."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from osipi_lakeflow.errors import PIConfigError

_REF = re.compile(r"\$\{([A-Za-z0-9_.\-]+)\}")
LOCAL_TARGET = "local"


@dataclass(frozen=True)
class PipelineResource:
    """One pipeline resource, resolved for a local run."""

    key: str
    name: str
    schema: str
    configuration: Mapping[str, str]
    libraries: tuple[Path, ...]


def bundle_variables(bundle_dir: Path, overrides: Mapping[str, str]) -> dict[str, str]:
    """databricks.yml variable defaults, then `overrides` (unknown names are an error naming the known ones)."""
    path = bundle_dir / "databricks.yml"
    if not path.is_file():
        raise PIConfigError(f"no databricks.yml in {bundle_dir}: run `osipi generate` first or pass the bundle folder")
    declared = (yaml.safe_load(path.read_text()) or {}).get("variables") or {}
    values = {k: str(v.get("default", "")) if isinstance(v, dict) else str(v) for k, v in declared.items()}
    unknown = sorted(set(overrides) - set(values))
    if unknown:
        raise PIConfigError(f"unknown bundle variable(s) {unknown}; databricks.yml declares {sorted(values)}")
    values.update({k: str(v) for k, v in overrides.items()})
    return values


def resolve(text: str, variables: Mapping[str, str], bundle_dir: Path) -> str:
    """Replace `${var.x}`, `${bundle.target}` and `${workspace.*}` references; others are an error."""

    def sub(match: re.Match) -> str:
        ref = match.group(1)
        if ref.startswith("var."):
            name = ref[4:]
            if name not in variables:
                raise PIConfigError(f"${{{ref}}} is not declared under variables in databricks.yml")
            return resolve(variables[name], variables, bundle_dir)
        if ref == "bundle.target":
            return LOCAL_TARGET
        if ref.startswith("workspace."):
            return str(bundle_dir)
        raise PIConfigError(f"${{{ref}}} cannot be resolved in a local run (only var.*, bundle.target, workspace.*)")

    return _REF.sub(sub, text)


def _libraries(settings: dict, resource_file: Path, key: str) -> tuple[Path, ...]:
    paths = []
    for lib in settings.get("libraries") or []:
        spec = (lib.get("file") or lib.get("notebook") or {}).get("path") or (lib.get("glob") or {}).get("include")
        if not spec:
            continue
        path = (resource_file.parent / spec).resolve()
        if not path.is_file():
            raise PIConfigError(f"pipeline {key}: library {spec} not found (looked at {path})")
        paths.append(path)
    if not paths:
        raise PIConfigError(f"pipeline {key} in {resource_file.name} lists no library file")
    return tuple(paths)


def load_pipelines(
    bundle_dir: Path, variables: Mapping[str, str], overrides: Mapping[str, str] | None = None
) -> dict[str, PipelineResource]:
    """Every pipeline resource under resources/, by resource key; `overrides` replace configuration keys it has."""
    found: dict[str, PipelineResource] = {}
    for file in sorted((bundle_dir / "resources").glob("*.yml")):
        pipelines = ((yaml.safe_load(file.read_text()) or {}).get("resources") or {}).get("pipelines") or {}
        for key, settings in pipelines.items():
            conf = {
                str(k): resolve(str(v), variables, bundle_dir) for k, v in (settings.get("configuration") or {}).items()
            }
            conf.update({k: v for k, v in (overrides or {}).items() if k in conf})
            found[key] = PipelineResource(
                key=key,
                name=resolve(str(settings.get("name", key)), variables, bundle_dir),
                schema=resolve(str(settings.get("schema") or settings.get("target") or "osipi"), variables, bundle_dir),
                configuration=conf,
                libraries=_libraries(settings, file, key),
            )
    return found
