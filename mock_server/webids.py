r"""Deterministic WebID 2.0 identifiers that decode back to the object they name.

Layout (PI Web API 2017 R2+): type char (`F` Full, `I` IDOnly, `P` PathOnly), version `1`, a two-character
marker (`DS` data server, `DP` point, `RS` asset server, `RD` asset database, `Em` element, `ET` element template,
`EC` element category, `Ab` attribute + owner marker, `Fm` event frame, `NR` notification rule, `NS` + `L`
notification rule subscriber, as in the reference's samples), then 22-character url-safe base64 GUIDs
(.NET byte order) or the 6-character Int32 point id, then for Full and PathOnly the url-safe base64 of the
upper-case path without its leading `\\\\`. Mock GUIDs carry the object's kind and index in their last bytes
(as real event-frame ids carry a counter), so every id decodes without a lookup table.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import uuid
from dataclasses import dataclass

KIND_CODES = {
    "server": 1,
    "database": 2,
    "element": 3,
    "template": 4,
    "attribute": 5,
    "eventframe": 6,
    "category": 7,
    "notificationrule": 8,
    "subscriber": 9,
    "annotation": 10,
}
_KINDS_BY_CODE = {code: kind for kind, code in KIND_CODES.items()}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class Ids:
    """GUID factory for one plant seed: a seed-derived 9-byte prefix, then kind (1 byte) and index (6 bytes)."""

    seed: int

    @property
    def prefix(self) -> bytes:
        """The 9 bytes every GUID of this plant starts with."""
        return hashlib.sha256(f"osipi-mock-{self.seed}".encode()).digest()[:9]

    def guid(self, kind: str, index: int) -> uuid.UUID:
        """The GUID of object `index` of `kind`."""
        return uuid.UUID(bytes=self.prefix + bytes([KIND_CODES[kind]]) + index.to_bytes(6, "big"))

    def parse_guid(self, text: str) -> tuple[str, int] | None:
        """(kind, index) of a GUID in 22-char WebId form, or None when it is not one of ours."""
        try:
            raw = uuid.UUID(bytes_le=_unb64(text)).bytes
        except (ValueError, TypeError):
            return None
        if raw[:9] != self.prefix or raw[9] not in _KINDS_BY_CODE:
            return None
        return _KINDS_BY_CODE[raw[9]], int.from_bytes(raw[10:], "big")


def guid_text(guid: uuid.UUID) -> str:
    """22-character WebId form of a GUID (.NET `Guid.ToByteArray()` order)."""
    return _b64(guid.bytes_le)


def path_text(path: str) -> str:
    """WebId name payload: url-safe base64 of the upper-case path without its leading backslashes."""
    return _b64(path.lstrip("\\").upper().encode())


def point_id_text(point_id: int) -> str:
    """6-character WebId form of an Int32 point id."""
    return _b64(struct.pack("<i", point_id))


def make(marker: str, body: list[str], path: str, id_type: str = "Full") -> str:
    """Assemble a WebId of the requested webIdType from its marker, id parts and path."""
    if id_type == "PathOnly":
        return f"P1{marker}{path_text(path)}"
    if id_type == "IDOnly":
        return f"I1{marker}{''.join(body)}"
    return f"F1{marker}{''.join(body)}{path_text(path)}"


@dataclass(frozen=True, slots=True)
class Decoded:
    """What a WebId names: its marker and either ids (Full, IDOnly) or a path (PathOnly)."""

    marker: str
    parts: tuple[str, ...]
    path: str | None


def decode(web_id: str) -> Decoded | None:
    """Split a WebId 2.0 into marker, GUID/point-id parts or path; None when it is not well formed."""
    if len(web_id) < 4 or web_id[1] != "1" or web_id[0] not in "FIP":
        return None
    marker, rest = web_id[2:4], web_id[4:]
    if marker in ("Ab", "AT", "NS"):
        marker, rest = marker + rest[:1], rest[1:]
    if web_id[0] == "P":
        try:
            return Decoded(marker, (), "\\\\" + _unb64(rest).decode())
        except (ValueError, UnicodeDecodeError):
            return None
    sizes = {
        "DS": [22],
        "RS": [22],
        "DP": [22, 6],
        "RD": [22, 22],
        "Em": [22, 22],
        "ET": [22, 22],
        "EC": [22, 22],
        "AbE": [22, 22, 22],
        "AbF": [22, 22, 22],
        "Fm": [22, 22],
        "NR": [22, 22],
        "NSL": [22, 22, 22],
    }.get(marker)
    if sizes is None or len(rest) < sum(sizes):
        return None
    parts, position = [], 0
    for size in sizes:
        parts.append(rest[position : position + size])
        position += size
    return Decoded(marker, tuple(parts), None)


def decode_point_id(text: str) -> int | None:
    """The Int32 point id of its 6-character WebId form."""
    try:
        return struct.unpack("<i", _unb64(text))[0]
    except (ValueError, struct.error):
        return None
