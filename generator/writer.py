"""Write a rendered bundle to disk so that a failure never leaves a half-written bundle behind.

Every file is first written next to its target under a temporary name; only when all of them are on disk are they
moved into place (`os.replace`, atomic per file), stale generated resources removed, and the plan written last.
If the process dies during the moves, the old plan is still in place and the next run rewrites the same files.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from generator.plan import PLAN_FILE
from generator.render import GENERATED_GLOBS, RESOURCES_DIR

_TMP_SUFFIX = ".osipi-tmp"


def stale_resources(root: Path, keep: Mapping[str, object]) -> list[Path]:
    """Generated resource files on disk that the new rendering no longer contains (retired partitions)."""
    resources = root / RESOURCES_DIR
    found = {p for pattern in GENERATED_GLOBS for p in resources.glob(pattern)}
    return sorted(p for p in found if p.relative_to(root).as_posix() not in keep)


def _write_bytes(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_bundle(root: Path, files: Mapping[str, str], plan_bytes: bytes) -> list[Path]:
    """Write `files` (bundle-relative path -> text) and the plan; return the stale files removed.

    Files whose content is unchanged are not touched, so their modification times (and editors) stay calm.
    """
    staged: list[tuple[Path, Path]] = []
    outputs = {**{name: text.encode("utf-8") for name, text in files.items()}, PLAN_FILE: plan_bytes}
    try:
        for name, data in outputs.items():
            target = root / name
            if target.exists() and target.read_bytes() == data:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + _TMP_SUFFIX)
            _write_bytes(tmp, data)
            staged.append((tmp, target))
    except OSError:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    plan_move = [pair for pair in staged if pair[1].name == PLAN_FILE]
    for tmp, target in [pair for pair in staged if pair[1].name != PLAN_FILE]:
        os.replace(tmp, target)
    stale = stale_resources(root, files)
    for path in stale:
        path.unlink()
    for tmp, target in plan_move:
        os.replace(tmp, target)
    return stale
