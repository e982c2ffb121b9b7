"""Checks made before any engine starts, so bad input ends in one clear line and nothing is touched."""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from osipi_lakeflow import contract
from osipi_lakeflow.errors import PIAuthError, PIConnectionError, PIWebAPIError

CREDENTIAL_VARIABLES = tuple(c.env for m in contract.AUTH_METHODS.values() for c in m.credentials)
"""What the local pipelines need from this process's environment to log in to PI; passed on, never written down."""


class PreflightError(Exception):
    """Bad input found before running: the message names the problem and the fix."""


def check_writable(folder: Path) -> None:
    """The warehouse folder can be created and written; nothing in it is changed by the check."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-check-{uuid.uuid4().hex}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise PreflightError(
            f"the warehouse folder {folder} is not writable ({exc.strerror or exc}); "
            "choose another with --warehouse or fix its permissions"
        ) from None


def credentials_env(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The PI_* variables of this process that the pipelines read for auth and TLS."""
    return {k: environ[k] for k in CREDENTIAL_VARIABLES if k in environ}


def check_pi(url: str, environ: Mapping[str, str] = os.environ) -> datetime:
    """Reach PI Web API with the configured auth and return its clock; a failure says what to fix."""
    from osipi_lakeflow.client import ClientConfig, PIWebAPI
    from osipi_lakeflow.client.auth import auth_from_env

    try:
        config = ClientConfig.from_env(environ, retry_budget_s=15.0)
        with PIWebAPI(url, auth=auth_from_env(environ, base_url=url), config=config) as pi:
            return pi.server_time()
    except PIAuthError as exc:
        raise PreflightError(
            f"PI Web API at {url} refused the credentials ({exc}); set PI_USERNAME / PI_PASSWORD, "
            "PI_BEARER_TOKEN or the PI_OIDC_* variables (see README, 'Pointing at a real PI Web API')"
        ) from None
    except PIConnectionError as exc:
        raise PreflightError(f"cannot reach PI Web API at {url}: {exc}; check --pi-url (or PI_WEB_API_URL)") from None
    except PIWebAPIError as exc:
        raise PreflightError(f"PI Web API at {url} failed: {exc}") from None
