"""What a regeneration changed, for the operator: tags added and removed, partitions created and retired."""

from __future__ import annotations

from dataclasses import dataclass

from generator.plan import Plan, Tag


@dataclass(frozen=True, slots=True)
class PlanDiff:
    """The difference between the plan on disk and the new one (all tuples sorted)."""

    added: tuple[Tag, ...]
    removed: tuple[Tag, ...]
    moved: tuple[Tag, ...]
    partitions_created: tuple[str, ...]
    partitions_retired: tuple[str, ...]

    @property
    def changed(self) -> bool:
        """Whether anything at all changed."""
        return any((self.added, self.removed, self.moved, self.partitions_created, self.partitions_retired))

    def summary(self, limit: int = 10) -> str:
        """A few lines a person can read; long lists are cut at `limit` names."""
        if not self.changed:
            return "no change: every tag stays in its partition"

        def names(tags: tuple[Tag, ...]) -> str:
            shown = ", ".join(t.name for t in tags[:limit])
            return shown + (f", ... ({len(tags) - limit} more)" if len(tags) > limit else "")

        lines = []
        if self.added:
            lines.append(f"tags added: {len(self.added)} ({names(self.added)})")
        if self.removed:
            lines.append(f"tags removed: {len(self.removed)} ({names(self.removed)})")
        if self.moved:
            lines.append(f"tags moved to another partition (their history is re-read): {len(self.moved)}")
        if self.partitions_created:
            lines.append(f"partitions created: {len(self.partitions_created)} ({', '.join(self.partitions_created)})")
        if self.partitions_retired:
            lines.append(
                f"partitions retired: {len(self.partitions_retired)} ({', '.join(self.partitions_retired)}); "
                "deploying deletes their pipelines, and Databricks drops a deleted pipeline's tables"
            )
        return "\n".join(lines)


def diff_plans(old: Plan | None, new: Plan) -> PlanDiff:
    """Compare two plans; `old` None means everything is new."""
    old_at = old.assignment() if old else {}
    new_at = new.assignment()
    old_tags = {t.webid: t for p in (old.partitions if old else ()) for t in p.tags}
    new_tags = {t.webid: t for p in new.partitions for t in p.tags}
    old_ids = set(old_at.values())
    new_ids = set(new_at.values())
    return PlanDiff(
        added=tuple(new_tags[w] for w in sorted(set(new_tags) - set(old_tags))),
        removed=tuple(old_tags[w] for w in sorted(set(old_tags) - set(new_tags))),
        moved=tuple(new_tags[w] for w in sorted(set(new_tags) & set(old_tags)) if old_at[w] != new_at[w]),
        partitions_created=tuple(sorted(new_ids - old_ids)),
        partitions_retired=tuple(sorted(old_ids - new_ids)),
    )
