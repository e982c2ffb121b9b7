"""Resolve an `AuthRef` into client auth where the read runs: secret scope on Databricks, env variables locally."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping

from requests.auth import AuthBase

from osipi_lakeflow.client.auth import auth_from_env
from osipi_lakeflow.datasource.options import AuthRef
from osipi_lakeflow.errors import PIConfigError

log = logging.getLogger(__name__)

SecretGetter = Callable[[str, str], str]
"""`dbutils.secrets.get(scope, key)`."""

_ENV_KEYS = {
    "basic": (("PI_USERNAME", "username_key"), ("PI_PASSWORD", "password_key")),
    "bearer": (("PI_BEARER_TOKEN", "token_key"),),
    "oidc": (("PI_OIDC_CLIENT_ID", "client_id_key"), ("PI_OIDC_CLIENT_SECRET", "client_secret_key")),
}


def on_databricks(env: Mapping[str, str] | None = None) -> bool:
    """True inside a Databricks runtime (clusters and serverless set DATABRICKS_RUNTIME_VERSION)."""
    return bool((os.environ if env is None else env).get("DATABRICKS_RUNTIME_VERSION"))


def _secret_getter() -> SecretGetter:  # pragma: no cover - exercised on Databricks only
    try:
        from databricks.sdk.runtime import dbutils
    except ImportError as error:
        raise PIConfigError(
            "reading PI credentials from a secret scope needs the Databricks runtime's dbutils; locally set "
            "PI_USERNAME/PI_PASSWORD (or PI_BEARER_TOKEN, PI_OIDC_CLIENT_ID/PI_OIDC_CLIENT_SECRET) instead"
        ) from error
    return dbutils.secrets.get


def credential_env(
    ref: AuthRef, env: Mapping[str, str] | None = None, secret_get: SecretGetter | None = None
) -> dict[str, str]:
    """The PI_* mapping `auth_from_env` reads, from a secret scope on Databricks or from env variables locally.

    Locally, method `basic` with neither PI_USERNAME nor PI_PASSWORD set falls back to anonymous (the embedded mock
    needs no login) and logs which variables to set for a real server.
    """
    env = os.environ if env is None else env
    mapping = {"PI_AUTH": ref.method}
    for var in ("PI_OIDC_TOKEN_URL", "PI_OIDC_SCOPE"):
        if env.get(var):
            mapping[var] = env[var]
    pairs = _ENV_KEYS.get(ref.method, ())
    if on_databricks(env) and ref.secret_scope and pairs:
        get = secret_get or _secret_getter()
        for var, attr in pairs:
            mapping[var] = get(ref.secret_scope, getattr(ref, attr))
        return mapping
    found = {var: env[var] for var, _ in pairs if env.get(var)}
    if ref.method == "basic" and not found:
        log.warning("PI auth method basic but PI_USERNAME/PI_PASSWORD are not set: connecting anonymously")
        return {"PI_AUTH": "anonymous"}
    missing = [var for var, _ in pairs if var not in found]
    if missing:
        raise PIConfigError(
            f"PI auth method {ref.method} needs environment variable(s) {', '.join(missing)} on this machine "
            f"(on Databricks they come from secret scope {ref.secret_scope or '<osipi.auth.secret_scope>'})"
        )
    mapping.update(found)
    return mapping


def resolve_auth(ref: AuthRef, url: str, env: Mapping[str, str] | None = None) -> AuthBase | None:
    """Client auth for `ref`; raises PIConfigError naming what is missing."""
    return auth_from_env(credential_env(ref, env), base_url=url)
