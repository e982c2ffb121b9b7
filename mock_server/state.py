"""Everything one running mock holds: settings, archive, frames, markers, tokens, counters and fault dice."""

from __future__ import annotations

import random
import secrets
import threading
import time
import uuid
from collections import Counter, OrderedDict, deque
from collections.abc import Sequence
from dataclasses import dataclass

from mock_server.archive import PlantArchive
from mock_server.pitime import TICKS_PER_SECOND
from mock_server.settings import MockSettings

MAX_MARKERS = 100_000
MAX_TOKENS = 10_000


@dataclass(slots=True)
class Marker:
    """A stream-updates registration: its stream and the server time up to which events were delivered."""

    point: int
    web_id: str
    delivered_to: int
    last_used: int


class AppState:
    """Shared state of one app instance; request handlers reach it through `Ctx.state`."""

    def __init__(self, settings: MockSettings) -> None:
        self.settings = settings
        self.archive = PlantArchive(settings)
        self.clock = self.archive.clock
        self.frames = self.archive.frames
        self.stats: Counter[tuple[str, int]] = Counter()
        self.dice = random.Random(settings.fault_seed)
        self._lock = threading.Lock()
        self._markers: OrderedDict[str, Marker] = OrderedDict()
        self._tokens: dict[str, int] = {}  # token -> expiry (server-clock ticks)
        self._requests: dict[str, deque[float]] = {}
        self.point_filters: dict[str, Sequence[int]] = {}  # nameFilter -> matching point indexes (paging re-asks)
        self.missing_routes: frozenset[tuple[str, str]] = frozenset()  # (method or *, template) a proxy answers 404

    # -- faults ---------------------------------------------------------------------------------------------
    def roll(self, rate: float) -> bool:
        """True with probability `rate` (thread-safe dice)."""
        if rate <= 0:
            return False
        with self._lock:
            return self.dice.random() < rate

    def count(self, route: str, status: int) -> None:
        """Count one answered request for `/admin/stats`."""
        with self._lock:
            self.stats[(route, status)] += 1

    # -- rate limit -----------------------------------------------------------------------------------------
    def over_rate_limit(self, client: str) -> bool:
        """True when `client` made `rate_limit` requests in the last second (PI's per-IP window)."""
        limit = self.settings.rate_limit
        if limit <= 0:
            return False
        now = time.monotonic()
        with self._lock:
            window = self._requests.setdefault(client, deque())
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= max(1, limit):
                return True
            window.append(now)
            return False

    # -- bearer tokens --------------------------------------------------------------------------------------
    def issue_token(self) -> str:
        """A new access token valid for `token_ttl_seconds` of server time."""
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        with self._lock:
            if len(self._tokens) > MAX_TOKENS:  # clients that fetch a token per call must not grow this forever
                self._tokens = {t: expiry for t, expiry in self._tokens.items() if expiry > now}
            self._tokens[token] = now + self.settings.token_ttl_seconds * TICKS_PER_SECOND
        return token

    def token_state(self, token: str) -> str:
        """`valid`, `expired` or `unknown`."""
        if any(secrets.compare_digest(token, s.get_secret_value()) for s in self.settings.static_tokens):
            return "valid"
        expiry = self._tokens.get(token)
        if expiry is None:
            return "unknown"
        return "valid" if self.clock.now() < expiry else "expired"

    # -- stream-update markers ------------------------------------------------------------------------------
    def new_marker(
        self,
        point: int,
        web_id: str,
        delivered_to: int,
        stem: str | None = None,
        sequence: int = 0,
    ) -> str:
        """Store a marker (`<32 hex>_<n>`, PI's format) and return its text."""
        text = f"{stem or uuid.uuid4().hex}_{sequence}"
        with self._lock:
            self._markers[text] = Marker(point, web_id, delivered_to, self.clock.now())
            while len(self._markers) > MAX_MARKERS:
                self._markers.popitem(last=False)
        return text

    def marker(self, text: str) -> Marker | None:
        """The marker, or None when unknown or unused for longer than `marker_ttl_seconds` (server clock)."""
        now = self.clock.now()
        with self._lock:
            found = self._markers.get(text)
            if found is None:
                return None
            if now - found.last_used > self.settings.marker_ttl_seconds * TICKS_PER_SECOND:
                del self._markers[text]
                return None
            found.last_used = now
            return found

    def drop_marker(self, text: str) -> None:
        """Unregister a marker (its stream failed: PI drops the signup and the client must register again)."""
        with self._lock:
            self._markers.pop(text, None)
