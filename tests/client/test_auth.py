"""Auth classes and auth_from_env: right headers, token refresh, clear errors, and no secret ever shown."""

from __future__ import annotations

import logging
import time

import orjson
import pytest
import requests

from osipi_lakeflow.client import ClientConfig, PIWebAPI
from osipi_lakeflow.client.auth import (
    BasicAuth,
    BearerAuth,
    OIDCClientCredentialsAuth,
    auth_from_env,
    kerberos_auth,
)
from osipi_lakeflow.client.session import Transport
from osipi_lakeflow.errors import PIAuthError, PIConfigError
from tests.client.scripted_server import Answer, Script, Seen, scripted

SECRET = "s3cr3t-Pa55w0rd-do-not-leak"


def prepared(auth) -> requests.PreparedRequest:
    return auth(requests.Request("GET", "http://x/piwebapi").prepare())


def test_basic_header_and_repr_hides_password():
    auth = BasicAuth("svc", SECRET)
    assert prepared(auth).headers["Authorization"].startswith("Basic ")
    assert SECRET not in repr(auth) and SECRET not in repr(PIWebAPI("https://pi/piwebapi", auth=auth))


def test_bearer_header_and_repr_hides_token():
    auth = BearerAuth(SECRET)
    assert prepared(auth).headers["Authorization"] == f"Bearer {SECRET}"
    assert SECRET not in repr(auth) and SECRET not in str(auth)


@pytest.mark.parametrize(
    ("env", "kind"),
    [
        ({"PI_USERNAME": "u", "PI_PASSWORD": SECRET}, BasicAuth),
        ({"PI_BEARER_TOKEN": SECRET}, BearerAuth),
        (
            {"PI_OIDC_CLIENT_ID": "c", "PI_OIDC_CLIENT_SECRET": SECRET, "PI_OIDC_TOKEN_URL": "https://idp/token"},
            OIDCClientCredentialsAuth,
        ),
        ({"PI_AUTH": "basic", "PI_USERNAME": "u", "PI_PASSWORD": SECRET, "PI_BEARER_TOKEN": "t"}, BasicAuth),
    ],
)
def test_auth_from_env_infers_or_obeys_pi_auth(env, kind):
    assert isinstance(auth_from_env(env), kind)


def test_auth_from_env_anonymous_when_nothing_is_set():
    assert auth_from_env({}) is None
    assert auth_from_env({"PI_AUTH": "anonymous", "PI_USERNAME": "u"}) is None


def test_auth_from_env_names_the_missing_variable():
    with pytest.raises(PIConfigError, match="PI_PASSWORD"):
        auth_from_env({"PI_AUTH": "basic", "PI_USERNAME": "u"})
    with pytest.raises(PIConfigError, match="PI_OIDC_TOKEN_URL"):
        auth_from_env({"PI_OIDC_CLIENT_ID": "c", "PI_OIDC_CLIENT_SECRET": SECRET})
    with pytest.raises(PIConfigError, match="not one of"):
        auth_from_env({"PI_AUTH": "ntlm"})


def test_kerberos_without_the_extra_says_what_to_install():
    try:
        import requests_kerberos  # noqa: F401
    except ImportError:
        with pytest.raises(PIConfigError, match=r"osipi-lakeflow\[kerberos\].*libkrb5-dev"):
            kerberos_auth()
    else:
        assert kerberos_auth() is not None


def token_server(lifetime: int, issued: list[str]) -> Script:
    def answer(seen: Seen) -> Answer:
        if seen.path.endswith("/.well-known/openid-configuration"):
            return Answer(body=orjson.dumps({"token_endpoint": "http://" + seen.headers["Host"] + "/token"}))
        if seen.path == "/token":
            form = dict(p.split("=", 1) for p in seen.body.decode().split("&"))
            if form.get("client_secret") != SECRET:
                return Answer(401, b'{"error": "invalid_client"}')
            issued.append(f"tok{len(issued)}")
            return Answer(body=orjson.dumps({"access_token": issued[-1], "expires_in": lifetime}))
        return Answer(body=orjson.dumps({"auth": seen.headers.get("Authorization")}))

    return Script(handler=answer)


def test_oidc_discovers_the_endpoint_fetches_and_reuses_a_token():
    issued: list[str] = []
    with scripted(token_server(3600, issued)) as url:
        auth = OIDCClientCredentialsAuth("client", SECRET, base_url=url)
        transport = Transport(url, auth, ClientConfig())
        assert transport.get("x").data == {"auth": "Bearer tok0"}
        assert transport.get("x").data == {"auth": "Bearer tok0"}
    assert issued == ["tok0"]


def test_oidc_refreshes_before_expiry():
    issued: list[str] = []
    with scripted(token_server(2, issued)) as url:
        auth = OIDCClientCredentialsAuth(
            "client", SECRET, token_url=url.replace("/piwebapi", "/token"), refresh_margin_s=1.5
        )
        transport = Transport(url, auth, ClientConfig())
        transport.get("x")
        time.sleep(0.6)
        assert transport.get("x").data == {"auth": "Bearer tok1"}


def test_oidc_refused_secret_is_an_auth_error_without_the_secret(caplog):
    caplog.set_level(logging.DEBUG)
    issued: list[str] = []
    with scripted(token_server(60, issued)) as url:
        auth = OIDCClientCredentialsAuth("client", "wrong-" + SECRET, token_url=url.replace("/piwebapi", "/token"))
        with pytest.raises(PIAuthError, match="PI_OIDC_CLIENT_SECRET") as caught:
            Transport(url, auth, ClientConfig(retries=0)).get("x")
    text = str(caught.value) + repr(caught.value) + repr(auth) + caplog.text
    assert SECRET not in text
