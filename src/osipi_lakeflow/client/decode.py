"""Decode PI Web API time-series JSON into Arrow record batches of `RECORDED_SCHEMA`.

The hot path builds each column with one list comprehension over the parsed values and hands whole lists to
Arrow; only the rare non-numeric values (digital and system states, strings, error objects) are classified one
by one. Timestamps are parsed by Arrow as nanoseconds and floored to microseconds, so PI's 7th fractional digit
is truncated, never rounded, the same way everywhere.

Value mapping (the columns are documented in `osipi_lakeflow.schema`):

| PI value                                    | value_double | value_int | value_string | state_name / code | system |
|---------------------------------------------|--------------|-----------|--------------|-------------------|--------|
| number with a fraction (or NaN, Infinity)   | the number   | null      | null         | null              | false  |
| integer (exact even beyond 2^53)            | the number   | the int   | null         | null              | false  |
| "NaN", "Infinity", "-Infinity" (numeric pt) | the number   | null      | null         | null              | false  |
| boolean                                     | 1.0 / 0.0    | null      | null         | null              | false  |
| string (String, DateTime, Guid)             | null         | null      | the text     | null              | false  |
| `{"Name", "Value", "IsSystem": false}`      | null         | null      | null         | name / code       | false  |
| `{"Name", "Value", "IsSystem": true}`       | null         | null      | null         | name / code       | true   |
| `{"Errors": [...]}`                         | null         | null      | null         | joined errors     | true   |
| null                                        | null         | null      | null         | null              | false  |
| array or other JSON                         | null         | null      | JSON text    | null              | false  |

A stream is numeric (`StreamValues.numeric`) when its PI point or attribute type is a number type: only then are
the strings "NaN", "Infinity" and "-Infinity" read as doubles (Json.NET writes non-finite doubles so). An integer
stream (`StreamValues.integer`: Int16/32/64) also fills `value_int`; so does any integer Arrow cannot hold as a
double exactly, whatever its stream.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from osipi_lakeflow.client.parse import flag
from osipi_lakeflow.errors import PIResponseError
from osipi_lakeflow.schema import RECORDED_SCHEMA, UTC_MICROS

_NUMBER_TYPES = frozenset({float, int})
NONFINITE_TEXT = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}
"""How Json.NET, PI Web API's serializer, writes non-finite doubles by default."""
_INT64 = (-(2**63), 2**63 - 1)
INTEGER_POINT_TYPES = frozenset({"Int16", "Int32", "Int64"})
NUMERIC_POINT_TYPES = INTEGER_POINT_TYPES | {"Float16", "Float32", "Float64"}
"""PI point types whose values are numbers (PI Web API `PointType`)."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FLAG_DEFAULTS = {"Good": True, "Questionable": False, "Substituted": False, "Annotated": False}
"""PI's quality flags and the value each takes when a server omits it."""


@dataclass(frozen=True, slots=True)
class StreamValues:
    """One tag's values as one response carried them."""

    webid: str
    name: str | None
    units: str | None
    values: list[dict]
    numeric: bool = False
    integer: bool = False


@dataclass(frozen=True, slots=True)
class DecodedPage:
    """Decoded values of several streams, in stream order.

    Attributes:
        batch: every value, in `RECORDED_SCHEMA`, event ordinals computed within each stream.
        ts_us: the timestamps as int64 microseconds since the epoch (for paging decisions without Arrow).
        offsets: stream i's rows are `offsets[i]:offsets[i + 1]`.
    """

    batch: pa.RecordBatch
    ts_us: np.ndarray
    offsets: np.ndarray


def decode_streams(streams: Sequence[StreamValues]) -> DecodedPage:
    """Decode the values of several streams into one record batch."""
    counts = np.fromiter((len(s.values) for s in streams), dtype=np.int64, count=len(streams))
    offsets = np.concatenate(([0], np.cumsum(counts)))
    values = [v for s in streams for v in s.values]
    try:
        stamps = [v["Timestamp"] for v in values]
    except (KeyError, TypeError):
        raise PIResponseError(
            "a time-series value has no Timestamp; the response is not PI Web API recorded data"
        ) from None
    raw = _field(values, "Value")
    ts_us = _timestamps_us(stamps)
    stream_index = np.repeat(np.arange(len(streams)), counts)
    numeric = np.fromiter((s.numeric for s in streams), dtype=bool, count=len(streams))[stream_index]
    integer = any(s.integer for s in streams)
    value_columns = _value_columns(raw, numeric, integer)
    columns = {
        "tag_webid": pa.array([s.webid for s in streams], pa.string()).take(stream_index),
        "tag": pa.array([s.name for s in streams], pa.string()).take(stream_index),
        "timestamp": pa.array(ts_us, pa.int64()).cast(UTC_MICROS),
        "event_ordinal": pa.array(_ordinals(ts_us, stream_index, raw), pa.int32()),
        **value_columns,
        **_flag_columns(values),
        "units": _units(values, streams, stream_index),
    }
    batch = pa.RecordBatch.from_arrays([columns[f.name] for f in RECORDED_SCHEMA], schema=RECORDED_SCHEMA)
    return DecodedPage(batch=batch, ts_us=ts_us, offsets=offsets)


def decode_values(values: list[dict], webid: str, name: str | None = None, units: str | None = None) -> pa.RecordBatch:
    """Decode one stream's `Items` (a `/streams/{webId}/recorded` response) into a record batch."""
    return decode_streams([StreamValues(webid, name, units, values)]).batch


def _field(values: list[dict], key: str) -> list:
    """One key of every value; subscripting is faster than `.get`, which only runs when a key is missing."""
    try:
        return [v[key] for v in values]
    except KeyError:
        return [v.get(key) for v in values]


def _timestamps_us(stamps: list[str]) -> np.ndarray:
    """Parse ISO-8601 strings to int64 microseconds, flooring the 100 ns digit."""
    try:
        nanos = pa.array(stamps, pa.string()).cast(pa.timestamp("ns", tz="UTC")).cast(pa.int64())
        return np.floor_divide(nanos.to_numpy(zero_copy_only=False), 1000)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return np.fromiter((_micros_slow(s) for s in stamps), dtype=np.int64, count=len(stamps))


def _micros_slow(text: object) -> int:
    """Parse one timestamp Arrow refused (out of the nanosecond range, or an odd form)."""
    from osipi_lakeflow.pitime import parse_timestamp

    if not isinstance(text, str):
        raise PIResponseError(f"timestamp {text!r} is not a string; the response is not PI Web API recorded data")
    delta = parse_timestamp(text) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _value_columns(raw: list, numeric: np.ndarray, integer: bool) -> dict[str, pa.Array]:
    """Split PI values into the typed value columns; numbers go to Arrow whole, the rest one by one.

    `numeric[i]` tells whether value i belongs to a numeric stream (for the non-finite strings); `integer` whether
    any stream is an integer one (only then, or when Arrow cannot take the list whole, is `value_int` filled).
    """
    n = len(raw)
    try:
        doubles = pa.array(raw, pa.float64())  # all numbers (or null): the common case, one C call
        odd = np.flatnonzero(doubles.is_null().to_numpy(zero_copy_only=False)) if doubles.null_count else ()
        ints = _integers(raw) if integer else pa.nulls(n, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):  # text, objects, or an integer beyond 2^53
        doubles = pa.array([x if type(x) is float else None for x in raw], pa.float64())
        odd = np.flatnonzero(doubles.is_null().to_numpy(zero_copy_only=False))
        ints = _integers(raw)
    if len(odd) == 0:
        return {
            "value_double": doubles,
            "value_int": ints,
            "value_string": pa.nulls(n, pa.string()),
            "state_name": pa.nulls(n, pa.string()),
            "state_code": pa.nulls(n, pa.int32()),
            "is_system_state": pa.array(np.zeros(n, dtype=bool)),
        }
    fixed: dict[int, float] = {}
    strings: list[str | None] = [None] * n
    names: list[str | None] = [None] * n
    codes: list[int | None] = [None] * n
    system = np.zeros(n, dtype=bool)
    for i in odd.tolist():
        x = raw[i]
        kind = type(x)
        if x is None:
            continue
        if kind is bool:
            fixed[i] = 1.0 if x else 0.0
        elif kind is int:
            fixed[i] = float(x)
        elif kind is float:
            fixed[i] = x
        elif kind is str and numeric[i] and x in NONFINITE_TEXT:
            fixed[i] = NONFINITE_TEXT[x]
        elif kind is str:
            strings[i] = x
        elif kind is dict and "Errors" in x:
            names[i] = "; ".join(str(e) for e in (x.get("Errors") or [])) or "Error"
            system[i] = True
        elif kind is dict and "Name" in x:
            names[i] = str(x["Name"])
            codes[i] = _int_or_none(x.get("Value"))
            system[i] = flag(x.get("IsSystem"), default=False)
        else:
            strings[i] = orjson.dumps(x).decode()
    if fixed:  # numbers Arrow could not take in one pass (booleans in a mixed list, big integers, non-finite text)
        values = doubles.to_numpy(zero_copy_only=False).copy()
        mask = doubles.is_null().to_numpy(zero_copy_only=False).copy()
        for i, v in fixed.items():
            values[i], mask[i] = v, False
        doubles = pa.array(values, pa.float64(), mask=mask)
    return {
        "value_double": doubles,
        "value_int": ints,
        "value_string": pa.array(strings, pa.string()),
        "state_name": pa.array(names, pa.string()),
        "state_code": pa.array(codes, pa.int32()),
        "is_system_state": pa.array(system),
    }


def _integers(raw: list) -> pa.Array:
    """The exact value of every JSON integer (booleans excluded), null elsewhere."""
    picked = [x if type(x) is int and _INT64[0] <= x <= _INT64[1] else None for x in raw]
    return pa.array(picked, pa.int64())


def _int_or_none(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _flag_columns(values: list[dict]) -> dict[str, pa.Array]:
    """The four quality flags; one pass packs them as bits when every value carries all four as booleans."""
    try:
        packed = np.fromiter(
            (v["Good"] + 2 * v["Questionable"] + 4 * v["Substituted"] + 8 * v["Annotated"] for v in values),
            dtype=np.uint8,
            count=len(values),
        )
    except (KeyError, TypeError, ValueError):  # a flag missing, or sent as a string: read each on its own
        return {key.lower(): _flags(_field(values, key), default=usual) for key, usual in _FLAG_DEFAULTS.items()}
    return {key.lower(): pa.array((packed & (1 << bit)) != 0) for bit, key in enumerate(_FLAG_DEFAULTS)}


def _flags(values: list, *, default: bool) -> pa.Array:
    """A non-null boolean column; missing flags take `default` (older servers omit `Annotated`)."""
    try:
        flags = pa.array(values, pa.bool_())
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # flags sent as strings "true"/"false"
        return pa.array([flag(v, default=default) for v in values], pa.bool_())
    return flags.fill_null(default) if flags.null_count else flags


def _units(values: list[dict], streams: Sequence[StreamValues], stream_index: np.ndarray) -> pa.Array:
    """Each value's UnitsAbbreviation, else its stream's."""
    per_stream = pa.array([s.units or None for s in streams], pa.string()).take(stream_index)
    if not any("UnitsAbbreviation" in s.values[0] for s in streams if s.values):
        return per_stream  # selectedFields left value units out: skip a pass over every value
    per_value = [v.get("UnitsAbbreviation") or None for v in values]
    if not any(per_value):
        return per_stream
    return pc.coalesce(pa.array(per_value, pa.string()), per_stream)


def _value_key(value: object) -> object:
    """A hashable identity of a PI value, for telling identical events at one instant apart."""
    if isinstance(value, dict):
        return (value.get("Name"), value.get("Value"), tuple(map(str, value.get("Errors") or ())))
    if isinstance(value, list):
        return orjson.dumps(value)
    return (type(value) is bool, value)


def _ordinals(ts_us: np.ndarray, stream_index: np.ndarray, raw: list) -> np.ndarray:
    """0-based position of each event among its stream's events with the same timestamp and value."""
    ordinals = np.zeros(len(raw), dtype=np.int32)
    if len(raw) < 2:
        return ordinals
    same = (ts_us[1:] == ts_us[:-1]) & (stream_index[1:] == stream_index[:-1])
    seen: dict[object, int] = {}
    previous = -2
    for i in (np.flatnonzero(same) + 1).tolist():
        if i != previous + 1:  # a new run of equal timestamps starts at i - 1
            seen = {_value_key(raw[i - 1]): 1}
        key = _value_key(raw[i])
        ordinals[i] = seen.get(key, 0)
        seen[key] = ordinals[i] + 1
        previous = i
    return ordinals
