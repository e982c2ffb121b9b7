"""The benchmark setting that puts every point at one known rate."""

from datetime import UTC, datetime, timedelta

from mock_server import MockSettings
from mock_server.archive import PlantArchive


def test_uniform_rate_sets_every_point_but_the_burst_point():
    archive = PlantArchive(MockSettings(tags=120, uniform_events_per_hour=3600))
    rates = {p.name: p.events_per_hour for p in archive.points()}
    assert {rate for name, rate in rates.items() if "Burst" not in name} == {3600.0}


def test_a_1_hz_point_holds_about_3600_events_an_hour():
    end = datetime(2026, 11, 1, 12, tzinfo=UTC)
    archive = PlantArchive(MockSettings(tags=50, uniform_events_per_hour=3600, clock="2026-11-01T12:00:00Z"))
    point = next(p for p in archive.points() if p.point_type in {"Float32", "Float64"})
    events = archive.recorded(point.webid, end - timedelta(hours=1), end)
    assert 3300 < len(events) < 3900
