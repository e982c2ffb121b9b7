"""The asset panels: the AF tree with each element's tag coverage, event frames per template, and open alarms.

"Open" is judged at the PI server time of the newest event-frame read (`observed_at`): a frame with no end, or an
end after it (PI's 9999 end of an open frame included). Open alarms are the alarms pipeline's `pi_active_alarms`
(its rules say what an alarm is), as on the bundle's dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow.compute as pc

from osipi_app.ui.bronze import has_table, newest, partitions, read
from osipi_lakeflow import contract
from osipi_lakeflow.schema import EVENT


@dataclass(frozen=True)
class ElementCoverage:
    """One AF element, where it sits in the tree, and how many of its PI-point attributes have landed values."""

    element_id: str
    name: str
    path: str
    depth: int
    template: str | None
    tags: int
    tags_landed: int

    @property
    def coverage(self) -> float | None:
        """Share of the element's PI points with landed values (None: it has none)."""
        return self.tags_landed / self.tags if self.tags else None


@dataclass(frozen=True)
class Frame:
    """One event frame as the latest read saw it."""

    name: str
    template: str | None
    severity: str | None
    start_time: datetime | None
    end_time: datetime | None
    acknowledged: bool | None
    open: bool
    open_for: timedelta | None


def landed_tags(warehouse: Path) -> set[str]:
    """WebIds of the tags with at least one value in a partition table."""
    found: set[str] = set()
    for table in partitions(warehouse, ["tag_webid", "row_kind"]).values():
        found.update(pc.unique(table.filter(pc.equal(table.column("row_kind"), EVENT)).column("tag_webid")).to_pylist())
    return found


def af_coverage(warehouse: Path) -> list[ElementCoverage]:
    """Every AF element in path order (a depth-first tree), with its PI points and those that landed."""
    if not has_table(warehouse, contract.AF_ELEMENTS):
        return []
    landed = landed_tags(warehouse)
    points: dict[str, list[str]] = {}
    if has_table(warehouse, contract.AF_ATTRIBUTES):
        for r in read(warehouse, contract.AF_ATTRIBUTES, ["element_id", "point_webid"]).to_pylist():
            if r["point_webid"]:
                points.setdefault(r["element_id"], []).append(r["point_webid"])
    elements = read(warehouse, contract.AF_ELEMENTS, ["element_id", "name", "path", "depth", "template"]).to_pylist()
    return [
        ElementCoverage(
            e["element_id"],
            e["name"],
            e["path"],
            e["depth"] or 0,
            e["template"],
            len(points.get(e["element_id"], [])),
            sum(p in landed for p in points.get(e["element_id"], [])),
        )  # fmt: skip
        for e in sorted(elements, key=lambda e: e["path"] or "")
    ]


_FRAME_COLUMNS = ["name", "template", "severity", "start_time", "end_time", "acknowledged", "deleted_in_pi",
                  "observed_at"]  # fmt: skip


def event_frames(warehouse: Path) -> list[Frame]:
    """Every frame PI still holds, as of its latest read, the newest first."""
    if not has_table(warehouse, contract.EVENT_FRAMES_TABLE):
        return []
    table = read(warehouse, contract.EVENT_FRAMES_TABLE, _FRAME_COLUMNS)
    now = newest(table.column("observed_at"))
    frames = []
    for r in table.filter(pc.invert(pc.fill_null(table.column("deleted_in_pi"), False))).to_pylist():
        is_open = r["end_time"] is None or (now is not None and r["end_time"] > now)
        open_for = now - r["start_time"] if is_open and now and r["start_time"] else None
        frames.append(Frame(r["name"], r["template"], r["severity"], r["start_time"], r["end_time"],
                            r["acknowledged"], is_open, open_for))  # fmt: skip
    return sorted(frames, key=lambda f: (f.start_time is not None, f.start_time), reverse=True)


def frames_per_template(frames: list[Frame]) -> list[tuple[str, int, int]]:
    """(template, frames, open frames), the most frequent first."""
    counts: dict[str, list[int]] = {}
    for f in frames:
        slot = counts.setdefault(f.template or "(none)", [0, 0])
        slot[0] += 1
        slot[1] += f.open
    return sorted(((t, n, o) for t, (n, o) in counts.items()), key=lambda row: (-row[1], row[0]))


_ALARM_COLUMNS = ["alarm_name", "template", "severity", "start_time", "active_seconds", "acknowledged"]


def active_alarms(warehouse: Path) -> list[Frame]:
    """The alarms open at the alarms pipeline's last refresh (`pi_active_alarms`), the longest open first."""
    if not has_table(warehouse, contract.ACTIVE_ALARMS):
        return []
    rows = read(warehouse, contract.ACTIVE_ALARMS, _ALARM_COLUMNS).to_pylist()
    alarms = [
        Frame(r["alarm_name"], r["template"], r["severity"], r["start_time"], None, r["acknowledged"], True,
              timedelta(seconds=r["active_seconds"]) if r["active_seconds"] is not None else None)
        for r in rows
    ]  # fmt: skip
    return sorted(alarms, key=lambda f: (f.start_time is None, f.start_time))
