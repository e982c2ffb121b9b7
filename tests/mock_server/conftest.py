"""Fixtures: mocks on loopback (a shared frozen-clock one, and fresh ones for tests that change state)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from mock_helpers_pi import FROZEN

from mock_server import MockSettings
from mock_server.testing import RunningMock, running_mock


@pytest.fixture(scope="session")
def mock() -> Iterator[RunningMock]:
    """A read-only mock shared by the session: 400 tags, clock frozen at 2026-11-01T12:00:00Z."""
    with running_mock(MockSettings(tags=400, seed=11, clock=FROZEN)) as running:
        yield running


@pytest.fixture()
def fresh() -> Iterator[RunningMock]:
    """A mock of its own, for tests that move the clock or change faults."""
    with running_mock(MockSettings(tags=200, seed=5, clock=FROZEN, late_fraction=0.2)) as running:
        yield running


@pytest.fixture()
def http() -> Iterator[requests.Session]:
    """A session that sends X-Requested-With, as PI Web API clients must."""
    with requests.Session() as session:
        session.headers["X-Requested-With"] = "XmlHttpRequest"
        yield session
