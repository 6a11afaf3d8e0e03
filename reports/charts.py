"""Charts drawn on the server as SVG: they print, need no script, and carry
their numbers as text for screen readers and for the printed page."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

_ids = itertools.count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    highlight: bool = False  # e.g. the correct choice of a quiz question


def bar_chart(bars: Sequence[Bar], *, title: str, unit: str = "") -> SafeString:
    """A horizontal bar chart, one row per bar, value and share at the end."""
    total = sum(bar.value for bar in bars)
    largest = max((bar.value for bar in bars), default=0) or 1
    row_height, label_width, bar_width = 34, 300, 420
    rows = []
    for index, bar in enumerate(bars):
        rows.append(
            {
                "bar": bar,
                "y": index * row_height,
                # Numbers as text: templates would localise a float ("420,5").
                "width": f"{bar_width * bar.value / largest:.1f}",
                "value_x": f"{label_width + 20 + bar_width * bar.value / largest:.1f}",
                "share": round(100 * bar.value / total) if total else 0,
            }
        )
    return render_to_string(
        "reports/bar_chart.svg",
        {
            "title": title,
            "unit": unit,
            "rows": rows,
            "height": max(row_height * len(bars), row_height),
            "label_width": label_width,
            "bar_x": label_width + 10,
            "chart_id": f"chart-{next(_ids)}",
            "bar_width": bar_width,
            "width": label_width + bar_width + 110,
            "total": total,
        },
    )
