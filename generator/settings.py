"""The settings of one generation: what the plan recorded, updated with what the user gives now.

Every setting is defined once in `osipi_lakeflow.contract` and checked by its parser here, before anything is
discovered or written, so a value `osipi generate` accepts is one the pipeline accepts. The user's choices are kept
in the plan (`Plan.settings`) and nowhere else: a later run without flags renders the same bundle, and
`databricks.yml` is output only. Per-deploy overrides of bundle variables belong on the command line
(`databricks bundle deploy -t prod --var="catalog=prod"`), never in hand edits of generated files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from generator.errors import PlanConfigError
from osipi_lakeflow import contract
from osipi_lakeflow.pitime import format_time, resolve_time

ANCHORED = ("event_frame_start",)
"""Settings given as PI time that are fixed to an absolute time when chosen, so a later reset reads the same
history (a tag's history start is fixed per tag, in the plan's tag list)."""


@dataclass(frozen=True)
class BundleSettings:
    """The checked settings of one rendering.

    Attributes:
        chosen: what the user chose (recorded in the plan), by contract name, as validated text.
    """

    chosen: Mapping[str, str]

    def __post_init__(self) -> None:
        try:
            contract.check_settings(self.chosen)
        except contract.SettingError as error:
            raise PlanConfigError(str(error)) from None

    def text(self, name: str) -> str:
        """The setting's text: the user's choice, else the contract's default."""
        if name in self.chosen:
            return self.chosen[name]
        default = contract.SETTING[name].default
        if default is None:
            raise PlanConfigError(f"{contract.SETTING[name].describe()} has no value: give it once")
        return default

    def value(self, name: str) -> Any:
        """The setting parsed by its contract parser."""
        return contract.SETTING[name].check(self.text(name))

    def __getitem__(self, name: str) -> str:
        return self.text(name)


def resolve_settings(recorded: Mapping[str, str], given: Mapping[str, Any]) -> BundleSettings:
    """The plan's recorded choices, updated with the settings given now (None means not given).

    Raises:
        PlanConfigError: a value is invalid (named with its flag and a valid example), unknown, or a required
            setting (PI Web API URL, AF database) is given nowhere.
    """
    chosen = {**recorded, **{k: str(v) for k, v in given.items() if v is not None}}
    settings = BundleSettings(chosen)
    missing = [contract.SETTING[n].flag for n in ("pi_url", "af_database") if n not in chosen]
    if missing:
        raise PlanConfigError(
            f"missing {', '.join(missing)}: give it once; later runs read it from the plan ({'osipi.plan.json'})"
        )
    return settings


def anchor(settings: BundleSettings, now: datetime) -> BundleSettings:
    """Fix the chosen PI-time settings of `ANCHORED` to absolute times against the server clock `now`."""
    fixed = dict(settings.chosen)
    for name in ANCHORED:
        text = settings.text(name)
        if text.strip().startswith("*"):
            fixed[name] = format_time(resolve_time(text, now))
    return BundleSettings(fixed)
