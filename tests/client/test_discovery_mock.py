"""Discovery against the mock over HTTP: servers, points, AF hierarchy, attributes, event frames."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from osipi_lakeflow.client import EVENT_FRAME_VALUE_SCHEMA, PIWebAPI
from osipi_lakeflow.errors import PINotFoundError
from tests.client.conftest import HOUR, config

DB_PATH = r"\\PIAF01\Plant"


@pytest.fixture(scope="module")
def pi(clean_mock):
    with PIWebAPI(clean_mock.url, config=config(page_size=37, tags_per_request=9)) as client:
        yield client


def test_data_server_and_its_clock(pi):
    server = pi.data_server("pisrv01")
    assert server.name == "PISRV01"
    assert pi.server_time() == datetime(2026, 11, 1, tzinfo=UTC)


def test_unknown_data_server_lists_the_known_ones(pi):
    with pytest.raises(PINotFoundError, match="PISRV01"):
        pi.data_server("NOPE")


def test_points_page_through_everything(pi, clean_mock):
    names = [p.name for p in pi.points()]  # 200 points, pages of 37
    assert sorted(names) == sorted(p.name for p in clean_mock.archive.points())
    assert len(names) == len(set(names))


def test_points_name_filter(pi, clean_mock):
    found = {p.name for p in pi.points("PISRV01", name_filter="*.State")}
    assert found and found == {p.name for p in clean_mock.archive.points() if p.name.endswith(".State")}


def test_asset_database_and_a_helpful_miss(pi):
    assert DB_PATH in [db.path for db in pi.asset_databases()]
    assert pi.asset_database(DB_PATH).name == "Plant"
    with pytest.raises(PINotFoundError, match=r"\\\\PIAF01\\Plant"):
        pi.asset_database(r"\\PIAF01\Nope")


def test_full_hierarchy_search_equals_the_walk(pi):
    searched = {e.path for e in pi.elements(DB_PATH)}
    walked = [e for e in pi.walk_elements(DB_PATH)]
    assert searched == {e.path for e in walked} and len(walked) == len(searched) > 10
    assert all(e.parent_path is None or e.parent_path in searched for e in walked)


def test_template_filter(pi):
    elements = list(pi.elements(DB_PATH))
    template = next(e.template for e in elements if e.template)
    filtered = list(pi.elements(DB_PATH, template_name=template))
    assert filtered and {e.webid for e in filtered} == {e.webid for e in elements if e.template == template}


def test_pi_point_attributes_map_to_real_points(pi, clean_mock):
    elements = list(pi.elements(DB_PATH))
    attributes = list(pi.attributes(elements, pi_points_only=True))
    point_webids = {p.webid for p in clean_mock.archive.points()}
    assert attributes and all(a.point_webid in point_webids for a in attributes)
    referenced = {p.webid for p in clean_mock.archive.points() if p.referenced}
    assert {a.point_webid for a in attributes} == referenced
    assert {a.owner_webid for a in attributes} <= {e.webid for e in elements}


def test_all_attributes_include_non_pi_point_ones(pi):
    elements = list(pi.elements(DB_PATH))[:20]
    every = list(pi.attributes(elements))
    assert len(every) >= len([a for a in every if a.point_webid])


def test_element_templates(pi):
    templates = pi.element_templates(DB_PATH)
    assert templates and all("Name" in t for t in templates)


def test_event_frames_attributes_and_values(pi, clean_mock):
    now = clean_mock.archive.now()
    frames = list(pi.event_frames(DB_PATH, start=now - 24 * HOUR, end=now))
    assert frames and all(f.start <= now for f in frames)
    assert all(f.end is None or f.end >= f.start for f in frames)
    element_webids = {e.webid for e in pi.elements(DB_PATH)}
    assert all(f.ref_element_webids and set(f.ref_element_webids) <= element_webids for f in frames)
    some = frames[:5]
    attributes = list(pi.event_frame_attributes(some))
    assert {a.owner_webid for a in attributes} <= {f.webid for f in some}
    values = pi.event_frame_values(some)
    assert values.schema == EVENT_FRAME_VALUE_SCHEMA and values.num_rows > 0
    assert set(values.column("event_frame_webid").to_pylist()) <= {f.webid for f in some}


def test_event_rates_follow_the_plant(pi, clean_mock):
    points = clean_mock.archive.points()[:10]
    rates = pi.event_rates([p.webid for p in points], "*-2h")
    for p in points:
        assert rates[p.webid] == pytest.approx(p.events_per_hour, rel=0.35, abs=3)


def test_event_frames_filter_by_template_and_search_mode(pi, clean_mock):
    now = clean_mock.archive.now()
    frames = list(pi.event_frames(DB_PATH, start=now - 24 * HOUR, end=now))
    template = frames[0].template
    by_template = list(pi.event_frames(DB_PATH, start=now - 24 * HOUR, end=now, template_name=template))
    assert by_template and all(f.template == template for f in by_template)
    inside = list(pi.event_frames(DB_PATH, start=now - 24 * HOUR, end=now, search_mode="Inclusive"))
    assert all(f.end is not None and f.start >= now - 24 * HOUR and f.end <= now for f in inside)
    assert len(inside) <= len(frames)


def test_point_names_come_back_by_webid_and_skip_unknown_ones(pi, clean_mock):
    points = clean_mock.archive.points()[:150]
    unknown = "F1DPnotAAAAAAAAAAAAAAAAAAAAAUElTUlYwMVxOT1BF"
    names = pi.point_names([p.webid for p in points] + [unknown])
    assert names == {p.webid: p.name for p in points}
