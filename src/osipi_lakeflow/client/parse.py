"""PI Web API JSON objects to the typed models of `osipi_lakeflow.models` (one function per object kind)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from osipi_lakeflow.models import OPEN_END_YEAR, Attribute, DataServer, Element, EventFrame, Point
from osipi_lakeflow.pitime import parse_timestamp

_TRUE_TEXT = frozenset({"true", "1", "yes"})


def flag(value: object, *, default: bool = False) -> bool:
    """A PI flag: a JSON boolean, a string "true"/"false" (some servers and doc samples) or absent (`default`)."""
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() in _TRUE_TEXT
    return bool(value)


def data_server(i: dict) -> DataServer:
    """A `DataServer` object."""
    return DataServer(i["WebId"], i["Name"], i.get("Path", ""), time_or_none(i.get("ServerTime")))


def point(i: dict) -> Point:
    """A `Point` object."""
    return Point(
        i["WebId"],
        i["Name"],
        i.get("Path", ""),
        i.get("PointType", ""),
        i.get("EngineeringUnits") or "",
        i.get("DigitalSetName") or "",
        i.get("Descriptor") or "",
    )


def element(i: dict) -> Element:
    """An `Element` object."""
    return Element(
        i["WebId"],
        i.get("Id", ""),
        i["Name"],
        i.get("Path", ""),
        i.get("TemplateName") or "",
        tuple(i.get("CategoryNames") or ()),
        i.get("Description") or "",
        flag(i.get("HasChildren")),
    )


def attribute(owner: str, i: dict) -> Attribute:
    r"""An `Attribute` of `owner`; a PI Point data reference carries its point's WebId from `Links.Point`.

    The point name is read from a resolved ConfigString (`\\server\tag;options`); a template string with
    `%...%` substitutions leaves it None (only the server resolves those).
    """
    link = (i.get("Links") or {}).get("Point") or ""
    point_webid = (link.rstrip("/").rsplit("/", 1)[-1] or None) if link else None
    config = i.get("ConfigString") or ""
    point_name = None
    if point_webid and config and "%" not in config:
        point_name = config.split(";", 1)[0].rsplit("\\", 1)[-1] or None
    return Attribute(
        webid=i["WebId"],
        id=i.get("Id", ""),
        name=i["Name"],
        path=i.get("Path", ""),
        owner_webid=owner,
        data_reference=i.get("DataReferencePlugIn") or "",
        point_webid=point_webid,
        point_name=point_name,
        units=i.get("DefaultUnitsNameAbbreviation") or "",
        type=i.get("Type") or "",
        categories=tuple(i.get("CategoryNames") or ()),
    )


def event_frame(i: dict) -> EventFrame:
    """An `EventFrame`; PI's year-9999 end time (still open) becomes None."""
    end = time_or_none(i.get("EndTime"))
    acknowledged = flag(i.get("IsAcknowledged"))
    return EventFrame(
        webid=i["WebId"],
        id=i.get("Id", ""),
        name=i["Name"],
        path=i.get("Path", ""),
        template=i.get("TemplateName") or "",
        start=parse_timestamp(i["StartTime"]),
        end=None if end is None or end.year >= OPEN_END_YEAR else end,
        severity=i.get("Severity") or "None",
        categories=tuple(i.get("CategoryNames") or ()),
        description=i.get("Description") or "",
        can_be_acknowledged=flag(i.get("CanBeAcknowledged")),
        is_acknowledged=acknowledged,
        acknowledged_by=i.get("AcknowledgedBy") or "",
        # PI fills AcknowledgedDate with a placeholder (1970-01-01) on frames nobody acknowledged
        acknowledged_date=time_or_none(i.get("AcknowledgedDate")) if acknowledged else None,
        is_annotated=flag(i.get("IsAnnotated")),
        ref_element_webids=tuple(i.get("RefElementWebIds") or ()),
        values_captured=flag(i.get("AreValuesCaptured")),
    )


def time_or_none(text: object) -> datetime | None:
    """A UTC datetime from a PI timestamp string, None for a missing one."""
    return parse_timestamp(text) if isinstance(text, str) and text else None


_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def duration_or_none(text: object) -> timedelta | None:
    """A timedelta from an ISO-8601 duration (`PT15M`, `P1DT2H`), as AF time spans travel; None when missing.

    A malformed duration raises ValueError naming it (months and years have no fixed length and are refused).
    """
    if not isinstance(text, str) or not text:
        return None
    match = _DURATION.match(text)
    if match is None or text in ("P", "PT") or text.endswith("T"):
        raise ValueError(f"{text!r} is not an ISO-8601 duration of days, hours, minutes and seconds")
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
