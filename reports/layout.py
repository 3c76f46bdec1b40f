"""How the workbook prints and what the Summary draws: page setup for every sheet, the verdicts-per-site chart.

Every sheet prints landscape, one page wide (as many pages down as it needs), its header row repeated on each
page, with the sheet's name in the page header and "page N of M" in the footer. The Summary's chart is a
stacked column chart of its site table (one series per verdict), anchored under the table in rows the Summary
leaves empty for it (`CHART_ROWS`), so it covers no cell.
"""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, MultiLevelStrRef
from openpyxl.chart.legend import Legend
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties, RichTextProperties
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from reports.summary import SUMMARY_VERDICTS
from tasks.models import Verdict

CHART_TITLE = "Devices per verdict, by customer and site"
CHART_X_TITLE = "Customer / site"
CHART_Y_TITLE = "Devices"
CHART_ROWS = 18  # empty rows the Summary leaves under its table for the chart (default row height: 15 pt)
CHART_HEIGHT_CM = 8.5  # 18 rows of 15 pt are 9.5 cm: the chart ends a row before the next block
CHART_MIN_WIDTH_CM = 16.0
CHART_CM_PER_SITE = 1.7  # room for a site's bar and its label
CHART_MAX_WIDTH_CM = 26.0  # about a landscape page's width: wider would shrink the whole printed Summary
# Bar colours: the verdict colours of the sheets, stronger, so a small bar still shows.
BAR_COLOURS = {
    Verdict.PASS: "63BE7B",
    Verdict.WARN: "FFC000",
    Verdict.FAIL: "E05A5A",
    Verdict.ERROR: "7F7F7F",
    Verdict.SKIPPED: "C9C9C9",
}
MARGIN_IN = 0.4  # page margins in inches (Excel's "narrow" is 0.25 sides, 0.75 top and bottom)
HEADER_MARGIN_IN = 0.2


def set_print(ws: Worksheet | WriteOnlyWorksheet, title_rows: int = 1) -> None:
    """Make `ws` print landscape, one page wide, its first `title_rows` rows repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = MARGIN_IN
    ws.page_margins.top = ws.page_margins.bottom = MARGIN_IN + HEADER_MARGIN_IN
    ws.page_margins.header = ws.page_margins.footer = HEADER_MARGIN_IN
    ws.print_options.gridLines = False
    if title_rows > 0:
        ws.print_title_rows = f"1:{title_rows}"
    ws.oddHeader.center.text = "&A"  # the sheet's name
    ws.oddFooter.left.text = "estate"
    ws.oddFooter.right.text = "page &P of &N"


def verdict_chart(sheet_title: str, first_row: int, last_row: int, first_count_column: int) -> BarChart:
    """A stacked column chart of the site rows `first_row`..`last_row` of the Summary called `sheet_title`:
    one series per verdict (its header in row 1, counts from `first_count_column` on, in SUMMARY_VERDICTS
    order), the customer and site (columns A and B) as the category labels."""
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.gapWidth = 60
    chart.title = CHART_TITLE
    chart.title.tx.rich.p[0].pPr = ParagraphProperties(defRPr=CharacterProperties(sz=1200, b=True))
    chart.x_axis.title = CHART_X_TITLE
    chart.y_axis.title = CHART_Y_TITLE
    chart.y_axis.majorGridlines = None
    chart.y_axis.number_format = "0"
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    chart.x_axis.tickLblPos = "low"
    chart.x_axis.txPr = _rotated(-45)
    chart.legend = Legend(legendPos="r")
    sites = last_row - first_row + 1
    chart.width = min(CHART_MAX_WIDTH_CM, max(CHART_MIN_WIDTH_CM, 6 + CHART_CM_PER_SITE * sites))
    chart.height = CHART_HEIGHT_CM
    for offset, verdict in enumerate(SUMMARY_VERDICTS):
        column = first_count_column + offset
        data = Reference(worksheet=None, range_string=_range(sheet_title, column, 1, column, last_row))
        chart.add_data(data, titles_from_data=True)
        series = chart.series[-1]
        series.graphicalProperties = GraphicalProperties(solidFill=BAR_COLOURS[verdict])
        series.graphicalProperties.line.solidFill = BAR_COLOURS[verdict]
    labels = _range(sheet_title, 1, first_row, 2, last_row)
    for series in chart.series:  # two columns of text: a two-level axis (site over customer)
        series.cat = AxDataSource(multiLvlStrRef=MultiLevelStrRef(f=labels))
    return chart


def chart_anchor(row: int) -> str:
    """The cell the chart's top-left corner sits on: column A of `row`."""
    return f"A{row}"


def _range(sheet_title: str, min_col: int, min_row: int, max_col: int, max_row: int) -> str:
    quoted = "'" + sheet_title.replace("'", "''") + "'"
    return f"{quoted}!${get_column_letter(min_col)}${min_row}:${get_column_letter(max_col)}${max_row}"


def _rotated(degrees: int) -> RichText:
    """Axis label text turned by `degrees` (negative: up to the right), so long site names do not collide."""
    props = ParagraphProperties(defRPr=CharacterProperties(sz=800))
    return RichText(bodyPr=RichTextProperties(rot=degrees * 60_000, vert="horz"), p=[Paragraph(pPr=props)])
