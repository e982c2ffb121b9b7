"""Listing PI Web API collections: paging by `startIndex`, many owners per `POST /batch`, calls side by side."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from osipi_lakeflow.client.session import Transport, error_text, status_error

Params = list[tuple[str, str]]
K = TypeVar("K")
C = TypeVar("C")
R = TypeVar("R")


def chunked(items: Sequence[K], size: int) -> list[Sequence[K]]:
    """`items` in consecutive slices of at most `size`."""
    return [items[offset : offset + size] for offset in range(0, len(items), size)]


def calls_in_order(transport: Transport, chunks: Iterable[C], call: Callable[[C], R]) -> Iterator[tuple[C, R]]:
    """(chunk, call(chunk)) for each chunk, in order, with up to the client's `concurrency` calls in flight.

    Many-tag reads are a call per hundred tags; one after another they cost a round trip each, which on a PI
    server across a network is most of a continuous micro-batch's probe. Chunks are drawn as calls are sent, so a
    lazy iterable sees the answers of all but the last `concurrency` calls before it yields the next chunk. The
    first failing call raises (in chunk order); calls not yet sent are cancelled.
    """
    source = iter(chunks)
    limit = max(1, transport.config.concurrency)
    inflight: deque[tuple[C, Future[R]]] = deque()
    with ThreadPoolExecutor(limit, thread_name_prefix="pi-call") as pool:
        try:
            while True:
                while len(inflight) < limit and (chunk := next(source, _END)) is not _END:
                    inflight.append((chunk, pool.submit(call, chunk)))
                if not inflight:
                    return
                chunk, future = inflight.popleft()
                yield chunk, future.result()
        finally:
            for _, future in inflight:
                future.cancel()


_END: Any = object()


def paged(transport: Transport, path: str, params: Params, page_size: int) -> Iterator[dict]:
    """Every item of a collection, one page of `page_size` at a time (until a short page)."""
    start = 0
    while True:
        reply = transport.get(path, [*params, ("startIndex", str(start)), ("maxCount", str(page_size))])
        items = _items(reply.data)
        yield from items
        if len(items) < page_size:
            return
        start += page_size


def batched_items(
    transport: Transport,
    owners: Iterable[str],
    path_template: str,
    params: Params,
    page_size: int,
    owners_per_call: int,
) -> Iterator[tuple[str, dict]]:
    """(owner WebId, item) for the collection `path_template.format(webid)` of each owner, many owners per call.

    An owner whose page comes back full is asked again from the next `startIndex` in a later call.
    A failed sub-request raises the mapped error (an unknown owner is a PINotFoundError naming it).
    """
    pending: list[tuple[str, int]] = [(webid, 0) for webid in dict.fromkeys(owners)]
    while pending:
        chunk, pending = pending[:owners_per_call], pending[owners_per_call:]
        for (webid, start), (status, content, url) in zip(
            chunk, _batch(transport, chunk, path_template, params, page_size), strict=True
        ):
            if status >= 400:
                raise status_error(status, url, error_text(content))
            items = _items(content)
            for item in items:
                yield webid, item
            if len(items) >= page_size:
                pending.append((webid, start + page_size))


def _batch(
    transport: Transport, chunk: Sequence[tuple[str, int]], path_template: str, params: Params, page_size: int
) -> list[tuple[int, Any, str]]:
    return batch_get(
        transport,
        [
            (
                path_template.format(quote(webid, safe="")),
                [*params, ("startIndex", str(start)), ("maxCount", str(page_size))],
            )
            for webid, start in chunk
        ],
    )


def batch_get(transport: Transport, requests: Sequence[tuple[str, Params]]) -> list[tuple[int, Any, str]]:
    """(status, content, url) of each GET (path, params), all sent in one `POST /batch` call.

    A sub-request the batch controller did not answer counts as 502, so callers treat it as a failure.
    """
    urls = [transport.url(path) + ("?" + urlencode(params) if params else "") for path, params in requests]
    reply = transport.post("batch", {str(i): {"Method": "GET", "Resource": url} for i, url in enumerate(urls)})
    data = reply.data if isinstance(reply.data, dict) else {}
    out = []
    for i, url in enumerate(urls):
        item = data.get(str(i))
        item = item if isinstance(item, dict) else {}
        out.append((int(item.get("Status", 502)), item.get("Content"), url))
    return out


def batch_answers(
    transport: Transport, keys: Iterable[K], request_of: Callable[[K], tuple[str, Params]], per_call: int
) -> Iterator[tuple[K, int, Any, str]]:
    """(key, status, content, url) of the GET `request_of(key)` of each key, `per_call` keys per `POST /batch`.

    Keys are drawn from `keys` a call at a time as calls are sent (`calls_in_order`), so a lazy iterable can drop
    keys that the answers of earlier calls made useless (the later instants of a stream PI refused).
    """
    pending = iter(keys)

    def ask(chunk: list[K]) -> list[tuple[int, Any, str]]:
        return batch_get(transport, [request_of(key) for key in chunk])

    for chunk, answers in calls_in_order(transport, iter(lambda: list(islice(pending, per_call)), []), ask):
        for key, (status, content, url) in zip(chunk, answers, strict=True):
            yield key, status, content, url


def batch_get_each(
    transport: Transport, webids: Sequence[str], path_template: str, params: Params, per_call: int
) -> Iterator[tuple[str, Any]]:
    """(WebId, content) of GET `path_template.format(webid)` for each WebId, `per_call` of them per `POST /batch`.

    A WebId PI answers 404 is left out: the object was deleted since the caller found it, which is not a failure.
    Any other failed sub-request raises the mapped error naming its URL, so a denial or server error is never
    mistaken for an object with nothing to return.
    """
    answers = batch_answers(transport, webids, lambda w: (path_template.format(quote(w, safe="")), params), per_call)
    for webid, status, content, url in answers:
        if status == 404:
            continue
        if status >= 400:
            raise status_error(status, url, error_text(content))
        yield webid, content


def _items(data: object) -> list[dict]:
    items = data.get("Items") if isinstance(data, dict) else None
    return [item for item in items or [] if isinstance(item, dict)]
