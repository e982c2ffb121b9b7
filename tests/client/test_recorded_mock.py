"""Recorded reads against the mock over HTTP with faults on: exactly the ground truth, failures per tag."""

from __future__ import annotations

import pytest

from mock_server import MockSettings
from mock_server.testing import running_mock
from osipi_lakeflow.client import PIWebAPI
from osipi_lakeflow.errors import PIConfigError, PIWebAPIError
from osipi_lakeflow.models import Watermark
from osipi_lakeflow.schema import RECORDED_SCHEMA
from tests.client.conftest import CLOCK, HOUR, config, rows_by_tag, sample_tags, truth_by_tag

MINUTE = HOUR / 60

METHODS = ["batch", "streamsets"]


@pytest.mark.parametrize("method", METHODS)
def test_recorded_under_faults_equals_ground_truth(faulty_mock, method):
    tags = sample_tags(faulty_mock)
    end = faulty_mock.archive.now()
    start = end - 3 * HOUR  # includes late events not yet visible, bursts of 1,500 events at one instant
    pi = PIWebAPI(faulty_mock.url, config=config(method=method, max_count=6000, tags_per_request=12))
    read = pi.recorded(tags, start, end)
    table = read.to_table()
    assert table.schema == RECORDED_SCHEMA
    assert read.failures == {}
    assert read.stats.retries > 0  # the faults really fired and were retried
    assert rows_by_tag(table) == truth_by_tag(faulty_mock, tags, start, end)


def test_watermarks_point_at_the_last_event_and_its_count(faulty_mock):
    tags = sample_tags(faulty_mock, plain=4)
    end = faulty_mock.archive.now()
    start = end - 2 * HOUR
    read = PIWebAPI(faulty_mock.url, config=config()).recorded(tags, start, end)
    read.to_table()
    now = faulty_mock.archive.now()
    for tag in tags:
        truth = faulty_mock.archive.recorded(tag, start, end, as_of=now)
        last = truth[-1]["timestamp"]
        assert read.watermarks[tag] == Watermark(last, sum(e["timestamp"] == last for e in truth))


def test_relative_times_resolve_on_the_server_clock(clean_mock):
    tag = sample_tags(clean_mock, plain=1)[0]
    table = PIWebAPI(clean_mock.url, config=config()).recorded([tag], "*-1h", "*").to_table()
    now = clean_mock.archive.now()
    assert table.num_rows == len(clean_mock.archive.recorded(tag, now - HOUR, now))


@pytest.mark.parametrize("method", METHODS)
def test_unknown_tag_fails_alone_and_the_rest_flow(clean_mock, method):
    tags = sample_tags(clean_mock, plain=6)
    bogus = "F1DPnot-a-real-point-webid"
    end = clean_mock.archive.now()
    start = end - HOUR
    read = PIWebAPI(clean_mock.url, config=config(method=method)).recorded([*tags, bogus], start, end)
    table = read.to_table()
    assert set(read.failures) == {bogus}
    assert read.failures[bogus].status == 404 and bogus in read.failures[bogus].message
    assert read.watermarks[bogus] == Watermark(start, 0)
    assert rows_by_tag(table) == truth_by_tag(clean_mock, tags, start, end)


def test_incremental_slices_add_up_to_the_truth_exactly(clean_mock):
    tags = sample_tags(clean_mock, plain=6)
    end = clean_mock.archive.now()
    start = end - 2 * HOUR
    pi = PIWebAPI(clean_mock.url, config=config(tags_per_request=5))
    marks = {t: Watermark(start, 0) for t in tags}
    collected: dict[str, list[tuple]] = {t: [] for t in tags}
    for _ in range(200):
        read = pi.read_incremental(marks, end, max_values_per_tag=997)  # slices stop mid-burst too
        for tag, rows in rows_by_tag(read.to_table()).items():
            collected[tag] += rows
        if read.watermarks == marks:
            break
        marks = read.watermarks
    else:
        pytest.fail("incremental reads did not converge")
    truth = truth_by_tag(clean_mock, tags, start, end)
    assert collected == truth


def test_tags_with_their_own_ends_share_calls_and_each_stops_at_its_end(clean_mock):
    tags = sample_tags(clean_mock, plain=8)[:8]
    now = clean_mock.archive.now()
    ranges = {t: (now - (i + 1) * 7 * MINUTE, now - i * 5 * MINUTE) for i, t in enumerate(tags)}
    pi = PIWebAPI(clean_mock.url, config=config(tags_per_request=100))
    marks = {t: Watermark(start, 0) for t, (start, _) in ranges.items()}
    read = pi.read_incremental(marks, ends={t: end for t, (_, end) in ranges.items()})  # no overall end needed
    got = rows_by_tag(read.to_table())
    assert read.stats.requests == 1  # eight different ranges, one batch call
    assert {t: got.get(t, []) for t in tags} == {t: truth_by_tag(clean_mock, [t], *ranges[t])[t] for t in tags}


def test_an_incremental_read_without_end_needs_an_end_for_every_tag(clean_mock):
    first, second = sample_tags(clean_mock, plain=2)[:2]
    now = clean_mock.archive.now()
    marks = {t: Watermark(now - HOUR, 0) for t in (first, second)}
    with pytest.raises(PIConfigError, match=second):
        PIWebAPI(clean_mock.url, config=config()).read_incremental(marks, ends={first: now})


def test_watermark_past_end_reads_nothing(clean_mock):
    tag = sample_tags(clean_mock, plain=1)[0]
    now = clean_mock.archive.now()
    mark = Watermark(now, 3)
    read = PIWebAPI(clean_mock.url, config=config()).read_incremental({tag: mark}, now - HOUR)
    assert read.to_table().num_rows == 0 and read.watermarks == {tag: mark} and read.stats.requests == 0


def test_new_data_after_the_clock_moves_is_read_once():
    with running_mock(MockSettings(seed=3, tags=40, clock=CLOCK, late_fraction=0.05, late_delay=(30.0, 300.0))) as mock:
        tags = [p.webid for p in mock.archive.points()[:12]]
        pi = PIWebAPI(mock.url, config=config())
        start = mock.archive.now() - HOUR
        first = pi.recorded(tags, start, "*")
        rows = rows_by_tag(first.to_table())
        import requests

        requests.post(f"{mock.root}/admin/clock", json={"advance_seconds": 1800}, timeout=10).raise_for_status()
        second = pi.read_incremental(first.watermarks, "*")
        for tag, more in rows_by_tag(second.to_table()).items():
            rows.setdefault(tag, []).extend(more)
        now = mock.archive.now()
        truth = {t: [r for r in truth_by_tag(mock, [t], start, now)[t]] for t in tags}
        # late events stamped before the first read's watermark are, by PI's design, not re-read by time;
        # everything stamped after it (late ones included) is read exactly once
        for tag in tags:
            cut = first.watermarks[tag].timestamp
            assert [r for r in rows.get(tag, []) if r[0] > cut] == [r for r in truth[tag] if r[0] > cut]
            assert len(rows.get(tag, [])) == len(set(enumerate_keys(rows.get(tag, []))))


def enumerate_keys(rows: list[tuple]) -> list[tuple]:
    """Rows with their ordinal among equal rows, so identical events stay distinct when counted."""
    seen: dict[tuple, int] = {}
    out = []
    for row in rows:
        seen[row] = seen.get(row, -1) + 1
        out.append((*row, seen[row]))
    return out


def test_batches_stream_before_the_read_ends_and_a_read_iterates_once(clean_mock):
    tags = [p.webid for p in clean_mock.archive.points()[:40]]
    read = PIWebAPI(clean_mock.url, config=config(tags_per_request=5, concurrency=2)).recorded(tags, "*-2h", "*")
    iterator = iter(read)
    next(iterator)
    assert read.stats.requests < 8  # the first batch came while most pages were still unrequested
    for _ in iterator:
        pass
    assert read.stats.requests >= 8
    with pytest.raises(PIWebAPIError, match="only once"):
        iter(read)
