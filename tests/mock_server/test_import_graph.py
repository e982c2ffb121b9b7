"""The mock's modules import each other without a circle (function-level imports included), and import nothing
from the product: a bug cannot hide on both sides."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "mock_server"
PRODUCT = ("osipi_lakeflow", "generator", "src")


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(path: Path, modules: frozenset[str] = frozenset()) -> set[str]:
    """Modules `path` imports, at module level or inside functions; `from package import module` names the module."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                names.add(full if full in modules else node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = frozenset(modules)
    return {name: {n for n in _imports(path, known) if n in known and n != name} for name, path in modules.items()}


def test_no_module_of_the_mock_imports_one_that_imports_it_back() -> None:
    graph = _graph()
    circles = []

    def walk(start: str, node: str, trail: tuple[str, ...]) -> None:
        for nxt in sorted(graph[node]):
            if nxt == start:
                circles.append(" -> ".join((*trail, nxt)))
            elif nxt not in trail and nxt > start:  # each circle once, from its smallest module
                walk(start, nxt, (*trail, nxt))

    for name in sorted(graph):
        walk(name, name, (name,))
    assert circles == []


def test_the_batch_route_does_not_import_the_dispatcher() -> None:
    assert "mock_server.dispatch" not in _graph()["mock_server.routes.batch"]


def test_the_mock_imports_nothing_from_the_product() -> None:
    offending = {
        name: sorted(n for n in _imports(path) if n.split(".")[0] in PRODUCT) for name, path in _modules().items()
    }
    assert {k: v for k, v in offending.items() if v} == {}
