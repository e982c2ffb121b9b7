"""Auth, limits and persistent failures against the mock over HTTP: clear errors, nothing silent, no secrets."""

from __future__ import annotations

import logging

import pytest

from mock_server import MockSettings
from mock_server.testing import running_mock
from osipi_lakeflow.client import PIWebAPI
from osipi_lakeflow.client.auth import BasicAuth, BearerAuth, OIDCClientCredentialsAuth, auth_from_env
from osipi_lakeflow.errors import PIAuthError
from tests.client.conftest import CLOCK, HOUR, config, rows_by_tag, truth_by_tag

SECRET = "Zq-9-very-secret-pass-XX"


@pytest.fixture(scope="module")
def basic_mock():
    with running_mock(MockSettings(seed=7, tags=20, clock=CLOCK, auth="basic", username="svc", password=SECRET)) as m:
        yield m


@pytest.fixture(scope="module")
def bearer_mock():
    with running_mock(MockSettings(seed=7, tags=20, clock=CLOCK, auth="bearer", oidc_client_secret=SECRET)) as m:
        yield m


def test_wrong_password_is_a_clear_auth_error_without_the_password(basic_mock, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-" + SECRET
    pi = PIWebAPI(basic_mock.url, auth=BasicAuth("svc", wrong), config=config())
    with pytest.raises(PIAuthError) as caught:
        pi.data_servers()
    message = str(caught.value)
    assert caught.value.status == 401 and "Basic" in message and "PI_USERNAME/PI_PASSWORD" in message
    assert wrong not in message + repr(caught.value) + repr(pi) + caplog.text


def test_right_password_reads(basic_mock):
    auth = auth_from_env({"PI_USERNAME": "svc", "PI_PASSWORD": SECRET})
    assert PIWebAPI(basic_mock.url, auth=auth, config=config()).data_server().name == "PISRV01"


def test_no_credentials_at_all_is_an_auth_error(basic_mock):
    with pytest.raises(PIAuthError, match="401"):
        PIWebAPI(basic_mock.url, config=config()).data_servers()


def test_oidc_discovers_fetches_and_reads(bearer_mock):
    env = {"PI_OIDC_CLIENT_ID": "osipi-client", "PI_OIDC_CLIENT_SECRET": SECRET}
    pi = PIWebAPI(bearer_mock.url, auth=auth_from_env(env, base_url=bearer_mock.url), config=config())
    tag = next(pi.points()).webid
    assert pi.recorded([tag], "*-1h", "*").to_table().num_rows > 0
    assert SECRET not in repr(pi)


def test_oidc_wrong_secret_is_an_auth_error(bearer_mock, caplog):
    caplog.set_level(logging.DEBUG)
    auth = OIDCClientCredentialsAuth("osipi-client", "bad-" + SECRET, base_url=bearer_mock.url)
    with pytest.raises(PIAuthError, match="PI_OIDC_CLIENT_SECRET") as caught:
        PIWebAPI(bearer_mock.url, auth=auth, config=config()).data_servers()
    assert SECRET not in str(caught.value) + caplog.text


def test_unknown_bearer_token_is_refused_without_echoing_it(bearer_mock):
    with pytest.raises(PIAuthError) as caught:
        PIWebAPI(bearer_mock.url, auth=BearerAuth(SECRET), config=config()).data_servers()
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize("method", ["batch", "streamsets"])
def test_max_count_over_the_server_limit_steps_down_and_is_remembered(method):
    with running_mock(MockSettings(seed=7, tags=40, clock=CLOCK, max_returned_items=2000)) as mock:
        tags = [p.webid for p in mock.archive.points()[:8]]
        pi = PIWebAPI(mock.url, config=config(method=method, max_count=150_000, tags_per_request=4))
        end = mock.archive.now()
        start = end - HOUR
        read = pi.recorded(tags, start, end)
        assert rows_by_tag(read.to_table()) == truth_by_tag(mock, tags, start, end)
        assert pi.max_count == 2000 and read.failures == {}
        again = pi.recorded(tags, start, end)
        again.to_table()
        assert again.stats.requests < read.stats.requests  # no refused calls the second time


def test_more_events_at_one_instant_than_the_server_limit_fails_that_tag_only():
    with running_mock(MockSettings(seed=7, tags=40, clock=CLOCK, max_returned_items=1000, burst_size=2500)) as mock:
        points = mock.archive.points()
        burst = next(p.webid for p in points if p.name == "DIAG.BurstEvents.PV")
        others = [p.webid for p in points[:5]]
        end = mock.archive.now()
        start = end - 2 * HOUR
        read = PIWebAPI(mock.url, config=config(max_count=1000)).recorded([burst, *others], start, end)
        table = read.to_table()
        assert set(read.failures) == {burst}
        assert "more than 1000 events share the instant" in read.failures[burst].message
        assert rows_by_tag(table).items() >= truth_by_tag(mock, others, start, end).items()


def test_persistent_item_errors_are_reported_per_tag_with_watermarks_unchanged():
    with running_mock(MockSettings(seed=7, tags=20, clock=CLOCK, fault_item_error=1.0)) as mock:
        tags = [p.webid for p in mock.archive.points()[:3]]
        pi = PIWebAPI(mock.url, config=config(method="streamsets", max_tag_attempts=2))
        start = mock.archive.now() - HOUR
        read = pi.recorded(tags, start, "*")
        assert read.to_table().num_rows == 0
        assert set(read.failures) == set(tags)
        assert all(f.status == 500 and "output stream" in f.message for f in read.failures.values())
        assert {w.timestamp for w in read.watermarks.values()} == {start}


def test_retries_under_faults_log_no_credentials(caplog):
    caplog.set_level(logging.DEBUG)
    settings = MockSettings(
        seed=7,
        tags=20,
        clock=CLOCK,
        auth="basic",
        username="svc",
        password=SECRET,
        fault_503=0.3,
        fault_webexception=0.2,
        fault_seed=5,
    )
    with running_mock(settings) as mock:
        pi = PIWebAPI(mock.url, auth=BasicAuth("svc", SECRET), config=config())
        read = pi.recorded([p.webid for p in mock.archive.points()[:6]], "*-1h", "*")
        read.to_table()
    assert read.stats.retries > 0 and read.failures == {}
    assert "retry" in caplog.text and SECRET not in caplog.text
    assert SECRET not in repr(read.stats) + repr(pi)
