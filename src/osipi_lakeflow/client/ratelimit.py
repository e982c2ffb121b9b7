"""A thread-safe request-rate cap shared by every thread of one client."""

from __future__ import annotations

import threading
import time


class RateLimiter:
    """Spaces requests at least `1 / rate` seconds apart across threads (PI Web API counts per client IP)."""

    def __init__(self, rate_per_s: float) -> None:
        self._interval = 1.0 / rate_per_s
        self._next = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Block until the caller may send; returns the seconds waited."""
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self._interval
        wait = slot - now
        if wait > 0:
            time.sleep(wait)
        return max(wait, 0.0)
