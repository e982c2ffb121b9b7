"""Fixtures of the generator tests: an empty bundle folder and an in-memory PI source (unit level only)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from osipi_lakeflow import contract
from osipi_lakeflow.errors import PINotFoundError
from osipi_lakeflow.models import AssetDatabase, Attribute, DataServer, Element, Point

PIPELINE_SOURCES = tuple(kind.source for kind in contract.PIPELINE_KINDS.values())
DB_PATH = "\\\\PIAF01\\Plant"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
"""The fake server's clock: history starts are fixed against it."""


def make_bundle(root: Path) -> Path:
    """A bundle folder with what the rendered resources point at: pyproject.toml and the pipeline sources."""
    (root / "pipelines").mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text('[project]\nname = "osipi-lakeflow"\nversion = "0"\n')
    for name in PIPELINE_SOURCES:
        (root / "pipelines" / name).write_text("# pipeline source\n")
    return root


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return make_bundle(tmp_path / "bundle")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root, for before/after comparisons."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


class FakePI:
    """In-memory stand-in for the client: one AF database of pumps and valves, one data server."""

    def __init__(self, count: int = 30, rates: dict[str, float] | None = None, extra_points: int = 5) -> None:
        self.db = AssetDatabase("D0DB", "Plant", DB_PATH)
        self.elements_list: list[Element] = []
        self.attrs: dict[str, list[Attribute]] = {}
        for i in range(count):
            template = "Pump" if i % 2 == 0 else "Valve"
            path = f"{DB_PATH}\\SITE1\\{template.upper()}-{i:03d}"
            element = Element(
                f"E{i:03d}",
                f"id{i}",
                f"{template.upper()}-{i:03d}",
                path,
                template,
                ("Rotating",) if template == "Pump" else ("Static",),
            )
            self.elements_list.append(element)
            self.attrs[element.webid] = [
                Attribute(
                    f"A{i:03d}a",
                    "x",
                    "Flow",
                    f"{path}|Flow",
                    element.webid,
                    "PI Point",
                    f"F1DP{i:04d}",
                    f"TAG.{i:04d}.FLOW",
                    type="Single",
                ),
                Attribute(
                    f"A{i:03d}b",
                    "x",
                    "State",
                    f"{path}|State",
                    element.webid,
                    "PI Point",
                    f"F1DQ{i:04d}",
                    f"TAG.{i:04d}.STATE",
                    type="EnumerationValue",
                ),
                Attribute(f"A{i:03d}c", "x", "Model", f"{path}|Model", element.webid, "", None, None, type="String"),
            ]
        # a shared point referenced by two attributes must count once
        self.attrs["E000"].append(
            Attribute(
                "A000d",
                "x",
                "FlowAlias",
                f"{DB_PATH}\\SITE1\\PUMP-000|FlowAlias",
                "E000",
                "PI Point",
                "F1DP0000",
                "TAG.0000.FLOW",
                type="Single",
            )
        )
        self.server = DataServer("F1DS", "PISRV01", "\\\\PIServers[PISRV01]")
        self.server_points = [
            Point(f"F1DX{i:03d}", f"SINUSOID{i}", f"\\\\PISRV01\\SINUSOID{i}", "Float32") for i in range(extra_points)
        ]
        self.rates = rates or {}
        self.rate_calls: list[int] = []

    def asset_database(self, path: str) -> AssetDatabase:
        if path.casefold() != DB_PATH.casefold():
            raise PINotFoundError(f"asset database {path} not found", status=404, url="http://fake/piwebapi")
        return self.db

    def elements(
        self,
        db: AssetDatabase,
        template_name: str | None = None,
        category_name: str | None = None,
        name_filter: str | None = None,
    ) -> Iterator[Element]:
        for e in self.elements_list:
            if template_name and e.template != template_name:
                continue
            if category_name and category_name not in e.categories:
                continue
            yield e

    def attributes(self, elements: Sequence[Element], pi_points_only: bool = True) -> Iterator[Attribute]:
        for e in elements:
            for a in self.attrs[e.webid]:
                if not pi_points_only or a.data_reference == "PI Point":
                    yield a

    def data_server(self, name: str | None = None) -> DataServer:
        return self.server

    def points(self, data_server: DataServer, name_filter: str) -> Iterator[Point]:
        prefix = name_filter.rstrip("*")
        return iter([p for p in self.server_points if p.name.startswith(prefix)])

    def server_time(self) -> datetime:
        return NOW

    def event_rates(self, tags: Sequence[str], window: str = "*-1h") -> dict[str, float]:
        self.rate_calls.append(len(tags))
        return {t: self.rates.get(t, 10.0 + (sum(map(ord, t)) % 50)) for t in tags}


@pytest.fixture
def fake_pi() -> FakePI:
    return FakePI()
