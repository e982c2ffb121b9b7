r"""Check bundle files against the Databricks bundle JSON schema, offline.

The schema (databricks/cli `bundle/schema/jsonschema.json`) ships inside this package, in `bundle_schema/` with
its provenance, so validation works from a fresh clone and from the wheel. Its `\p{L}` patterns need the `regex`
package, so the `pattern` keyword is re-implemented with it. Each file is checked alone, as the CLI does for
included files; cross-file facts are `semantic.py`'s job.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import regex
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

BUNDLE_SCHEMA = Path(__file__).resolve().parent / "bundle_schema" / "databricks_bundle_schema.json"
"""The bundle JSON schema shipped with the generator (see bundle_schema/README.md for where it comes from)."""


@cache
def _compiled(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern)


def _pattern(validator: Any, pattern: str, instance: Any, schema: dict) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not _compiled(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_BundleValidator = validators.extend(Draft202012Validator, {"pattern": _pattern})


@cache
def load_validator(path: Path) -> Any:
    """A validator for the schema at `path` (cached: the schema is 900 KB)."""
    return _BundleValidator(orjson.loads(path.read_bytes()))


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    if not error.context:
        yield error
    for sub in error.context:
        yield from _leaves(sub)


def _interpolation_branch(error: ValidationError) -> bool:
    schema = error.schema if isinstance(error.schema, dict) else {}
    return str(schema.get("pattern", "")).startswith("\\$\\{")


def _explain(error: ValidationError) -> list[str]:
    """The specific messages of an error: `oneOf` failures hide the real ones deep in `context`."""
    leaves = list(_leaves(error))
    # every typed field also accepts a `${...}` string; that branch's failures are never the useful ones
    useful = [e for e in leaves if not _interpolation_branch(e)] or leaves
    out = []
    for leaf in useful:
        where = "/".join(str(p) for p in leaf.absolute_path) or "(root)"
        out.append(f"{where}: {leaf.message}")
    return sorted(set(out))


def schema_problems(name: str, document: Any, schema_path: Path) -> list[str]:
    """Schema findings for one parsed file, each prefixed with the file name."""
    validator = load_validator(schema_path)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{name}: {message}" for e in errors for message in _explain(e)]
