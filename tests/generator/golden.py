"""Golden cases: render each `cases/<case>/input.yml` and compare with (or rewrite) `cases/<case>/expected/`.

Regenerate the expected files only after a deliberate change to the templates or the plan format, then review
the diff like code:

    .venv/bin/python -m tests.generator.golden
"""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.plan import PLAN_FILE, Tag, dump_plan
from generator.planner import plan_partitions
from generator.render import render_bundle
from generator.settings import BundleSettings

CASES = Path(__file__).resolve().parent / "cases"


def render_case(case: Path) -> dict[str, bytes]:
    """Every file the generator would write for the case, by bundle-relative path."""
    spec = yaml.safe_load((case / "input.yml").read_text())
    settings = {k: str(v) for k, v in spec["settings"].items()}
    plan = plan_partitions([Tag(*t) for t in spec["tags"]], spec["tags_per_pipeline"], settings=settings)
    files = {k: v.encode() for k, v in render_bundle(plan, BundleSettings(settings)).files.items()}
    return {**files, PLAN_FILE: dump_plan(plan)}


def expected(case: Path) -> dict[str, bytes]:
    """The committed expected files of a case."""
    root = case / "expected"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def update() -> None:
    """Rewrite every case's expected/ folder from the current code."""
    for case in sorted(p for p in CASES.iterdir() if p.is_dir()):
        for old in (case / "expected").rglob("*"):
            if old.is_file():
                old.unlink()
        for name, data in render_case(case).items():
            (case / "expected" / name).parent.mkdir(parents=True, exist_ok=True)
            (case / "expected" / name).write_bytes(data)


if __name__ == "__main__":
    update()
