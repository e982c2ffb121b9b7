"""OSI PI into Databricks: the PI Web API client, the record schema, and the types they share.

The names below load on first use, so `import osipi_lakeflow.contract` (the generator's and the notebook's way in)
costs neither the HTTP client nor pyarrow, and nothing here imports Spark. The Spark data sources
(`osipi_lakeflow.datasource`) and the pipeline support (`osipi_lakeflow.pipeline`) are imported on their own.

Example:
    >>> from osipi_lakeflow import PIWebAPI
    >>> with PIWebAPI("https://pi.example.com/piwebapi") as pi:  # doctest: +SKIP
    ...     table = pi.recorded(["F1DP..."], "*-1h", "*").to_table()
"""

from __future__ import annotations

from importlib import import_module as _import_module
from typing import Any as _Any

_EXPORTS = {
    "RECORDED_SCHEMA": "osipi_lakeflow.schema",
    "ClientConfig": "osipi_lakeflow.client",
    "PIAuthError": "osipi_lakeflow.errors",
    "PIConfigError": "osipi_lakeflow.errors",
    "PIConnectionError": "osipi_lakeflow.errors",
    "PINotFoundError": "osipi_lakeflow.errors",
    "PIResponseError": "osipi_lakeflow.errors",
    "PIWebAPI": "osipi_lakeflow.client",
    "PIWebAPIError": "osipi_lakeflow.errors",
    "RecordedRead": "osipi_lakeflow.client",
    "Watermark": "osipi_lakeflow.models",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> _Any:
    """Load a public name from its module on first use (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'osipi_lakeflow' has no attribute {name!r}")
    value = getattr(_import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
