"""A pipeline's configuration: the `osipi.*` strings of its `configuration` map, read once and checked by the contract.

Pipeline sources build one `PipelineConf` from `spark.conf` and hand `reader_options(...)` to the data source, which
parses the same options with the same parsers (`contract.SETTINGS`). Nothing here reads environment variables:
serverless pipelines have none, and the reader runs in other processes anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from osipi_lakeflow import contract, parsers
from osipi_lakeflow.errors import PIConfigError


class ConfLike(Protocol):
    """What `spark.conf` offers: `get(key, default)`."""

    def get(self, key: str, default: Any = ...) -> Any:  # pragma: no cover - protocol
        """Return the value of `key`, or `default`."""


def _read(conf: ConfLike | Mapping[str, str], key: str) -> str | None:
    """One key from `spark.conf` or a mapping; blank values count as missing."""
    value = conf.get(key, None)
    return value.strip() if isinstance(value, str) and value.strip() else None


@dataclass(frozen=True)
class PipelineConf:
    """The checked configuration of one pipeline of `kind`.

    Attributes:
        kind: the pipeline kind (`contract.PIPELINE_KINDS`).
        text: every setting of the kind as validated text (defaults filled in), by setting name.
        values: the same settings parsed (durations, numbers, booleans), by setting name.
        partition: for a time-series pipeline, its partition keys' text (`contract.PARTITION_KEYS`) by key name.
    """

    kind: str
    text: Mapping[str, str]
    values: Mapping[str, Any]
    partition: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_conf(cls, conf: ConfLike | Mapping[str, str], kind: str) -> PipelineConf:
        """Read and check the `osipi.*` keys of a pipeline of `kind`.

        Raises:
            PIConfigError: a key is missing or malformed; the message names the key, the flag and a valid value.
        """
        text: dict[str, str] = {}
        values: dict[str, Any] = {}
        for setting in contract.settings_for(kind):
            raw = _read(conf, setting.conf_key)
            values[setting.name] = setting.check(raw)
            text[setting.name] = raw if raw is not None else str(setting.default)
        partition = {}
        if contract.PIPELINE_KINDS[kind].partitioned:
            for key in contract.PARTITION_KEYS:
                raw = _read(conf, key.conf_key)
                if raw is None:
                    raise PIConfigError(
                        f"the {kind} pipeline configuration has no '{key.conf_key}' ({key.doc}); regenerate the "
                        "bundle with `osipi generate` (resources are rendered from osipi.plan.json)"
                    )
                partition[key.name] = raw
            try:
                parsers.tag_starts(partition[contract.TAG_STARTS.name])
            except ValueError as error:
                raise PIConfigError(f"'{contract.TAG_STARTS.conf_key}': {error}") from None
        return cls(kind, text, values, partition)

    @property
    def partition_id(self) -> str:
        """The partition id of a time-series pipeline ("" for the others)."""
        return self.partition.get(contract.PARTITION_ID.name, "")

    @property
    def tags(self) -> tuple[str, ...]:
        """The partition's point WebIds."""
        return parsers.split_list(self.partition.get(contract.TAGS.name, ""))

    @property
    def tables(self) -> tuple[str, ...]:
        """The tables this pipeline writes."""
        return contract.PIPELINE_KINDS[self.kind].tables_of(self.partition_id or None)

    @property
    def late_window(self) -> timedelta:
        """How far back late events are re-read (zero: off)."""
        return self.values["late_window"]

    def reader_options(self, credentials: Mapping[str, str]) -> dict[str, str]:
        """The data source options: every reader setting, the partition keys and the credentials, as strings."""
        options = {s.option: self.text[s.name] for s in contract.settings_for(self.kind) if s.reader}
        keys = [key for key in contract.PARTITION_KEYS if key.name in self.partition]
        options.update({key.option: self.partition[key.name] for key in keys})
        options.update(credentials)
        return options
