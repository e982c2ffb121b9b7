"""Typed records the client returns and the data sources, generator and CLI consume.

They hold primitives only (strings, numbers, UTC datetimes), so they pickle to Spark executors and serialise to
JSON offsets without surprises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

OPEN_END_YEAR = 9999
"""PI marks an event frame that is still open with an end time in year 9999 (9999-12-31T23:59:59Z)."""


@dataclass(frozen=True, slots=True)
class DataServer:
    """A PI Data Archive as PI Web API lists it."""

    webid: str
    name: str
    path: str
    server_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class Point:
    """A PI point (tag)."""

    webid: str
    name: str
    path: str
    point_type: str  # Float16/32/64, Int16/32, Digital, String, Timestamp, Blob
    units: str = ""
    digital_set: str = ""
    descriptor: str = ""


@dataclass(frozen=True, slots=True)
class AssetDatabase:
    """An AF database."""

    webid: str
    name: str
    path: str


@dataclass(frozen=True, slots=True)
class Element:
    """An AF element; `parent_path` is derived from `path` so a flat search still yields the tree."""

    webid: str
    id: str
    name: str
    path: str
    template: str = ""
    categories: tuple[str, ...] = ()
    description: str = ""
    has_children: bool = False

    @property
    def parent_path(self) -> str | None:
        """Path of the parent element, None for a root element (whose parent is the database)."""
        head, _, _ = self.path.rpartition("\\")
        return head if head.count("\\") > 3 else None

    @property
    def depth(self) -> int:
        """0 for a root element, 1 for its children, ..."""
        return self.path.count("\\") - 4


@dataclass(frozen=True, slots=True)
class Attribute:
    """An AF attribute of an element or event frame; PI Point references carry the point's WebId."""

    webid: str
    id: str
    name: str
    path: str
    owner_webid: str  # the element (or event frame) the attribute belongs to
    data_reference: str = ""  # "PI Point", "Table Lookup", "" for a static attribute
    point_webid: str | None = None
    point_name: str | None = None
    units: str = ""
    type: str = ""
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EventFrame:
    """An AF event frame; `end` is None while the frame is open (PI's year-9999 end time)."""

    webid: str
    id: str
    name: str
    path: str
    template: str
    start: datetime
    end: datetime | None
    severity: str = "None"
    categories: tuple[str, ...] = ()
    description: str = ""
    can_be_acknowledged: bool = False
    is_acknowledged: bool = False
    acknowledged_by: str = ""
    acknowledged_date: datetime | None = None
    is_annotated: bool = False
    ref_element_webids: tuple[str, ...] = ()
    values_captured: bool = False
    """PI stored the attribute values (`AreValuesCaptured`): they change only by an edit."""


@dataclass(frozen=True, slots=True)
class Watermark:
    """Where a tag's reading stands: the last event time taken and how many events at that instant were taken.

    PI can hold several events at one timestamp, so a timestamp alone cannot say where reading stopped.
    The JSON form, used in Spark offsets, is `["2026-11-01T00:00:00.123456Z", 2]`.
    """

    timestamp: datetime
    taken_at_timestamp: int = 0

    def to_json(self) -> list:
        """Serialise as `[iso-timestamp-with-microseconds-Z, count]`."""
        ts = self.timestamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return [ts, self.taken_at_timestamp]

    @classmethod
    def from_json(cls, value: list) -> Watermark:
        """Parse the form written by `to_json`."""
        ts, taken = value
        return cls(datetime.fromisoformat(ts).astimezone(UTC), int(taken))


@dataclass(frozen=True, slots=True)
class TagFailure:
    """Why one tag could not be read; the caller decides whether to retry it, the tag's watermark stays put."""

    webid: str
    status: int | None
    message: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class StreamStatus:
    """What a stream's snapshot call said: its snapshot time, or why it failed (PI's status and words)."""

    snap: datetime | None = None
    status: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """The stream answered."""
        return self.error is None


@dataclass(slots=True)
class ReadStats:
    """Counters of one read, for progress and benchmarks."""

    requests: int = 0
    values: int = 0
    retries: int = 0
    failures: dict[str, TagFailure] = field(default_factory=dict)
