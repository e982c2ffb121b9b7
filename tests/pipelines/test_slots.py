"""Pipeline slots: freed when every queued flow of a run completed, never more pipelines working than slots."""

from __future__ import annotations

import threading
import time

import pytest

from osipi_app.local.slots import FlowsSettled, Slot, run_in_slots

QUEUED = ["Flow spark_catalog.osipi.a is QUEUED.", "Flow spark_catalog.osipi.b is QUEUED."]


def test_settled_once_every_queued_flow_completed() -> None:
    flows = FlowsSettled()
    seen = [flows.see(m) for m in ["Run is RUNNING.", *QUEUED, "Flow spark_catalog.osipi.a is RUNNING."]]
    assert seen == [False, False, False, False]
    assert flows.see("Flow spark_catalog.osipi.a has COMPLETED.") is False
    assert flows.see("Flow spark_catalog.osipi.b has COMPLETED.") is True


@pytest.mark.parametrize(
    "ending", ["Flow 'spark_catalog.osipi.b' has FAILED.", "Flow spark_catalog.osipi.b is SKIPPED."]
)
def test_a_flow_that_did_not_complete_keeps_the_slot(ending: str) -> None:
    flows = FlowsSettled()
    for message in [*QUEUED, "Flow spark_catalog.osipi.a has COMPLETED.", ending, "Run is FAILED."]:
        assert flows.see(message) is False


def test_no_flow_queued_is_not_settled() -> None:
    assert FlowsSettled().see("Run is COMPLETED.") is False


def test_a_slot_is_given_back_once() -> None:
    slots = threading.Semaphore(0)
    slot = Slot(slots)
    slot.free()
    slot.free()
    assert slots.acquire(blocking=False) and not slots.acquire(blocking=False)


def test_runs_start_in_order_and_a_freed_slot_starts_the_next_before_the_run_returns() -> None:
    started: list[int] = []
    working = 0
    most = 0
    lock = threading.Lock()
    first_may_return = threading.Event()

    def run(item: int, slot: Slot) -> None:
        nonlocal working, most
        with lock:
            started.append(item)
            working += 1
            most = max(most, working)
        time.sleep(0.02)  # working: another run holding a slot now would be counted
        with lock:
            working -= 1
        slot.free()  # its work is done; it still has to return
        if item == 0:
            assert first_may_return.wait(10)  # returns only after the later items ran
        elif item == 4:
            first_may_return.set()

    run_in_slots(list(range(5)), 1, run)
    assert started == [0, 1, 2, 3, 4]
    assert most == 1  # one slot: never two at work


def test_a_run_that_never_frees_its_slot_frees_it_by_returning_and_errors_are_raised() -> None:
    order: list[int] = []

    def run(item: int, slot: Slot) -> None:
        order.append(item)
        if item == 1:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        run_in_slots([0, 1, 2], 1, run)
    assert order == [0, 1, 2]
