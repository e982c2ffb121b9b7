"""Logic of the operator notebook `notebooks/regenerate_partitions.py`, which stays a thin shell around this.

In a workspace the inputs are notebook widgets and the PI credentials come from the secret scope (through the same
key names the pipelines use); they are handed to the client in a private mapping, never put in `os.environ`,
printed or written. Run as a plain script, the widgets fall back to `OSIPI_<WIDGET>` environment variables and the
credentials to the usual PI_* variables, which is how the test runs it.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from rich.console import Console

from generator.cli import run_generate
from generator.discover import DiscoverySpec
from generator.errors import PlanConfigError
from generator.regenerate import RegenerateRequest, RegenerateResult

SECRET_KEYS = {
    "basic": {"PI_USERNAME": "pi-username", "PI_PASSWORD": "pi-password"},
    "bearer": {"PI_BEARER_TOKEN": "pi-bearer-token"},
    "oidc": {"PI_OIDC_CLIENT_ID": "pi-oidc-client-id", "PI_OIDC_CLIENT_SECRET": "pi-oidc-client-secret"},
}
"""Environment variable the client reads -> key name in the secret scope (the pipelines' contract names)."""
_CREDENTIAL_VARS = frozenset(variable for keys in SECRET_KEYS.values() for variable in keys)

WIDGETS = {
    "bundle": ("", "Bundle folder (empty: the repository this notebook is in)"),
    "pi_url": ("", "PI Web API URL (empty: the bundle's pi_web_api_url)"),
    "af_databases": ("", "AF database paths, comma-separated (empty: the plan's recorded discovery)"),
    "tags_per_pipeline": ("", "Most tags per pipeline (empty: the plan's, else 100)"),
    "secret_scope": ("osipi", "Secret scope with the PI credentials"),
    "auth_method": ("basic", "basic | bearer | oidc | kerberos | anonymous"),
    "rebalance": ("false", "Rewrite the plan from scratch (moved tags re-read history)"),
    "dry_run": ("true", "Show the changes only"),
    "deploy": ("false", "Run `databricks bundle deploy` after writing (needs the CLI on this cluster)"),
    "target": ("dev", "Bundle target to deploy"),
}
DEPLOY_TIMEOUT_S = 1800


class WidgetSource(Protocol):
    """`dbutils.widgets`-like: text widgets with a default, read back as strings."""

    def text(self, name: str, default_value: str, label: str) -> None: ...  # noqa: D102

    def get(self, name: str) -> str: ...  # noqa: D102


class EnvWidgets:
    """Widgets read from `OSIPI_<NAME>` environment variables, for runs outside a workspace."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._env = environ
        self._defaults: dict[str, str] = {}

    def text(self, name: str, default_value: str, label: str) -> None:
        """Record the default of a widget."""
        self._defaults[name] = default_value

    def get(self, name: str) -> str:
        """The widget's value: its environment variable, else its default."""
        return self._env.get(f"OSIPI_{name.upper()}", self._defaults.get(name, ""))


@dataclass(frozen=True, slots=True)
class NotebookRun:
    """What the notebook shows: the result, and the deploy outcome or the command to run."""

    result: RegenerateResult
    deploy_message: str


def read_widgets(widgets: WidgetSource) -> dict[str, str]:
    """Declare every widget (idempotent) and return their values."""
    for name, (default, label) in WIDGETS.items():
        widgets.text(name, default, label)
    return {name: widgets.get(name).strip() for name in WIDGETS}


def credentials(method: str, scope: str, secrets: Any | None, environ: Mapping[str, str]) -> dict[str, str]:
    """The client's environment: PI_AUTH plus the credential values, from the secret scope when there is one."""
    env = {k: v for k, v in environ.items() if k.startswith("PI_") and k not in _CREDENTIAL_VARS}
    env["PI_AUTH"] = method
    for variable, key in SECRET_KEYS.get(method, {}).items():
        value = secrets.get(scope=scope, key=key) if secrets is not None else environ.get(variable, "")
        env[variable] = value
    return env


def _truthy(value: str) -> bool:
    return value.lower() in {"1", "true", "yes", "y"}


def build_request(values: Mapping[str, str], default_bundle: Path) -> RegenerateRequest:
    """The regeneration the widgets ask for."""
    databases = tuple(d.strip() for d in values["af_databases"].split(",") if d.strip())
    settings: dict[str, Any] = {"pi_secret_scope": values["secret_scope"], "pi_auth_method": values["auth_method"]}
    if values["pi_url"]:
        settings["pi_web_api_url"] = values["pi_url"]
    raw_cap = values["tags_per_pipeline"]
    if raw_cap and not raw_cap.lstrip("-").isdigit():
        raise PlanConfigError(f"widget tags_per_pipeline must be a whole number, got {raw_cap!r}")
    cap = int(raw_cap) if raw_cap else None
    return RegenerateRequest(
        bundle=Path(values["bundle"] or default_bundle).resolve(),
        discovery=DiscoverySpec(databases),
        settings=settings,
        tags_per_pipeline=cap,
        rebalance=_truthy(values["rebalance"]),
        dry_run=_truthy(values["dry_run"]),
    )


def deploy(bundle: Path, target: str) -> str:
    """Deploy with the Databricks CLI when it is installed here; otherwise say the one command to run."""
    command = ["databricks", "bundle", "deploy", "-t", target]
    if shutil.which("databricks") is None:
        return f"to deploy, run from {bundle}: {' '.join(command)}"
    done = subprocess.run(command, cwd=bundle, capture_output=True, text=True, timeout=DEPLOY_TIMEOUT_S, check=False)
    status = "deployed" if done.returncode == 0 else f"deploy failed (exit {done.returncode})"
    return f"{status}: {done.stdout[-2000:]}{done.stderr[-2000:]}"


def run_notebook(
    widgets: WidgetSource,
    secrets: Any | None,
    environ: Mapping[str, str],
    default_bundle: Path,
    console: Console | None = None,
) -> NotebookRun:
    """Read the widgets, regenerate, print the plan's diff and deploy (or say how)."""
    out = console or Console(highlight=False)
    values = read_widgets(widgets)
    request = build_request(values, default_bundle)
    env = credentials(values["auth_method"], values["secret_scope"], secrets, environ)
    result = run_generate(request, env, out, quiet=True)
    out.print(result.diff.summary(), soft_wrap=True)
    plan = result.plan
    out.print(f"{plan.tag_count} tags in {len(plan.partitions)} partitions; heaviest at {plan.imbalance():.3f} x mean")
    if not result.written:
        message = "dry run: nothing written; set dry_run to false to write the plan and resources"
    elif _truthy(values["deploy"]):
        message = deploy(request.bundle, values["target"])
    else:
        message = f"written; to deploy, run from {request.bundle}: databricks bundle deploy -t {values['target']}"
    out.print(message, soft_wrap=True)
    return NotebookRun(result, message)
