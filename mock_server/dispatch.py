"""Run one PI Web API request (direct or a batch sub-request) through the route table.

Every answer is a `Reply`; errors become `{"Errors": [...]}` with their status, and an unexpected exception
becomes a 500 with a one-line message (logged with its traceback on the server, never sent to the client).
"""

from __future__ import annotations

import logging

import orjson

from mock_server import fields
from mock_server.routes import ROUTER
from mock_server.routing import Ctx, PIError, Query, Reply
from mock_server.state import AppState

log = logging.getLogger("mock_server")
WEBID_TYPES = {
    "full": "Full",
    "idonly": "IDOnly",
    "pathonly": "PathOnly",
    "localidonly": "IDOnly",
    "defaultidonly": "IDOnly",
}
WEBID_NAMES = ("Full", "IDOnly", "PathOnly", "LocalIDOnly", "DefaultIDOnly")
WEB_EXCEPTION = {"WebException": {"Errors": ["Error occurred during writing of the output stream."], "StatusCode": 500}}


def error_reply(error: PIError) -> Reply:
    """The reply of a PIError."""
    return Reply({"Errors": error.errors}, error.status, dict(error.headers))


def dispatch(
    state: AppState,
    method: str,
    path: str,
    pairs: list[tuple[str, str]],
    body: bytes,
    base_url: str,
    in_batch: bool = False,
) -> tuple[str, Reply]:
    """(route template, reply) of one request; `path` is relative to /piwebapi (e.g. `/points/{webId}`)."""
    template = "unmatched"
    try:
        route, path_params = ROUTER.match(method, path or "/")
        template = route.template
        if in_batch:
            fault = sub_request_fault(state)
            if fault is not None:
                return template, fault
        allowed = frozenset(p.lower() for p in route.params)
        query = Query(pairs, allowed)
        id_type = "Full"
        if "webidtype" in allowed:
            raw = query.get("webIdType") or "Full"
            if raw.lower() not in WEBID_TYPES:
                raise PIError(
                    400,
                    f"The value '{raw}' is not valid for parameter 'webIdType'; use one of {', '.join(WEBID_NAMES)}.",
                )
            id_type = WEBID_TYPES[raw.lower()]
        tree = fields.parse(query.get("selectedFields")) if "selectedfields" in allowed else None
        ctx = Ctx(method, path, query, body, state, base_url, state.clock.now(), tree, id_type, in_batch)
        result = route.handler(ctx, **path_params)
        reply = result if isinstance(result, Reply) else Reply(result)
        if not isinstance(reply.body, bytes | None):
            reply.body = fields.project(reply.body, tree)
        return template, reply
    except PIError as exc:
        return template, error_reply(exc)
    except Exception:  # noqa: BLE001 - any bug must become a PI-shaped 500, never a stack trace to the client
        log.exception("unhandled error in %s %s", method, path)
        return template, Reply({"Errors": [f"An unexpected error occurred while processing {method} {template}."]}, 500)


def sub_request_fault(state: AppState) -> Reply | None:
    """Faults a batch sub-request can meet on its own: 503, 429, a WebException in a 200, or a 500 item error."""
    settings = state.settings
    if state.roll(settings.fault_503):
        return Reply({"Errors": ["The service is unavailable."]}, 503)
    if state.roll(settings.fault_429):
        return Reply({"Errors": ["Rate limit was reached"]}, 429, {"Retry-After": "1"})
    if state.roll(settings.fault_webexception):
        return Reply(WEB_EXCEPTION, 200)
    if state.roll(settings.fault_item_error):
        return Reply({"Errors": ["An internal error occurred while processing this request."]}, 500)
    return None


def body_bytes(reply: Reply) -> bytes:
    """The JSON bytes of a reply's body."""
    if reply.body is None:
        return b""
    return reply.body if isinstance(reply.body, bytes) else orjson.dumps(reply.body)
