"""The repository's own bundle is the generator's output for its plan, and passes every check."""

from generator.validate import validate_bundle
from tests.repository_bundle import ROOT, rendered


def test_the_root_bundle_is_what_the_generator_renders_from_the_root_plan():
    stale = [name for name, data in rendered().items() if (ROOT / name).read_bytes() != data]
    assert stale == [], f"regenerate with `python -m tests.repository_bundle`: {stale}"


def test_the_root_bundle_is_valid():
    assert validate_bundle(ROOT) == []
