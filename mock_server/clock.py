"""The server clock: the wall clock, or frozen at an instant that tests set and advance."""

from __future__ import annotations

import threading
import time

from mock_server.pitime import TICKS_PER_SECOND, parse_iso


class ServerClock:
    """Server time in ticks; `wall` mode follows time.time(), frozen mode moves only when told."""

    def __init__(self, spec: str = "wall") -> None:
        self._lock = threading.Lock()
        self._frozen: int | None = None if spec == "wall" else parse_iso(spec)

    @property
    def mode(self) -> str:
        """`wall` or `frozen`."""
        return "wall" if self._frozen is None else "frozen"

    def now(self) -> int:
        """Current server time in ticks."""
        frozen = self._frozen
        return time.time_ns() // 100 if frozen is None else frozen

    def set(self, ticks: int) -> None:
        """Freeze the clock at `ticks`."""
        with self._lock:
            self._frozen = ticks

    def advance(self, seconds: float) -> None:
        """Freeze the clock `seconds` after the current server time."""
        with self._lock:
            self._frozen = self.now() + round(seconds * TICKS_PER_SECOND)

    def follow_wall(self) -> None:
        """Return to the wall clock."""
        with self._lock:
            self._frozen = None
