"""Fetch one page of recorded values for many tags in one HTTP call: batch controller or ad-hoc stream sets.

Both return, per tag, either its values or a `TagError`, so one bad tag never hides the others:
- batch: `POST /batch` with one `GET streams/{webId}/recorded` sub-request per tag (each with its own start),
  answered 207 with a status per sub-request;
- stream sets: `GET streamsets/recorded?webId=..&webId=..` for tags sharing a start time; a 400/404 for the
  whole call is split in halves until the bad tag is alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Protocol
from urllib.parse import quote, urlencode

from osipi_lakeflow.client.decode import StreamValues
from osipi_lakeflow.client.session import (
    RETRY_STATUSES,
    MaxCountExceededError,
    Transport,
    error_text,
    status_error,
)
from osipi_lakeflow.errors import PIAuthError, PIResponseError
from osipi_lakeflow.pitime import format_time

VALUE_FIELDS = ("Timestamp", "Value", "Good", "Questionable", "Substituted", "Annotated")
STREAM_SELECTED = ";".join([*(f"Items.{f}" for f in VALUE_FIELDS), "UnitsAbbreviation", "WebException"])
STREAMSET_SELECTED = ";".join(
    [
        "Items.WebId",
        "Items.Name",
        "Items.UnitsAbbreviation",
        "Items.WebException",
        "Items.Errors",
        *(f"Items.Items.{f}" for f in VALUE_FIELDS),
        "WebException",
    ]
)


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One tag's next page: values with start <= time <= end, at most `count` of them."""

    webid: str
    start: datetime
    end: datetime
    count: int


@dataclass(frozen=True, slots=True)
class TagError:
    """Why one tag's page did not come back.

    Attributes:
        status: HTTP status of the sub-request (or of the `WebException`), None when unknown.
        message: the server's words and our reading of them.
        retryable: a transient failure (429, 5xx, WebException) worth another attempt.
        limit: set when the server refused `maxCount` as over its limit (the limit it named, or 0 if unnamed).
    """

    status: int | None
    message: str
    retryable: bool
    limit: int | None = None


@dataclass(slots=True)
class FetchResult:
    """Per-tag results of one fetch, and the HTTP calls and retries it took."""

    results: dict[str, StreamValues | TagError]
    calls: int = 0
    retries: int = 0


class Fetcher(Protocol):
    """Reads one page for each of several tags."""

    def __call__(self, pages: Sequence[PageRequest]) -> FetchResult:
        """Read one page for each tag of `pages`."""
        ...


def _params(page: PageRequest, selected: str) -> list[tuple[str, str]]:
    return [
        ("startTime", format_time(page.start)),
        ("endTime", format_time(page.end)),
        ("boundaryType", "Inside"),
        ("maxCount", str(page.count)),
        ("selectedFields", selected),
    ]


def _tag_error(error: PIResponseError) -> TagError:
    """A per-tag error from a sub-response's error."""
    if isinstance(error, MaxCountExceededError):
        return TagError(400, str(error), retryable=False, limit=error.limit or 0)
    return TagError(error.status, str(error), retryable=error.status in RETRY_STATUSES)


def _stream_or_error(webid: str, status: int, content: object, url: str) -> StreamValues | TagError:
    """Judge one tag's sub-response (status and JSON content)."""
    if status >= 400:
        error = status_error(status, url, error_text(content))
        if isinstance(error, PIAuthError):
            raise error
        return _tag_error(error)
    if not isinstance(content, dict):
        return TagError(status, f"sub-response for {webid} is not a JSON object: {str(content)[:200]}", True)
    exception = content.get("WebException")
    if exception:
        code = exception.get("StatusCode") if isinstance(exception, dict) else None
        transient = code is None or code in RETRY_STATUSES or code >= 500
        return TagError(code, f"{code} WebException while reading {webid}: {error_text(content)}", retryable=transient)
    if content.get("Errors") and not content.get("Items"):
        return TagError(status, f"error while reading {webid}: {error_text(content)}", retryable=False)
    return StreamValues(webid, content.get("Name"), content.get("UnitsAbbreviation"), content.get("Items") or [])


class BatchFetcher:
    """One `POST /batch` per call; each tag is a `GET streams/{webId}/recorded` sub-request."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def __call__(self, pages: Sequence[PageRequest]) -> FetchResult:
        """Read one page for each tag; per-tag statuses come back separately."""
        base = self._transport.base_url
        resources = {
            str(i): f"{base}/streams/{quote(p.webid, safe='')}/recorded?{urlencode(_params(p, STREAM_SELECTED))}"
            for i, p in enumerate(pages)
        }
        body = {key: {"Method": "GET", "Resource": url} for key, url in resources.items()}
        reply = self._transport.post("batch", body)
        data = reply.data if isinstance(reply.data, dict) else {}
        results: dict[str, StreamValues | TagError] = {}
        for key, page in zip(resources, pages, strict=True):
            item = data.get(key)
            if not isinstance(item, dict) or "Status" not in item:
                results[page.webid] = TagError(None, f"the batch response has no answer for {page.webid}", True)
                continue
            results[page.webid] = _stream_or_error(page.webid, int(item["Status"]), item.get("Content"), resources[key])
        return FetchResult(results, calls=1, retries=reply.retries)


class StreamSetFetcher:
    """`GET streamsets/recorded` per group of tags that share a start, end and page size."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def __call__(self, pages: Sequence[PageRequest]) -> FetchResult:
        """Read one page for each tag, one call per group of tags with the same window."""
        outcome = FetchResult({})
        key = lambda p: (p.start, p.end, p.count)  # noqa: E731
        for _, group in groupby(sorted(pages, key=key), key=key):
            self._read_group(list(group), outcome)
        return outcome

    def _read_group(self, pages: list[PageRequest], outcome: FetchResult) -> None:
        params = [("webId", p.webid) for p in pages] + _params(pages[0], STREAMSET_SELECTED)
        try:
            reply = self._transport.get("streamsets/recorded", params)
        except (PIAuthError, MaxCountExceededError):
            raise
        except PIResponseError as error:
            outcome.calls += 1
            if len(pages) > 1 and error.status is not None and 400 <= error.status < 500:
                half = len(pages) // 2  # one bad WebId fails the whole call: isolate it
                self._read_group(pages[:half], outcome)
                self._read_group(pages[half:], outcome)
                return
            for p in pages:
                outcome.results[p.webid] = _tag_error(error)
            return
        outcome.calls += 1
        outcome.retries += reply.retries
        items = reply.data.get("Items") if isinstance(reply.data, dict) else None
        items = [item for item in items or [] if isinstance(item, dict)]
        by_webid = {item.get("WebId"): item for item in items}
        in_order = len(items) == len(pages)  # unsorted stream sets answer in request order
        for position, p in enumerate(pages):
            item = by_webid.get(p.webid) or (items[position] if in_order else None)  # WebId in another webIdType
            if item is None:
                outcome.results[p.webid] = TagError(None, f"the stream set response has no stream for {p.webid}", True)
            else:
                outcome.results[p.webid] = _stream_or_error(p.webid, 200, item, self._transport.url("streamsets"))
