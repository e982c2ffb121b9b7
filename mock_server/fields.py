"""`selectedFields` projection: keep only the listed dotted paths of a response, as PI Web API does.

`Items.Timestamp;Items.Value` keeps those two fields in every element of `Items`; a path that names an object
keeps it whole; unknown names are silently ignored (PI Web API's documented behaviour). Matching is
case-insensitive.
"""

from __future__ import annotations

from typing import Any

Tree = dict[str, "Tree"]
"""Selected paths as a tree of lower-case names; an empty subtree means "keep everything below"."""


def parse(selected: str | None) -> Tree | None:
    """The tree of a `selectedFields` value; None when the parameter is absent or blank (keep everything)."""
    if not selected or not selected.strip():
        return None
    tree: Tree = {}
    for path in selected.split(";"):
        names = [n.strip().lower() for n in path.split(".") if n.strip()]
        if not names:
            continue
        node = tree
        for position, name in enumerate(names):
            if name in node and not node[name]:
                break  # an ancestor is already selected whole
            if position == len(names) - 1:
                node[name] = {}
            else:
                node = node.setdefault(name, {})
    return tree


def project(value: Any, tree: Tree | None) -> Any:
    """`value` with only the selected fields (arrays are projected element by element)."""
    if tree is None or not tree:
        return value
    if isinstance(value, dict):
        return {k: project(v, tree[k.lower()]) for k, v in value.items() if k.lower() in tree}
    if isinstance(value, list):
        return [project(v, tree) for v in value]
    return value


def descend(tree: Tree | None, *names: str) -> Tree | None:
    """The subtree at `names` (None = everything selected there); raises KeyError when that path is not selected."""
    node = tree
    for name in names:
        if not node:
            return None
        node = node[name]
    return node or None
