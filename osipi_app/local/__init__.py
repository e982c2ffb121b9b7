"""The local runtime: bundle pipelines on open-source Spark Declarative Pipelines (pyspark 4.3).

Its names load on first use, so the engine process (`python -m osipi_app.local.worker`) imports nothing but
pyspark and the library: it runs in an environment holding only the product wheel and pyspark.
"""

from __future__ import annotations

from importlib import import_module as _import_module
from typing import Any as _Any

_EXPORTS = {
    "LandedTable": "osipi_app.local.tables",
    "RunResult": "osipi_app.local.runner",
    "export_through_engine": "osipi_app.local.runner",
    "list_tables": "osipi_app.local.tables",
    "open_table": "osipi_app.local.tables",
    "run_pipelines": "osipi_app.local.runner",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> _Any:
    """Load a public name from its module on first use (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'osipi_app.local' has no attribute {name!r}")
    return getattr(_import_module(_EXPORTS[name]), name)
