"""Ground truth: the PI archive the mock serves, queryable from Python by tests and benchmarks.

Usage::

    archive = PlantArchive(MockSettings(tags=500, clock="2026-11-01T12:00:00Z"))
    point = archive.points()[0]
    events = archive.recorded(point.webid, start, end, as_of=archive.now())

`recorded` returns exactly what a correct client paging `/streams/{webId}/recorded` with boundaryType Inside
must collect: every event with start <= timestamp <= end that is visible at server time `as_of` (late events
become visible `late_delay` after their timestamp), in time order, timestamps truncated to microseconds.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

import numpy as np

from mock_server import webids
from mock_server.catalog import STRING_VALUES, SYSTEM_STATES
from mock_server.clock import ServerClock
from mock_server.eventframes import Frame, FrameBook
from mock_server.pitime import TICKS_PER_HOUR, from_ticks, to_ticks
from mock_server.plant import DATA_SERVER, Plant
from mock_server.settings import MockSettings
from mock_server.signals import FLAG_ANNOTATED, FLAG_QUESTIONABLE, FLAG_SUBSTITUTED, Events, chunk

_MAX_LATE_HOURS_PAD = 1
CACHE_EVENTS = 2_000_000
"""Events kept in the hour cache (about 27 bytes each): generated hours are reused by paging clients."""


@dataclass(frozen=True, slots=True)
class PointInfo:
    """A PI point as tests see it."""

    index: int
    id: int
    webid: str
    name: str
    path: str
    point_type: str
    units: str
    digital_set: str
    referenced: bool
    events_per_hour: float
    attribute_path: str | None  # the AF attribute that references it, None for unreferenced points


@dataclass(frozen=True, slots=True)
class ElementInfo:
    """An AF element as tests see it."""

    webid: str
    name: str
    path: str
    template: str
    categories: tuple[str, ...]
    parent_path: str | None
    point_webids: tuple[str, ...]  # points of its PI Point attributes


class PlantArchive:
    """The plant, its clock and its recorded events; the single source of every answer the server gives."""

    def __init__(self, settings: MockSettings, clock: ServerClock | None = None) -> None:
        self.settings = settings
        self.clock = clock or ServerClock(settings.clock)
        self.plant = Plant(settings.seed, settings.tags, settings.uniform_events_per_hour)
        self.frames = FrameBook(self.plant)
        self.ids = webids.Ids(settings.seed)
        self.server_guid = webids.guid_text(self.ids.guid("server", 0))
        self.af_guid = webids.guid_text(self.ids.guid("server", 1))
        self.db_guid = webids.guid_text(self.ids.guid("database", 0))
        self._cache: OrderedDict[tuple[int, int], Events] = OrderedDict()
        self._cached_events = 0
        self._cache_lock = threading.Lock()
        self._point_webids: dict[str, dict[int, str]] = {}
        self._server_webids: dict[str, str] = {}

    # -- clock ----------------------------------------------------------------------------------------------
    def now(self) -> datetime:
        """Server time (aware UTC)."""
        return from_ticks(self.clock.now())

    # -- points -----------------------------------------------------------------------------------------------
    def server_webid(self, id_type: str = "Full") -> str:
        """WebId of the data server PISRV01."""
        if id_type not in self._server_webids:
            self._server_webids[id_type] = webids.make("DS", [self.server_guid], f"\\\\{DATA_SERVER}", id_type)
        return self._server_webids[id_type]

    def point_webid(self, p: int, id_type: str = "Full") -> str:
        """WebId of point `p` in the requested webIdType (kept once computed: point listings ask for them often)."""
        cache = self._point_webids.setdefault(id_type, {})
        found = cache.get(p)
        if found is None:
            body = [self.server_guid, webids.point_id_text(p + 1)]
            found = cache[p] = webids.make("DP", body, self.plant.point_path(p), id_type)
        return found

    def point_info(self, p: int) -> PointInfo:
        """Descriptor of point `p`."""
        plant = self.plant
        spec = plant.point_spec[p]
        owner = int(plant.point_owner[p])
        attribute = f"{plant.elements[owner].path}|{spec.name}" if owner >= 0 else None
        return PointInfo(
            p,
            p + 1,
            self.point_webid(p),
            plant.point_names[p],
            plant.point_path(p),
            spec.point_type,
            spec.units,
            spec.digital_set,
            bool(plant.point_owner[p] >= 0),
            float(plant.rate[p]),
            attribute,
        )

    @cached_property
    def _points(self) -> list[PointInfo]:
        return [self.point_info(p) for p in range(self.plant.tags)]

    def points(self) -> list[PointInfo]:
        """Every point, in PI point id order."""
        return self._points

    def point_by_name(self, name: str) -> PointInfo:
        """The point named `name` (case-insensitive); KeyError when there is none."""
        return self.point_info(self.plant.name_index[name.upper()])

    def point_index(self, web_id: str) -> int | None:
        """Point index of a point WebId (Full, IDOnly or PathOnly), None when it names no point."""
        decoded = webids.decode(web_id)
        if decoded is None or decoded.marker != "DP":
            return None
        if decoded.path is not None:
            head, _, name = decoded.path[2:].partition("\\")
            return self.plant.name_index.get(name.upper()) if head.upper() == DATA_SERVER else None
        if decoded.parts[0] != self.server_guid:
            return None
        point_id = webids.decode_point_id(decoded.parts[1])
        return point_id - 1 if point_id is not None and 0 < point_id <= self.plant.tags else None

    # -- AF and event frames -------------------------------------------------------------------------------------
    def element_webid(self, e: int, id_type: str = "Full") -> str:
        """WebId of element `e`."""
        guid = webids.guid_text(self.ids.guid("element", e))
        return webids.make("Em", [self.af_guid, guid], self.plant.elements[e].path, id_type)

    def elements(self) -> list[ElementInfo]:
        """Every AF element, parents before children."""
        plant = self.plant
        return [
            ElementInfo(
                self.element_webid(e.index),
                e.name,
                e.path,
                e.template,
                e.categories,
                plant.elements[e.parent].path if e.parent >= 0 else None,
                tuple(self.point_webid(p) for p in range(e.first_point, e.first_point + e.point_count)),
            )
            for e in plant.elements
        ]

    def frame_path(self, frame: Frame) -> str:
        r"""`\\PIAF01\Plant\EventFrames[name]`."""
        return f"{self.plant.db_path}\\EventFrames[{frame.name}]"

    def frame_webid(self, frame: Frame, id_type: str = "Full") -> str:
        """WebId of an event frame."""
        guid = webids.guid_text(self.ids.guid("eventframe", frame.index))
        return webids.make("Fm", [self.af_guid, guid], self.frame_path(frame), id_type)

    def event_frames(
        self, start: datetime, end: datetime, search_mode: str = "Overlapped", as_of: datetime | None = None
    ) -> list[dict]:
        """Ground truth of an event-frame search: frames existing at `as_of` that match the mode over [start, end].

        Each dict holds webid, name, template, element_path, start, end (None while open), severity, acknowledged.
        """
        now = to_ticks(as_of) if as_of is not None else self.clock.now()
        found = self.frames.search(to_ticks(start), to_ticks(end), search_mode, now)
        return [
            {
                "webid": self.frame_webid(f),
                "name": f.name,
                "template": f.template,
                "element_path": self.plant.elements[f.element].path,
                "start": from_ticks(f.start),
                "end": None if f.is_open(now) else from_ticks(f.end),
                "severity": f.severity,
                "acknowledged": f.acknowledged(now),
            }
            for f in sorted(found, key=lambda f: f.name)
        ]

    # -- events -----------------------------------------------------------------------------------------------
    def chunk(self, p: int, hour: int, keep: bool = True) -> Events:
        """All events of point `p` in hour `hour`, visible or not (recently used hours are kept, up to a budget).

        Paging clients re-read the hour they stopped in, so a small cache saves regenerating it for every page.
        `keep=False` (summaries sweeping many hours once) uses a cached hour but does not add one, so a sweep
        cannot evict the hours paging clients are about to re-read.
        """
        key = (p, hour)
        with self._cache_lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        s = self.settings
        events = chunk(self.plant, p, hour, s.late_fraction, s.late_delay, s.burst_size)
        if not keep:
            return events
        with self._cache_lock:
            self._cache[key] = events
            self._cached_events += len(events)
            while self._cached_events > CACHE_EVENTS and len(self._cache) > 1:
                self._cached_events -= len(self._cache.popitem(last=False)[1])
        return events

    def forget(self) -> None:
        """Drop cached hours (after settings that shape events, such as late_fraction, changed)."""
        with self._cache_lock:
            self._cache.clear()
            self._cached_events = 0

    def select(
        self,
        p: int,
        start: int,
        end: int,
        as_of: int,
        max_count: int | None = None,
        descending: bool = False,
        keep: bool = True,
    ) -> Events:
        """Events with start <= ticks <= end visible at `as_of`, oldest first (newest first if descending).

        Hours are generated lazily, so a small `max_count` over a long window costs only the hours it needs;
        `keep` is passed to `chunk`.
        """
        end = min(end, as_of)
        if end < start:
            return Events.concat([])
        hours = range(start // TICKS_PER_HOUR, end // TICKS_PER_HOUR + 1)
        parts: list[Events] = []
        total = 0
        for hour in reversed(hours) if descending else hours:
            events = self.chunk(p, hour, keep)
            inside = (events.ticks >= start) & (events.ticks <= end) & (events.visible <= as_of)
            part = events.take(inside)
            if descending:
                part = part.take(slice(None, None, -1))
            parts.append(part)
            total += len(part)
            if max_count is not None and total >= max_count:
                break
        found = Events.concat(parts)
        return found if max_count is None else found.take(slice(0, max_count))

    def recorded(self, webid: str, start: datetime, end: datetime, as_of: datetime | None = None) -> list[dict]:
        """Ground truth of `/recorded` (boundaryType Inside) for one point, as plain Python values."""
        p = self.point_index(webid)
        if p is None:
            raise KeyError(f"no point has WebId {webid!r}")
        as_of_ticks = to_ticks(as_of) if as_of is not None else self.clock.now()
        return self.to_dicts(p, self.select(p, to_ticks(start), to_ticks(end), as_of_ticks))

    def to_dicts(self, p: int, events: Events) -> list[dict]:
        """Plain dicts of events: timestamp (aware UTC), value, good and the three quality flags."""
        return [
            {
                "timestamp": from_ticks(t),
                "value": self.python_value(p, v, s),
                "good": s == 0,
                "questionable": bool(f & FLAG_QUESTIONABLE),
                "substituted": bool(f & FLAG_SUBSTITUTED),
                "annotated": bool(f & FLAG_ANNOTATED),
            }
            for t, v, s, f in zip(
                events.ticks.tolist(),
                events.values.tolist(),
                events.system.tolist(),
                events.flags.tolist(),
                strict=True,
            )
        ]

    def python_value(self, p: int, value: float, system: int) -> float | int | str | dict:
        """The JSON value of one event: number, string, or a state object for digital and system states."""
        if system:
            name, code = SYSTEM_STATES[system - 1]
            return {"Name": name, "Value": code, "IsSystem": True}
        point_type = self.plant.point_spec[p].point_type
        if point_type == "Digital":
            return {"Name": self.plant.digital_states(p)[int(value)], "Value": int(value), "IsSystem": False}
        if point_type == "String":
            return STRING_VALUES[int(value)]
        if point_type == "Int32":
            return int(value)
        return float(value)

    def visible_between(self, p: int, after: int, until: int) -> Events:
        """Events that became visible in (after, until]: what a stream-updates marker delivers, late ones included."""
        lookback = round(self.settings.late_delay[1] * 10_000_000) + TICKS_PER_HOUR * _MAX_LATE_HOURS_PAD
        events = self.select(p, after - lookback, until, until)
        keep = events.visible > after
        order = np.argsort(events.visible[keep], kind="stable")
        return events.take(np.flatnonzero(keep)[order])
