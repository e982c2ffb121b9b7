"""PI Web API stream updates: register streams for a marker, then retrieve what changed since it.

PI reports every change to a registered stream as an event with an `Action`: `Add` (a new event, late ones
included), `Update` (an edited value) and `Delete`, each with the event's timestamp, whatever its age, as long as
the marker lives. Markers live in the server's memory and expire ("404 Cache not found"); a stream whose
retrieval fails is unregistered. Callers therefore keep a backstop (a re-read of recent history) for what a lost
marker missed, and register again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from osipi_lakeflow.client.listing import calls_in_order, chunked
from osipi_lakeflow.client.parse import time_or_none
from osipi_lakeflow.client.session import Transport, error_text
from osipi_lakeflow.errors import PIAuthError, PIResponseError

_RETRIEVE_FIELDS = ";".join(
    [
        "Items.Source",
        "Items.RequestedMarker",
        "Items.LatestMarker",
        "Items.Status",
        "Items.Exception",
        "Items.Events.Action",
        "Items.Events.Timestamp",
    ]
)


@dataclass(frozen=True, slots=True)
class StreamChanges:
    """What one marker's retrieval said.

    Attributes:
        marker: the marker to retrieve from next time; None when the stream must be registered again (expired,
            invalid, or unregistered by the server).
        changed: the timestamps of every Add, Update and Delete since the marker.
        error: why the marker could not be read, when it could not.
    """

    marker: str | None
    changed: tuple[datetime, ...] = ()
    error: str | None = None


def register(transport: Transport, tags: Sequence[str], per_call: int) -> dict[str, str]:
    """A marker for each stream that accepted the registration (the others are left out)."""

    def ask(chunk: Sequence[str]) -> list:
        params = [("webId", t) for t in chunk] + [("selectedFields", "Items.Source;Items.Status;Items.LatestMarker")]
        try:
            return transport.send("POST", "streamsets/updates", params=params, body=b"").data.get("Items") or []
        except PIAuthError:
            raise
        except PIResponseError:
            return []  # the server has no stream updates for these (or refuses them now): the backstop reads on

    markers: dict[str, str] = {}
    for _, items in calls_in_order(transport, chunked(tags, per_call), ask):
        for item in items:
            if isinstance(item, dict) and item.get("LatestMarker") and item.get("Status") != "Failed":
                markers[str(item.get("Source"))] = str(item["LatestMarker"])
    return markers


def retrieve(transport: Transport, markers: Mapping[str, str], per_call: int) -> dict[str, StreamChanges]:
    """What changed on each stream since its marker, by stream WebId."""
    by_marker = {marker: webid for webid, marker in markers.items()}

    def ask(chunk: Sequence[str]) -> dict[str, StreamChanges]:
        params = [("marker", m) for m in chunk] + [("selectedFields", _RETRIEVE_FIELDS)]
        try:
            items = transport.get("streamsets/updates", params).data.get("Items") or []
        except PIAuthError:
            raise
        except PIResponseError as error:
            return {by_marker[m]: StreamChanges(None, error=str(error)) for m in chunk}
        return {
            by_marker[item["RequestedMarker"]]: _changes(item)
            for item in items
            if isinstance(item, dict) and item.get("RequestedMarker") in by_marker
        }

    found: dict[str, StreamChanges] = {}
    for _, changes in calls_in_order(transport, chunked(list(by_marker), per_call), ask):
        found.update(changes)
    return found


def _changes(item: dict) -> StreamChanges:
    if item.get("Status") == "Failed" or item.get("Exception"):
        return StreamChanges(None, error=error_text(item.get("Exception") or {}) or "the marker failed")
    stamps = (time_or_none(e.get("Timestamp")) for e in item.get("Events") or [] if isinstance(e, dict))
    return StreamChanges(str(item.get("LatestMarker") or ""), tuple(s for s in stamps if s is not None))
