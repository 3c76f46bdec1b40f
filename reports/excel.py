"""report.xlsx: Summary, Devices, Transceivers, Findings, Errors, then any workflow's own sheets.

Every run's workbook (more than WRITE_ONLY_HOSTS hosts: any) is written in openpyxl's write-only mode, which
streams rows to the file instead of keeping every cell in memory: the same sheets, values, styles, widths, frozen
header and autofilter as the normal mode, which stays as the reference the streamed workbook is tested against;
the small Summary is drawn on a scratch sheet and copied over cell by cell.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from copy import copy
from enum import Enum
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

from reports.cellsize import column_widths, plain, row_height, text_width, wrapped_height
from reports.layout import CHART_ROWS, chart_anchor, set_print, verdict_chart
from reports.runfolder import atomic_path
from reports.sheets import CellValue, Row, SheetSpec, standard_sheets
from reports.sheetxml import SheetRows
from reports.summary import (
    BLOCKERS_HEADERS,
    DECISION_HEADER,
    RUN_TITLE,
    SITES_HEADERS,
    SUMMARY_VERDICTS,
    SummaryData,
    summary_data,
)
from reports.text import clean_text
from tasks.checks.decision import Decision
from tasks.matrix import Matrix
from tasks.models import RunResult, Verdict

SUMMARY_TITLE = "Summary"
STANDARD_TITLES = (SUMMARY_TITLE, "Devices", "Transceivers", "Findings", "Errors")
# Excel's own "good / neutral / bad" palette: (fill, font) as RGB hex.
VERDICT_COLOURS: Mapping[Verdict, tuple[str, str]] = {
    Verdict.PASS: ("C6EFCE", "006100"),
    Verdict.WARN: ("FFEB9C", "9C5700"),
    Verdict.FAIL: ("FFC7CE", "9C0006"),
    Verdict.ERROR: ("D9D9D9", "3F3F3F"),
    Verdict.SKIPPED: ("F2F2F2", "7F7F7F"),
}
HEADER_FILL = "DDEBF7"
MAX_NOTE_CHARS = 2_000  # a cell comment is a tooltip: the full text is on the Findings sheet
# Above this many hosts the workbook is streamed (`stream_sheet`): less memory, and less CPU at every size measured
# (5 to 10,000 hosts; 150 FortiGates 0.36-0.39 -> 0.13-0.15 s: bench/README.md, "Every workbook streamed").
WRITE_ONLY_HOSTS = 0
REASON_WIDTH = 90  # the Summary's blocker reason: merged over its column and the site table's columns after it
FULL_TEXT_NOTE = "first reason per device; every finding in full on the Findings sheet"

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor=HEADER_FILL)
_BOLD = Font(bold=True)
_TITLE_FONT = Font(bold=True, size=13)
_NOTE_FONT = Font(italic=True, color="595959")
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTRE = Alignment(horizontal="center")
_LEFT = Alignment(horizontal="left")
_TOP = Alignment(vertical="top")  # the other cells of a row with wrapped text: read level with its first line
_FILLS = {v: PatternFill("solid", fgColor=fill) for v, (fill, _) in VERDICT_COLOURS.items()}
_FONTS = {v: Font(color=font) for v, (_, font) in VERDICT_COLOURS.items()}
_VERDICTS = {v.value: v for v in Verdict}


def write_workbook(
    result: RunResult,
    path: Path,
    extra_sheets: Sequence[SheetSpec] = (),
    go_no_go: bool = False,
    summary: SummaryData | None = None,
    write_only: bool | None = None,
    matrices: Mapping[str, Matrix] | None = None,
) -> None:
    """Write the report of `result` to `path`: the five standard sheets, then `extra_sheets` in order.

    `go_no_go` makes the Summary show GO / NO-GO per site (pre-upgrade runs); `summary` replaces the Summary's
    content (an upgrade run's: to upgrade and skipped per site); `matrices` name the known issues behind the
    Summary's blocker reasons (`reports.actions`). Every sheet prints landscape, one page wide
    (`reports.layout`); the Summary has a chart of its devices per verdict and site. `write_only` forces
    openpyxl's streaming mode on or off; by default it is on for more than WRITE_ONLY_HOSTS hosts. The
    workbook is saved to a temporary file beside `path` and renamed: never half a workbook.
    """
    specs = [*standard_sheets(result), *extra_sheets]
    _check_titles([SUMMARY_TITLE, *(spec.title for spec in specs)])
    data = summary or summary_data(result, go_no_go, matrices)
    if write_only is None:
        write_only = len(result.hosts) > WRITE_ONLY_HOSTS
    workbook = Workbook(write_only=write_only)
    if write_only:
        scratch = Workbook().active
        scratch.title = SUMMARY_TITLE
        write_summary(scratch, data)
        summary_sheet = workbook.create_sheet(SUMMARY_TITLE)
        styles = _Styles()
        copy_sheet(scratch, summary_sheet, styles)
        _add_summary_chart(summary_sheet, data)
        for spec in specs:
            stream_sheet(workbook.create_sheet(spec.title), spec, styles)
    else:
        workbook.remove(workbook.active)
        summary_sheet = workbook.create_sheet(SUMMARY_TITLE)
        write_summary(summary_sheet, data)
        _add_summary_chart(summary_sheet, data)
        for spec in specs:
            write_sheet(workbook.create_sheet(spec.title), spec)
    workbook.properties.creator = "estate"
    workbook.properties.title = clean_text(result.run.id)
    with atomic_path(path) as tmp:
        workbook.save(tmp)


def _check_titles(titles: Sequence[str]) -> None:
    seen: set[str] = set()
    for title in titles:
        if title.lower() in seen:
            raise ValueError(f"sheet title {title!r} is used twice (Excel ignores case)")
        seen.add(title.lower())


def write_sheet(ws: Worksheet, spec: SheetSpec) -> None:
    """Render one table: styled header in row 1, frozen, autofilter over the data, verdicts coloured."""
    _write_header(ws, 1, spec.headers)
    for number, row in enumerate(spec.rows, start=2):
        _write_row(ws, number, row)
    last_row = len(spec.rows) + 1
    for column in spec.verdict_columns:
        _colour_verdicts(ws, column + 1, range(2, last_row + 1))
    for (index, column), text in spec.notes.items():
        ws.cell(row=index + 2, column=column + 1).comment = Comment(clean_text(text, MAX_NOTE_CHARS), "estate")
    widths = _fit_widths(ws, [spec.headers, *spec.rows], spec.widths)
    for column in spec.wrap_columns:
        _wrap_long(ws, column + 1, range(2, last_row + 1), widths[column])
    for number, row in enumerate(spec.rows, start=2):
        height = wrapped_height(row, spec.wrap_columns, widths)
        if height is not None:
            ws.row_dimensions[number].height = height
            _align_top(ws, number, len(spec.headers))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(spec.headers))}{last_row}"
    set_print(ws)


class _Styles:
    """The styles of one write-only workbook's cells, each combination registered with the workbook once.

    openpyxl registers a cell's font, fill and alignment by hashing each of them again at every assignment, which
    was most of the time of a 10,000-host workbook; a cell whose combination was seen before gets the style
    indices of the first (`_style`, the indices openpyxl keeps per cell: openpyxl 3.1)."""

    def __init__(self) -> None:
        self._seen: dict[Any, Any] = {}
        self._ids: dict[Any, int] = {}

    def apply(self, cell: WriteOnlyCell, key: Any, styles: Callable[[WriteOnlyCell], None]) -> None:
        """Style `cell` as `styles(cell)` does; `key` names the combination (a hashable that identifies it)."""
        seen = self._seen.get(key)
        if seen is None:
            styles(cell)
            self._seen[key] = copy(cell._style)
        else:
            cell._style = copy(seen)

    def set(
        self, cell: WriteOnlyCell, font: Font | None = None, fill: PatternFill | None = None, align: Any = None
    ) -> None:
        """Give `cell` these (module-level, so long-lived) style objects."""

        def styles(target: WriteOnlyCell) -> None:
            if font is not None:
                target.font = font
            if fill is not None:
                target.fill = fill
            if align is not None:
                target.alignment = align

        self.apply(cell, (id(font), id(fill), id(align)), styles)

    def style_id(
        self, ws: WriteOnlyWorksheet, font: Font | None = None, fill: PatternFill | None = None, align: Any = None
    ) -> int:
        """The workbook's index of the cell style with these (module-level) style objects, registered once."""
        key = ("id", id(font), id(fill), id(align))
        found = self._ids.get(key)
        if found is None:
            cell = WriteOnlyCell(ws)
            self.set(cell, font, fill, align)
            found = self._ids[key] = cell.style_id
        return found


def stream_sheet(ws: WriteOnlyWorksheet, spec: SheetSpec, styles: _Styles | None = None) -> None:
    """`write_sheet` for a write-only sheet: rows are streamed once, each cell styled as it is made.

    The rows are written as SheetML text (`reports.sheetxml`), not as openpyxl cells: openpyxl spends ~30 µs on each
    cell it writes (a cell object, its style hashed, an lxml element per tag), most of the time of a large
    workbook. The text is parsed by lxml before it is written, so a mistake in it fails the report, never
    writes a corrupt one; tests/unit/test_reports.py reads every sheet back against a normal workbook's."""
    styles = styles or _Styles()
    # Each value made plain once, for the widths and for the cells.
    rows = [[None if value is None or value == "" else plain(value) for value in row] for row in spec.rows]
    widths = column_widths([[plain(title) for title in spec.headers], *rows], spec.widths, cleaned=True)
    _set_widths(ws, widths)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(spec.headers))}{len(spec.rows) + 1}"
    set_print(ws)
    heights = {index + 2: wrapped_height(row, spec.wrap_columns, widths) for index, row in enumerate(spec.rows)}
    for number, height in heights.items():
        if height is not None:
            ws.row_dimensions[number].height = height
    header_style = styles.style_id(ws, _HEADER_FONT, _HEADER_FILL)
    sized(ws, f"A1:{get_column_letter(len(spec.headers))}{len(spec.rows) + 1}")
    out = SheetRows(ws)
    out.row(1, [(title, header_style) for title in spec.headers])
    verdicts, wraps = set(spec.verdict_columns), set(spec.wrap_columns)
    for index, row in enumerate(rows):
        number = index + 2
        height = heights[number]
        cells: list[tuple[CellValue, int] | None] = []
        for column, value in enumerate(row):
            note = spec.notes.get((index, column))
            if note is not None:
                out.note(number, column + 1, clean_text(note, MAX_NOTE_CHARS))
            if value is None or value == "":  # nothing (left) to show: no cell, as openpyxl writes none
                cells.append(None)
                continue
            verdict = _VERDICTS.get(str(value)) if column in verdicts else None
            align = None
            if column in wraps and isinstance(value, str) and text_width(value) > widths[column]:
                align = _WRAP
            elif height is not None:
                align = _TOP
            if verdict is not None or align is not None:
                font, fill = (_FONTS[verdict], _FILLS[verdict]) if verdict is not None else (None, None)
                cells.append((value, styles.style_id(ws, font, fill, align)))
            else:
                cells.append((value, 0))
        out.row(number, cells)
    out.close()


def sized(ws: WriteOnlyWorksheet, ref: str) -> None:
    """Give a write-only sheet the `<dimension>` a normal one has (openpyxl writes one only for a sheet that can
    calculate it): without it a reader in read-only mode (openpyxl's, pandas') cannot size the sheet and yields its
    rows ragged, an empty row as an empty tuple. Before the sheet's first row: the dimension is written first."""
    ws.calculate_dimension = lambda: ref  # the writer looks it up with getattr


def copy_sheet(source: Worksheet, target: WriteOnlyWorksheet, styles: _Styles | None = None) -> None:
    """Copy a (small) normal sheet into a write-only one: values, styles, comments, widths, pane and filter."""
    styles = styles or _Styles()
    for letter, dimension in source.column_dimensions.items():
        target.column_dimensions[letter].width = dimension.width
    target.freeze_panes = source.freeze_panes
    target.auto_filter.ref = source.auto_filter.ref
    target.print_title_rows = source.print_title_rows
    # All at once: `merged_cells.add` compares each new range with every one before it (1,250 blocker rows of a
    # 10,000-host Summary took seconds); the source's ranges are distinct already.
    target.merged_cells.ranges = {copy(merged) for merged in source.merged_cells.ranges}
    for number, dimension in source.row_dimensions.items():
        if dimension.height is not None:
            target.row_dimensions[number].height = dimension.height
    set_print(target, title_rows=0)
    sized(target, source.calculate_dimension())
    for row in source.iter_rows():
        cells: list[WriteOnlyCell | None] = []
        for cell in row:
            if cell.value is None and not cell.has_style and cell.comment is None:
                cells.append(None)
                continue
            out = WriteOnlyCell(target, value=cell.value)
            out.data_type = cell.data_type
            if cell.has_style:

                def styles_of(target: WriteOnlyCell, cell: Any = cell) -> None:
                    target.font, target.fill, target.alignment = copy(cell.font), copy(cell.fill), copy(cell.alignment)

                styles.apply(out, ("copy", tuple(cell._style)), styles_of)
            if cell.comment is not None:
                out.comment = Comment(cell.comment.text, cell.comment.author)
            cells.append(out)
        target.append(cells)


def write_summary(ws: Worksheet, data: SummaryData) -> None:
    """Sites table (row 1 header, autofiltered), total, rows left empty for the chart (`_add_summary_chart`),
    then upgrade blockers and the run, below. The run's values are not sized: a long one runs on into the
    empty cells beside it."""
    _write_header(ws, 1, data.headers)
    for number, row in enumerate([*data.sites, data.total], start=2):
        _write_row(ws, number, row)
        _colour_counts(ws, number)
        if data.headers[-1] == DECISION_HEADER:
            _colour_decision(ws, number, len(data.headers))
    total_row = len(data.sites) + 2
    for cell in ws[total_row]:
        cell.font = _BOLD
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(data.headers))}{total_row - 1}"
    blockers_start = total_row + 2 + (CHART_ROWS if data.sites else 0)
    next_row = _write_blockers(ws, blockers_start, data)
    run_start = next_row + 1
    _write_run(ws, run_start, data.run)
    reason = len(BLOCKERS_HEADERS)  # the Reason column (1-based), spread over the columns after it
    short = [(*row[: reason - 1], None) for row in data.blockers]
    sized = [data.headers, *data.sites, data.total, BLOCKERS_HEADERS, *short, *((k,) for k, _ in data.run)]
    widths = _fit_widths(ws, sized)
    last = max(len(data.headers), reason)
    for column in range(reason - 1, last):  # the reason's columns share its width; counts read centred
        widths[column] = max(widths[column], REASON_WIDTH / (last - reason + 1))
    _set_widths(ws, widths)
    _centre(ws, range(1, total_row + 1), range(SITES_HEADERS.index("Devices") + 1, len(data.headers) + 1))
    span = sum(widths[reason - 1 : last])
    for line in range(blockers_start + 1, blockers_start + 2 + len(data.blockers)):
        _merge_row(ws, line, reason, last)
        cell = ws.cell(row=line, column=reason)
        if isinstance(cell.value, str) and text_width(cell.value) > span:
            cell.alignment = _WRAP
            ws.row_dimensions[line].height = row_height(cell.value, span)
            _align_top(ws, line, reason - 1)
    ws.cell(row=blockers_start, column=reason, value=FULL_TEXT_NOTE).font = _NOTE_FONT
    set_print(ws, title_rows=0)  # the site table's header would head the blockers and the run on page 2


def _merge_row(ws: Worksheet, row: int, first: int, last: int) -> None:
    """`ws.merge_cells` over columns `first`..`last` of `row`, less openpyxl's check of the new range against every
    range merged before it (1,250 blocker rows of a 10,000-host Summary: ~780,000 comparisons); the Summary
    merges each row once."""
    merged = MergedCellRange(ws, CellRange(min_col=first, min_row=row, max_col=last, max_row=row).coord)
    ws.merged_cells.ranges.add(merged)
    ws._clean_merge_range(merged)


def _add_summary_chart(ws: Worksheet | WriteOnlyWorksheet, data: SummaryData) -> None:
    """The verdicts-per-site chart, in the rows `write_summary` left empty under the table (none without sites)."""
    if not data.sites:
        return
    last_site = len(data.sites) + 1
    first_count = SITES_HEADERS.index(SUMMARY_VERDICTS[0].value) + 1
    chart = verdict_chart(SUMMARY_TITLE, 2, last_site, first_count)
    ws.add_chart(chart, chart_anchor(last_site + 3))


def _write_blockers(ws: Worksheet, start: int, data: SummaryData) -> int:
    """Write the blockers block from row `start`; return the first free row after it."""
    ws.cell(row=start, column=1, value=data.blockers_title).font = _TITLE_FONT
    _write_header(ws, start + 1, BLOCKERS_HEADERS)
    row = start + 2
    for blocker in data.blockers:
        _write_row(ws, row, blocker)
        row += 1
    if not data.blockers:
        ws.cell(row=row, column=1, value=data.empty_text)
        row += 1
    if data.unchecked:
        noun = "device" if data.unchecked == 1 else "devices"
        ws.cell(row=row, column=1, value=f"{data.unchecked} {noun} could not be checked: see the Errors sheet.")
        ws.cell(row=row, column=1).font = _FONTS[Verdict.ERROR]
        row += 1
    return row


def _write_run(ws: Worksheet, start: int, lines: Sequence[tuple[str, CellValue]]) -> None:
    ws.cell(row=start, column=1, value=RUN_TITLE).font = _TITLE_FONT
    for offset, (key, value) in enumerate(lines, start=1):
        ws.cell(row=start + offset, column=1, value=key).font = _BOLD
        _set(ws, start + offset, 2, value)
        ws.cell(row=start + offset, column=2).alignment = _LEFT  # counts and text alike


def _write_header(ws: Worksheet, row: int, headers: Sequence[str]) -> None:
    for column, title in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=column, value=title)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL


def _write_row(ws: Worksheet, row: int, values: Row) -> None:
    for column, value in enumerate(values, start=1):
        _set(ws, row, column, value)


def _set(ws: Worksheet, row: int, column: int, value: CellValue | Enum) -> None:
    """Write one value; text stays text (no formula from '=...', no error code from '#N/A')."""
    if value is None or value == "":
        return
    cell = ws.cell(row=row, column=column, value=plain(value))
    if isinstance(cell.value, str) and cell.data_type != "s":
        cell.data_type = "s"


def _colour_verdicts(ws: Worksheet, column: int, rows: Iterable[int]) -> None:
    for row in rows:
        cell = ws.cell(row=row, column=column)
        verdict = _VERDICTS.get(str(cell.value))
        if verdict is not None:
            cell.fill = _FILLS[verdict]
            cell.font = _FONTS[verdict]


def _colour_counts(ws: Worksheet, row: int) -> None:
    """Colour a Summary count cell by its column's verdict when some device has that verdict."""
    first = SITES_HEADERS.index(SUMMARY_VERDICTS[0].value) + 1
    for offset, verdict in enumerate(SUMMARY_VERDICTS):
        cell = ws.cell(row=row, column=first + offset)
        if isinstance(cell.value, int) and cell.value > 0:
            cell.fill = _FILLS[verdict]
            cell.font = _FONTS[verdict]


def _colour_decision(ws: Worksheet, row: int, column: int) -> None:
    """GO green, NO-GO red."""
    cell = ws.cell(row=row, column=column)
    verdict = Verdict.PASS if cell.value == Decision.GO.value else Verdict.FAIL
    cell.fill, cell.font = _FILLS[verdict], _FONTS[verdict]
    cell.alignment = _CENTRE


def _wrap_long(ws: Worksheet, column: int, rows: Iterable[int], width: float) -> None:
    """Wrap the cells of `column` whose text is wider than the column."""
    for row in rows:
        cell = ws.cell(row=row, column=column)
        if isinstance(cell.value, str) and text_width(cell.value) > width:
            cell.alignment = _WRAP


def _fit_widths(ws: Worksheet, rows: Iterable[Row], overrides: Mapping[int, float] | None = None) -> list[float]:
    """Size each column to its longest text (capped at MAX_WIDTH); the header leaves room for the filter."""
    widths = column_widths(rows, overrides)
    _set_widths(ws, widths)
    return widths


def _set_widths(ws: Worksheet | WriteOnlyWorksheet, widths: Sequence[float]) -> None:
    for column, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width


def _centre(ws: Worksheet, rows: Iterable[int], columns: range) -> None:
    for row in rows:
        for column in columns:
            cell = ws.cell(row=row, column=column)
            cell.alignment = Alignment(horizontal="center", vertical=cell.alignment.vertical)


def _align_top(ws: Worksheet, row: int, columns: int) -> None:
    """Align the cells of `row` that do not wrap with the first line of those that do."""
    for column in range(1, columns + 1):
        cell = ws.cell(row=row, column=column)
        if not cell.alignment.wrap_text:
            cell.alignment = _TOP
