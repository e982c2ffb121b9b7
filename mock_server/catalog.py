"""The plant's vocabulary: element templates, their attributes, digital state sets and PI system states."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AttrSpec:
    """An attribute of an element template; `signal` says how its PI point behaves."""

    name: str
    point_type: str  # Float32, Float64, Int32, String, Digital
    units: str
    signal: str  # analog, counter, digital, string
    low: float = 0.0
    high: float = 100.0
    digital_set: str = ""
    max_rate: float = 36_000.0  # events per hour at most (slow signals stay slow)


@dataclass(frozen=True, slots=True)
class StaticSpec:
    """An attribute with no data reference: a configuration value stored on the element."""

    name: str
    type: str  # String, Double, Int32
    value: str | float | int
    units: str = ""


@dataclass(frozen=True, slots=True)
class EquipmentTemplate:
    """An equipment element template: tag-name prefix, categories, PI point attributes, static attributes."""

    name: str
    prefix: str
    categories: tuple[str, ...]
    points: tuple[AttrSpec, ...]
    statics: tuple[StaticSpec, ...]


DIGITAL_SETS: dict[str, tuple[str, ...]] = {
    "RunStatus": ("Stopped", "Running", "Tripped"),
    "ValveState": ("Closed", "Open", "Transit"),
    "AlarmState": ("Normal", "High", "HighHigh", "Low"),
    "ControlMode": ("MAN", "AUTO", "CAS"),
}

SYSTEM_STATES: tuple[tuple[str, int], ...] = (
    ("I/O Timeout", 246),
    ("Shutdown", 254),
    ("Bad Input", 255),
    ("Pt Created", 253),
    ("Scan Off", 238),
    ("Calc Failed", 249),
)
"""PI SYSTEM digital states the archive emits (names and codes from AFSystemStateCode)."""

STRING_VALUES: tuple[str, ...] = ("Product A", "Product B", "Product C", "Cleaning", "Idle", "Grade 40", "Grade 60")

EQUIPMENT: tuple[EquipmentTemplate, ...] = (
    EquipmentTemplate(
        "Pump",
        "P",
        ("Equipment", "Rotating Equipment"),
        (
            AttrSpec("DischargePressure", "Float32", "kPa", "analog", 300, 900),
            AttrSpec("SuctionPressure", "Float32", "kPa", "analog", 50, 200),
            AttrSpec("FlowRate", "Float64", "m3/h", "analog", 20, 400),
            AttrSpec("MotorCurrent", "Float32", "A", "analog", 10, 120),
            AttrSpec("Vibration", "Float32", "mm/s", "analog", 0.5, 9),
            AttrSpec("RunStatus", "Digital", "", "digital", digital_set="RunStatus", max_rate=12),
        ),
        (StaticSpec("Manufacturer", "String", "Flowserve"), StaticSpec("RatedPower", "Double", 75.0, "kW")),
    ),
    EquipmentTemplate(
        "Compressor",
        "K",
        ("Equipment", "Rotating Equipment"),
        (
            AttrSpec("SuctionPressure", "Float32", "kPa", "analog", 90, 150),
            AttrSpec("DischargePressure", "Float32", "kPa", "analog", 600, 1400),
            AttrSpec("DischargeTemperature", "Float32", "degC", "analog", 60, 140),
            AttrSpec("Speed", "Float64", "rpm", "analog", 2800, 3600),
            AttrSpec("RunHours", "Int32", "h", "counter", 0, 1, max_rate=1),
            AttrSpec("RunStatus", "Digital", "", "digital", digital_set="RunStatus", max_rate=12),
        ),
        (StaticSpec("Manufacturer", "String", "Atlas Copco"), StaticSpec("RatedPower", "Double", 250.0, "kW")),
    ),
    EquipmentTemplate(
        "Heat Exchanger",
        "E",
        ("Equipment", "Static Equipment"),
        (
            AttrSpec("InletTemperature", "Float32", "degC", "analog", 120, 180),
            AttrSpec("OutletTemperature", "Float32", "degC", "analog", 40, 90),
            AttrSpec("Duty", "Float64", "kW", "analog", 500, 2500),
            AttrSpec("DifferentialPressure", "Float32", "kPa", "analog", 5, 40),
        ),
        (StaticSpec("Area", "Double", 120.0, "m2"),),
    ),
    EquipmentTemplate(
        "Tank",
        "T",
        ("Equipment", "Static Equipment"),
        (
            AttrSpec("Level", "Float32", "%", "analog", 10, 90),
            AttrSpec("Volume", "Float64", "m3", "analog", 50, 900),
            AttrSpec("Temperature", "Float32", "degC", "analog", 15, 45),
            AttrSpec("LevelAlarm", "Digital", "", "digital", digital_set="AlarmState", max_rate=12),
            AttrSpec("Product", "String", "", "string", max_rate=6),
        ),
        (StaticSpec("Capacity", "Double", 1000.0, "m3"),),
    ),
    EquipmentTemplate(
        "Valve",
        "V",
        ("Equipment", "Final Control Element"),
        (
            AttrSpec("Position", "Float32", "%", "analog", 0, 100),
            AttrSpec("State", "Digital", "", "digital", digital_set="ValveState", max_rate=60),
            AttrSpec("Mode", "Digital", "", "digital", digital_set="ControlMode", max_rate=6),
        ),
        (StaticSpec("Size", "String", "DN150"),),
    ),
)

LEVEL_TEMPLATES: dict[str, tuple[tuple[str, ...], tuple[StaticSpec, ...]]] = {
    "Enterprise": (("Location",), (StaticSpec("Owner", "String", "Plant Operations"),)),
    "Site": (("Location",), (StaticSpec("Latitude", "Double", 51.9), StaticSpec("Longitude", "Double", 4.4))),
    "Area": (("Location",), (StaticSpec("Manager", "String", "Area Lead"),)),
    "Unit": (("Process Unit",), (StaticSpec("Capacity", "Double", 400.0, "t/d"),)),
}

EVENT_FRAME_TEMPLATES: dict[str, tuple[str, ...]] = {
    "Batch": ("Production",),
    "Downtime": ("Reliability",),
    "Alarm": ("Alarms",),
}

RATE_CLASSES: tuple[tuple[float, float], ...] = (
    (1, 0.05),
    (12, 0.1),
    (60, 0.17),
    (360, 0.2),
    (720, 0.15),
    (1800, 0.1),
    (3600, 0.15),
    (7200, 0.05),
    (36_000, 0.03),
)
"""(events per hour, share of points): from one event an hour to ten a second."""

ELEMENT_CATEGORIES: tuple[str, ...] = tuple(
    sorted(
        {c for t in EQUIPMENT for c in t.categories}
        | {c for categories, _ in LEVEL_TEMPLATES.values() for c in categories}
        | {c for categories in EVENT_FRAME_TEMPLATES.values() for c in categories}
    )
)
"""Element categories of the Plant database: every category a template gives its elements or event frames
(AF event frames use element categories too)."""

CATEGORY_DESCRIPTIONS: dict[str, str] = {
    "Alarms": "Event frames of process alarms",
    "Equipment": "Physical plant equipment",
    "Final Control Element": "Valves and actuators acting on the process",
    "Location": "Enterprise, site and area levels",
    "Process Unit": "Process units grouping equipment",
    "Production": "Event frames of production batches",
    "Reliability": "Event frames of equipment downtime",
    "Rotating Equipment": "Pumps, compressors and other rotating machines",
    "Static Equipment": "Heat exchangers, tanks and other static equipment",
}
