"""Small pure parts: config validation, time parsing, the count limit, the rate cap, the public surface."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

import osipi_lakeflow.client as client
from osipi_lakeflow.client import ClientConfig
from osipi_lakeflow.client.ratelimit import RateLimiter
from osipi_lakeflow.client.recorded import CountLimit
from osipi_lakeflow.errors import PIConfigError, PIWebAPIError
from osipi_lakeflow.pitime import format_time, parse_timestamp, resolve_time

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


def test_public_surface_is_exactly_what_is_documented():
    assert client.__all__ == sorted(client.__all__)
    assert set(client.__all__) == {
        "ANNOTATION_SCHEMA",
        "EVENT_FRAME_VALUE_SCHEMA",
        "NOTIFICATION_RULE_SCHEMA",
        "ClientConfig",
        "PIWebAPI",
        "RecordedRead",
    }


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"concurrency": 0}, "concurrency"),
        ({"timeout": (5.0, 0)}, "timeout"),
        ({"method": "odata"}, "method"),
        ({"rate_limit_per_s": 0}, "rate_limit_per_s"),
    ],
)
def test_bad_config_names_the_field(change, named):
    with pytest.raises(PIConfigError, match=named):
        ClientConfig(**change)


def test_a_missing_ca_bundle_is_named_where_the_session_opens():
    from osipi_lakeflow.client.session import build_session

    with pytest.raises(PIConfigError, match="CA bundle '/nope/ca.pem' does not exist here.*/Volumes/"):
        build_session(ClientConfig(ca_bundle="/nope/ca.pem"), None)


def test_config_from_env_reads_tls_settings(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    config = ClientConfig.from_env({"PI_CA_BUNDLE": str(bundle), "PI_VERIFY_TLS": "false"})
    assert config.ca_bundle == str(bundle) and config.requests_verify == str(bundle)
    assert ClientConfig.from_env({}).requests_verify is True
    with pytest.raises(PIConfigError, match="PI_VERIFY_TLS"):
        ClientConfig.from_env({"PI_VERIFY_TLS": "maybe"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("*", NOW),
        ("*-1h", NOW - timedelta(hours=1)),
        ("* + 30m", NOW + timedelta(minutes=30)),
        ("*-7d", NOW - timedelta(days=7)),
        ("2026-10-01T00:00:00Z", datetime(2026, 10, 1, tzinfo=UTC)),
        ("2026-10-01T02:00:00+02:00", datetime(2026, 10, 1, tzinfo=UTC)),
    ],
)
def test_times_resolve_against_the_server_clock(text, expected):
    assert resolve_time(text, NOW) == expected


def test_unknown_time_forms_and_naive_datetimes_are_refused():
    with pytest.raises(PIConfigError, match=r"\*-1h"):
        resolve_time("yesterday-ish", NOW)
    with pytest.raises(PIConfigError, match="naive"):
        resolve_time(datetime(2026, 1, 1), NOW)  # noqa: DTZ001 - the point of the test


def test_timestamps_truncate_and_format_with_microseconds():
    parsed = parse_timestamp("2022-02-18T15:10:08.8757629Z")
    assert parsed == datetime(2022, 2, 18, 15, 10, 8, 875762, tzinfo=UTC)
    assert format_time(parsed) == "2022-02-18T15:10:08.875762Z"


def test_count_limit_adopts_the_named_limit_once_and_ignores_stale_refusals():
    limit = CountLimit(150_000)
    assert limit.lower(2000, requested=37_500) == 2000
    assert limit.lower(2000, requested=37_500) == 2000  # a call sent before the first refusal
    assert limit.lower(None, requested=2000) == 1000  # refused again at the new limit: halve
    with pytest.raises(PIWebAPIError, match="MaxReturnedItemsPerCall"):
        CountLimit(1).lower(None, requested=1)


def test_rate_limiter_spaces_requests():
    limiter = RateLimiter(200.0)
    start = time.monotonic()
    for _ in range(21):
        limiter.acquire()
    assert time.monotonic() - start >= 0.095


def test_recorded_refuses_a_window_that_ends_before_it_starts():
    from osipi_lakeflow.client import PIWebAPI

    with pytest.raises(PIConfigError, match="after end"):
        PIWebAPI("https://pi.example.com/piwebapi").recorded(["W"], NOW, NOW - timedelta(hours=1))


def test_a_url_without_scheme_is_refused():
    from osipi_lakeflow.client import PIWebAPI

    with pytest.raises(PIConfigError, match="https://"):
        PIWebAPI("pi.example.com/piwebapi")
