"""PI Web API releases the mock can behave as, oldest first, and which routes a release has.

Routes added after the first release the mock models declare the release that introduced them
(`Router.add(..., since=...)`); a server of an earlier release answers them as it answers any URI it has no
controller for. The release that introduced a controller comes from the PI Web API changelog.
"""

from __future__ import annotations

from typing import Literal

Release = Literal["2017 R2", "2018", "2018 SP1"]
RELEASES: tuple[Release, ...] = ("2017 R2", "2018", "2018 SP1")
NOTIFICATION_RULES: Release = "2018"
"""The NotificationRule controller (read) came with PI Web API 2018 (changelog: "Read for notification contact
templates, notification rules, notification rule subscribers and notification rule templates")."""


def has(release: Release, since: Release | None) -> bool:
    """A server of `release` serves a route introduced in `since` (None: in every release the mock models)."""
    return since is None or RELEASES.index(release) >= RELEASES.index(since)
