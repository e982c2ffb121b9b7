"""What a real PI archive does to events after they are recorded, and the odd values it holds.

Every behaviour is off by default and switchable at run time (settings; `PUT /admin/behaviours`). Each hour of
each point draws its own random stream from (seed, point, hour), separate from the one that generates the events,
so turning a behaviour on never moves the plain archive's timestamps or values, and each event draws one fixed
uniform number per behaviour: raising a share only adds affected events.

- **Edits** (`edit_fraction`, `edit_delay`): the event's value is replaced (same timestamp) at its arrival time
  plus a delay drawn log-uniformly from `edit_delay` (minutes to days). The new value is good and Substituted,
  as PI flags an edited value.
- **Deletes** (`delete_fraction`, `delete_delay`): the event leaves the archive at its arrival plus a delay.
- **Compression-discarded snapshots** (`snapshot_discard_fraction`): a snapshot-only event is served (it is the
  tag's snapshot) only while it is the newest visible event of its tag; when the next event arrives, compression
  discards it for good, and that next event's stream update says `PreviousEventDiscarded`. Only events that
  arrive on time, are not followed by another event at their instant, and are followed within their hour by
  the event that replaces them are chosen, so the rule is exact without reading the next hour.
- **Odd values** (`error_value_fraction`, `null_value_fraction`, `nonfinite_fraction`): PI error objects
  `{"Errors": [...]}` and null values (both `Good: false`), and NaN, Infinity or -Infinity on Float tags
  (written as `nan_format` says). The same share of instants holding several events gets two different error
  objects at that instant.

Edits, deletes and discards are disjoint (an event meets at most one); odd values are what was recorded, so an
edit replaces an odd value with a good one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mock_server.catalog import STRING_VALUES
from mock_server.pitime import TICKS_PER_HOUR, TICKS_PER_SECOND
from mock_server.plant import Plant
from mock_server.signals import FLAG_SUBSTITUTED, Events, float_digits

NEVER = np.iinfo(np.int64).max
"""`gone` of an event that stays in the archive."""
NULL_VALUE = -1
"""`Events.system` code of a null value (codes below zero are odd values, above zero system states)."""
ERROR_OBJECTS: tuple[dict, ...] = (
    {"Errors": ["[-11059] No Good Data For Calculation"]},
    {"Errors": ["[-10722] PINET: Timeout on PI RPC or System Call."]},
)
"""PI error objects a bad value can be; `Events.system` code -2 is the first, -3 the second."""
NONFINITE = (float("nan"), float("inf"), float("-inf"))
FLOAT_TYPES = frozenset({"Float32", "Float64"})
SHAPING_FIELDS = (
    "late_fraction",
    "late_delay",
    "edit_fraction",
    "edit_delay",
    "delete_fraction",
    "delete_delay",
    "snapshot_discard_fraction",
    "error_value_fraction",
    "null_value_fraction",
    "nonfinite_fraction",
)
"""Settings that change generated hours: the archive forgets its cached hours when one of them changes."""
_STREAM = 0x5EED_C4A6  # the change stream's key, beside (seed, point, hour)
_EDIT, _DELETE, _SNAPSHOT, _ERROR, _NULL, _NONFINITE, _KIND, _DELAY = range(8)


def odd_value(code: int) -> None | dict:
    """The JSON value of an odd-value code (`Events.system` < 0): None or a fresh error object."""
    if code == NULL_VALUE:
        return None
    return {"Errors": list(ERROR_OBJECTS[-code - 2]["Errors"])}


@dataclass(frozen=True, slots=True)
class Behaviour:
    """The shares and delays that shape an hour (a snapshot of the settings, so an hour is built consistently)."""

    edit_fraction: float = 0.0
    edit_delay: tuple[float, float] = (60.0, 259_200.0)
    delete_fraction: float = 0.0
    delete_delay: tuple[float, float] = (60.0, 259_200.0)
    snapshot_discard_fraction: float = 0.0
    error_value_fraction: float = 0.0
    null_value_fraction: float = 0.0
    nonfinite_fraction: float = 0.0

    @staticmethod
    def of(settings: object) -> Behaviour:
        """The behaviour fields of a `MockSettings`."""
        return Behaviour(**{name: getattr(settings, name) for name in Behaviour.__dataclass_fields__})

    @property
    def changes(self) -> bool:
        """Edits, deletes or discards are on."""
        return bool(self.edit_fraction or self.delete_fraction or self.snapshot_discard_fraction)

    @property
    def odd(self) -> bool:
        """Odd values are on."""
        return bool(self.error_value_fraction or self.null_value_fraction or self.nonfinite_fraction)


@dataclass(frozen=True, slots=True)
class Changes:
    """What happens to one hour's events after they arrive; arrays of length n are aligned with the events."""

    gone: np.ndarray  # int64 (n): server time the event leaves the archive (deleted or discarded), NEVER if it stays
    delete_index: np.ndarray  # int64: events that are deleted (at `gone`)
    edit_index: np.ndarray  # int64: events that are edited, in event order
    edit_at: np.ndarray  # int64: server time of each edit
    edit_values: np.ndarray
    edit_system: np.ndarray
    edit_flags: np.ndarray
    discarding: np.ndarray  # int64: events whose arrival discarded the previous (snapshot-only) event

    def view(self, events: Events, keep: np.ndarray, as_of: int) -> Events:
        """The events `keep` selects as served at `as_of`: gone ones dropped, edits applied from their edit time."""
        keep = keep & (self.gone > as_of)
        if len(self.edit_index):
            done = self.edit_at <= as_of
            done[done] = keep[self.edit_index[done]]
            if done.any():
                index = self.edit_index[done]
                values, system, flags = events.values.copy(), events.system.copy(), events.flags.copy()
                values[index], system[index], flags[index] = (
                    self.edit_values[done],
                    self.edit_system[done],
                    self.edit_flags[done],
                )
                events = Events(events.ticks, events.visible, values, system, flags)
        return events.take(keep)


@dataclass(frozen=True, slots=True)
class Hour:
    """One hour of one point: the events as recorded (odd values included) and what happens to them later."""

    events: Events
    changes: Changes | None = None

    def view(self, keep: np.ndarray, as_of: int) -> Events:
        """The selected events as served at `as_of`."""
        if self.changes is None:
            return self.events.take(keep)
        return self.changes.view(self.events, keep, as_of)


@dataclass(frozen=True, slots=True)
class Updates:
    """Changes that became visible, in server-clock order: what stream updates deliver."""

    events: Events  # value fields of each change (Add: as recorded; Update: the new value; Delete: the last value)
    at: np.ndarray  # int64: server time the change became visible
    action: np.ndarray  # uint8: index into ACTIONS
    discarded: np.ndarray  # bool: an Add whose arrival discarded the previous snapshot

    def __len__(self) -> int:
        return len(self.at)


ACTIONS = ("Add", "Update", "Delete")


def updates_between(hour: Hour, after: int, until: int) -> Updates:
    """Changes of one hour that became visible in (after, until], in server-clock order."""
    events, changes = hour.events, hour.changes
    added = np.flatnonzero((events.visible > after) & (events.visible <= until))
    parts = [(events.take(added), events.visible[added], np.zeros(len(added), np.uint8))]
    discarded = np.zeros(len(added), bool)
    if changes is not None:
        if len(changes.discarding):
            discarded = np.isin(added, changes.discarding)
        edits = np.flatnonzero((changes.edit_at > after) & (changes.edit_at <= until))
        if len(edits):
            index = changes.edit_index[edits]
            edited = Events(
                events.ticks[index],
                changes.edit_at[edits],
                changes.edit_values[edits],
                changes.edit_system[edits],
                changes.edit_flags[edits],
            )
            parts.append((edited, changes.edit_at[edits], np.ones(len(edits), np.uint8)))
        delete_at = changes.gone[changes.delete_index]
        deleted = changes.delete_index[(delete_at > after) & (delete_at <= until)]
        if len(deleted):
            parts.append((events.take(deleted), changes.gone[deleted], np.full(len(deleted), 2, np.uint8)))
        discarded = np.concatenate([discarded, np.zeros(sum(len(p[1]) for p in parts[1:]), bool)])
    found = Events.concat([p[0] for p in parts])
    at = np.concatenate([p[1] for p in parts])
    action = np.concatenate([p[2] for p in parts])
    order = np.lexsort((action, found.ticks, at))
    return Updates(found.take(order), at[order], action[order], discarded[order])


def concat_updates(parts: list[Updates]) -> Updates:
    """Updates of several hours in server-clock order (ties: by timestamp, then Add, Update, Delete)."""
    parts = [p for p in parts if len(p)]
    if len(parts) == 1:
        return parts[0]
    if not parts:
        empty = np.empty(0, np.int64)
        return Updates(Events.concat([]), empty, np.empty(0, np.uint8), np.empty(0, bool))
    found = Events.concat([p.events for p in parts])
    at = np.concatenate([p.at for p in parts])
    action = np.concatenate([p.action for p in parts])
    discarded = np.concatenate([p.discarded for p in parts])
    order = np.lexsort((action, found.ticks, at))
    return Updates(found.take(order), at[order], action[order], discarded[order])


def _delays(u: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    """Delays in ticks drawn log-uniformly from `bounds` seconds (as many minutes-late edits as days-late ones)."""
    lo, hi = bounds
    return (lo * (hi / lo) ** u * TICKS_PER_SECOND).astype(np.int64)


def _edited_values(plant: Plant, p: int, old: np.ndarray, u: np.ndarray) -> np.ndarray:
    """New values of edited events: always different from the old ones, and of the point's kind."""
    signal = plant.point_signals[p]
    if signal == 0:  # analog: 1-2 % and 0.1-0.2 above, rounded as the point type holds it
        return float_digits(plant.point_spec[p].point_type, old + (np.abs(old) * 0.01 + 0.1) * (1 + u))
    steps = 1 + np.floor(u * 4)
    if signal == 1:  # counter
        return old + steps
    states = len(plant.digital_states(p)) if signal == 2 else len(STRING_VALUES)
    return (old + 1 + np.floor(u * (states - 1))) % states


def _next_arrival(visible: np.ndarray) -> np.ndarray:
    """For each event, the earliest arrival among the events after it in the hour (NEVER for the last one)."""
    suffix = np.minimum.accumulate(visible[::-1])[::-1]
    return np.append(suffix[1:], NEVER)


def shape_hour(plant: Plant, p: int, hour: int, events: Events, behaviour: Behaviour) -> Hour:
    """The hour as the archive holds it: odd values applied, and the changes that will happen to its events."""
    if not (behaviour.changes or behaviour.odd) or not len(events):
        return Hour(events)
    n = len(events)
    u = np.random.Generator(np.random.PCG64([plant.seed, p, hour, _STREAM])).random((8, n))
    recorded = _odd_values(plant, p, events, behaviour, u) if behaviour.odd else events
    if not behaviour.changes:
        return Hour(recorded)
    ticks, visible = events.ticks, events.visible
    edited = u[_EDIT] < behaviour.edit_fraction
    deleted = ~edited & (u[_DELETE] < behaviour.delete_fraction)
    gone = np.full(n, NEVER, np.int64)
    delete_index = np.flatnonzero(deleted)
    gone[delete_index] = visible[delete_index] + _delays(u[_DELAY][delete_index], behaviour.delete_delay)
    discarding = np.empty(0, np.int64)
    if behaviour.snapshot_discard_fraction:
        following = _next_arrival(visible)
        alone = np.append(ticks[1:] != ticks[:-1], True)  # no other event at the same instant after it
        eligible = (visible == ticks) & alone & (following <= (hour + 1) * TICKS_PER_HOUR)
        snapshot = np.flatnonzero(~edited & ~deleted & eligible & (u[_SNAPSHOT] < behaviour.snapshot_discard_fraction))
        gone[snapshot] = following[snapshot]
        discarding = np.array([_first_arrival(visible, i, following[i]) for i in snapshot.tolist()], np.int64)
    edit_index = np.flatnonzero(edited)
    base = events.values[edit_index]
    return Hour(
        recorded,
        Changes(
            gone,
            delete_index,
            edit_index,
            visible[edit_index] + _delays(u[_DELAY][edit_index], behaviour.edit_delay),
            _edited_values(plant, p, base, u[_KIND][edit_index]),
            np.zeros(len(edit_index), np.int16),
            (events.flags[edit_index] | FLAG_SUBSTITUTED).astype(np.uint8),
            np.unique(discarding),
        ),
    )


def _first_arrival(visible: np.ndarray, i: int, at: int) -> int:
    """Index of the first event after `i` arriving at `at` (usually the next one)."""
    window = 64
    start = i + 1
    while True:
        found = np.flatnonzero(visible[start : start + window] == at)
        if len(found):
            return start + int(found[0])
        start += window
        window *= 4


def _odd_values(plant: Plant, p: int, events: Events, behaviour: Behaviour, u: np.ndarray) -> Events:
    """The events with error objects, nulls and non-finite numbers in place of some values."""
    values, system = events.values.copy(), events.system.copy()
    error = u[_ERROR] < behaviour.error_value_fraction
    system[error] = np.where(u[_KIND][error] < 0.5, -2, -3)
    null = ~error & (u[_NULL] < behaviour.null_value_fraction)
    system[null] = NULL_VALUE
    if plant.point_spec[p].point_type in FLOAT_TYPES and behaviour.nonfinite_fraction:
        drawn = u[_NONFINITE] < behaviour.nonfinite_fraction
        nonfinite = np.flatnonzero(~error & ~null & (events.system == 0) & drawn)
        values[nonfinite] = np.array(NONFINITE)[(u[_KIND][nonfinite] * 3).astype(np.int64)]
    if behaviour.error_value_fraction:  # instants of several events: the first two carry two different errors
        ticks = events.ticks
        shared = np.append(ticks[1:] == ticks[:-1], False)
        first = np.flatnonzero(shared & np.insert(~shared[:-1], 0, True))
        pair = first[u[_ERROR][first] < behaviour.error_value_fraction]
        system[pair], system[pair + 1] = -2, -3
    return Events(events.ticks, events.visible, values, system, events.flags)
