"""Run one PI Web API request (direct or a batch sub-request) through the route table.

Every answer is a `Reply`; errors become `{"Errors": [...]}` with their status, and an unexpected exception
becomes a 500 with a one-line message (logged with its traceback on the server, never sent to the client).
"""

from __future__ import annotations

import logging

from mock_server import fields
from mock_server.releases import has
from mock_server.routes import ROUTER
from mock_server.routing import Ctx, PIError, Query, Reply, body_bytes, no_resource
from mock_server.state import AppState

__all__ = [
    "WEB_EXCEPTION",
    "body_bytes",
    "dispatch",
    "error_reply",
    "route_keys",
    "sub_request_fault",
]  # body_bytes lives in routing
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
PROXY_NOT_FOUND = (
    b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n"
    b"<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
"""What a reverse proxy that does not forward a route answers (an HTML page, not PI's JSON)."""


def route_keys(entries: list[str]) -> frozenset[tuple[str, str]]:
    """(METHOD or `*`, lower-case template) of `missing_routes` entries; ValueError naming an unknown route."""
    keys = set()
    for entry in entries:
        method, _, template = entry.strip().rpartition(" ")
        method = method.strip().upper() or "*"
        template = "/" + template.strip().strip("/")
        if template.lower().startswith("/piwebapi"):
            template = template[len("/piwebapi") :] or "/"
        if not any(r.template.lower() == template.lower() and method in ("*", r.method) for r in ROUTER.routes):
            raise ValueError(
                f"missing_routes: no route {entry!r}; give a route template such as '/streamsets/recorded' "
                "or 'GET /streams/{webId}/recorded'"
            )
        keys.add((method, template.lower()))
    return frozenset(keys)


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
        if not has(state.settings.release, route.since):
            raise no_resource(path)
        template = route.template
        missing = state.missing_routes
        if missing and not in_batch and ((method, template.lower()) in missing or ("*", template.lower()) in missing):
            return template, Reply(PROXY_NOT_FOUND, 404, {"Content-Type": "text/html"})
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
        ctx = Ctx(method, path, query, body, state, base_url, state.clock.now(), tree, id_type, in_batch, dispatch)
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
