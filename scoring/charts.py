"""Chart data for server-rendered SVG: bars with computed coordinates, drawn by
templates/scoring/reports/_chart.html. Colours come from CSS classes (static/css/reports.css),
never from inline styles; coordinates are plain numbers (no localisation)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

LABEL_WIDTH = 200
BAR_WIDTH = 500
VALUE_WIDTH = 80
BAR_HEIGHT = 18
BAR_GAP = 4
GROUP_GAP = 14


@dataclass
class Bar:
    label: str  # shown left of the bar (the first bar of a group)
    value: Decimal
    css: str  # CSS class: series-0, series-1, series-2, leading, mine
    y: float = 0
    width: str = "0"
    text_y: float = 0
    value_x: str = "0"


def bar_chart(groups: list[tuple[str, list[tuple[Decimal, str]]]]) -> dict:
    """A horizontal bar chart: each group a label and one or more (value, CSS class) bars
    drawn under each other; bars scaled to the largest value (negative values drawn as
    zero-width bars, their value still written)."""
    top = max((v for _, bars in groups for v, _ in bars), default=Decimal(0))
    scale = top if top > 0 else Decimal(1)
    bars: list[Bar] = []
    labels: list[dict] = []
    y = 6.0
    for label, values in groups:
        first_y = y
        for value, css in values:
            width = max(Decimal(0), value) / scale * BAR_WIDTH
            bars.append(
                Bar(
                    label=label,
                    value=value,
                    css=css,
                    y=y,
                    width=f"{width:.1f}",
                    text_y=y + BAR_HEIGHT / 2,
                    value_x=f"{LABEL_WIDTH + width + 8:.1f}",
                )
            )
            y += BAR_HEIGHT + BAR_GAP
        labels.append({"text": label, "y": (first_y + y - BAR_GAP) / 2})
        y += GROUP_GAP - BAR_GAP
    return {
        "bars": bars,
        "labels": labels,
        "height": f"{y + 6:.0f}",
        "width": LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH,
        "label_x": LABEL_WIDTH - 10,
        "bar_x": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
    }
