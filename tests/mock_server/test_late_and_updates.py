"""Late events appear only as the server clock passes their arrival; stream updates deliver them; markers expire."""

from __future__ import annotations

from datetime import timedelta

import requests
from mock_helpers_pi import set_clock

from mock_server.pitime import TICKS_PER_SECOND, format_ticks, to_ticks


def _late_event(fresh):
    """(point index, event ticks, visible ticks) of a late event in the hour before the frozen clock."""
    archive = fresh.archive
    now = to_ticks(archive.now())
    for p in range(archive.plant.tags):
        events = archive.select(
            p, now - 3600 * TICKS_PER_SECOND, now - 600 * TICKS_PER_SECOND, now + 3600 * TICKS_PER_SECOND
        )
        late = (
            (events.visible > events.ticks) & (events.visible < now + 3000 * TICKS_PER_SECOND) & (events.visible > now)
        )
        if late.any():
            i = int(late.argmax())
            return p, int(events.ticks[i]), int(events.visible[i])
    raise AssertionError("no late event")


def _stamps(fresh, web_id: str, start: int) -> list[str]:
    answer = requests.get(
        f"{fresh.url}/streams/{web_id}/recorded",
        params={"startTime": format_ticks(start), "endTime": format_ticks(start), "maxCount": 100},
        timeout=10,
    )
    return [v["Timestamp"] for v in answer.json()["Items"]]


def test_late_event_appears_once_the_clock_passes_its_arrival(fresh) -> None:
    p, ticks, visible = _late_event(fresh)
    web_id = fresh.archive.point_webid(p)
    before = _stamps(fresh, web_id, ticks)
    set_clock(fresh, set=format_ticks(visible))
    after = _stamps(fresh, web_id, ticks)
    assert len(after) > len(before) and after == [format_ticks(ticks)] * len(after)


def test_ground_truth_follows_the_as_of_time(fresh) -> None:
    p, ticks, visible = _late_event(fresh)
    web_id = fresh.archive.point_webid(p)
    moment = fresh.archive.now()
    window = (moment - timedelta(hours=2), moment)
    before = fresh.archive.recorded(web_id, *window, as_of=moment)
    after = fresh.archive.recorded(web_id, *window, as_of=moment + timedelta(hours=1))
    assert len(after) > len(before)


def test_stream_updates_deliver_new_and_late_events(fresh, http) -> None:
    p, ticks, visible = _late_event(fresh)
    web_id = fresh.archive.point_webid(p)
    registered = http.post(f"{fresh.url}/streams/{web_id}/updates", timeout=10).json()
    assert registered["Status"] == "Succeeded" and registered["LatestMarker"].count("_") == 1
    set_clock(fresh, set=format_ticks(visible))
    update = http.get(f"{fresh.url}/streams/updates/{registered['LatestMarker']}", timeout=10).json()
    assert (
        update["RequestedMarker"] == registered["LatestMarker"] and update["LatestMarker"] != update["RequestedMarker"]
    )
    assert format_ticks(ticks) in [e["Timestamp"] for e in update["Events"]]
    assert all(e["Action"] == "Add" for e in update["Events"])


def test_stream_set_updates_register_and_retrieve_many(fresh, http) -> None:
    points = fresh.archive.points()[:3]
    registered = http.post(
        f"{fresh.url}/streamsets/updates", params=[("webId", p.webid) for p in points], timeout=10
    ).json()
    markers = [i["LatestMarker"] for i in registered["Items"]]
    set_clock(fresh, advance_seconds=300)
    answer = http.get(f"{fresh.url}/streamsets/updates", params=[("marker", m) for m in markers], timeout=10).json()
    assert [i["Source"] for i in answer["Items"]] == [p.webid for p in points]
    assert sum(len(i["Events"]) for i in answer["Items"]) > 0


def test_expired_marker_is_a_404(fresh, http) -> None:
    web_id = fresh.archive.points()[0].webid
    marker = http.post(f"{fresh.url}/streams/{web_id}/updates", timeout=10).json()["LatestMarker"]
    set_clock(fresh, advance_seconds=fresh.settings.marker_ttl_seconds + 1)
    answer = http.get(f"{fresh.url}/streams/updates/{marker}", timeout=10)
    assert answer.status_code == 404 and answer.json()["Errors"][0] == "Cache not found"


def test_registering_without_csrf_header_is_refused(fresh) -> None:
    web_id = fresh.archive.points()[0].webid
    assert requests.post(f"{fresh.url}/streams/{web_id}/updates", timeout=10).status_code == 403
