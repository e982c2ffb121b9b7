"""Errors of the generator; every message names the cause and the fix.

    GeneratorError
    ├── PlanConfigError        bad planner input (tags per pipeline of zero or less, a cap below a partition's size)
    ├── PlanFileError          osipi.plan.json is corrupted or was edited by hand
    ├── DiscoveryError         the PI Web API could not be read (unreachable, no such AF database, bad credentials)
    │   └── NoTagsError        the filters matched no tag
    └── BundleValidationError  rendered files fail the bundle schema or the semantic checks (carries `problems`)

Nothing is written to the bundle when one of these is raised.
"""

from __future__ import annotations


class GeneratorError(Exception):
    """Base class of everything the generator raises on purpose."""


class PlanConfigError(GeneratorError):
    """The planner was given settings it cannot honour."""


class PlanFileError(GeneratorError):
    """The plan file on disk cannot be trusted."""


class DiscoveryError(GeneratorError):
    """Tags could not be discovered from PI Web API."""


class NoTagsError(DiscoveryError):
    """Discovery succeeded but the filters left no tag."""


class BundleValidationError(GeneratorError):
    """The bundle failed validation; `problems` lists every finding."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        shown = "\n  - ".join(self.problems[:20])
        more = f"\n  ... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"bundle validation failed ({len(self.problems)} problem(s)):\n  - {shown}{more}")
