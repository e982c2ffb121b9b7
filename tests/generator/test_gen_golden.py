"""Rendered output matches the reviewed golden files byte for byte (see golden.py to update them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.generator.golden import CASES, expected, render_case


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_rendering_matches_the_golden_files(case: str) -> None:
    assert render_case(CASES / case) == expected(CASES / case)


def test_golden_plan_seals_its_content() -> None:
    plan_text = expected(CASES / "small")["osipi.plan.json"].decode()
    assert '"sha256": "' in plan_text and plan_text.endswith("}\n")


def test_golden_cases_exist() -> None:
    assert (Path(CASES) / "small" / "expected" / "databricks.yml").exists()
