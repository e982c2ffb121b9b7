"""Authentication for PI Web API: Basic, Bearer (static or OpenID Connect client credentials), Kerberos, anonymous.

Every class is a `requests.auth.AuthBase`; none shows its secret in `repr`, `str` or an error message.
`build_auth` makes one from credential values (the Spark data source hands them over as options);
`auth_from_env` from PI_* environment variables, for local runs.
"""

from __future__ import annotations

import base64
import os
import threading
import time
from collections.abc import Mapping
from typing import Any

import orjson
import requests
from requests.auth import AuthBase

from osipi_lakeflow import contract
from osipi_lakeflow.errors import PIAuthError, PIConfigError, PIConnectionError


class BasicAuth(AuthBase):
    """HTTP Basic: a user name and password (PI Web API must list Basic in AuthenticationMethods)."""

    def __init__(self, username: str, password: str) -> None:
        if not username or not password:
            raise PIConfigError("Basic auth needs a user name and a password (PI_USERNAME and PI_PASSWORD)")
        self.username = username
        self._header = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Add the Basic header."""
        request.headers["Authorization"] = self._header
        return request

    def __repr__(self) -> str:
        return f"BasicAuth(username={self.username!r}, password=***)"


class BearerAuth(AuthBase):
    """A static bearer token (a JWT from your identity provider)."""

    def __init__(self, token: str) -> None:
        if not token:
            raise PIConfigError("Bearer auth needs a token (PI_BEARER_TOKEN)")
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Add the static bearer token."""
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "BearerAuth(token=***)"


class OIDCClientCredentialsAuth(AuthBase):
    """Bearer tokens from an OpenID Connect token endpoint (client-credentials grant), refreshed before expiry.

    The token endpoint is `token_url`, or discovered from `{base_url}/.well-known/openid-configuration`.
    A token is fetched on first use and again `refresh_margin_s` before it expires; threads share one token.
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        token_url: str | None = None,
        base_url: str | None = None,
        scope: str = "system",
        refresh_margin_s: float = 60.0,
        verify: bool | str = True,
        timeout: tuple[float, float] = (5.0, 30.0),
    ) -> None:
        if not client_id or not client_secret:
            raise PIConfigError("OIDC auth needs a client id and secret (PI_OIDC_CLIENT_ID, PI_OIDC_CLIENT_SECRET)")
        if not token_url and not base_url:
            raise PIConfigError("OIDC auth needs PI_OIDC_TOKEN_URL, or the PI Web API base URL to discover it")
        self.client_id = client_id
        self._secret = client_secret
        self.token_url = token_url
        self._base_url = base_url.rstrip("/") if base_url else None
        self.scope = scope
        self._margin = refresh_margin_s
        self._verify = verify
        self._timeout = timeout
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Add a current token, fetching or refreshing it first when needed."""
        request.headers["Authorization"] = f"Bearer {self.token()}"
        return request

    def __repr__(self) -> str:
        return f"OIDCClientCredentialsAuth(client_id={self.client_id!r}, client_secret=***, scope={self.scope!r})"

    def token(self) -> str:
        """A valid access token, fetched or refreshed when it is missing or about to expire."""
        with self._lock:
            if self._token is None or time.monotonic() >= self._expires_at - self._margin:
                self._token, lifetime = self._fetch()
                self._expires_at = time.monotonic() + lifetime
            return self._token

    def _discover(self) -> str:
        url = f"{self._base_url}/.well-known/openid-configuration"
        data = _post_or_get("GET", url, verify=self._verify, timeout=self._timeout)
        endpoint = data.get("token_endpoint") if isinstance(data, dict) else None
        if not endpoint:
            raise PIConfigError(f"{url} names no token_endpoint; set PI_OIDC_TOKEN_URL to the token endpoint")
        return str(endpoint)

    def _fetch(self) -> tuple[str, float]:
        if not self.token_url:
            self.token_url = self._discover()
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._secret,
            "scope": self.scope,
        }
        data = _post_or_get("POST", self.token_url, data=form, verify=self._verify, timeout=self._timeout)
        token = data.get("access_token") if isinstance(data, dict) else None
        if not token:
            raise PIAuthError(f"the token endpoint {self.token_url} returned no access_token", url=self.token_url)
        return str(token), float(data.get("expires_in") or 300)


def _post_or_get(method: str, url: str, **kwargs: Any) -> Any:
    """Call an identity-provider endpoint; errors name the endpoint and the fix, never the form sent."""
    try:
        response = requests.request(method, url, **kwargs)
    except requests.exceptions.RequestException as exc:
        raise PIConnectionError(f"cannot reach the OIDC endpoint {url} ({type(exc).__name__}); check the URL") from None
    if response.status_code in (400, 401, 403):
        raise PIAuthError(
            f"{response.status_code} from the token endpoint {url}: the client credentials were refused. "
            "Fix: check PI_OIDC_CLIENT_ID / PI_OIDC_CLIENT_SECRET and that the client may use scope "
            "'system' (PI_OIDC_SCOPE).",
            status=response.status_code,
            url=url,
        )
    if response.status_code >= 400:
        raise PIAuthError(f"{response.status_code} from the OIDC endpoint {url}", status=response.status_code, url=url)
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        raise PIConnectionError(f"the OIDC endpoint {url} did not return JSON; check the URL") from None


def kerberos_auth(**options: Any) -> AuthBase:
    """Kerberos/Negotiate through requests-kerberos (an optional extra), mutual authentication optional."""
    try:
        from requests_kerberos import OPTIONAL, HTTPKerberosAuth
    except ImportError:
        raise PIConfigError(
            "Kerberos auth needs requests-kerberos: pip install 'osipi-lakeflow[kerberos]' (its gssapi "
            "dependency builds against MIT Kerberos: on Debian/Ubuntu first apt-get install libkrb5-dev)"
        ) from None
    options.setdefault("mutual_authentication", OPTIONAL)
    return HTTPKerberosAuth(**options)


def build_auth(
    method: str,
    credentials: Mapping[str, str],
    *,
    base_url: str | None = None,
    oidc_endpoint: str = "",
    oidc_scope: str = "system",
    verify: bool | str = True,
) -> AuthBase | None:
    """The auth of `method` from its credentials (keyed by the contract's option names); None is anonymous.

    Args:
        method: basic, bearer, oidc, kerberos or anonymous (`contract.AUTH_METHODS`).
        credentials: e.g. {"username": ..., "password": ...}; see `contract.AUTH_METHODS[method].credentials`.
        base_url: the PI Web API URL, for discovering the OIDC token endpoint when `oidc_endpoint` is empty.
        oidc_endpoint: the OIDC token endpoint of the client-credentials grant (empty: discovered).
        oidc_scope: the scope asked of it.
        verify: TLS verification (or a CA bundle path) for the token endpoint.
    """
    spec = contract.auth_method(method)
    missing = [c for c in spec.credentials if not credentials.get(c.option)]
    if missing:
        names = ", ".join(f"{c.env} (secret key {c.secret_key})" for c in missing)
        raise PIConfigError(f"PI auth method {spec.name} needs {names}")
    if spec.name == "basic":
        return BasicAuth(credentials["username"], credentials["password"])
    if spec.name == "bearer":
        return BearerAuth(credentials["token"])
    if spec.name == "oidc":
        return OIDCClientCredentialsAuth(
            credentials["clientId"],
            credentials["clientSecret"],
            token_url=oidc_endpoint or None,
            base_url=base_url,
            scope=oidc_scope or "system",
            verify=verify,
        )
    if spec.name == "kerberos":
        return kerberos_auth()
    return None


def auth_from_env(env: Mapping[str, str] | None = None, *, base_url: str | None = None) -> AuthBase | None:
    """Build the auth named by PI_AUTH (or inferred from which PI_* variables are set); None is anonymous.

    Args:
        env: PI_AUTH (basic|bearer|oidc|kerberos|anonymous) and the credential variables of
            `contract.AUTH_METHODS` (PI_USERNAME/PI_PASSWORD, PI_BEARER_TOKEN, PI_OIDC_CLIENT_ID/_SECRET),
            plus PI_OIDC_TOKEN_URL and PI_OIDC_SCOPE; defaults to os.environ.
        base_url: the PI Web API URL, for discovering the OIDC token endpoint when PI_OIDC_TOKEN_URL is unset.
    """
    env = os.environ if env is None else env
    method = contract.infer_auth_method(env)
    settings = contract.settings_from_env(env)
    return build_auth(
        method,
        contract.credentials_from_env(contract.auth_method(method), env),
        base_url=base_url,
        oidc_endpoint=settings.get("oidc_endpoint", ""),
        oidc_scope=settings.get("oidc_scope", "system"),
    )
