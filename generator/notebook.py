"""Logic of the operator notebook `notebooks/regenerate_partitions.py`, which stays a thin shell around this.

In a workspace the inputs are notebook widgets and the PI credentials come from the secret scope (through the key
names of `contract.AUTH_METHODS`, the ones the pipelines use); they are handed to the client in a private mapping,
never put in `os.environ`, printed or written. Run as a plain script, the widgets fall back to `OSIPI_<WIDGET>`
environment variables and the credentials to the usual PI_* variables, which is how the test runs it.

The notebook never deploys: a cluster has no Databricks CLI. It writes the plan and resources into the Git folder
it runs from and names the documented next step: the workspace's bundle deployment (open databricks.yml, the
Deployments pane, Deploy; https://docs.databricks.com/aws/en/dev-tools/bundles/workspace-deploy) or the CLI in the
web terminal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from rich.console import Console

from generator.cli import run_generate
from generator.discover import DiscoverySpec
from generator.errors import PlanConfigError
from generator.regenerate import RegenerateRequest, RegenerateResult, prepare
from osipi_lakeflow import contract

_CREDENTIAL_VARS = frozenset(c.env for m in contract.AUTH_METHODS.values() for c in m.credentials)

WIDGETS = {
    "bundle": ("", "Bundle folder (empty: the repository this notebook is in)"),
    "pi_url": ("", "PI Web API URL (empty: the plan's)"),
    "af_databases": ("", "AF database paths, comma-separated (empty: the plan's recorded discovery)"),
    "tags_per_pipeline": ("", "Most tags per pipeline (empty: the plan's, else 100)"),
    "auth_scope": ("", "Secret scope with the PI credentials (empty: the plan's, else osipi)"),
    "auth_method": ("", "basic | bearer | oidc | kerberos | anonymous (empty: the plan's, else basic)"),
    "rebalance": ("false", "Rewrite the plan from scratch (moved tags re-read history)"),
    "dry_run": ("true", "Show the changes only"),
    "target": ("dev", "Bundle target the next step deploys"),
}


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
    """What the notebook shows: the result, and the next step to take."""

    result: RegenerateResult
    next_step: str


def read_widgets(widgets: WidgetSource) -> dict[str, str]:
    """Declare every widget (idempotent) and return their values."""
    for name, (default, label) in WIDGETS.items():
        widgets.text(name, default, label)
    return {name: widgets.get(name).strip() for name in WIDGETS}


def credentials(method: str, scope: str, secrets: Any | None, environ: Mapping[str, str]) -> dict[str, str]:
    """The client's environment: PI_AUTH plus the credential values, from the secret scope when there is one."""
    env = {k: v for k, v in environ.items() if k.startswith("PI_") and k not in _CREDENTIAL_VARS}
    spec = contract.auth_method(method)
    env[contract.SETTING["auth_method"].env or "PI_AUTH"] = spec.name
    for credential in spec.credentials:
        if secrets is not None:
            env[credential.env] = secrets.get(scope=scope, key=credential.secret_key)
        else:
            env[credential.env] = environ.get(credential.env, "")
    return env


def _truthy(value: str) -> bool:
    return value.lower() in {"1", "true", "yes", "y"}


def build_request(values: Mapping[str, str], default_bundle: Path) -> RegenerateRequest:
    """The regeneration the widgets ask for."""
    databases = tuple(d.strip() for d in values["af_databases"].split(",") if d.strip())
    given = ("pi_url", "auth_scope", "auth_method")
    settings: dict[str, Any] = {name: values[name] for name in given if values[name]}
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


def next_step(bundle: Path, target: str) -> str:
    """The documented way to deploy what was written, from the workspace (a cluster has no Databricks CLI)."""
    return (
        f"written to {bundle}. Next: commit and push the Git folder, then open {bundle / 'databricks.yml'} in the "
        f"workspace, click the Deployments icon, choose target {target!r} and click Deploy; or, in the web "
        f"terminal: cd {bundle} && databricks bundle deploy -t {target}"
    )


def run_notebook(
    widgets: WidgetSource,
    secrets: Any | None,
    environ: Mapping[str, str],
    default_bundle: Path,
    console: Console | None = None,
) -> NotebookRun:
    """Read the widgets, regenerate, print the plan's diff and the exact next step (it never deploys)."""
    out = console or Console(highlight=False)
    values = read_widgets(widgets)
    request = build_request(values, default_bundle)
    recorded = prepare(request)[2]  # the plan's settings: which scope and method hold the credentials
    env = credentials(recorded.text("auth_method"), recorded.text("auth_scope"), secrets, environ)
    result = run_generate(request, env, out, quiet=True)
    out.print(result.diff.summary(), soft_wrap=True)
    plan = result.plan
    out.print(f"{plan.tag_count} tags in {len(plan.partitions)} partitions; heaviest at {plan.imbalance():.3f} x mean")
    if not result.written:
        message = "dry run: nothing written; set dry_run to false to write the plan and resources"
    else:
        message = next_step(request.bundle, values["target"])
    out.print(message, soft_wrap=True)
    return NotebookRun(result, message)
