"""`PIWebAPI`: the client's public face, a small surface over transport, discovery and recorded reads."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc
from requests.auth import AuthBase

from osipi_lakeflow.client import annotations, discovery, notifications, snapshot, updates
from osipi_lakeflow.client.config import ClientConfig
from osipi_lakeflow.client.fetch import BatchFetcher, Fetcher, StreamSetFetcher
from osipi_lakeflow.client.paging import TagCursor
from osipi_lakeflow.client.recorded import CountLimit, ReadPlan, RecordedRead
from osipi_lakeflow.client.session import Transport
from osipi_lakeflow.errors import PIAuthError, PIConfigError, PIResponseError
from osipi_lakeflow.models import (
    AssetDatabase,
    Attribute,
    DataServer,
    Element,
    EventFrame,
    Point,
    StreamStatus,
    Watermark,
)
from osipi_lakeflow.pitime import TimeLike, format_time, resolve_time


class PIWebAPI:
    """A PI Web API client: discovery, recorded values of many tags, and incremental reads.

    Usage::

        from osipi_lakeflow.client import PIWebAPI
        from osipi_lakeflow.client.auth import BasicAuth

        with PIWebAPI("https://pi.example.com/piwebapi", auth=BasicAuth("svc", password)) as pi:
            tags = [p.webid for p in pi.points(name_filter="SINUS*")]
            for batch in pi.recorded(tags, "*-1h", "*"):
                ...
    """

    def __init__(self, url: str, auth: AuthBase | None = None, config: ClientConfig | None = None) -> None:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise PIConfigError(f"PI Web API URL must start with https:// (or http://), got {url!r}")
        self.url = url.rstrip("/")
        self.auth = auth
        self.config = config or ClientConfig()
        self._transport = Transport(self.url, auth, self.config)
        self._limit = CountLimit(self.config.max_count)
        self._servers: list[DataServer] | None = None

    def __repr__(self) -> str:
        return f"PIWebAPI({self.url!r}, auth={self.auth!r}, method={self.config.method!r})"

    def __enter__(self) -> PIWebAPI:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close pooled connections."""
        self._transport.close()

    @property
    def max_count(self) -> int:
        """Values per HTTP call now in force (lower than configured once the server refused more)."""
        return self._limit.value

    # -- servers and points ------------------------------------------------------------------------------
    def data_servers(self) -> list[DataServer]:
        """Every PI Data Archive the server lists."""
        self._servers = discovery.data_servers(self._transport)
        return self._servers

    def data_server(self, name: str | None = None) -> DataServer:
        """The named data server (or the first); PINotFoundError lists the names that exist."""
        return discovery.pick_data_server(self._servers or self.data_servers(), name)

    def server_time(self) -> datetime:
        """The data server's clock (UTC), which PI relative times like `*-1h` are measured from."""
        server = discovery.pick_data_server(self.data_servers(), None)
        if server.server_time is None:
            raise PIConfigError("the data server reports no ServerTime; pass absolute UTC datetimes instead of '*'")
        return server.server_time

    def points(self, data_server: DataServer | str | None = None, name_filter: str = "*") -> Iterator[Point]:
        """Points of a data server (default: the first) whose names match `name_filter`, paged."""
        server = data_server if isinstance(data_server, DataServer) else self.data_server(data_server)
        return discovery.points(self._transport, server, name_filter, self.config.page_size)

    # -- asset framework -------------------------------------------------------------------------------------
    def asset_databases(self) -> list[AssetDatabase]:
        """Every AF database on every AF server."""
        return discovery.asset_databases(self._transport)

    def asset_database(self, path: str) -> AssetDatabase:
        r"""An AF database by path, e.g. `\\PIAF01\Plant`."""
        return discovery.asset_database(self._transport, path)

    def elements(
        self,
        database: AssetDatabase | str,
        *,
        template_name: str | None = None,
        category_name: str | None = None,
        name_filter: str | None = None,
    ) -> Iterator[Element]:
        """Elements at every depth of a database, filtered by template, category and name, paged."""
        filters = [
            (k, v)
            for k, v in (("templateName", template_name), ("categoryName", category_name), ("nameFilter", name_filter))
            if v
        ]
        return discovery.elements(self._transport, self._database(database), filters, self.config.page_size)

    def walk_elements(self, database: AssetDatabase | str) -> Iterator[Element]:
        """Elements level by level, descending only where `HasChildren` says there is something below."""
        return discovery.walk_elements(
            self._transport, self._database(database), self.config.page_size, self.config.tags_per_request
        )

    def attributes(self, elements: Iterable[Element], *, pi_points_only: bool = False) -> Iterator[Attribute]:
        """Attributes of elements, many elements per call; PI Point ones carry `point_webid`."""
        return discovery.attributes(
            self._transport,
            (e.webid for e in elements),
            "elements",
            self.config.page_size,
            self.config.tags_per_request,
            pi_points_only=pi_points_only,
        )

    def element_templates(self, database: AssetDatabase | str) -> list[dict]:
        """Element (and event-frame) templates of a database, as PI Web API returns them."""
        data = self._transport.get(f"assetdatabases/{self._database(database).webid}/elementtemplates").data
        return list(data.get("Items") or [])

    def element_categories(self, database: AssetDatabase | str) -> list[dict]:
        """Element categories of a database, as PI Web API returns them."""
        data = self._transport.get(f"assetdatabases/{self._database(database).webid}/elementcategories").data
        return list(data.get("Items") or [])

    def event_frames(
        self,
        database: AssetDatabase | str,
        *,
        start: TimeLike = "*-8h",
        end: TimeLike = "*",
        search_mode: str = "Overlapped",
        template_name: str | None = None,
        name_filter: str | None = None,
        referenced_element_name_filter: str | None = None,
    ) -> Iterator[EventFrame]:
        """Event frames found by `searchMode` over a window (PI's default window is only the last 8 hours)."""
        filters = [("startTime", _time_param(start)), ("searchMode", search_mode)]
        if not search_mode.startswith(("Backward", "Forward")):
            filters.append(("endTime", _time_param(end)))
        filters += [
            (k, v)
            for k, v in (
                ("templateName", template_name),
                ("nameFilter", name_filter),
                ("referencedElementNameFilter", referenced_element_name_filter),
            )
            if v
        ]
        return discovery.event_frames(self._transport, self._database(database), filters, self.config.page_size)

    def event_frames_by_webid(self, webids: Sequence[str]) -> dict[str, EventFrame | None]:
        """Event frames by WebId, many per call; None for a frame PI no longer has (404: deleted)."""
        return discovery.event_frames_by_webid(self._transport, _unique(webids), self.config.tags_per_request)

    def event_frame_attributes(self, frames: Iterable[EventFrame]) -> Iterator[Attribute]:
        """Attributes of event frames (`owner_webid` is the frame's WebId), many frames per call."""
        return discovery.attributes(
            self._transport,
            (f.webid for f in frames),
            "eventframes",
            self.config.page_size,
            self.config.tags_per_request,
            pi_points_only=False,
        )

    def event_frame_values(self, frames: Iterable[EventFrame]) -> pa.Table:
        """One row per (frame, attribute) in `EVENT_FRAME_VALUE_SCHEMA`."""
        return snapshot.event_frame_values(self._transport, (f.webid for f in frames), self.config.tags_per_request)

    def notification_rules(self, database: AssetDatabase | str) -> pa.Table:
        """The database's notification rules (alarm configuration) with their subscribers.

        Rows in `NOTIFICATION_RULE_SCHEMA`; `PIUnsupportedError` on a server older than PI Web API 2018.
        """
        return notifications.notification_rules(
            self._transport, self._database(database).webid, self.config.page_size, self.config.tags_per_request
        )

    def event_frame_annotations(self, frames: Iterable[EventFrame | str]) -> pa.Table:
        """Operators' annotations of event frames (or frame WebIds) in `ANNOTATION_SCHEMA`, many frames per call."""
        webids = (f if isinstance(f, str) else f.webid for f in frames)
        return annotations.frame_annotations(self._transport, webids, self.config.tags_per_request)

    def value_annotations(self, tag: str, start: TimeLike, end: TimeLike) -> pa.Table:
        """Annotations of one stream's recorded values with start <= time <= end, in `ANNOTATION_SCHEMA`."""
        begin, finish = self._times(start, end)
        return annotations.value_annotations(
            self._transport, tag, format_time(begin), format_time(finish), self._limit.value
        )

    def value_annotations_at(self, instants: Iterable[tuple[str, datetime]]) -> tuple[pa.Table, dict[str, str]]:
        """Annotations of the values at each (stream WebId, UTC instant to the microsecond), many per call.

        Returns the annotations in `ANNOTATION_SCHEMA` and the streams PI refused (WebId -> why).
        """
        return annotations.value_annotations_at(
            self._transport, list(instants), self.config.tags_per_request, self._limit.value
        )

    # -- time series -------------------------------------------------------------------------------------------
    def recorded(
        self,
        tags: Sequence[str],
        start: TimeLike,
        end: TimeLike,
        *,
        names: Mapping[str, str] | None = None,
        types: Mapping[str, str] | None = None,
    ) -> RecordedRead:
        """Every recorded value of each tag with start <= time <= end, streamed as record batches.

        Args:
            tags: point WebIds.
            start: UTC datetime, ISO-8601 text or PI relative time (`*-1h`), resolved against the server clock.
            end: as `start`; inclusive.
            names: WebId to tag name, for the `tag` column (stream sets also report names themselves).
            types: WebId to PI point type (`Float32`, `Int32`, ...): numeric points read "NaN" text as a double,
                integer points also fill `value_int` (see `decode`).
        """
        begin, finish = self._times(start, end)
        if begin > finish:
            raise PIConfigError(f"start {begin.isoformat()} is after end {finish.isoformat()}; swap them")
        return self._read({t: Watermark(begin, 0) for t in _unique(tags)}, finish, names, types, None)

    def read_incremental(
        self,
        watermarks: Mapping[str, Watermark],
        end: TimeLike | None = None,
        *,
        names: Mapping[str, str] | None = None,
        types: Mapping[str, str] | None = None,
        max_values_per_tag: int | None = None,
        ends: Mapping[str, datetime] | None = None,
    ) -> RecordedRead:
        """Events strictly after each tag's watermark up to `end` (inclusive); `.watermarks` says where each stopped.

        A watermark (t, k) means every event before t and the first k events at t are taken. With
        `max_values_per_tag` a tag stops after about that many values, possibly in the middle of an instant.
        `ends` gives tags their own end (UTC datetimes, inclusive) instead of `end`: with the batch controller,
        tags of different ranges still share calls. When `ends` gives every tag its end, `end` is not needed.

        Raises:
            PIConfigError: no `end`, and a tag has no end in `ends` either.
        """
        if max_values_per_tag is not None and max_values_per_tag < 1:
            raise PIConfigError(f"max_values_per_tag must be at least 1, got {max_values_per_tag}")
        own = dict(ends or {})
        if end is not None:
            (finish,) = self._times(end)
        elif own and own.keys() >= watermarks.keys():
            finish = max(own.values())
        else:
            missing = [t for t in watermarks if t not in own][:5]
            raise PIConfigError(f"read_incremental needs `end`, or `ends` giving every tag its end; none for {missing}")
        return self._read(dict(watermarks), finish, names, types, max_values_per_tag, own)

    def event_rates(self, tags: Sequence[str], window: TimeLike = "*-1h") -> dict[str, float]:
        """Recorded events per hour of each tag over `window`..now, from one Count summary per group of tags."""
        now = self.server_time()
        start = resolve_time(window, now)
        hours = max((now - start).total_seconds() / 3600.0, 1e-9)
        try:
            counts = snapshot.event_counts(
                self._transport, _unique(tags), format_time(start), format_time(now), self.config.tags_per_request
            )
        except PIResponseError as error:
            if isinstance(error, PIAuthError) or error.status not in (404, 405, 409, 501):
                raise
            counts = self._counted(tags, start, now)  # no summaries here: count a recorded read instead
        return {t: counts.get(t, 0) / hours for t in _unique(tags)}

    def points_by_webid(self, tags: Sequence[str]) -> dict[str, Point]:
        """The PI points of WebIds (name, point type, units), many per call; unknown WebIds are left out."""
        return snapshot.points_by_webid(self._transport, _unique(tags), self.config.tags_per_request)

    def stream_statuses(self, tags: Sequence[str]) -> dict[str, StreamStatus]:
        """Each stream's snapshot time, or why it cannot be read now (denied, deleted, conflict), many per call."""
        return snapshot.stream_statuses(self._transport, _unique(tags), self.config.tags_per_request)

    def register_updates(self, tags: Sequence[str]) -> dict[str, str]:
        """Stream-update markers of the tags, by WebId; a tag the server refuses is left out."""
        return updates.register(self._transport, _unique(tags), self.config.tags_per_request)

    def retrieve_updates(self, markers: Mapping[str, str]) -> dict[str, updates.StreamChanges]:
        """What changed on each tag since its marker (`StreamChanges`: next marker, changed timestamps, error)."""
        return updates.retrieve(self._transport, markers, self.config.tags_per_request)

    def point_names(self, tags: Sequence[str]) -> dict[str, str]:
        """PI point names by WebId; batch-controller reads need them to fill the `tag` column."""
        return {webid: point.name for webid, point in self.points_by_webid(tags).items()}

    def _counted(self, tags: Sequence[str], start: datetime, end: datetime) -> dict[str, int]:
        counts: dict[str, int] = {}
        for batch in self.recorded(tags, start, end):
            for row in pc.value_counts(batch.column("tag_webid")).to_pylist():
                counts[row["values"]] = counts.get(row["values"], 0) + row["counts"]
        return counts

    # -- helpers -----------------------------------------------------------------------------------------------
    def _read(
        self,
        watermarks: dict[str, Watermark],
        end: datetime,
        names: Mapping[str, str] | None,
        types: Mapping[str, str] | None,
        max_values: int | None,
        ends: Mapping[str, datetime] | None = None,
    ) -> RecordedRead:
        ends = ends or {}
        active = [t for t, w in watermarks.items() if w.timestamp <= ends.get(t, end)]
        share = max(1, self._limit.value // max(1, min(self.config.tags_per_request, len(active))))
        if max_values is not None:
            share = min(share, max_values)
        cursors = [TagCursor(t, watermarks[t], share, end=ends.get(t)) for t in active]
        plan = ReadPlan(
            end=end,
            names=dict(names or {}),
            types=dict(types or {}),
            concurrency=self.config.concurrency,
            tags_per_request=self.config.tags_per_request,
            max_tag_attempts=self.config.max_tag_attempts,
            backoff=self.config.backoff,
            max_values=max_values,
        )
        return RecordedRead(self._fetcher(), cursors, plan, self._limit, watermarks)

    def _fetcher(self) -> Fetcher:
        return BatchFetcher(self._transport) if self.config.method == "batch" else StreamSetFetcher(self._transport)

    def _times(self, *values: TimeLike) -> list[datetime]:
        """Resolve times; the server clock is asked only when a PI relative time (`*...`) needs it."""
        relative = any(isinstance(v, str) and v.strip().startswith("*") for v in values)
        now = self.server_time() if relative else None
        return [resolve_time(v, now) for v in values]

    def _database(self, database: AssetDatabase | str) -> AssetDatabase:
        return database if isinstance(database, AssetDatabase) else self.asset_database(database)


def _unique(tags: Sequence[str]) -> list[str]:
    if isinstance(tags, str):
        raise PIConfigError("tags must be a list of point WebIds, not a single string")
    return list(dict.fromkeys(tags))


def _time_param(value: TimeLike) -> str:
    """A PI time string as given, or a UTC datetime formatted (naive datetimes are refused)."""
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        raise PIConfigError(f"{value!r} is a naive datetime; pass a timezone-aware one (tzinfo=UTC)")
    return format_time(value)
