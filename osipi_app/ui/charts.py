"""Inline SVG bar charts: no script, no external asset, readable where the page is opened offline."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

BAR, GAP, LABEL, WIDTH = 18, 4, 150, 360
"""Bar height, the space between bars, the label column and the bars' full width, in pixels."""


def bar_chart(bars: Sequence[tuple[str, float]], unit: str = "", title: str = "") -> Markup:
    """Horizontal bars, one per (label, value), each labelled with its value; the longest bar is the largest value."""
    top = max((value for _, value in bars), default=0) or 1
    height = len(bars) * (BAR + GAP) + GAP
    rows = []
    for i, (label, value) in enumerate(bars):
        y = GAP + i * (BAR + GAP)
        length = max(1.0, WIDTH * value / top) if value else 0
        text = f"{value:,.1f}" if isinstance(value, float) and not value.is_integer() else f"{value:,.0f}"
        rows.append(
            f'<g class="bar" data-label="{escape(label)}" data-value="{value}">'
            f'<text x="{LABEL - 6}" y="{y + BAR - 5}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{LABEL}" y="{y}" width="{length:.1f}" height="{BAR}"></rect>'
            f'<text x="{LABEL + length + 4:.1f}" y="{y + BAR - 5}">{text}{escape(unit)}</text></g>'
        )
    width = LABEL + WIDTH + 90
    label = escape(title or "bar chart")
    return Markup(
        f'<svg class="chart" role="img" aria-label="{label}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg>'
    )
