"""The alarms pipeline on the local engine over HTTP: alarms, notification rules and annotations equal PI's truth.

Two rounds, each the event-frame, AF and time-series pipelines first, then the alarms pipeline in a second
`run_pipelines` call (one call orders them the same way: the wheel-runtime test runs every pipeline at once). The
moment of the first round is picked from the mock's ground truth: an alarm not yet acknowledged then is
acknowledged before the second, and an alarm open then closes before it.
"""

import collections
import math
from datetime import datetime, timedelta

import pytest
import requests
from pipeline_truth import BUNDLE, T0, landed, micros

from mock_server import MockSettings
from mock_server.testing import running_mock
from osipi_app.local import run_pipelines

pytestmark = pytest.mark.spark

ADVANCE = timedelta(minutes=30)
FRAMES_SINCE = timedelta(days=1)  # event_frame_start "*-1d"
HISTORY = timedelta(hours=1)
BEFORE = ["osipi_timeseries_p0001", "osipi_event_frames", "osipi_af_hierarchy"]
LEVELS = {"None": 0, "Information": 1, "Warning": 2, "Minor": 3, "Major": 4, "Critical": 5}


def alarms_at(archive, at: datetime) -> dict[str, dict]:
    """Ground truth: the alarm frames the event-frame pipeline's window holds at `at`, by WebId."""
    found = archive.event_frames(at - FRAMES_SINCE, at, as_of=at)
    return {f["webid"]: f for f in found if f["template"] == "Alarm"}


def pick_moment(archive, start: datetime) -> datetime:
    """The first 5-minute mark after `start` where, within ADVANCE, an alarm is acknowledged and one closes."""
    for step in range(2 * 24 * 12):
        t0 = start + timedelta(minutes=5 * step)
        before, after = alarms_at(archive, t0), alarms_at(archive, t0 + ADVANCE)
        acked = [w for w, f in before.items() if not f["acknowledged"] and w in after and after[w]["acknowledged"]]
        closed = [w for w, f in before.items() if f["end"] is None and after[w]["end"] is not None]
        if acked and closed:
            return t0
    raise AssertionError("the mock should acknowledge and close alarms within two days")


def advance(mock, seconds: float) -> None:
    requests.post(f"{mock.root}/admin/clock", json={"advance_seconds": seconds}, timeout=10).raise_for_status()


@pytest.fixture(scope="module")
def mock():
    with running_mock(MockSettings(tags=200, seed=7, clock=T0.isoformat())) as m:
        yield m


@pytest.fixture(scope="module")
def rounds(mock, tmp_path_factory):
    """Both rounds; returns the moments, tags and what the alarm tables held after each round."""
    archive = mock.archive
    t0 = pick_moment(archive, T0)
    advance(mock, (t0 - T0).total_seconds())
    counts = {p.webid: len(archive.value_annotations(p.webid, t0 - HISTORY, t0, as_of=t0)) for p in archive.points()}
    tags = sorted(w for w, n in counts.items() if 0 < n <= 10)[:2]
    variables = {"pi_url": mock.url, "tags": ",".join(tags), "history_start": "*-1h", "event_frame_start": "*-1d"}
    warehouse = tmp_path_factory.mktemp("alarms")
    tables = ["pi_alarms", "pi_active_alarms", "pi_alarm_summary", "pi_notification_rules", "pi_annotations"]
    seen = []
    for _ in range(2):
        for keys in (BEFORE, ["osipi_alarms"]):
            for result in run_pipelines(BUNDLE, warehouse, pipelines=keys, variables=variables, timeout=600):
                assert result.ok, f"{result.key}: {result.error}; log {result.log}"
        seen.append({t: landed(warehouse, t) for t in tables})
        advance(mock, ADVANCE.total_seconds())
    advance(mock, -ADVANCE.total_seconds())
    return t0, t0 + ADVANCE, tags, seen, warehouse


def by_webid(rows: list[dict], key: str = "alarm_webid") -> dict[str, dict]:
    return {r[key]: r for r in rows}


def test_alarms_equal_ground_truth_once_each(rounds, mock):
    _, t1, _, seen, _ = rounds
    rows = seen[1]["pi_alarms"]
    truth = alarms_at(mock.archive, t1)
    truth.update({w: f for w, f in alarms_at(mock.archive, t1 - ADVANCE).items() if w not in truth})
    assert len(rows) == len(by_webid(rows)) == len(truth)
    for webid, row in by_webid(rows).items():
        f = truth[webid]
        assert (row["alarm_name"], row["template"], row["element_path"]) == (f["name"], "Alarm", f["element_path"])
        assert (row["severity"], row["severity_level"]) == (f["severity"], LEVELS[f["severity"]])
        assert row["trigger_attribute"] == "Trigger Value" and row["trigger_value"] is not None
        assert row["deleted_in_pi"] is False


def test_alarm_acknowledged_between_runs_shows_its_acknowledgement(rounds, mock):
    t0, t1, _, seen, _ = rounds
    before, after = by_webid(seen[0]["pi_alarms"]), by_webid(seen[1]["pi_alarms"])
    truth = alarms_at(mock.archive, t1)
    acked = [w for w, r in before.items() if not r["acknowledged"] and truth[w]["acknowledged"]]
    assert acked
    for webid in acked:
        row, f = after[webid], truth[webid]
        assert row["acknowledged"] and row["acknowledged_by"] == f["acknowledged_by"]
        assert micros(row["acknowledged_at"]) == micros(f["acknowledged_at"])
        expected = (f["acknowledged_at"] - f["start"]).total_seconds()
        assert row["seconds_to_acknowledge"] == pytest.approx(expected)


def test_alarm_closing_shows_its_end_and_duration_and_leaves_the_active_table(rounds, mock):
    t0, t1, _, seen, _ = rounds
    truth = alarms_at(mock.archive, t1)
    active_before = by_webid(seen[0]["pi_active_alarms"])
    active_after = by_webid(seen[1]["pi_active_alarms"])
    closed = [w for w in active_before if truth[w]["end"] is not None]
    assert closed
    after = by_webid(seen[1]["pi_alarms"])
    for webid in closed:
        f, row = truth[webid], after[webid]
        assert micros(row["end_time"]) == micros(f["end"]) and not row["is_active"]
        assert row["duration_seconds"] == pytest.approx((f["end"] - f["start"]).total_seconds())
        assert webid not in active_after
    open_now = {w for w, f in truth.items() if f["end"] is None}
    assert set(active_after) == open_now
    for webid, row in active_after.items():
        assert micros(row["as_of"]) == micros(t1)
        assert row["active_seconds"] == pytest.approx((t1 - truth[webid]["start"]).total_seconds())
    assert set(active_before) == {w for w, f in alarms_at(mock.archive, t0).items() if f["end"] is None}


def test_alarm_summary_equals_an_independent_count_of_the_ground_truth(rounds, mock):
    _, t1, _, seen, _ = rounds
    truth = alarms_at(mock.archive, t1)
    truth.update({w: f for w, f in alarms_at(mock.archive, t1 - ADVANCE).items() if w not in truth})
    expected = collections.defaultdict(lambda: [0, 0, 0.0, 0, 0.0])
    for f in truth.values():
        counts = expected[(f["element_path"], f["severity"])]
        counts[0] += 1
        counts[1] += f["end"] is None
        counts[2] += ((f["end"] or t1) - f["start"]).total_seconds()
        if f["acknowledged"]:
            counts[3] += 1
            counts[4] += (f["acknowledged_at"] - f["start"]).total_seconds()
    rows = seen[1]["pi_alarm_summary"]
    got = {(r["element_path"], r["severity"]): r for r in rows}
    assert set(got) == set(expected)
    for key, (count, active, total, acked, to_ack) in expected.items():
        r = got[key]
        assert (r["alarm_count"], r["active_count"], r["acknowledged_count"]) == (count, active, acked)
        assert r["total_active_seconds"] == pytest.approx(total)
        assert r["mean_active_seconds"] == pytest.approx(total / count)
        if acked:
            assert r["mean_seconds_to_acknowledge"] == pytest.approx(to_ack / acked)
        else:
            assert r["mean_seconds_to_acknowledge"] is None
        assert r["severity_level"] == LEVELS[key[1]] and micros(r["as_of"]) == micros(t1)


def _seconds(rule: dict) -> dict:
    """A ground-truth rule or subscriber with its timedeltas as `<name>_seconds`, as the table holds them."""
    return {
        (f"{k}_seconds" if isinstance(v, timedelta) else k): (
            v.total_seconds() if isinstance(v, timedelta) else [_seconds(s) for s in v] if k == "subscribers" else v
        )
        for k, v in rule.items()
    }


def test_notification_rules_land_typed_and_equal_ground_truth(rounds, mock):
    rows = sorted(rounds[3][1]["pi_notification_rules"], key=lambda r: r["path"])
    truth = [_seconds(r) for r in mock.archive.notification_rules()]
    assert rows and len(rows) == len(truth)
    for row, rule in zip(rows, truth, strict=True):
        assert row == rule
        assert isinstance(row["resend_interval_seconds"], float)
        assert all(isinstance(s["maximum_retries"], int) for s in row["subscribers"])


def test_annotations_of_frames_and_values_equal_ground_truth(rounds, mock):
    _, t1, tags, seen, _ = rounds
    archive = mock.archive
    rows = seen[1]["pi_annotations"]
    frames = [f for f in archive.event_frames(t1 - ADVANCE - FRAMES_SINCE, t1, as_of=t1) if f["annotated"]]
    expected = [dict(a, owner_kind="event_frame") for f in frames for a in archive.frame_annotations(f["webid"], t1)]
    start = t1 - ADVANCE - HISTORY
    expected += [dict(a, owner_kind="value") for w in tags for a in archive.value_annotations(w, start, t1, as_of=t1)]
    assert any(a["owner_kind"] == "value" for a in expected) and any(a["owner_kind"] == "event_frame" for a in expected)

    def key(a: dict) -> tuple:
        return (a["owner_kind"], a["owner_webid"], a["id"])

    def comparable(a: dict) -> dict:
        return {k: micros(v) if isinstance(v, datetime) else v for k, v in a.items()}

    assert sorted(map(comparable, rows), key=key) == sorted(map(comparable, expected), key=key)
    assert all(isinstance(r["creation_date"], datetime) for r in rows)
    assert not any(isinstance(v, float) and math.isnan(v) for r in rows for v in r.values())


def test_a_server_before_2018_leaves_the_rules_empty_and_the_pipeline_ok(rounds):
    """The same plant on a PI Web API 2017 R2: the alarms run succeeds, no rules, the other tables still there."""
    _, t1, tags, _, warehouse = rounds
    with running_mock(MockSettings(tags=200, seed=7, clock=t1.isoformat(), release="2017 R2")) as old:
        variables = {"pi_url": old.url, "tags": ",".join(tags), "event_frame_start": "*-1d"}
        (result,) = run_pipelines(BUNDLE, warehouse, pipelines=["osipi_alarms"], variables=variables, timeout=600)
    assert result.ok, f"{result.error}; log {result.log}"
    engine_log = (result.log.parent / "engine.log").read_text()  # Spark's Python workers log there
    assert engine_log.count("PI Web API 2018 or later needed") == 1
    assert landed(warehouse, "pi_notification_rules") == []
    assert landed(warehouse, "pi_alarms") and landed(warehouse, "pi_annotations")
