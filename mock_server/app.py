"""The FastAPI application: admin routes, OIDC discovery, and one endpoint that feeds /piwebapi to the router.

HTTP-level behaviour lives here: request counting, rate limit, auth, CSRF and the fault dice (503, 429,
connection resets, slow answers, a 200 whose body is a WebException). Everything below /piwebapi then goes
through `dispatch`, the same path batch sub-requests take.
"""

from __future__ import annotations

import asyncio
import time

import orjson
from fastapi import FastAPI, Request, Response
from starlette.types import Receive, Scope, Send

from mock_server.admin import apply_settings, build_router
from mock_server.dispatch import WEB_EXCEPTION, dispatch, error_reply
from mock_server.routing import PIError, Reply, body_bytes
from mock_server.security import check_auth, check_csrf, check_rate
from mock_server.settings import MockSettings
from mock_server.state import AppState

JSON = "application/json; charset=utf-8"


class BrokenResponse(Response):
    """Starts a response, sends part of the body and stops: the client sees its connection cut mid-response."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: D102
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", JSON.encode()), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"Links":{},"Items":[', "more_body": True})
        # returning unfinished makes uvicorn close the connection (it logs one line, no traceback)


def _respond(reply: Reply) -> Response:
    return Response(body_bytes(reply), reply.status, headers=reply.headers, media_type=JSON)


def create_app(settings: MockSettings | None = None) -> FastAPI:
    """A mock PI Web API for `settings` (plant built now, so the first request is fast).

    ValueError naming the setting when a listed point or route does not exist.
    """
    state = AppState(settings or MockSettings())
    apply_settings(state, state.settings)
    app = FastAPI(title="Mock PI Web API", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.mock = state
    app.include_router(build_router(state))

    @app.get("/piwebapi/.well-known/openid-configuration")
    def discovery(request: Request) -> Response:
        root = str(request.base_url).rstrip("/")
        body = {
            "issuer": f"{root}/identity",
            "token_endpoint": f"{root}/identity/connect/token",
            "grant_types_supported": ["client_credentials"],
            "scopes_supported": ["system"],
        }
        return Response(orjson.dumps(body), media_type=JSON)

    @app.api_route("/piwebapi", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    @app.api_route("/piwebapi/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    async def piwebapi(request: Request, path: str = "") -> Response:
        settings = state.settings  # read per request: PUT /admin/faults swaps it
        try:
            check_rate(state, request.client.host if request.client else "unknown")
            check_auth(state, request.headers.get("authorization"))
            check_csrf(state, request.method, request.headers.get("x-requested-with"))
        except PIError as exc:
            state.count("gate", exc.status)
            return _respond(error_reply(exc))
        if state.roll(settings.fault_reset):
            state.count("fault:reset", 0)
            return BrokenResponse()
        if state.roll(settings.fault_slow):
            await asyncio.sleep(settings.slow_seconds)
        if state.roll(settings.fault_503):
            state.count("fault:503", 503)
            return _respond(Reply({"Errors": ["The service is unavailable."]}, 503, {"Retry-After": "1"}))
        if state.roll(settings.fault_429):
            state.count("fault:429", 429)
            return _respond(Reply({"Errors": ["Rate limit was reached"]}, 429, {"Retry-After": "1"}))
        body = await request.body()
        base_url = str(request.base_url).rstrip("/") + "/piwebapi"
        pairs = list(request.query_params.multi_items())
        began = time.perf_counter()
        template, reply = dispatch(state, request.method, "/" + path.strip("/"), pairs, body, base_url)
        reply.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - began) * 1000:.1f}"
        state.count(template, reply.status)
        if reply.status == 200 and state.roll(settings.fault_webexception):
            state.count("fault:webexception", 200)
            return _respond(Reply(WEB_EXCEPTION, 200))
        return _respond(reply)

    return app
