"""The bundle at the repository root: what `databricks bundle deploy` deploys before any `osipi generate`.

It is rendered from the root's `osipi.plan.json` (no partitions yet; example PI Web API URL and AF database) like
any generated bundle, so it must equal what the generator renders from that plan. After a deliberate change to the
templates or the contract, rewrite it and review the diff:

    .venv/bin/python -m tests.repository_bundle
"""

from __future__ import annotations

from pathlib import Path

from generator.plan import PLAN_FILE, Plan, dump_plan, read_plan
from generator.render import render_bundle
from generator.settings import BundleSettings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = {"pi_url": "https://pi.example.com/piwebapi", "af_database": "\\\\PIAF01\\Plant"}


def root_plan() -> Plan:
    """The root's plan, or the empty example plan when there is none yet."""
    return read_plan(ROOT) or Plan(100, (), 1, {}, dict(EXAMPLE))


def rendered() -> dict[str, bytes]:
    """Every file the generator renders for the root's plan, by bundle-relative path."""
    plan = root_plan()
    files = {k: v.encode() for k, v in render_bundle(plan, BundleSettings(plan.settings)).files.items()}
    return {**files, PLAN_FILE: dump_plan(plan)}


def update() -> None:
    """Write the root bundle from its plan."""
    for name, data in rendered().items():
        (ROOT / name).parent.mkdir(parents=True, exist_ok=True)
        (ROOT / name).write_bytes(data)


if __name__ == "__main__":
    update()
