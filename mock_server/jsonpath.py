"""The JSONPath subset the batch controller uses: `$.Id.Content.Items[0].WebId`, `[*]`, `['name']`."""

from __future__ import annotations

import re
from typing import Any

_TOKEN = re.compile(r"\.([^.\[\]]+)|\[(\d+|\*)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")


class JSONPathError(ValueError):
    """A path that cannot be parsed or selects nothing."""


def parse(path: str) -> list[str | int]:
    """Steps of a path starting with `$`."""
    if not path.startswith("$"):
        raise JSONPathError(f"'{path}' is not a JSONPath; it must start with '$', e.g. $.1.Content.WebId")
    steps: list[str | int] = []
    position = 1
    while position < len(path):
        match = _TOKEN.match(path, position)
        if not match:
            raise JSONPathError(f"cannot parse JSONPath '{path}' at position {position}")
        name, index, quoted, dquoted = match.groups()
        if index is not None:
            steps.append("*" if index == "*" else int(index))
        else:
            steps.append(name if name is not None else quoted if quoted is not None else dquoted)
        position = match.end()
    return steps


def select(document: Any, path: str) -> list[Any]:
    """Every value the path selects (a `[*]` step fans out); object keys match case-insensitively."""
    current = [document]
    for step in parse(path):
        following = []
        for value in current:
            if step == "*":
                following.extend(
                    value if isinstance(value, list) else list(value.values()) if isinstance(value, dict) else []
                )
            elif isinstance(step, int):
                if isinstance(value, list) and -len(value) <= step < len(value):
                    following.append(value[step])
            elif isinstance(value, dict):
                key = step if step in value else next((k for k in value if k.lower() == step.lower()), None)
                if key is not None:
                    following.append(value[key])
        current = following
    if not current:
        raise JSONPathError(f"JSONPath '{path}' selected nothing")
    return current
