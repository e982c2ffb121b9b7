"""Operator annotations: comments on alarm event frames and on annotated recorded values, from the seed.

An alarm acknowledged by an operator draws (seed, frame) whether the operator left a comment when
acknowledging: it is created at the acknowledgement time by the acknowledging user. A frame with such a comment
may also get a supervisor's review note some hours after the alarm ended. A recorded value flagged `Annotated`
carries one comment, written with the value (created when the value reaches the archive). An annotation exists
from its creation time on the server clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mock_server.eventframes import Frame
from mock_server.pitime import TICKS_PER_SECOND
from mock_server.signals import mix

FRAME_SLOTS = 2  # annotation index of a frame's k-th annotation = frame index * FRAME_SLOTS + k
VALUE_INDEX_BASE = 2**46  # value annotations take the indexes above the frames'
ACK_COMMENTS = (
    "Acknowledged, checking the field transmitter.",
    "Known issue, work order raised.",
    "Operator on site, load reduced.",
    "Nuisance alarm during start-up.",
)
REVIEW_COMMENTS = ("Reviewed at shift handover.", "Root cause: fouled strainer, cleaned.")
VALUE_COMMENTS = ("Lab sample taken.", "Manual reading after recalibration.", "Value checked against field gauge.")


@dataclass(frozen=True, slots=True)
class Annotation:
    """One annotation: who wrote what, and when (ticks)."""

    index: int
    name: str
    description: str
    value: str
    creator: str
    created: int


def frame_annotations(seed: int, frame: Frame) -> tuple[Annotation, ...]:
    """Every annotation a frame will ever have, oldest first (filter by `created` for those existing now)."""
    if frame.ack_at is None or mix(seed, 0xA770, frame.index) % 2:
        return ()
    draw = mix(seed, 0xA771, frame.index)
    found = [
        Annotation(
            frame.index * FRAME_SLOTS,
            "Acknowledgement",
            "Comment written when the alarm was acknowledged",
            ACK_COMMENTS[draw % len(ACK_COMMENTS)],
            frame.ack_by,
            frame.ack_at,
        )
    ]
    if draw % 4 == 0:
        found.append(
            Annotation(
                frame.index * FRAME_SLOTS + 1,
                "Review",
                "Supervisor's review of the alarm",
                REVIEW_COMMENTS[(draw >> 8) % len(REVIEW_COMMENTS)],
                "PLANT\\supervisor1",
                max(frame.end, frame.ack_at) + (1 + (draw >> 16) % 8) * 3600 * TICKS_PER_SECOND,
            )
        )
    return tuple(found)


def value_annotation(seed: int, point: int, ticks: int, visible: int, ordinal: int) -> Annotation:
    """The comment on the `ordinal`-th annotated event of `point` at `ticks`, created when it became `visible`."""
    draw = mix(seed, 0xA772, point, ticks, ordinal)
    return Annotation(
        VALUE_INDEX_BASE + draw % VALUE_INDEX_BASE,
        "",
        "",
        VALUE_COMMENTS[draw % len(VALUE_COMMENTS)],
        f"PLANT\\operator{1 + (draw >> 8) % 8}",
        visible,
    )


def instant_ordinals(ticks: np.ndarray) -> np.ndarray:
    """Position of each event among the events at its instant (ticks in ascending order): 0, 1, ..."""
    return np.arange(len(ticks)) - np.searchsorted(ticks, ticks, side="left")
