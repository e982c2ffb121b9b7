"""Event frames: batches on process units, downtime and alarms on equipment, generated per day from the seed.

Frames of a day come from (seed, day) alone. A frame exists once its start has passed on the server clock and
is open (EndTime 9999-12-31T23:59:59Z) until its end has passed, so frames close as the clock advances. Batches
run back to back on up to twelve units (2-6 h each); downtime (10 min-4 h) and alarms (1 min-2 h, with severity
and acknowledgement) hit random equipment. No frame lasts a day, so frames active in a window started at most
a day before it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

import numpy as np

from mock_server.changes import NEVER
from mock_server.pitime import EPOCH, TICKS_PER_SECOND
from mock_server.plant import Plant

TICKS_PER_DAY = 86400 * TICKS_PER_SECOND
FRAMES_PER_DAY = 4096  # frame index = day * FRAMES_PER_DAY + ordinal
SEVERITIES = ("Information", "Warning", "Minor", "Major", "Critical")
PRODUCTS = ("Product A", "Product B", "Product C", "Grade 40", "Grade 60")
REASONS = ("Planned Maintenance", "Mechanical Failure", "Electrical Fault", "No Feed", "Process Upset")


@dataclass(frozen=True, slots=True)
class Frame:
    """One event frame with the times it starts, ends and (alarms) is acknowledged."""

    index: int
    template: str
    name: str
    start: int
    end: int
    element: int
    severity: str = "None"
    ack_at: int | None = None  # alarms acknowledged at this time (if ever)
    ack_by: str = ""
    statics: tuple[tuple[str, str, str | float | int], ...] = ()  # (name, type, value)
    point: int = -1  # the PI point its PI Point attribute references

    def is_open(self, now: int) -> bool:
        """Still running at server time `now`."""
        return self.end > now

    def acknowledged(self, now: int) -> bool:
        """Acknowledged by server time `now`."""
        return self.ack_at is not None and self.ack_at <= now


class FrameBook:
    """Frames of one plant, by day; `deleted_at(frame)` is the server time a frame leaves AF (NEVER if it stays)."""

    def __init__(self, plant: Plant, deleted_at: Callable[[Frame], int] = lambda frame: NEVER) -> None:
        self.plant = plant
        self.deleted_at = deleted_at
        units = [e.index for e in plant.elements if e.template == "Unit"]
        self.batch_units = [u for u in units if plant.children[u]][:12]
        self.equipment = [e.index for e in plant.elements if e.point_count]
        self.day = lru_cache(maxsize=64)(self._generate_day)

    def _generate_day(self, day: int) -> tuple[Frame, ...]:
        plant = self.plant
        rng = np.random.default_rng([plant.seed, 99, day])
        start_of_day = day * TICKS_PER_DAY
        stamp = (EPOCH + timedelta(days=day)).strftime("%Y%m%d")
        frames: list[Frame] = []

        def add(template: str, name: str, start: int, minutes: float, element: int, **extra) -> None:
            index = day * FRAMES_PER_DAY + len(frames)
            end = start + int(minutes * 60 * TICKS_PER_SECOND)
            frames.append(Frame(index, template, name, start, end, element, **extra))

        for unit in self.batch_units:
            at = start_of_day + int(rng.uniform(0, 90) * 60 * TICKS_PER_SECOND)
            count = 0
            while at < start_of_day + TICKS_PER_DAY and len(frames) < FRAMES_PER_DAY - 400:
                count += 1
                minutes = float(rng.uniform(120, 360))
                first_child = plant.elements[plant.children[unit][0]]
                statics = (
                    ("Product", "String", PRODUCTS[int(rng.integers(len(PRODUCTS)))]),
                    ("BatchID", "String", f"B{stamp}-{unit}-{count:02d}"),
                )
                add(
                    "Batch",
                    f"Batch {plant.elements[unit].name}-{stamp}-{count:02d}-{len(frames)}",
                    at,
                    minutes,
                    unit,
                    statics=statics,
                    point=first_child.first_point,
                )
                at += int((minutes + rng.uniform(10, 60)) * 60 * TICKS_PER_SECOND)
        if self.equipment:
            for _ in range(int(rng.poisson(min(20.0, 1 + len(self.equipment) / 20)))):
                element = self.equipment[int(rng.integers(len(self.equipment)))]
                at = start_of_day + int(rng.integers(TICKS_PER_DAY))
                reason = REASONS[int(rng.integers(len(REASONS)))]
                add(
                    "Downtime",
                    f"Downtime {plant.elements[element].name} {stamp}-{len(frames)}",
                    at,
                    float(rng.uniform(10, 240)),
                    element,
                    statics=(("Reason", "String", reason),),
                    point=plant.elements[element].first_point,
                )
            for _ in range(int(rng.poisson(min(150.0, 2 + len(self.equipment) / 2)))):
                element = self.equipment[int(rng.integers(len(self.equipment)))]
                at = start_of_day + int(rng.integers(TICKS_PER_DAY))
                severity = SEVERITIES[int(rng.choice(5, p=[0.3, 0.3, 0.2, 0.15, 0.05]))]
                acked = rng.random() < 0.7
                ack_at = at + int(rng.uniform(1, 30) * 60 * TICKS_PER_SECOND) if acked else None
                statics = (
                    ("Priority", "Int32", SEVERITIES.index(severity) + 1),
                    ("Limit", "Double", round(float(rng.uniform(50, 500)), 1)),
                )
                add(
                    "Alarm",
                    f"Alarm {plant.elements[element].name} {stamp}-{len(frames)}",
                    at,
                    float(rng.uniform(1, 120)),
                    element,
                    severity=severity,
                    ack_at=ack_at,
                    ack_by=f"PLANT\\operator{int(rng.integers(1, 9))}",
                    statics=statics,
                    point=plant.elements[element].first_point,
                )
        return tuple(frames)

    def frame(self, index: int, now: int) -> Frame | None:
        """Frame `index` if it exists at server time `now`."""
        day, ordinal = divmod(index, FRAMES_PER_DAY)
        frames = self.day(day)
        if ordinal >= len(frames) or not self._exists(frames[ordinal], now):
            return None
        return frames[ordinal]

    def _exists(self, frame: Frame, now: int) -> bool:
        """Started, and not deleted, at server time `now`."""
        return frame.start <= now < self.deleted_at(frame)

    def search(self, start: int, end: int, mode: str, now: int) -> list[Frame]:
        """Frames existing at `now` that match the search mode over [start, end]."""
        first_day = min(start, end) // TICKS_PER_DAY - 1
        last_day = min(max(start, end), now) // TICKS_PER_DAY
        found = []
        for day in range(first_day, last_day + 1):
            for frame in self.day(day):
                if not self._exists(frame, now):
                    continue
                frame_end = frame.end if not frame.is_open(now) else None
                if _matches(mode, frame.start, frame_end, start, end):
                    found.append(frame)
        return found


def _matches(mode: str, frame_start: int, frame_end: int | None, start: int, end: int) -> bool:
    """PI's search modes (S-REF topics/search-mode.html); an open frame has no end."""
    if mode == "Overlapped":
        return frame_start <= end and (frame_end is None or frame_end >= start)
    if mode == "Inclusive":
        return start <= frame_start and frame_end is not None and frame_end <= end
    if mode == "StartInclusive":
        return start <= frame_start <= end
    if mode == "EndInclusive":
        return frame_end is not None and start <= frame_end <= end
    if mode == "InProgress":
        return start <= frame_start <= end and frame_end is None
    raise ValueError(mode)
