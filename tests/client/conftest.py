"""Shared fixtures: a mock PI Web API with faults on, served over real HTTP on loopback, and truth helpers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pyarrow as pa
import pytest

from mock_server import MockSettings
from mock_server.testing import RunningMock, running_mock
from osipi_lakeflow.client import ClientConfig

CLOCK = "2026-11-01T00:00:00Z"
FAULTS = {
    "fault_503": 0.08,
    "fault_429": 0.04,
    "fault_webexception": 0.04,
    "fault_item_error": 0.04,
    "fault_reset": 0.02,
}
FAST_RETRY = {"retries": 8, "backoff": 0.01, "backoff_max": 0.05, "max_tag_attempts": 8}


@pytest.fixture(scope="session")
def faulty_mock() -> Iterator[RunningMock]:
    """200 tags, the clock frozen at CLOCK, and every kind of fault on (seeded dice)."""
    with running_mock(MockSettings(seed=7, tags=200, clock=CLOCK, fault_seed=11, **FAULTS)) as mock:
        yield mock


@pytest.fixture(scope="session")
def clean_mock() -> Iterator[RunningMock]:
    """The same plant without faults, for discovery and error tests."""
    with running_mock(MockSettings(seed=7, tags=200, clock=CLOCK)) as mock:
        yield mock


def config(**changes: object) -> ClientConfig:
    """A client config that retries fast (tests do not wait out the mock's Retry-After: 1)."""
    return ClientConfig(**{**FAST_RETRY, **changes})


def sample_tags(mock: RunningMock, plain: int = 24) -> list[str]:
    """Plain tags plus every digital-state, string and burst point: each value shape is exercised."""
    points = mock.archive.points()
    chosen = [p for p in points if p.point_type in ("Float32", "Float64", "Int32")][:plain]
    chosen += [p for p in points if p.point_type == "Digital"][:4] + [p for p in points if p.point_type == "String"]
    chosen += [p for p in points if p.name == "DIAG.BurstEvents.PV"]
    return [p.webid for p in chosen]


def row_key(row: dict) -> tuple:
    """What one read row says about an event, in the ground truth's terms."""
    if row["state_name"] is not None:
        value: object = ("state", row["state_name"], row["state_code"], row["is_system_state"])
    elif row["value_string"] is not None:
        value = row["value_string"]
    else:
        value = row["value_double"]
    return (row["timestamp"], value, row["good"], row["questionable"], row["substituted"], row["annotated"])


def truth_key(event: dict) -> tuple:
    """The ground truth's event in the same terms as `row_key`."""
    value = event["value"]
    if isinstance(value, dict):
        value = ("state", value["Name"], value["Value"], value["IsSystem"])
    elif not isinstance(value, str):
        value = float(value)
    return (event["timestamp"], value, event["good"], event["questionable"], event["substituted"], event["annotated"])


def rows_by_tag(table: pa.Table) -> dict[str, list[tuple]]:
    """Rows per tag in the order they were read."""
    out: dict[str, list[tuple]] = {}
    for row in table.to_pylist():
        out.setdefault(row["tag_webid"], []).append(row_key(row))
    return out


def truth_by_tag(mock: RunningMock, tags: list[str], start, end) -> dict[str, list[tuple]]:
    """Ground truth per tag as of the mock's clock now."""
    now = mock.archive.now()
    return {t: [truth_key(e) for e in mock.archive.recorded(t, start, end, as_of=now)] for t in tags}


HOUR = timedelta(hours=1)
