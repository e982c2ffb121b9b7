"""The plant model: AF hierarchy and PI points, derived from a seed and a size and held in compact arrays.

Elements form Enterprise > Site > Area > Unit > equipment; each equipment element's PI Point attributes own
consecutive points. About one point in twenty (ISA-style names such as `21FIC101.PV`) is referenced from no
element. Point `DIAG.BurstEvents.PV` holds `burst_size` events at the top of every hour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mock_server.catalog import DIGITAL_SETS, EQUIPMENT, LEVEL_TEMPLATES, RATE_CLASSES, AttrSpec, StaticSpec

DATA_SERVER = "PISRV01"
AF_SERVER = "PIAF01"
AF_DATABASE = "Plant"
BURST_TAG = "DIAG.BurstEvents.PV"
EQUIPMENT_BY_NAME = {t.name: t for t in EQUIPMENT}
POINT_TYPES = ("Float32", "Float64", "Int32", "String", "Digital")
SIGNALS = ("analog", "counter", "digital", "string")
_ISA = (
    ("FIC", "Float32", "m3/h", 20, 400),
    ("TI", "Float32", "degC", 10, 200),
    ("PI", "Float64", "bar", 1, 40),
    ("LIC", "Float32", "%", 5, 95),
    ("XV", "Digital", "", 0, 0),
    ("FQI", "Int32", "m3", 0, 0),
)


@dataclass(frozen=True, slots=True)
class ElementNode:
    """One AF element: its place in the tree and, for equipment, the points of its PI Point attributes."""

    index: int
    name: str
    parent: int  # -1 for the root element
    template: str
    categories: tuple[str, ...]
    path: str
    first_point: int = -1
    point_count: int = 0


class Plant:
    """Elements and points of one (seed, tags) plant; everything else is computed from these arrays."""

    def __init__(self, seed: int, tags: int, uniform_events_per_hour: float | None = None) -> None:
        self.seed = seed
        self.tags = tags
        self.uniform_events_per_hour = uniform_events_per_hour
        self.db_path = f"\\\\{AF_SERVER}\\{AF_DATABASE}"
        rng = np.random.default_rng([seed, 1])
        referenced = tags - max(1, tags // 20)
        self.point_names: list[str] = []
        self.point_owner = np.full(tags, -1, dtype=np.int32)  # element index, -1 when not referenced from AF
        self.point_spec: list[AttrSpec] = []
        self.elements: list[ElementNode] = []
        self.children: list[list[int]] = []
        self._build_tree(rng, referenced)
        self._add_unreferenced(rng, tags - len(self.point_names))
        self.point_types = np.array([POINT_TYPES.index(s.point_type) for s in self.point_spec], dtype=np.uint8)
        self.point_signals = np.array([SIGNALS.index(s.signal) for s in self.point_spec], dtype=np.uint8)
        self._draw_signal_parameters(rng)
        self.name_index = {name.upper(): i for i, name in enumerate(self.point_names)}
        self.element_by_path = {e.path.upper(): e.index for e in self.elements}

    # -- construction -------------------------------------------------------------------------------------
    def _add_element(self, name: str, parent: int, template: str, categories: tuple[str, ...], **points: int) -> int:
        path = (self.elements[parent].path if parent >= 0 else self.db_path) + "\\" + name
        node = ElementNode(len(self.elements), name, parent, template, categories, path, **points)
        self.elements.append(node)
        self.children.append([])
        if parent >= 0:
            self.children[parent].append(node.index)
        return node.index

    def _build_tree(self, rng: np.random.Generator, referenced: int) -> None:
        mean_points = sum(len(t.points) for t in EQUIPMENT) / len(EQUIPMENT)
        fan_out = max(2, min(12, round((referenced / mean_points) ** 0.25)))
        root = self._add_element("Enterprise", -1, "Enterprise", LEVEL_TEMPLATES["Enterprise"][0])
        site_no = 0
        while len(self.point_names) < referenced:
            site_no += 1
            site = self._add_element(f"SITE{site_no}", root, "Site", LEVEL_TEMPLATES["Site"][0])
            for area_no in range(1, fan_out + 1):
                area = self._add_element(f"AREA{area_no}", site, "Area", LEVEL_TEMPLATES["Area"][0])
                for unit_no in range(1, fan_out + 1):
                    unit = self._add_element(f"UNIT{unit_no}", area, "Unit", LEVEL_TEMPLATES["Unit"][0])
                    for seq in range(1, fan_out + 2):
                        left = referenced - len(self.point_names)
                        if left <= 0:
                            return
                        template = EQUIPMENT[int(rng.integers(len(EQUIPMENT)))]
                        count = min(left, len(template.points))
                        name = f"{template.prefix}-{unit_no}{seq:02d}"
                        index = self._add_element(
                            name,
                            unit,
                            template.name,
                            template.categories,
                            first_point=len(self.point_names),
                            point_count=count,
                        )
                        for spec in template.points[:count]:
                            self.point_owner[len(self.point_names)] = index
                            self.point_names.append(f"SITE{site_no}.AREA{area_no}.{name}.{spec.name}")
                            self.point_spec.append(spec)

    def _add_unreferenced(self, rng: np.random.Generator, count: int) -> None:
        self.point_names.append(BURST_TAG)
        self.point_spec.append(AttrSpec("BurstEvents", "Int32", "count", "counter", 0, 1, max_rate=1))
        for n in range(count - 1):
            kind, ptype, units, low, high = _ISA[int(rng.integers(len(_ISA)))]
            signal = {"Digital": "digital", "Int32": "counter"}.get(ptype, "analog")
            digital_set = "ValveState" if ptype == "Digital" else ""
            self.point_names.append(f"{10 + n % 90}{kind}{100 + n // 90}.PV")
            self.point_spec.append(
                AttrSpec(kind, ptype, units, signal, low, high, digital_set, 60 if signal != "analog" else 36_000)
            )

    def _draw_signal_parameters(self, rng: np.random.Generator) -> None:
        n = self.tags
        rates, weights = zip(*RATE_CLASSES, strict=True)
        drawn = rng.choice(np.array(rates), size=n, p=np.array(weights) / sum(weights))
        caps = np.array([s.max_rate for s in self.point_spec])
        self.rate = np.minimum(drawn, caps).astype(np.float64)  # events per hour
        if self.uniform_events_per_hour:  # benchmarks: every tag at one known rate (3600 = 1 Hz)
            self.rate[:] = self.uniform_events_per_hour
        self.burst_point = self.point_names.index(BURST_TAG)
        self.rate[self.burst_point] = 1.0
        low = np.array([s.low for s in self.point_spec])
        high = np.array([s.high for s in self.point_spec])
        self.base = (low + high) / 2
        self.amplitude = (high - low) * rng.uniform(0.05, 0.3, n)
        self.noise = (high - low) * rng.uniform(0.002, 0.02, n)
        self.step = (high - low) * rng.uniform(0.0, 0.15, n)
        self.phase = rng.uniform(0, 2 * math.pi, n)
        # resolution of timestamps in ticks: whole seconds, milliseconds or PI's ~15 us subsecond grid
        whole = (self.rate <= 720) & (rng.random(n) < 0.5)
        self.resolution = np.where(whole, 10_000_000, np.where(rng.random(n) < 0.3, 10_000, 153)).astype(np.int64)

    # -- lookups --------------------------------------------------------------------------------------------
    def point_path(self, p: int) -> str:
        r"""PI point path `\\PISRV01\TAG`."""
        return f"\\\\{DATA_SERVER}\\{self.point_names[p]}"

    def element_attributes(self, e: int) -> list[tuple[str, AttrSpec | StaticSpec, int]]:
        """(name, spec, point index or -1) of each attribute of element `e`, in slot order."""
        node = self.elements[e]
        if node.template in LEVEL_TEMPLATES:
            return [(s.name, s, -1) for s in LEVEL_TEMPLATES[node.template][1]]
        template = EQUIPMENT_BY_NAME[node.template]
        refs = [(s.name, s, node.first_point + i) for i, s in enumerate(template.points[: node.point_count])]
        return refs + [(s.name, s, -1) for s in template.statics]

    def digital_states(self, p: int) -> tuple[str, ...]:
        """Names of the digital states of a Digital point (empty for other types)."""
        return DIGITAL_SETS.get(self.point_spec[p].digital_set, ())

    def units(self, p: int) -> str:
        """Engineering units of a point."""
        return self.point_spec[p].units
