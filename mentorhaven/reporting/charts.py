"""Bar charts drawn on the server as SVG (no script, no library, nothing from a CDN): this
module lays out the bars; ``templates/reporting/_bar_chart.html`` draws them, with a title,
a description and the same figures as a table for screen readers and for printing."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 220
MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP = 40, 36, 12


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None  # None: hidden (fewer than k people)
    x: float
    y: float
    width: float
    height: float
    label_x: float


@dataclass(frozen=True)
class BarChart:
    key: str
    bars: list[Bar]
    top: int  # the value of the highest gridline
    width: int = WIDTH
    height: int = HEIGHT
    baseline: float = HEIGHT - MARGIN_BOTTOM
    left: int = MARGIN_LEFT

    @property
    def top_y(self) -> int:
        return MARGIN_TOP


def _nice_top(highest: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is at least ``highest``."""
    scale = 1
    while True:
        for step in (1, 2, 5):
            if step * scale >= highest:
                return step * scale
        scale *= 10


def bar_chart(key: str, points: list[tuple[str, int | None]]) -> BarChart:
    """The layout of one bar per point; a hidden point gets a short hatched stub instead of a
    bar, so the chart never suggests a value it does not release."""
    plot_w = WIDTH - MARGIN_LEFT - 8
    plot_h = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
    top = _nice_top(max((v for _, v in points if v is not None), default=0))
    slot = plot_w / max(len(points), 1)
    bars = []
    for i, (label, value) in enumerate(points):
        h = plot_h * (value / top) if value is not None else 6.0
        x = MARGIN_LEFT + i * slot + slot * 0.15
        bars.append(
            Bar(
                label=label,
                value=value,
                x=round(x, 1),
                y=round(HEIGHT - MARGIN_BOTTOM - h, 1),
                width=round(slot * 0.7, 1),
                height=round(h, 1),
                label_x=round(x + slot * 0.35, 1),
            )
        )
    return BarChart(key=key, bars=bars, top=top)
