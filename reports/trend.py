"""The `Trend` sheet: compliance percentage per customer over the recorded runs, as a table and a line chart,
and (optionally) the findings that are new, fixed or still failing since each customer's previous run.

The compliance workflow builds it from `HistoryStore.compliance_trend` and `compare`: `write_trend_sheet` on a
workbook being built, or `add_trend_sheet` on a written report.xlsx.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.excel import HEADER_FILL, VERDICT_COLOURS, write_sheet
from reports.runfolder import atomic_path
from reports.sheets import Row, SheetSpec
from tasks.models.history import Comparison, TrendPoint

TREND_TITLE = "Trend"
RUN_HEADERS = ("Run", "Started (UTC)")
CHANGES_TITLE = "Since the previous run"
CHANGES_HEADERS = ("Customer", "Device", "Check", "Change", "Verdict", "Message")
CHART_TITLE = "Compliance: PASS findings (%)"


def trend_table(trend: Mapping[str, Sequence[TrendPoint]]) -> SheetSpec:
    """One row per recorded run (oldest first), one column per customer: its percentage, empty when the run
    did not cover that customer."""
    customers = sorted(trend)
    runs: dict[str, tuple[str, dict[str, float]]] = {}
    order: dict[str, tuple[str, str]] = {}
    for customer in customers:
        for point in trend[customer]:
            started = point.started.strftime("%Y-%m-%d %H:%M")
            runs.setdefault(point.run_id, (started, {}))[1][customer] = point.percent
            order[point.run_id] = (point.started.isoformat(), point.run_id)
    rows: list[Row] = [
        (run_id, runs[run_id][0], *(runs[run_id][1].get(c) for c in customers))
        for run_id in sorted(runs, key=lambda r: order[r])
    ]
    return SheetSpec(TREND_TITLE, (*RUN_HEADERS, *customers), rows)


def write_trend_sheet(
    workbook: Workbook,
    trend: Mapping[str, Sequence[TrendPoint]],
    changes: Mapping[str, Comparison] | None = None,
    title: str = TREND_TITLE,
) -> Worksheet:
    """Add the Trend sheet to `workbook`: the table of `trend_table`, a line chart (one series per customer)
    beside it, and below, when given, each customer's `changes` since its previous run."""
    spec = trend_table(trend)
    ws = workbook.create_sheet(title)
    write_sheet(ws, spec)
    if spec.rows:
        ws.add_chart(_chart(ws, len(spec.rows), len(spec.headers) - len(RUN_HEADERS)), _anchor(spec))
    if changes:
        _write_changes(ws, len(spec.rows) + 4, changes)
    return ws


def add_trend_sheet(
    path: Path,
    trend: Mapping[str, Sequence[TrendPoint]],
    changes: Mapping[str, Comparison] | None = None,
) -> None:
    """Add the Trend sheet to the workbook at `path` (a run's report.xlsx), saved atomically."""
    workbook = load_workbook(path)
    write_trend_sheet(workbook, trend, changes)
    with atomic_path(path) as tmp:
        workbook.save(tmp)


def _chart(ws: Worksheet, runs: int, customers: int) -> LineChart:
    chart = LineChart()
    chart.title = CHART_TITLE
    chart.y_axis.title = "% PASS"
    chart.x_axis.title = "Run"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 100
    chart.display_blanks = "span"  # a run that did not cover a customer: the line goes on past it
    chart.height, chart.width = 9, 18
    first = len(RUN_HEADERS) + 1
    data = Reference(ws, min_col=first, max_col=first + customers - 1, min_row=1, max_row=runs + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=2, min_row=2, max_row=runs + 1))
    return chart


def _anchor(spec: SheetSpec) -> str:
    """The cell the chart's top-left corner sits on: two columns right of the table."""
    return f"{get_column_letter(len(spec.headers) + 2)}2"


def _write_changes(ws: Worksheet, start: int, changes: Mapping[str, Comparison]) -> None:
    ws.cell(row=start, column=1, value=CHANGES_TITLE).font = Font(bold=True, size=13)
    header = start + 1
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    for column, name in enumerate(CHANGES_HEADERS, start=1):
        cell = ws.cell(row=header, column=column, value=name)
        cell.font, cell.fill = Font(bold=True), fill
    row = header
    for customer in sorted(changes):
        for change, finding in changes[customer].changes():
            row += 1
            values = (customer, finding.host, finding.check, change, finding.verdict.value, finding.message)
            for column, value in enumerate(values, start=1):
                ws.cell(row=row, column=column, value=value)
            fill_hex, font_hex = VERDICT_COLOURS[finding.verdict]
            verdict = ws.cell(row=row, column=5)
            verdict.fill, verdict.font = PatternFill("solid", fgColor=fill_hex), Font(color=font_hex)
