"""Ground truth: the PI archive the mock serves, queryable from Python by tests and benchmarks.

Usage::

    archive = PlantArchive(MockSettings(tags=500, clock="2026-11-01T12:00:00Z"))
    point = archive.points()[0]
    events = archive.recorded(point.webid, start, end, as_of=archive.now())

`recorded` returns exactly what a correct client paging `/streams/{webId}/recorded` with boundaryType Inside
must collect: every event with start <= timestamp <= end that is visible at server time `as_of` (late events
become visible `late_delay` after their timestamp), in time order, timestamps truncated to microseconds. With
the archive behaviours of `mock_server.changes` on, it is the archive's state at `as_of`: edited values from
their edit time, deleted and compression-discarded events gone from theirs, and nothing for a point whose data
calls fail at `as_of` (denied, conflict or vanished; see `point_status`). `changes` lists what stream updates
deliver.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from mock_server import webids
from mock_server.annotations import Annotation, frame_annotations, instant_ordinals, value_annotation
from mock_server.catalog import STRING_VALUES, SYSTEM_STATES
from mock_server.changes import (
    ACTIONS,
    NEVER,
    SHAPING_FIELDS,
    Behaviour,
    Hour,
    Updates,
    concat_updates,
    odd_value,
    shape_hour,
    updates_between,
)
from mock_server.clock import ServerClock
from mock_server.eventframes import Frame, FrameBook
from mock_server.notifications import CONTACTS, Rule, Subscriber, plant_rules
from mock_server.pitime import TICKS_PER_HOUR, TICKS_PER_SECOND, from_ticks, parse_iso, to_ticks
from mock_server.plant import DATA_SERVER, Plant
from mock_server.settings import MockSettings
from mock_server.signals import FLAG_ANNOTATED, FLAG_QUESTIONABLE, FLAG_SUBSTITUTED, Events, chunk, mix

_MAX_LATE_HOURS_PAD = 1
ALWAYS = -(2**63)
"""`vanish_at` of points that were never there."""
INT64_ATTRIBUTE = "SequenceNumber"
"""Name of the Int64 event-frame attribute (`int64_frame_fraction`)."""
Moment = datetime | int
"""A server time given to the ground truth: an aware datetime (microseconds), or exact ticks (100 ns since 1970,
`mock_server.pitime.to_ticks`), which changes stamped between two microseconds need."""


def _ticks(moment: Moment) -> int:
    return moment if isinstance(moment, int) else to_ticks(moment)


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


@dataclass(frozen=True, slots=True)
class PointRules:
    """Points whose calls fail: denied (500), conflict (409), vanished (404 from `vanish_at` on)."""

    denied: frozenset[int] = frozenset()
    conflict: frozenset[int] = frozenset()
    vanished: frozenset[int] = frozenset()
    vanish_at: int = ALWAYS

    @property
    def active(self) -> bool:
        """Any rule is set (the data routes skip the checks otherwise)."""
        return bool(self.denied or self.conflict or self.vanished)

    def state(self, p: int, now: int) -> str | None:
        """`vanished`, `denied`, `conflict`, or None when point `p` answers normally at server time `now`."""
        if p in self.vanished and now >= self.vanish_at:
            return "vanished"
        if p in self.denied:
            return "denied"
        if p in self.conflict:
            return "conflict"
        return None


class PlantArchive:
    """The plant, its clock and its recorded events; the single source of every answer the server gives."""

    def __init__(self, settings: MockSettings, clock: ServerClock | None = None) -> None:
        self.clock = clock or ServerClock(settings.clock)
        self.plant = Plant(settings.seed, settings.tags, settings.uniform_events_per_hour)
        self.frames = FrameBook(self.plant, self.frame_deleted_at)
        self.ids = webids.Ids(settings.seed)
        self.server_guid = webids.guid_text(self.ids.guid("server", 0))
        self.af_guid = webids.guid_text(self.ids.guid("server", 1))
        self.db_guid = webids.guid_text(self.ids.guid("database", 0))
        self._cache: OrderedDict[tuple[int, int], Hour] = OrderedDict()
        self._cached_events = 0
        self._cache_lock = threading.Lock()
        self._point_webids: dict[str, dict[int, str]] = {}
        self._server_webids: dict[str, str] = {}
        self.settings = settings
        self.behaviour = Behaviour.of(settings)
        self.rules = self._rules(settings)

    def configure(self, settings: MockSettings) -> None:
        """Take new settings at run time (checked first: ValueError naming the field); forget hours they reshape."""
        rules = self._rules(settings)
        reshaped = any(getattr(settings, n) != getattr(self.settings, n) for n in SHAPING_FIELDS)
        self.settings, self.behaviour, self.rules = settings, Behaviour.of(settings), rules
        if reshaped:
            self.forget()

    def _rules(self, settings: MockSettings) -> PointRules:
        """Point rules of `settings`; ValueError naming the field and entry when a point is unknown."""

        def resolve(field: str) -> frozenset[int]:
            found = set()
            for entry in getattr(settings, field):
                p = self.find_point(entry)
                if p is None:
                    raise ValueError(f"{field}: no point is named {entry!r} (give a name, path or WebId)")
                found.add(p)
            return frozenset(found)

        vanish_at = ALWAYS if settings.vanish_at is None else parse_iso(settings.vanish_at)
        return PointRules(resolve("denied_points"), resolve("conflict_points"), resolve("vanished_points"), vanish_at)

    def find_point(self, entry: str) -> int | None:
        r"""Point index of a name, a `\\PISRV01\TAG` path or a point WebId; None when nothing matches."""
        text = entry.strip()
        if text.startswith("\\\\"):
            server, _, name = text[2:].partition("\\")
            return self.plant.name_index.get(name.upper()) if server.upper() == DATA_SERVER else None
        found = self.plant.name_index.get(text.upper())
        return found if found is not None else self.point_index(text)

    def point_state(self, p: int, now: int) -> str | None:
        """`vanished`, `denied`, `conflict`, or None when point `p` answers normally at server time `now` (ticks)."""
        rules = self.rules
        return rules.state(p, now) if rules.active else None

    def point_status(self, webid: str, as_of: Moment | None = None) -> str:
        """`ok`, `denied` (data calls answer 500), `conflict` (409) or `vanished` (every call 404) at `as_of`."""
        p = self.point_index(webid)
        if p is None:
            raise KeyError(f"no point has WebId {webid!r}")
        return self.point_state(p, self._as_of(as_of)) or "ok"

    def _as_of(self, as_of: Moment | None) -> int:
        """Ticks of an `as_of`: None = the server clock now (exact), an int = ticks, a datetime (microseconds)."""
        return self.clock.now() if as_of is None else _ticks(as_of)

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
        self, start: Moment, end: Moment, search_mode: str = "Overlapped", as_of: Moment | None = None
    ) -> list[dict]:
        """Ground truth of an event-frame search: frames existing at `as_of` that match the mode over [start, end].

        Each dict holds webid, name, template, element_path, start, end (None while open), severity, acknowledged,
        acknowledged_by and acknowledged_at (None until acknowledged), annotated (an annotation exists at `as_of`)
        and attributes (static attribute name -> value, the Int64 `SequenceNumber` included when the frame has it).
        """
        now = self._as_of(as_of)
        found = self.frames.search(_ticks(start), _ticks(end), search_mode, now)
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
                "acknowledged_by": f.ack_by if f.acknowledged(now) else None,
                "acknowledged_at": from_ticks(f.ack_at) if f.ack_at is not None and f.acknowledged(now) else None,
                "annotated": bool(self.annotations_of(f, now)),
                "attributes": {name: value for name, _, value in self.frame_statics(f)},
            }
            for f in sorted(found, key=lambda f: f.name)
        ]

    def frame_statics(self, frame: Frame) -> tuple[tuple[str, str, str | float | int], ...]:
        """(name, AF type, value) of a frame's static attributes, with the Int64 one when the frame draws it."""
        extra = self.frame_int64(frame)
        return frame.statics if extra is None else (*frame.statics, (INT64_ATTRIBUTE, "Int64", extra))

    def frame_int64(self, frame: Frame) -> int | None:
        """The Int64 attribute value of a frame (odd, above 2**53: no float64 holds it), None for most frames."""
        share = self.settings.int64_frame_fraction
        if share <= 0 or mix(self.plant.seed, 0x1A64, frame.index) / 2.0**64 >= share:
            return None
        return 2**53 + 1 + 2 * (mix(self.plant.seed, 0x1A65, frame.index) % 2**60)

    def frame_deleted_at(self, frame: Frame) -> int:
        """Server time (ticks) at which `frame` is deleted from AF (`frame_delete_fraction`); NEVER if it stays."""
        s = self.settings
        if (
            s.frame_delete_fraction <= 0
            or mix(self.plant.seed, 0xDE1F, frame.index) / 2.0**64 >= s.frame_delete_fraction
        ):
            return NEVER
        lo, hi = s.frame_delete_delay
        delay = lo + (hi - lo) * (mix(self.plant.seed, 0xDE20, frame.index) / 2.0**64)
        return frame.start + int(delay * TICKS_PER_SECOND)

    # -- notification rules and annotations -------------------------------------------------------------------
    @cached_property
    def notification_rule_set(self) -> tuple[Rule, ...]:
        """Every notification rule of the plant (AF configuration: the same at every server time)."""
        return plant_rules(self.plant)

    @cached_property
    def _rules_by_index(self) -> dict[int, Rule]:
        return {r.index: r for r in self.notification_rule_set}

    def notification_rule(self, index: int) -> Rule | None:
        """The rule of GUID index `index`, None when there is none."""
        return self._rules_by_index.get(index)

    def rule_path(self, rule: Rule) -> str:
        r"""`\\PIAF01\Plant\...\<element>\NotificationRules[<name>]`."""
        return f"{self.plant.elements[rule.element].path}\\NotificationRules[{rule.name}]"

    def rule_webid(self, rule: Rule, id_type: str = "Full") -> str:
        """WebId of a notification rule (marker `NR`)."""
        guid = webids.guid_text(self.ids.guid("notificationrule", rule.index))
        return webids.make("NR", [self.af_guid, guid], self.rule_path(rule), id_type)

    def subscriber_path(self, rule: Rule, subscriber: Subscriber) -> str:
        """The subscriber's path below its rule (reading: the reference's sample path is not specific)."""
        return f"{self.rule_path(rule)}\\NotificationRuleSubscribers[{CONTACTS[subscriber.contact][0]}]"

    def subscriber_webid(self, rule: Rule, subscriber: Subscriber, id_type: str = "Full") -> str:
        """WebId of a subscriber (marker `NS` + `L`, as in the reference's sample)."""
        parts = [self.af_guid, webids.guid_text(self.ids.guid("notificationrule", rule.index))]
        parts.append(webids.guid_text(self.ids.guid("subscriber", subscriber.index)))
        return webids.make("NSL", parts, self.subscriber_path(rule, subscriber), id_type)

    def notification_rules(self) -> list[dict]:
        """Ground truth of the database's notification rules with their subscribers, ordered by path.

        Dicts of webid, id, name, description, path, auto_created, category_names, criteria,
        multi_trigger_event_option, nonrepetition_interval and resend_interval (timedelta), status, template_name
        and subscribers (dicts of webid, id, name, description, path, config_string, contact_template_name,
        contact_type, delivery_format_name, plug_in_name, escalation_timeout, maximum_retries, notify_option,
        retry_interval).
        """
        rules = sorted(self.notification_rule_set, key=self.rule_path)
        return [
            {
                "webid": self.rule_webid(r),
                "id": str(self.ids.guid("notificationrule", r.index)),
                "name": r.name,
                "description": f"{r.name} for {self.plant.elements[r.element].name}",
                "path": self.rule_path(r),
                "auto_created": False,
                "category_names": [],
                "criteria": r.criteria,
                "multi_trigger_event_option": "HighestSeverity",
                "nonrepetition_interval": timedelta(seconds=r.nonrepetition_interval),
                "resend_interval": timedelta(seconds=r.resend_interval),
                "status": "Enabled" if r.enabled else "Disabled",
                "template_name": "",
                "subscribers": [self._subscriber_truth(r, s) for s in r.subscribers],
            }
            for r in rules
        ]

    def _subscriber_truth(self, rule: Rule, subscriber: Subscriber) -> dict:
        name, contact_type, plug_in, config = CONTACTS[subscriber.contact]
        return {
            "webid": self.subscriber_webid(rule, subscriber),
            "id": str(self.ids.guid("subscriber", subscriber.index)),
            "name": name,
            "description": f"{name} by {plug_in}",
            "path": self.subscriber_path(rule, subscriber),
            "config_string": config,
            "contact_template_name": name,
            "contact_type": contact_type,
            "delivery_format_name": "Default",
            "plug_in_name": plug_in,
            "escalation_timeout": timedelta(seconds=subscriber.escalation_timeout),
            "maximum_retries": subscriber.maximum_retries,
            "notify_option": subscriber.notify_option,
            "retry_interval": timedelta(seconds=subscriber.retry_interval),
        }

    def annotations_of(self, frame: Frame, now: int) -> tuple[Annotation, ...]:
        """The annotations of a frame that exist at server time `now` (ticks)."""
        return tuple(a for a in frame_annotations(self.plant.seed, frame) if a.created <= now)

    def value_annotations_of(self, p: int, events: Events) -> list[Annotation | None]:
        """The annotation of each of point `p`'s events (in time order, either way), None where not annotated.

        An annotation is drawn from its event's position among the annotated events at its instant, so reading
        every value or only the annotated ones (`IsSet('.', "a")`) finds the same annotation.
        """
        descending = len(events) > 1 and events.ticks[0] > events.ticks[-1]
        ascending = events.take(slice(None, None, -1)) if descending else events
        annotated = ascending.annotated()
        ordinals = iter(instant_ordinals(annotated.ticks).tolist())
        found = [
            value_annotation(self.plant.seed, p, t, v, next(ordinals)) if f & FLAG_ANNOTATED else None
            for t, v, f in zip(
                ascending.ticks.tolist(), ascending.visible.tolist(), ascending.flags.tolist(), strict=True
            )
        ]
        return found[::-1] if descending else found

    def frame_annotations(self, frame_webid: str, as_of: Moment | None = None) -> list[dict]:
        """Ground truth of `GET eventframes/{webId}/annotations` at `as_of` (KeyError if no such frame exists then).

        Dicts of owner_webid, value_timestamp (None), id, name, description, value, creator, creation_date,
        modifier, modify_date, oldest first.
        """
        now = self._as_of(as_of)
        decoded = webids.decode(frame_webid)
        found = self.ids.parse_guid(decoded.parts[1]) if decoded and decoded.marker == "Fm" and decoded.parts else None
        frame = self.frames.frame(found[1], now) if found and found[0] == "eventframe" else None
        if frame is None:
            raise KeyError(f"no event frame has WebId {frame_webid!r} at {from_ticks(now).isoformat()}")
        return [self._annotation_truth(frame_webid, None, a) for a in self.annotations_of(frame, now)]

    def value_annotations(self, webid: str, start: Moment, end: Moment, as_of: Moment | None = None) -> list[dict]:
        """Ground truth of the annotations `/recorded?associations=Annotations` returns for [start, end] at `as_of`.

        Dicts as `frame_annotations` with value_timestamp = the annotated value's timestamp, in time order.
        """
        p = self.point_index(webid)
        if p is None:
            raise KeyError(f"no point has WebId {webid!r}")
        now = self._as_of(as_of)
        if self.point_state(p, now) is not None:
            return []
        events = self.select(p, _ticks(start), _ticks(end), now)
        return [
            self._annotation_truth(webid, from_ticks(t), a)
            for t, a in zip(events.ticks.tolist(), self.value_annotations_of(p, events), strict=True)
            if a is not None
        ]

    def _annotation_truth(self, owner: str, value_timestamp: datetime | None, annotation: Annotation) -> dict:
        """An annotation as the ground truth reports it (never modified: modifier and dates equal the creation's)."""
        created = from_ticks(annotation.created)
        return {
            "owner_webid": owner,
            "value_timestamp": value_timestamp,
            "id": str(self.ids.guid("annotation", annotation.index)),
            "name": annotation.name,
            "description": annotation.description,
            "value": annotation.value,
            "creator": annotation.creator,
            "creation_date": created,
            "modifier": annotation.creator,
            "modify_date": created,
        }

    # -- events -----------------------------------------------------------------------------------------------
    def hour(self, p: int, hour: int, keep: bool = True) -> Hour:
        """Point `p`'s hour `hour`: its events as recorded, visible or not, and their later changes.

        Recently used hours are kept, up to a budget: paging clients re-read the hour they stopped in, so a
        small cache saves regenerating it for every page. `keep=False` (summaries sweeping many hours once) uses
        a cached hour but does not add one, so a sweep cannot evict the hours paging clients are about to re-read.
        """
        key = (p, hour)
        with self._cache_lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        s, behaviour = self.settings, self.behaviour
        events = chunk(self.plant, p, hour, s.late_fraction, s.late_delay, s.burst_size)
        made = shape_hour(self.plant, p, hour, events, behaviour)
        if not keep:
            return made
        with self._cache_lock:
            self._cache[key] = made
            self._cached_events += len(events)
            while self._cached_events > s.cache_events and len(self._cache) > 1:
                self._cached_events -= len(self._cache.popitem(last=False)[1].events)
        return made

    def chunk(self, p: int, hour: int, keep: bool = True) -> Events:
        """All events of point `p` in hour `hour` as recorded (odd values included), visible or not."""
        return self.hour(p, hour, keep).events

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
        annotated_only: bool = False,
    ) -> Events:
        """Events with start <= ticks <= end visible at `as_of`, oldest first (newest first if descending).

        Hours are generated lazily, so a small `max_count` over a long window costs only the hours it needs;
        `keep` is passed to `chunk`. `annotated_only` keeps the annotated events before `max_count` counts, as PI
        applies a filter expression before its count.
        """
        end = min(end, as_of)
        if end < start:
            return Events.concat([])
        hours = range(start // TICKS_PER_HOUR, end // TICKS_PER_HOUR + 1)
        parts: list[Events] = []
        total = 0
        for hour in reversed(hours) if descending else hours:
            held = self.hour(p, hour, keep)
            events = held.events
            inside = (events.ticks >= start) & (events.ticks <= end) & (events.visible <= as_of)
            part = events.take(inside) if held.changes is None else held.view(inside, as_of)
            if annotated_only:
                part = part.annotated()
            if descending:
                part = part.take(slice(None, None, -1))
            parts.append(part)
            total += len(part)
            if max_count is not None and total >= max_count:
                break
        found = Events.concat(parts)
        return found if max_count is None else found.take(slice(0, max_count))

    def recorded(self, webid: str, start: Moment, end: Moment, as_of: Moment | None = None) -> list[dict]:
        """Ground truth of `/recorded` (boundaryType Inside) for one point, as plain Python values."""
        p = self.point_index(webid)
        if p is None:
            raise KeyError(f"no point has WebId {webid!r}")
        as_of_ticks = self._as_of(as_of)
        if self.point_state(p, as_of_ticks) is not None:
            return []  # its data calls fail (point_status says how): a correct client collects nothing
        return self.to_dicts(p, self.select(p, _ticks(start), _ticks(end), as_of_ticks))

    def changes(self, webid: str, after: Moment, until: Moment | None = None) -> list[dict]:
        """Ground truth of stream updates: what a marker taken at server time `after` delivers when read at `until`.

        Dicts in server-clock order: `at` (when the change became visible), `action` (Add, Update, Delete),
        `previous_event_action` (PreviousEventArchived, or PreviousEventDiscarded when this Add's arrival
        discarded the previous snapshot-only event) and the `recorded` value fields (an Update holds the new
        value, a Delete the value deleted).
        """
        p = self.point_index(webid)
        if p is None:
            raise KeyError(f"no point has WebId {webid!r}")
        found = self.updates_between(p, self._as_of(after), self._as_of(until))
        rows = self.to_dicts(p, found.events)
        for row, at, action, discarded in zip(
            rows, found.at.tolist(), found.action.tolist(), found.discarded.tolist(), strict=True
        ):
            row["at"] = from_ticks(at)
            row["action"] = ACTIONS[action]
            row["previous_event_action"] = "PreviousEventDiscarded" if discarded else "PreviousEventArchived"
        return rows

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

    def python_value(self, p: int, value: float, system: int) -> float | int | str | dict | None:
        """The JSON value of one event.

        A number (NaN and infinities as floats), a string, a state object for digital and system states, a PI
        error object `{"Errors": [...]}`, or None.
        """
        if system < 0:
            return odd_value(system)
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

    def updates_between(self, p: int, after: int, until: int) -> Updates:
        """Changes that became visible in (after, until] (Add, Update, Delete), in server-clock order.

        What a stream-updates marker delivers, late events included: every hour that can hold such a change is
        read, so the look-back reaches the longest late, edit or delete delay in use.
        """
        s = self.settings
        delay = s.late_delay[1]
        delay += max(s.edit_delay[1] if s.edit_fraction else 0.0, s.delete_delay[1] if s.delete_fraction else 0.0)
        lookback = round(delay * TICKS_PER_SECOND) + TICKS_PER_HOUR * _MAX_LATE_HOURS_PAD
        hours = range((after - lookback) // TICKS_PER_HOUR, until // TICKS_PER_HOUR + 1)
        return concat_updates([updates_between(self.hour(p, h), after, until) for h in hours])

    def visible_between(self, p: int, after: int, until: int) -> Events:
        """Events that arrived in (after, until] (the Adds of `updates_between`), in arrival order."""
        found = self.updates_between(p, after, until)
        return found.events.take(found.action == 0)
