"""PI credentials for the data source, read in the pipeline's own session (the driver side).

On Databricks the reader runs in the streaming source runner's Python worker and on executors, where neither
`dbutils` nor cluster environment variables exist ("You cannot use dbutils within a spark job"; serverless
pipelines have no environment variables). So the pipeline source reads the secrets here, where the Databricks SDK's
`dbutils.secrets` is documented to work (https://databricks-sdk-py.readthedocs.io/en/latest/dbutils.html), and
hands them to the reader as data source options. Spark does not print a Python data source's options in a query
plan (the scan describes itself as "(Python)"), and no message of this package repeats them.

Locally (no Databricks runtime) the same credentials come from the PI_* environment variables of the engine.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Protocol

from osipi_lakeflow import contract
from osipi_lakeflow.errors import PIConfigError
from osipi_lakeflow.pipeline.conf import PipelineConf

RUNTIME_MARKER = "DATABRICKS_RUNTIME_VERSION"
"""Set by every Databricks runtime, serverless included; never set by open-source Spark."""


class SecretReader(Protocol):
    """`dbutils.secrets`: `get(scope, key)`."""

    def get(self, scope: str, key: str) -> str:  # pragma: no cover - protocol
        """The secret's value."""


def on_databricks(env: Mapping[str, str] | None = None) -> bool:
    """True inside a Databricks runtime."""
    return bool((os.environ if env is None else env).get(RUNTIME_MARKER))


def databricks_secrets() -> SecretReader:
    """`dbutils.secrets` of this session, from the Databricks SDK's runtime module."""
    try:
        from databricks.sdk.runtime import dbutils
    except ImportError as error:
        raise PIConfigError(
            "reading PI credentials from a secret scope needs the Databricks SDK's dbutils "
            "(databricks.sdk.runtime), which Databricks runtimes include"
        ) from error
    return dbutils.secrets


def pipeline_credentials(
    conf: PipelineConf, env: Mapping[str, str] | None = None, secrets: SecretReader | None = None
) -> dict[str, str]:
    """The credentials of the pipeline's auth method, by data source option name.

    Raises:
        PIConfigError: a secret or variable is missing; the message names the scope and key (or the variable),
            never a value.
    """
    env = os.environ if env is None else env
    method = contract.auth_method(conf.values["auth_method"])
    if not method.credentials:
        return {}
    if on_databricks(env):
        reader = secrets or databricks_secrets()
        scope = conf.values["auth_scope"]
        found = {}
        for credential in method.credentials:
            try:
                found[credential.option] = reader.get(scope=scope, key=credential.secret_key)
            except Exception as error:  # dbutils raises its own types; its message names scope and key only
                raise PIConfigError(
                    f"PI auth method {method.name}: secret scope {scope!r} has no readable key "
                    f"{credential.secret_key!r} ({type(error).__name__}); create it with `databricks secrets "
                    f"put-secret {scope} {credential.secret_key}` and grant the pipeline's identity READ on the scope"
                ) from None
        return found
    found = contract.credentials_from_env(method, env)
    missing = [c.env for c in method.credentials if c.option not in found]
    if missing:
        raise PIConfigError(
            f"PI auth method {method.name} needs environment variable(s) {', '.join(missing)} for a local run "
            f"(on Databricks they come from secret scope {conf.values['auth_scope']!r})"
        )
    return found
