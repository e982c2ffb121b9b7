"""Archive behaviours: all off by default, switched at run time through `/admin/behaviours` (validated: a 400
naming the bad field), deterministic from the seed, and leaving unaffected events exactly as they were."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import requests
from mock_helpers_pi import FROZEN, put_behaviours

from mock_server import MockSettings
from mock_server.archive import PlantArchive
from mock_server.pitime import TICKS_PER_HOUR, parse_iso
from mock_server.testing import running_mock

NOW = parse_iso(FROZEN)
REPO = Path(__file__).resolve().parents[2]
OFF = {
    "edit_fraction": 0.0,
    "edit_delay": [60.0, 259200.0],
    "delete_fraction": 0.0,
    "delete_delay": [60.0, 259200.0],
    "snapshot_discard_fraction": 0.0,
    "error_value_fraction": 0.0,
    "null_value_fraction": 0.0,
    "nonfinite_fraction": 0.0,
    "nan_format": "string",
    "int64_frame_fraction": 0.0,
    "frame_delete_fraction": 0.0,
    "frame_delete_delay": [600.0, 172800.0],
    "denied_points": [],
    "conflict_points": [],
    "vanished_points": [],
    "vanish_at": None,
    "missing_routes": [],
}
ON = {
    "edit_fraction": 0.2,
    "delete_fraction": 0.1,
    "snapshot_discard_fraction": 0.1,
    "error_value_fraction": 0.05,
    "null_value_fraction": 0.05,
    "nonfinite_fraction": 0.05,
    "int64_frame_fraction": 0.5,
}


def _recorded(mock, webids: list[str]) -> bytes:
    params = [("webId", w) for w in webids] + [("startTime", "*-3h"), ("maxCount", "3000")]
    answer = requests.get(f"{mock.url}/streamsets/recorded", params=params, timeout=30)
    assert answer.status_code == 200
    return answer.content


def test_every_behaviour_is_off_by_default() -> None:
    with running_mock(MockSettings(tags=120, seed=5, clock=FROZEN)) as mock:
        behaviours = requests.get(f"{mock.root}/admin/behaviours", timeout=10).json()
        assert {k: behaviours[k] for k in OFF} == OFF
        archive = mock.archive
        assert not archive.rules.active and not archive.behaviour.changes and not archive.behaviour.odd
        for point in archive.points()[:40]:
            for hour in range(NOW // TICKS_PER_HOUR - 3, NOW // TICKS_PER_HOUR + 1):
                held = archive.hour(point.index, hour)
                assert held.changes is None and (held.events.system >= 0).all()
                assert np.isfinite(held.events.values).all()
            changes = archive.changes(point.webid, NOW - 3 * TICKS_PER_HOUR, NOW)
            assert {(c["action"], c["previous_event_action"]) for c in changes} <= {("Add", "PreviousEventArchived")}
        frames = archive.event_frames(archive.now().replace(hour=0), archive.now())
        assert frames and all("SequenceNumber" not in f["attributes"] for f in frames)
        body = _recorded(mock, [p.webid for p in archive.points()[:40]])
        assert (
            b'"Errors"' not in body and b'"Value":null' not in body and b"NaN" not in body and b"Infinity" not in body
        )


def test_switching_on_and_off_at_run_time_restores_the_same_bytes() -> None:
    with running_mock(MockSettings(tags=120, seed=5, clock=FROZEN)) as mock:
        webids = [p.webid for p in mock.archive.points()[:30]]
        plain = _recorded(mock, webids)
        assert put_behaviours(mock, **ON, nan_format="symbol").status_code == 200
        changed = _recorded(mock, webids)
        assert changed != plain
        assert put_behaviours(mock, **{k: OFF[k] for k in ON}, nan_format="string").status_code == 200
        assert _recorded(mock, webids) == plain


def test_edits_keep_every_timestamp_and_only_touch_the_edited_events() -> None:
    plain = PlantArchive(MockSettings(tags=120, seed=5, clock=FROZEN))
    edited = PlantArchive(MockSettings(tags=120, seed=5, clock=FROZEN, edit_fraction=0.2, edit_delay=(1, 1)))
    hours = 3 * TICKS_PER_HOUR
    for point in plain.points()[:20]:
        before = plain.recorded(point.webid, NOW - hours, NOW)
        after = edited.recorded(point.webid, NOW - hours, NOW)
        assert [r["timestamp"] for r in before] == [r["timestamp"] for r in after]
        differ = [a for b, a in zip(before, after, strict=True) if a != b]
        assert all(a["substituted"] and a["good"] for a in differ)
        assert len(differ) <= 0.35 * len(after) + 3


def test_behaviours_are_deterministic_from_the_seed() -> None:
    def sample(seed: int) -> list:
        archive = PlantArchive(MockSettings(tags=120, seed=seed, clock=FROZEN, **ON))
        point = next(p for p in archive.points() if p.events_per_hour >= 360 and p.point_type == "Float64")
        truth = archive.recorded(point.webid, NOW - 2 * TICKS_PER_HOUR, NOW)
        changes = archive.changes(point.webid, NOW - 2 * TICKS_PER_HOUR, NOW + 4 * TICKS_PER_HOUR)
        return [repr(r) for r in truth + changes]  # repr: NaN compares equal to itself there

    assert sample(5) == sample(5)
    assert sample(5) != sample(6)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"edit_fraction": 2}, "edit_fraction"),
        ({"edit_delay": [0, 60]}, "edit_delay"),
        ({"delete_delay": [600, 60]}, "delete_delay"),
        ({"snapshot_discard_fraction": -0.1}, "snapshot_discard_fraction"),
        ({"nan_format": "bare"}, "nan_format"),
        ({"denied_points": ["NO.SUCH.TAG"]}, "denied_points"),
        ({"conflict_points": ["F1DPnotaWebId"]}, "conflict_points"),
        ({"vanished_points": ["\\\\PISRV01\\NO.SUCH.TAG"]}, "vanished_points"),
        ({"vanish_at": "soon"}, "vanish_at"),
        ({"missing_routes": ["/no/such/route"]}, "missing_routes"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_behaviour_changes_are_a_400_naming_the_field(change, field) -> None:
    with running_mock(MockSettings(tags=40, seed=5, clock=FROZEN)) as mock:
        before = requests.get(f"{mock.root}/admin/behaviours", timeout=10).json()
        refused = put_behaviours(mock, **change)
        assert refused.status_code == 400 and field in refused.json()["detail"]
        assert requests.get(f"{mock.root}/admin/behaviours", timeout=10).json() == before


def test_points_are_named_by_name_path_or_webid() -> None:
    with running_mock(MockSettings(tags=40, seed=5, clock=FROZEN)) as mock:
        a, b, c = mock.archive.points()[:3]
        change = {"denied_points": [a.name.lower()], "conflict_points": [b.path], "vanished_points": [c.webid]}
        assert put_behaviours(mock, **change).status_code == 200
        assert [mock.archive.point_status(p.webid) for p in (a, b, c)] == ["denied", "conflict", "vanished"]


def test_the_cli_refuses_an_unknown_point_with_exit_code_2() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mock_server", "--port", "0", "--tags", "20", "--denied-points", '["NO.SUCH.TAG"]'],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().count("\n") == 0 and "denied_points" in done.stderr
