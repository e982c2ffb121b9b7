"""Auth (Basic, Bearer via OIDC discovery), the CSRF rule, rate limiting, and secrets kept out of sight."""

from __future__ import annotations

import requests
from mock_helpers_pi import FROZEN, set_clock
from pydantic import SecretStr

from mock_server import MockSettings
from mock_server.testing import running_mock


def test_post_without_x_requested_with_is_refused(mock) -> None:
    answer = requests.post(f"{mock.url}/batch", json={"1": {"Method": "GET", "Resource": "dataservers"}}, timeout=10)
    assert answer.status_code == 403
    assert "X-Requested-With" in answer.json()["Errors"][0]


def test_csrf_rule_can_be_switched_off() -> None:
    with running_mock(MockSettings(tags=20, clock=FROZEN, require_csrf=False)) as mock:
        answer = requests.post(
            f"{mock.url}/batch", json={"1": {"Method": "GET", "Resource": "dataservers"}}, timeout=10
        )
        assert answer.status_code == 207


def test_basic_auth_refuses_missing_and_wrong_credentials_with_a_challenge() -> None:
    settings = MockSettings(tags=20, clock=FROZEN, auth="basic", username="svc", password=SecretStr("s3cret"))
    with running_mock(settings) as mock:
        missing = requests.get(f"{mock.url}/dataservers", timeout=10)
        wrong = requests.get(f"{mock.url}/dataservers", auth=("svc", "nope"), timeout=10)
        right = requests.get(f"{mock.url}/dataservers", auth=("svc", "s3cret"), timeout=10)
    assert missing.status_code == wrong.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Basic")
    assert right.status_code == 200


def _token(mock, secret: str = "osipi-secret") -> requests.Response:
    discovery = requests.get(f"{mock.url}/.well-known/openid-configuration", timeout=10).json()
    form = {"grant_type": "client_credentials", "client_id": "osipi-client", "client_secret": secret, "scope": "system"}
    return requests.post(discovery["token_endpoint"], data=form, timeout=10)


def test_bearer_token_from_the_discovered_endpoint_is_accepted() -> None:
    with running_mock(MockSettings(tags=20, clock=FROZEN, auth="bearer", token_ttl_seconds=60)) as mock:
        issued = _token(mock).json()
        ok = requests.get(
            f"{mock.url}/dataservers", headers={"Authorization": f"Bearer {issued['access_token']}"}, timeout=10
        )
        missing = requests.get(f"{mock.url}/dataservers", timeout=10)
    assert issued["expires_in"] == 60 and issued["token_type"] == "Bearer"
    assert ok.status_code == 200
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == "Bearer"


def test_expired_bearer_token_gets_401_invalid_token() -> None:
    with running_mock(MockSettings(tags=20, clock=FROZEN, auth="bearer", token_ttl_seconds=60)) as mock:
        token = _token(mock).json()["access_token"]
        set_clock(mock, advance_seconds=61)
        answer = requests.get(f"{mock.url}/dataservers", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code == 401
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]


def test_wrong_client_secret_gets_no_token() -> None:
    with running_mock(MockSettings(tags=20, clock=FROZEN, auth="bearer")) as mock:
        assert _token(mock, "guess").status_code == 401


def test_static_bearer_token_is_accepted() -> None:
    with running_mock(
        MockSettings(tags=20, clock=FROZEN, auth="bearer", static_tokens=[SecretStr("fixed-token")])
    ) as mock:
        answer = requests.get(f"{mock.url}/dataservers", headers={"Authorization": "Bearer fixed-token"}, timeout=10)
    assert answer.status_code == 200


def test_rate_limit_answers_429_with_retry_after() -> None:
    with running_mock(MockSettings(tags=20, clock=FROZEN, rate_limit=5)) as mock, requests.Session() as session:
        statuses = [session.get(f"{mock.url}/", timeout=10) for _ in range(12)]
    limited = [a for a in statuses if a.status_code == 429]
    assert limited and limited[0].headers["Retry-After"] == "1"
    assert limited[0].json() == {"Errors": ["Rate limit was reached"]}


def test_secrets_never_show_in_the_settings_repr() -> None:
    settings = MockSettings(
        password=SecretStr("hunter2"), oidc_client_secret=SecretStr("topsecret"), static_tokens=[SecretStr("tok-123")]
    )
    text = repr(settings) + str(settings) + settings.model_dump_json()
    assert "hunter2" not in text and "topsecret" not in text and "tok-123" not in text
