"""`POST /batch`: a dictionary of sub-requests run through the same routes, answered with 207.

Follows PI Web API (S-SWAG `Request`/`Response`; S-REF batch/execute): keys are request ids; `Method`,
`Resource` (absolute or relative URL, or a JSONPath into a parent's response), `Parameters` (JSONPaths filling
`{0}`, `{1}`...), `ParentIds` (run after, and only if, every parent succeeded), `Content` as a string (single-quoted
pseudo-JSON accepted), `Headers`, and `RequestTemplate` (one sub-request per token the parameter selects, their
responses as `{"Items": [...]}`). `{"Requests": [...]}` and other non-dictionary bodies are a 400.
"""

from __future__ import annotations

import ast
import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson

from mock_server import jsonpath
from mock_server.routing import Ctx, PIError, Reply, Router, body_bytes

router = Router()
_FIELDS = {"method", "resource", "parameters", "parentids", "content", "headers", "requesttemplate"}
HEADERS = {"Content-Type": "application/json; charset=utf-8"}


def parse_content(text: str) -> Any:
    """A sub-request's `Content` string: JSON, or the single-quoted pseudo-JSON Json.NET also accepts."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        try:
            return ast.literal_eval(text.replace("true", "True").replace("false", "False").replace("null", "None"))
        except (ValueError, SyntaxError):
            raise PIError(400, f"The Content '{text[:60]}' is not valid JSON.") from None


def _requests(body: bytes) -> dict[str, dict[str, Any]]:
    try:
        data = orjson.loads(body or b"null")
    except orjson.JSONDecodeError as exc:
        raise PIError(400, f"The request body is not valid JSON: {exc}.") from None
    if not isinstance(data, dict) or not data:
        raise PIError(
            400,
            "The batch body must be a JSON object of request id to request, e.g. "
            '{"1": {"Method": "GET", "Resource": "..."}}.',
        )
    out = {}
    for key, request in data.items():
        if not isinstance(request, dict):
            raise PIError(
                400,
                f"Batch request '{key}' must be an object with Method and Resource "
                '(a {"Requests": [...]} list is not the PI Web API batch format).',
            )
        lowered = {k.lower(): v for k, v in request.items()}
        unknown = set(lowered) - _FIELDS
        if unknown:
            raise PIError(400, f"Batch request '{key}' has unknown field(s) {sorted(unknown)}.")
        if not isinstance(lowered.get("method", "GET"), str):
            raise PIError(400, f"Batch request '{key}': Method must be a string.")
        if "resource" not in lowered and "requesttemplate" not in lowered:
            raise PIError(400, f"Batch request '{key}' needs a Resource or a RequestTemplate.")
        parents = lowered.get("parentids") or []
        if not isinstance(parents, list) or any(p not in data for p in parents):
            raise PIError(400, f"Batch request '{key}': ParentIds must list ids of this batch, got {parents!r}.")
        if not isinstance(lowered.get("parameters") or [], list):
            raise PIError(400, f"Batch request '{key}': Parameters must be an array of JSONPath strings.")
        if "content" in lowered and not isinstance(lowered["content"], str):
            raise PIError(400, f"Batch request '{key}': Content must be a string holding the sub-request body.")
        out[key] = lowered
    return out


def _order(requests: dict[str, dict[str, Any]]) -> list[str]:
    order, state = [], {}

    def visit(key: str) -> None:
        if state.get(key) == "done":
            return
        if state.get(key) == "visiting":
            raise PIError(400, f"Batch request '{key}' is part of a ParentIds cycle.")
        state[key] = "visiting"
        for parent in requests[key].get("parentids") or []:
            visit(parent)
        state[key] = "done"
        order.append(key)

    for key in requests:
        visit(key)
    return order


class _Results:
    """Responses so far; parsed lazily for JSONPath lookups."""

    def __init__(self) -> None:
        self.replies: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self._parsed: dict[str, Any] = {}

    def document(self) -> dict[str, Any]:
        for key, (status, headers, content) in self.replies.items():
            if key not in self._parsed:
                self._parsed[key] = {"Status": status, "Headers": headers, "Content": _parse(content)}
        return self._parsed


def _parse(content: bytes) -> Any:
    """A sub-response's JSON; bare NaN / Infinity tokens (`nan_format=symbol`) need Python's lenient parser."""
    if not content:
        return None
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        try:
            return json.loads(content)
        except ValueError:
            return content.decode("utf-8", "replace")  # not JSON at all: JSONPaths find nothing inside


def _resolve(text: str, results: _Results) -> list[str]:
    try:
        return [str(v) for v in jsonpath.select(results.document(), text)]
    except jsonpath.JSONPathError as exc:
        raise PIError(400, str(exc)) from None


def _run_one(ctx: Ctx, method: str, resource: str, content: str | None) -> tuple[int, dict[str, str], bytes]:
    if ctx.dispatcher is None:
        raise PIError(500, "Batch sub-requests need a dispatcher; run the batch through mock_server.dispatch.")
    parts = urlsplit(resource)
    path = parts.path
    if path.lower().startswith("/piwebapi"):
        path = path[len("/piwebapi") :]
    elif not path.startswith("/"):
        path = "/" + path
    if path.lower().startswith("/batch"):
        return 400, HEADERS, orjson.dumps({"Errors": ["A batch request cannot contain another batch request."]})
    body = orjson.dumps(parse_content(content)) if content not in (None, "") else b""
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    template, reply = ctx.dispatcher(ctx.state, method.upper(), path, pairs, body, ctx.base_url, in_batch=True)
    ctx.state.count(f"batch:{template}", reply.status)
    return reply.status, dict(HEADERS, **reply.headers), body_bytes(reply)


def _execute(ctx: Ctx, request: dict[str, Any], results: _Results) -> tuple[int, dict[str, str], bytes]:
    method = request.get("method") or "GET"
    values = [_resolve(p, results) for p in request.get("parameters") or []]
    template = request.get("requesttemplate")
    if template is not None:
        resource = (template or {}).get("Resource") or (template or {}).get("resource")
        if not isinstance(resource, str) or len(values) != 1:
            raise PIError(400, "A RequestTemplate needs a Resource and exactly one Parameters JSONPath.")
        items = []
        for token in values[0]:
            status, headers, content = _run_one(ctx, method, resource.replace("{0}", token), request.get("content"))
            items.append(
                b'{"Status":%d,"Headers":%b,"Content":%b}' % (status, orjson.dumps(headers), content or b"null")
            )
        return 207, HEADERS, b'{"Items":[' + b",".join(items) + b"]}"
    resource = request["resource"]
    if resource.startswith("$"):
        resource = _resolve(resource, results)[0]
    for i, selected in enumerate(values):
        resource = resource.replace(f"{{{i}}}", selected[0])
    return _run_one(ctx, method, resource, request.get("content"))


@router.add("POST", "/batch")
def batch(ctx: Ctx) -> Reply:
    """Run the sub-requests in dependency order and answer 207 with `{id: {Status, Headers, Content}}`."""
    requests = _requests(ctx.body)
    results = _Results()
    for key in _order(requests):
        request = requests[key]
        failed = [p for p in request.get("parentids") or [] if not 200 <= results.replies[p][0] < 300]
        if failed:
            message = f"The parent request(s) {', '.join(failed)} failed, so this request was not executed."
            results.replies[key] = (409, HEADERS, orjson.dumps({"Errors": [message]}))
            continue
        try:
            results.replies[key] = _execute(ctx, request, results)
        except PIError as exc:
            results.replies[key] = (exc.status, HEADERS, orjson.dumps({"Errors": exc.errors}))
    pieces: list[bytes] = []
    for key in requests:  # one join at the end: sub-responses can be tens of megabytes
        status, headers, content = results.replies[key]
        pieces += [
            b"," if pieces else b"{",
            orjson.dumps(key),
            b':{"Status":%d,"Headers":' % status,
            orjson.dumps(headers),
            b',"Content":',
            content or b"null",
            b"}",
        ]
    return Reply(b"".join(pieces) + b"}", 207)
