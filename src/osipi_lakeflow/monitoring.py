"""What monitoring calls stale and failing: one definition for every place that shows it (alarms: `pipeline.alarms`).

The bundle's AI/BI dashboard (`generator.dashboard`, SQL on a warehouse) and the local pages (`osipi_app.ui`,
pyarrow on the local warehouse) both show these; each reads its thresholds and column names from here, so the two
can never disagree about which tag is stale. Pure: no Spark, no pyarrow.
"""

from __future__ import annotations

from datetime import timedelta

STALE_AFTER = timedelta(hours=1)
"""A tag is stale (vanished) when its newest covered instant is this far behind its partition's newest: the
pipeline holds it (its probe fails: the point was deleted or denied) while the other tags advance."""

HOURS_SHOWN = 48
"""Values landed per hour: the last this many hours."""

FAILING, STALE = "failing", "stale"
"""Why a tag is listed: its latest read failed (a `gap` row, with its `read_error`), or it stopped advancing."""
