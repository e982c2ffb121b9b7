"""The gate in front of every /piwebapi request: rate limit, authentication and the CSRF rule."""

from __future__ import annotations

import base64
import binascii
import secrets

from mock_server.routing import PIError
from mock_server.settings import MockSettings
from mock_server.state import AppState

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def check_rate(state: AppState, client: str) -> None:
    """429 with Retry-After once a client exceeds `rate_limit` requests per second."""
    if state.over_rate_limit(client):
        raise PIError(429, "Rate limit was reached", headers={"Retry-After": "1"})


def check_auth(state: AppState, authorization: str | None) -> None:
    """401 with WWW-Authenticate unless the request carries valid Basic credentials or a valid Bearer token."""
    settings = state.settings
    if settings.auth == "none":
        return
    scheme, _, credentials = (authorization or "").partition(" ")
    if settings.auth == "basic":
        if scheme.lower() == "basic" and _basic_ok(settings, credentials.strip()):
            return
        raise PIError(
            401,
            "Authorization has been denied for this request.",
            headers={"WWW-Authenticate": 'Basic realm="PI Web API"'},
        )
    token_state = state.token_state(credentials.strip()) if scheme.lower() == "bearer" and credentials else "missing"
    if token_state == "valid":
        return
    challenge = (
        "Bearer"
        if token_state == "missing"
        else 'Bearer error="invalid_token", error_description="The token is expired or unknown"'
    )
    raise PIError(401, "Authorization has been denied for this request.", headers={"WWW-Authenticate": challenge})


def _basic_ok(settings: MockSettings, credentials: str) -> bool:
    try:
        user, _, password = base64.b64decode(credentials, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    user_ok = secrets.compare_digest(user.encode(), settings.username.encode())
    return user_ok & secrets.compare_digest(password.encode(), settings.password.get_secret_value().encode())


def check_csrf(state: AppState, method: str, requested_with: str | None) -> None:
    """PI Web API's EnableCSRFDefense: unsafe methods need an X-Requested-With header."""
    if state.settings.require_csrf and method in UNSAFE_METHODS and not requested_with:
        raise PIError(
            403,
            "The request was rejected by CSRF defense: add the header X-Requested-With "
            "(for example X-Requested-With: XmlHttpRequest) to POST, PUT, PATCH and DELETE requests.",
        )
