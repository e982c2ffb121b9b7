"""Exception-based recorded events of one point for one hour, generated on the fly from (seed, point, hour).

Nothing is stored: the same (seed, point, hour) always gives the same events, so any window is computable and
100,000 points cost no memory. Values follow daily cycles plus steps and noise (analog), count up (counter),
hold states for hours (digital: valves open and close, pumps run and trip) or hold text (string).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mock_server.catalog import STRING_VALUES, SYSTEM_STATES
from mock_server.pitime import TICKS_PER_HOUR, TICKS_PER_SECOND
from mock_server.plant import Plant

FLAG_QUESTIONABLE, FLAG_SUBSTITUTED, FLAG_ANNOTATED = 1, 2, 4
_STATE_PICK = np.array([2, 0, 0, 0, 0, 1, 1, 1, 1, 3])  # how often each digital state is held
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


@dataclass(frozen=True, slots=True)
class Events:
    """Recorded events in time order: ticks, when each becomes visible, value, system state and flags.

    `values` holds the number (analog, counter), the digital state index or the string index; `system` is
    0 or 1 + an index into SYSTEM_STATES (such events are Good: false); `flags` holds FLAG_* bits.
    """

    ticks: np.ndarray
    visible: np.ndarray
    values: np.ndarray
    system: np.ndarray
    flags: np.ndarray

    def __len__(self) -> int:
        return len(self.ticks)

    def take(self, index: np.ndarray | slice) -> Events:
        """The events selected by a mask, index array or slice."""
        return Events(self.ticks[index], self.visible[index], self.values[index], self.system[index], self.flags[index])

    def annotated(self) -> Events:
        """The annotated events (PI's filter `IsSet('.', "a")`)."""
        return self.take((self.flags & FLAG_ANNOTATED) != 0)

    @staticmethod
    def concat(parts: list[Events]) -> Events:
        """Events of several chunks, in the given order."""
        if not parts:
            return EMPTY
        if len(parts) == 1:
            return parts[0]
        return Events(*(np.concatenate([getattr(p, f) for p in parts]) for f in Events.__slots__))


EMPTY = Events(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), np.empty(0, np.int16), np.empty(0, np.uint8))


def _mix(*keys: np.ndarray | int) -> np.ndarray:
    """splitmix64 over combined keys: a fast, vectorised, deterministic hash."""
    with np.errstate(over="ignore"):
        acc = np.uint64(0x9E3779B97F4A7C15)
        for key in keys:
            z = (np.asarray(key).astype(np.uint64) + acc) & _MASK64
            z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            acc = z ^ (z >> np.uint64(31))
        return acc


def mix(*keys: int) -> int:
    """splitmix64 of integer keys as a Python int in [0, 2**64): deterministic per-object dice."""
    return int(_mix(*keys))


def _unit(*keys: np.ndarray | int) -> np.ndarray:
    """Deterministic uniform numbers in [0, 1) from keys."""
    return (_mix(*keys) >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def chunk(
    plant: Plant, point: int, hour: int, late_fraction: float, late_delay: tuple[float, float], burst: int
) -> Events:
    """All events of `point` in hour number `hour` since the epoch, with their visibility times."""
    rng = np.random.Generator(np.random.PCG64([plant.seed, point, hour]))
    n = int(rng.poisson(plant.rate[point]))
    resolution = int(plant.resolution[point])
    offsets = np.sort(rng.integers(0, TICKS_PER_HOUR, n) // resolution * resolution)
    ticks = hour * TICKS_PER_HOUR + offsets
    dup = rng.random(n) < 0.01
    dup[:1] = False
    run_start = np.maximum.accumulate(np.where(dup, 0, np.arange(n)))
    ticks = ticks[run_start]  # runs of duplicates share the first event's timestamp: 2 or 3 events at one instant
    draws = rng.random((5, n))
    noise = rng.standard_normal(n)
    system = np.where(draws[0] < 0.003, 1 + (draws[1] * len(SYSTEM_STATES)).astype(np.int16), 0).astype(np.int16)
    flags = (
        (draws[2] < 0.01) * FLAG_QUESTIONABLE
        | (draws[3] < 0.005) * FLAG_SUBSTITUTED
        | ((draws[1] * 997) % 1 < 0.003) * FLAG_ANNOTATED
    ).astype(np.uint8)
    late = draws[4] < late_fraction
    delay = (late_delay[0] + (late_delay[1] - late_delay[0]) * ((draws[4] * 7919) % 1)) * TICKS_PER_SECOND
    visible = ticks + np.where(late, delay, 0).astype(np.int64)
    values = _values(plant, point, ticks, noise)
    events = Events(ticks, visible, values, system, flags)
    if point == plant.burst_point:
        start = hour * TICKS_PER_HOUR
        head = Events(
            np.full(burst, start, np.int64),
            np.full(burst, start, np.int64),
            np.arange(burst, dtype=np.float64),
            np.zeros(burst, np.int16),
            np.zeros(burst, np.uint8),
        )
        events = Events.concat([head, events.take(events.ticks > start)])
    return events


def float_digits(point_type: str, raw: np.ndarray) -> np.ndarray:
    """Analog values as the point type holds them: seven significant digits for Float32 (81.83204), else 6 decimals."""
    if point_type == "Float32":
        scale = 10.0 ** (6 - np.floor(np.log10(np.maximum(np.abs(raw), 1e-3))))
        return np.round(raw * scale) / scale
    return np.round(raw, 6)


def _values(plant: Plant, point: int, ticks: np.ndarray, noise: np.ndarray) -> np.ndarray:
    seconds = ticks / TICKS_PER_SECOND
    signal = plant.point_signals[point]
    spec = plant.point_spec[point]
    if signal == 0:  # analog: daily cycle + six-hourly steps + noise
        block = (ticks // (6 * TICKS_PER_HOUR)).astype(np.int64)
        level = (_unit(plant.seed, point, block) - 0.5) * 2 * plant.step[point]
        daily = np.sin(2 * np.pi * seconds / 86400 + plant.phase[point]) * plant.amplitude[point]
        raw = plant.base[point] + daily + level + noise * plant.noise[point]
        raw = np.clip(raw, spec.low - 0.1 * abs(spec.low), None) if spec.low >= 0 else raw
        return float_digits(spec.point_type, raw)
    if signal == 1:  # counter: hours run (or minutes for totalisers) since 2020
        period = 3600 if spec.units == "h" else 60
        return np.floor((seconds - 1_577_836_800) / period).astype(np.float64) % 2_147_483_647
    block = (ticks // (2 * TICKS_PER_HOUR)).astype(np.int64)
    pick = _mix(plant.seed, point, block) % np.uint64(len(_STATE_PICK))
    if signal == 2:  # digital state index
        return (_STATE_PICK[pick.astype(np.int64)] % len(plant.digital_states(point))).astype(np.float64)
    return (pick.astype(np.int64) % len(STRING_VALUES)).astype(np.float64)
