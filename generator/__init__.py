"""Generator of the Databricks Asset Bundle: AF discovery -> stable, load-balanced partition plan -> resources.

Public entry points: `generator.cli.main` (the command line), and for programs and the operator notebook
`discover_tags`, `plan_partitions`, `render_bundle`, `validate_bundle` / `validate_files` and `regenerate`.
"""

from generator.diff import PlanDiff, diff_plans
from generator.discover import DiscoverySpec, discover_tags
from generator.errors import (
    BundleValidationError,
    DiscoveryError,
    GeneratorError,
    NoTagsError,
    PlanConfigError,
    PlanFileError,
)
from generator.plan import PLAN_FILE, Partition, Plan, Tag, dump_plan, parse_plan, read_plan
from generator.planner import plan_partitions
from generator.regenerate import RegenerateRequest, RegenerateResult, regenerate
from generator.render import RenderedBundle, render_bundle
from generator.settings import BundleSettings
from generator.validate import validate_bundle, validate_files

__all__ = [
    "PLAN_FILE",
    "BundleSettings",
    "BundleValidationError",
    "DiscoveryError",
    "DiscoverySpec",
    "GeneratorError",
    "NoTagsError",
    "Partition",
    "Plan",
    "PlanConfigError",
    "PlanDiff",
    "PlanFileError",
    "RegenerateRequest",
    "RegenerateResult",
    "RenderedBundle",
    "Tag",
    "diff_plans",
    "discover_tags",
    "dump_plan",
    "parse_plan",
    "plan_partitions",
    "read_plan",
    "regenerate",
    "render_bundle",
    "validate_bundle",
    "validate_files",
]
