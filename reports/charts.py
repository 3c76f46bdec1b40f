"""Charts for report.html as inline SVG, drawn here in Python (no script, no chart library, nothing fetched).

Two charts: devices per verdict for each customer and site (stacked horizontal bars, from the Summary's site
rows), and the compliance trend over the recorded runs (one line per customer, from the Trend sheet's table).
Every text is escaped; the markup is returned as `markupsafe.Markup` for the Jinja2 template.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from reports.sheets import CellValue, SheetSpec
from reports.summary import SITES_HEADERS, SUMMARY_VERDICTS

# The workbook's verdict palette (reports.excel.VERDICT_COLOURS), stronger for bars on white paper.
BAR_COLOURS = {"PASS": "#3a9b4d", "WARN": "#e0a526", "FAIL": "#c8323c", "ERROR": "#6b6b6b", "SKIPPED": "#b9b9b9"}
LINE_COLOURS = ("#1f5fa8", "#c8323c", "#3a9b4d", "#e0a526", "#7a4fa3", "#17868c", "#a8561f", "#555555")
MAX_LABELS = 6
_BAR, _GAP, _LABEL_W, _PLOT_W, _RIGHT = 18, 6, 210, 520, 60
_FIRST_COUNT = SITES_HEADERS.index(SUMMARY_VERDICTS[0].value)


def _text(x: float, y: float, text: object, anchor: str = "start", css: str = "") -> str:
    klass = f' class="{css}"' if css else ""
    return f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}"{klass}>{escape(str(text))}</text>'


BARS_TITLE = "Devices per verdict, per customer and site"
TREND_TITLE = "Compliance: PASS findings (%) per run"


def verdict_bars(sites: Sequence[Sequence[CellValue]], title: str = BARS_TITLE) -> Markup:
    """Stacked bars: one per Summary site row (customer, site, devices, PASS … SKIPPED), each verdict a segment
    sized by its devices, the device count at the end; a legend above. Empty markup when there is no site.

    >>> svg = verdict_bars([("acme", "lon1", 3, 2, 1, 0, 0, 0)])
    >>> "acme / lon1" in svg and svg.count("<rect") == 2 + len(SUMMARY_VERDICTS)
    True
    """
    if not sites:
        return Markup("")
    widest = max(int(row[2] or 0) for row in sites) or 1
    top = 44
    height = top + len(sites) * (_BAR + _GAP) + 8
    width = _LABEL_W + _PLOT_W + _RIGHT
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{escape(title)}</title>",
        _text(0, 14, title, css="chart-title"),
    ]
    x = 0.0
    for verdict in SUMMARY_VERDICTS:
        name = verdict.value
        parts.append(f'<rect x="{x:g}" y="24" width="10" height="10" fill="{BAR_COLOURS[name]}"/>')
        parts.append(_text(x + 14, 33, name, css="legend"))
        x += 14 + 8 * len(name) + 16
    for index, row in enumerate(sites):
        y = top + index * (_BAR + _GAP)
        parts.append(_text(_LABEL_W - 8, y + _BAR - 5, f"{row[0]} / {row[1]}", anchor="end", css="label"))
        left = float(_LABEL_W)
        for offset, verdict in enumerate(SUMMARY_VERDICTS):
            count = int(row[_FIRST_COUNT + offset] or 0)
            if not count:
                continue
            span = _PLOT_W * count / widest
            parts.append(
                f'<rect x="{left:.1f}" y="{y}" width="{span:.1f}" height="{_BAR}" fill="{BAR_COLOURS[verdict.value]}">'
                f"<title>{escape(f'{row[0]} / {row[1]}: {count} {verdict.value}')}</title></rect>"
            )
            left += span
        parts.append(_text(left + 6, y + _BAR - 5, row[2], css="label"))
    parts.append("</svg>")
    return Markup("".join(parts))


def trend_lines(table: SheetSpec, title: str = TREND_TITLE) -> Markup:
    """A line per customer over the runs of `table` (reports.trend.trend_table: Run, Started, then one column of
    percentages per customer, empty where a run did not cover it); y from 0 to 100 %. Empty markup without runs.

    >>> from reports.trend import trend_table
    >>> from datetime import datetime, timezone
    >>> from tasks.models.history import TrendPoint
    >>> when = [datetime(2026, 1, d, tzinfo=timezone.utc) for d in (1, 2)]
    >>> svg = trend_lines(trend_table({"acme": [TrendPoint("r1", when[0], 1, 2), TrendPoint("r2", when[1], 2, 2)]}))
    >>> svg.count("<circle"), "acme" in svg
    (2, True)
    """
    rows = list(table.rows)
    customers = list(table.headers[2:])
    if not rows or not customers:
        return Markup("")
    left, top, plot_w, plot_h = 60, 44, 600, 200
    width, height = left + plot_w + 170, top + plot_h + 48
    step = plot_w / max(len(rows) - 1, 1)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{escape(title)}</title>",
        _text(0, 14, title, css="chart-title"),
    ]
    for percent in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - percent / 100)
        parts.append(f'<line x1="{left}" y1="{y:g}" x2="{left + plot_w}" y2="{y:g}" class="grid"/>')
        parts.append(_text(left - 6, y + 4, f"{percent}%", anchor="end", css="axis"))
    every = -(-len(rows) // MAX_LABELS)  # at most MAX_LABELS run times under the axis, the newest always
    for index, row in enumerate(rows):
        if index % every and index != len(rows) - 1:
            continue
        x = left + index * step if len(rows) > 1 else left + plot_w / 2
        parts.append(_text(x, top + plot_h + 16, row[1], anchor="middle", css="axis"))
    for number, customer in enumerate(customers):
        colour = LINE_COLOURS[number % len(LINE_COLOURS)]
        points = []
        for index, row in enumerate(rows):
            value = row[2 + number]
            if not isinstance(value, int | float) or isinstance(value, bool):
                continue  # the run did not cover this customer: the line goes on past it
            x = left + index * step if len(rows) > 1 else left + plot_w / 2
            points.append((x, top + plot_h * (1 - float(value) / 100), f"{customer} {row[0]}: {value}%"))
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y, label in points:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"><title>{escape(label)}</title></circle>'
            )
        legend_y = top + 4 + number * 18
        parts.append(f'<rect x="{left + plot_w + 20}" y="{legend_y}" width="10" height="10" fill="{colour}"/>')
        parts.append(_text(left + plot_w + 36, legend_y + 9, customer, css="legend"))
    parts.append("</svg>")
    return Markup("".join(parts))
