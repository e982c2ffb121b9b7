"""JSON bytes of recorded values, assembled without building a dict per value (the hot path of data routes).

A stream-set call of 100 points by one hour at 1 Hz is 360,000 values; building them as Python dicts costs more
than the whole response budget. Timestamps are formatted with numpy, numbers by orjson in one call, and the
events are spliced into one bytes template with a single `%` operation.
"""

from __future__ import annotations

import numpy as np
import orjson

from mock_server.catalog import STRING_VALUES, SYSTEM_STATES
from mock_server.changes import ERROR_OBJECTS, FLOAT_TYPES
from mock_server.pitime import format_ticks_array
from mock_server.plant import Plant
from mock_server.signals import FLAG_ANNOTATED, FLAG_QUESTIONABLE, FLAG_SUBSTITUTED, Events

EVENT_FIELDS = ("timestamp", "value", "unitsabbreviation", "good", "questionable", "substituted", "annotated")
_SYSTEM_BYTES = [orjson.dumps({"Name": n, "Value": c, "IsSystem": True}) for n, c in SYSTEM_STATES]
_ODD_BYTES = [b"null", *(orjson.dumps(e) for e in ERROR_OBJECTS)]  # codes -1, -2, -3 ...
_STRING_BYTES = [orjson.dumps(s) for s in STRING_VALUES]
_TRUE_FALSE = (b"false", b"true")
NONFINITE_TEXT = {
    "string": {"nan": b'"NaN"', "inf": b'"Infinity"', "-inf": b'"-Infinity"'},  # Json.NET's default
    "symbol": {"nan": b"NaN", "inf": b"Infinity", "-inf": b"-Infinity"},  # FloatFormatHandling.Symbol
}


def nonfinite_bytes(value: float, nan_format: str) -> bytes:
    """JSON text of NaN, Infinity or -Infinity in `nan_format` (`string` or `symbol`)."""
    key = "nan" if value != value else ("inf" if value > 0 else "-inf")
    return NONFINITE_TEXT[nan_format][key]


def json_value(value: object, nan_format: str) -> object:
    """A value ready for orjson: NaN and infinities become their `nan_format` text (orjson would write null)."""
    if isinstance(value, float) and not np.isfinite(value):
        text = nonfinite_bytes(value, nan_format)
        return orjson.Fragment(text) if nan_format == "symbol" else orjson.loads(text)
    return value


def value_bytes(plant: Plant, p: int, events: Events, nan_format: str = "string") -> list[bytes]:
    """The JSON text of each event's value (NaN and infinities of Float points as `nan_format` says)."""
    point_type = plant.point_spec[p].point_type
    values = events.values
    if point_type == "Digital":
        names = plant.digital_states(p)
        table = [orjson.dumps({"Name": name, "Value": i, "IsSystem": False}) for i, name in enumerate(names)]
        out = [table[i] for i in values.astype(np.int64).tolist()]
    elif point_type == "String":
        out = [_STRING_BYTES[i] for i in values.astype(np.int64).tolist()]
    else:
        array = values.astype(np.int64) if point_type == "Int32" else values
        text = orjson.dumps(array, option=orjson.OPT_SERIALIZE_NUMPY)
        out = text[1:-1].split(b",") if len(array) else []
        if point_type in FLOAT_TYPES:
            for i in np.flatnonzero(~np.isfinite(values)).tolist():  # orjson writes null for them
                out[i] = nonfinite_bytes(float(values[i]), nan_format)
    for i in np.flatnonzero(events.system).tolist():
        code = int(events.system[i])
        out[i] = _SYSTEM_BYTES[code - 1] if code > 0 else _ODD_BYTES[-code - 1]
    return out


def _tails(units: str, selected: frozenset[str]) -> list[bytes]:
    """The text after Value for every (system state?, flags) combination, indexed by system * 8 + flags."""
    tails = []
    for bad in (False, True):
        for flags in range(8):
            parts = []
            if "unitsabbreviation" in selected:
                parts.append(b'"UnitsAbbreviation":' + orjson.dumps("" if bad else units))
            if "good" in selected:
                parts.append(b'"Good":' + _TRUE_FALSE[not bad])
            for name, key, bit in (
                ("questionable", b"Questionable", FLAG_QUESTIONABLE),
                ("substituted", b"Substituted", FLAG_SUBSTITUTED),
                ("annotated", b"Annotated", FLAG_ANNOTATED),
            ):
                if name in selected:
                    parts.append(b'"' + key + b'":' + _TRUE_FALSE[bool(flags & bit)])
            tails.append(b",".join(parts))
    return tails


def encode_events(
    plant: Plant,
    p: int,
    events: Events,
    selected: frozenset[str] | None = None,
    nan_format: str = "string",
    lead: list[bytes] | None = None,
) -> bytes:
    """JSON array of TimedValues of point `p`; `selected` limits the fields (lower-case names), None = all.

    `lead` holds, per event, JSON members written first (stream updates' Action and PreviousEventAction).
    """
    n = len(events)
    if n == 0:
        return b"[]"
    chosen = frozenset(EVENT_FIELDS) if selected is None else selected & frozenset(EVENT_FIELDS)
    columns: list[list[bytes]] = []
    pieces: list[bytes] = []
    if lead is not None:
        pieces.append(b"%b")
        columns.append(lead)
    elif not chosen:
        return b"[" + b",".join([b"{}"] * n) + b"]"
    if "timestamp" in chosen:
        pieces.append(b'"Timestamp":"%b"')
        columns.append(format_ticks_array(events.ticks))
    if "value" in chosen:
        pieces.append(b'"Value":%b')
        columns.append(value_bytes(plant, p, events, nan_format))
    head = b",".join(pieces)
    tails = _tails(plant.units(p), chosen)
    if tails[0] or tails[8]:
        keys = ((events.system != 0).astype(np.int64) * 8 + events.flags).tolist()
        columns.append([tails[k] for k in keys])
        head = head + b",%b" if head else b"%b"
    one = b"{" + head + b"}"
    args: list[bytes] = [b""] * (n * len(columns))
    for i, column in enumerate(columns):
        args[i :: len(columns)] = column
    template = b"[" + b",".join([one] * n) + b"]"  # one `%` builds the array: no copy of the values afterwards
    return template % tuple(args)
