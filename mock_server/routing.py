"""A small router for the PI Web API surface, shared by HTTP requests and batch sub-requests.

One table of routes serves both the HTTP endpoint and `POST /batch`, so a sub-request meets exactly the routing,
parameter checks, projection and faults of a direct call. Each route declares its query parameters: the swagger
conformance test checks that list, and a handler reading an undeclared parameter fails loudly in tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from mock_server import fields
from mock_server.pitime import PITimeError, parse_pi_time
from mock_server.releases import Release

if TYPE_CHECKING:  # the state imports the archive; routing stays importable on its own
    from mock_server.state import AppState


class PIError(Exception):
    """An error answered as PI Web API does: a status and `{"Errors": [...]}`."""

    def __init__(self, status: int, *errors: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {'; '.join(errors)}")
        self.status = status
        self.errors = list(errors)
        self.headers = headers or {}


def not_found(web_id: str) -> PIError:
    """404 for an unknown WebId, in PI Web API's words."""
    return PIError(404, f"Unknown or invalid WebID format: '{web_id}'.")


@dataclass(slots=True)
class Reply:
    """A handler's answer: an object (projected by `selectedFields`) or JSON bytes (already projected)."""

    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


def body_bytes(reply: Reply) -> bytes:
    """The JSON bytes of a reply's body."""
    if reply.body is None:
        return b""
    return reply.body if isinstance(reply.body, bytes) else orjson.dumps(reply.body)


class Dispatcher(Protocol):
    """Runs one request through the route table: what `POST /batch` calls for each sub-request.

    The batch route receives it through `Ctx.dispatcher` (set by `mock_server.dispatch`), so the routes never
    import the module that imports them.
    """

    def __call__(
        self,
        state: AppState,
        method: str,
        path: str,
        pairs: list[tuple[str, str]],
        body: bytes,
        base_url: str,
        in_batch: bool = False,
    ) -> tuple[str, Reply]:
        """(route template, reply) of one request; `path` is relative to /piwebapi."""
        ...


class Query:
    """Query parameters, case-insensitive like ASP.NET's binding, limited to the route's declared names."""

    def __init__(self, pairs: list[tuple[str, str]], allowed: frozenset[str]) -> None:
        self.pairs = list(pairs)
        self._values: dict[str, list[str]] = {}
        for key, value in pairs:
            self._values.setdefault(key.lower(), []).append(value)
        self._allowed = allowed

    def _check(self, name: str) -> str:
        key = name.lower()
        if key not in self._allowed:
            raise AssertionError(f"route reads undeclared query parameter {name!r}")
        return key

    def getall(self, name: str) -> list[str]:
        """Every value of a repeated parameter (`webId=A&webId=B`)."""
        return self._values.get(self._check(name), [])

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of a parameter, or `default`."""
        values = self.getall(name)
        return values[0] if values else default

    def integer(self, name: str, default: int, minimum: int = 0) -> int:
        """An integer parameter; 400 naming the parameter when it is not an integer or below `minimum`."""
        raw = self.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise PIError(400, f"The value '{raw}' is not valid for parameter '{name}'; expected an integer.") from None
        if value < minimum:
            raise PIError(400, f"The value '{raw}' is not valid for parameter '{name}'; it must be >= {minimum}.")
        return value

    def boolean(self, name: str, default: bool) -> bool:
        """A boolean parameter (`true`/`false`, any case)."""
        raw = self.get(name)
        if raw is None or raw == "":
            return default
        if raw.lower() not in ("true", "false"):
            raise PIError(400, f"The value '{raw}' is not valid for parameter '{name}'; expected true or false.")
        return raw.lower() == "true"

    def pi_time(self, name: str, default: str, now: int) -> int:
        """A PI time parameter in ticks; 400 naming the parameter when it does not parse."""
        raw = self.get(name) or default
        try:
            return parse_pi_time(raw, now)
        except PITimeError as exc:
            raise PIError(400, f"The value '{raw}' is not valid for parameter '{name}': {exc}") from None


@dataclass(slots=True)
class Ctx:
    """One request as a handler sees it."""

    method: str
    path: str
    query: Query
    body: bytes
    state: AppState
    base_url: str
    now: int
    tree: fields.Tree | None
    id_type: str
    in_batch: bool = False
    dispatcher: Dispatcher | None = None  # runs batch sub-requests

    def link(self, suffix: str) -> str:
        """An absolute link under the server's base URL (`Links.Self` and friends)."""
        return f"{self.base_url}/{suffix}"


def _snake(name: str) -> str:
    """`webId` -> `web_id`: path parameters keep PI's spelling in templates and Python's in handlers."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


Handler = Callable[..., Reply | dict | list]


@dataclass(frozen=True, slots=True)
class Route:
    """A method and path template (swagger spelling) with its declared query parameters and handler.

    `since` is the PI Web API release that introduced the route (None: every release the mock models).
    """

    method: str
    template: str
    params: tuple[str, ...]
    handler: Handler
    pattern: re.Pattern[str]
    since: Release | None = None


class Router:
    """Routes in declaration order; literal segments win over `{webId}` because they are declared first."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(
        self, method: str, template: str, params: tuple[str, ...] = (), since: Release | None = None
    ) -> Callable[[Handler], Handler]:
        """Decorator registering `handler` for `method template` (introduced in PI Web API release `since`)."""
        regex = "^" + re.sub(r"\{(\w+)\}", lambda m: f"(?P<{_snake(m.group(1))}>[^/]+)", template) + "/?$"

        def register(handler: Handler) -> Handler:
            pattern = re.compile(regex, re.IGNORECASE)
            self.routes.append(Route(method, template, tuple(params), handler, pattern, since))
            return handler

        return register

    def include(self, other: Router) -> None:
        """Add another router's routes after these."""
        self.routes.extend(other.routes)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        """The route for a request; 404 or 405 as PI Web API answers them."""
        allowed = False
        for route in self.routes:
            found = route.pattern.match(path)
            if found:
                if route.method == method:
                    return route, found.groupdict()
                allowed = True
        if allowed:
            raise PIError(405, f"The requested resource does not support http method '{method}'.")
        raise no_resource(path)


def no_resource(path: str) -> PIError:
    """404 for a URI no controller serves (ASP.NET Web API's words)."""
    return PIError(404, f"No HTTP resource was found that matches the request URI '{path}'.")
