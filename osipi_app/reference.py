"""The settings reference, made from the contract: `osipi settings` prints it, the README carries it.

`tests/test_readme_reference.py` checks that the README's table is exactly this output, so the documentation can
never drift from the names, defaults and parsers the code uses.
"""

from __future__ import annotations

from osipi_lakeflow import contract

BEGIN, END = "<!-- settings:begin -->", "<!-- settings:end -->"
"""Markers around the generated table in README.md."""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def settings_table() -> str:
    """A Markdown table of every setting: its flag, where it travels, its default and what it means."""
    rows = [
        "| setting (`osipi generate` flag) | pipeline configuration / bundle variable | default | meaning |",
        "|---|---|---|---|",
    ]
    for s in contract.SETTINGS:
        where = []
        if s.kinds:
            kinds = "all pipelines" if s.kinds == contract.ALL_KINDS else ", ".join(sorted(s.kinds))
            where.append(f"`{s.conf_key}` ({kinds})")
        if s.variable:
            where.append(f"variable `{s.name}`")
        if s.env:
            where.append(f"env `{s.env}` locally")
        default = "(required)" if s.default is None else f"`{s.default}`" if s.default else '""'
        rows.append(f"| `{s.flag}` | {'; '.join(where) or 'rendered into the bundle'} | {default} | {_cell(s.doc)} |")
    return "\n".join(rows)


def readme_block() -> str:
    """The table between its markers, as README.md holds it."""
    return f"{BEGIN}\n{settings_table()}\n{END}"
