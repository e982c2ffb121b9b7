"""The README's settings reference is the contract's, word for word (regenerate it with `osipi settings`)."""

from pathlib import Path

from osipi_app.reference import readme_block

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_carries_the_settings_table_made_from_the_contract():
    assert readme_block() in README.read_text(encoding="utf-8"), (
        "README.md's settings table differs from the contract: paste the output of `osipi settings` between "
        "<!-- settings:begin --> and <!-- settings:end -->"
    )
