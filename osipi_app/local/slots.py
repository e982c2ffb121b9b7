"""The engine's pipeline slots: at most N pipelines working at once, each slot freed as soon as its work is done.

A triggered SDP run reports "Run is COMPLETED" at the next poll of its graph execution after its last flow
completed (`spark.sql.pipelines.execution.streamstate.pollingInterval`), and the worker then counts the pipeline's
tables: work that leaves the engine's cores idle if the slot waits for it. A pipeline whose every queued flow has
completed frees its slot then, so the next pipeline of its wave starts while it finishes.
A wave still ends when each of its runs has returned.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

_FLOW = re.compile(r"^Flow (?P<name>\S+) (?:is|has) (?P<state>[A-Z_]+)\.?$")


class FlowsSettled:
    """Follows a run's event messages; `see` is true once every flow the run queued has completed.

    SDP queues all of a run's flows as it starts, before any runs, so the queued set is whole by the time one
    completes. A flow that fails, is skipped or is excluded never counts as completed: that run keeps its slot
    until it returns.
    """

    def __init__(self) -> None:
        self._queued: set[str] = set()
        self._completed: set[str] = set()

    def see(self, message: str) -> bool:
        """Take one event message; whether every queued flow has now completed."""
        match = _FLOW.match(message.strip())
        if match and match["state"] == "QUEUED":
            self._queued.add(match["name"])
        elif match and match["state"] == "COMPLETED":
            self._completed.add(match["name"])
        return bool(self._queued) and self._queued <= self._completed


class Slot:
    """One pipeline's slot: `free` gives it back once, however many times it is called."""

    def __init__(self, slots: threading.Semaphore) -> None:
        self._slots = slots
        self._lock = threading.Lock()
        self._held = True

    def free(self) -> None:
        """Give the slot back (the first call; later calls do nothing)."""
        with self._lock:
            if self._held:
                self._held = False
                self._slots.release()


def run_in_slots(items: Sequence[T], slots: int, run: Callable[[T, Slot], None]) -> None:
    """`run(item, slot)` for each item in order, each in its own thread, at most `slots` holding a slot at once.

    An item starts when a slot is free; `run` may free its slot before it returns, and it is freed when it
    returns in any case. Returns when every run has returned; the first exception a run raised is raised then.
    """
    free = threading.Semaphore(max(1, slots))

    def run_then_free(item: T, slot: Slot) -> None:
        try:
            run(item, slot)
        finally:
            slot.free()

    with ThreadPoolExecutor(max_workers=max(1, len(items))) as pool:
        futures = []
        for item in items:
            free.acquire()
            futures.append(pool.submit(run_then_free, item, Slot(free)))
        for future in futures:
            future.result()
