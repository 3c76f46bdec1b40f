"""The workbook as printed and looked at: page setup of every sheet (normal and streamed), the Summary's chart of
verdicts per site, and its blocker reasons, action first, with the full text kept on Findings."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from openpyxl.chart import BarChart
from openpyxl.worksheet.worksheet import Worksheet

from reports.cellsize import MAX_WIDTH
from reports.excel import SUMMARY_TITLE, write_workbook
from reports.replacements import replacements_sheet
from reports.summary import BLOCKERS_TITLE, SUMMARY_VERDICTS
from tests.unit.test_reports_replacements import FAST_LOADER, MATRICES, fixture_run, matrices

STORY_LESSON = MATRICES / "local" / "story-field-report.yaml"


@pytest.fixture(scope="module", params=[False, True], ids=["normal", "streamed"])
def workbook(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = fixture_run()
    path = tmp_path_factory.mktemp("print") / "report.xlsx"
    write_workbook(
        result, path, [replacements_sheet(result, matrices())], matrices=matrices(), write_only=request.param
    )
    return path


def test_every_sheet_prints_landscape_one_page_wide_with_its_header_repeated(workbook: Path) -> None:
    wb = load_workbook(workbook)
    assert len(wb.worksheets) == 6
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert (setup.orientation, setup.fitToWidth, setup.fitToHeight) == ("landscape", 1, 0), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        # The Summary holds three blocks (sites, blockers, run): repeating the site table's header would put it
        # over the blockers on page 2. Every table sheet repeats its header row.
        titles = (ws.print_title_rows or "").replace("$", "")
        assert titles == ("" if ws.title == SUMMARY_TITLE else "1:1"), ws.title
        widths = [d.width for d in ws.column_dimensions.values() if d.width]
        assert widths and max(widths) <= MAX_WIDTH, ws.title


def test_long_reasons_wrap_in_their_capped_column_and_the_row_is_tall_enough(workbook: Path) -> None:
    ws = load_workbook(workbook)["Transceivers"]
    header = [c.value for c in ws[1]]
    reason = header.index("Reason") + 1
    width = ws.column_dimensions[chr(ord("A") + reason - 1)].width
    long_rows = [row for row in range(2, ws.max_row + 1) if len(str(ws.cell(row, reason).value or "")) > width * 2]
    assert long_rows  # the story's blocker reasons are long
    for row in long_rows:
        assert ws.cell(row, reason).alignment.wrap_text
        height = ws.row_dimensions[row].height
        assert height is not None and height >= 2 * 15, row


def _summary_rows(ws: Worksheet) -> list[tuple[object, ...]]:
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def test_the_summary_has_a_stacked_chart_of_verdicts_per_site_that_covers_no_cell(workbook: Path) -> None:
    ws = load_workbook(workbook)[SUMMARY_TITLE]
    charts = ws._charts
    assert len(charts) == 1 and isinstance(charts[0], BarChart)
    chart = charts[0]
    assert chart.grouping == "stacked" and chart.type == "col"
    assert chart.title is not None and chart.x_axis.title is not None and chart.y_axis.title is not None
    rows = _summary_rows(ws)
    header = rows[0]
    sites = len({(h.customer, h.site) for h in fixture_run().hosts})
    assert rows[sites + 1][0] == "Total"
    series = {s.tx.strRef.f.replace("$", "").split("!")[1]: s.val.numRef.f.replace("$", "") for s in chart.series}
    expected = {}
    for verdict in SUMMARY_VERDICTS:
        column = chr(ord("A") + header.index(verdict.value))
        expected[f"{column}1"] = f"'{SUMMARY_TITLE}'!{column}2:{column}{sites + 1}"  # the sites, not the total
    assert series == expected
    top = chart.anchor._from.row + 1  # 0-based in the drawing
    blockers_title = next(i for i, r in enumerate(rows, start=1) if r[0] == BLOCKERS_TITLE)
    assert sites + 2 < top and all(v is None for r in rows[top - 1 : blockers_title - 1] for v in r)
    assert chart.height / 0.529 < blockers_title - top  # the rows it spans (15 pt = 0.529 cm) stay empty


def test_summary_blockers_say_the_action_first_and_findings_keep_the_full_text(workbook: Path) -> None:
    wb = load_workbook(workbook)
    rows = _summary_rows(wb[SUMMARY_TITLE])
    title = next(i for i, r in enumerate(rows) if r[0] == BLOCKERS_TITLE)
    reasons = {r[0]: r[5] for r in rows[title + 2 :] if r[0] and r[5]}
    lesson = yaml.load(STORY_LESSON.read_text(encoding="utf-8"), Loader=FAST_LOADER)["known_issues"][0]
    assert lesson["source"]["kind"] == "field-report"
    why = lesson["title"][0].lower() + lesson["title"][1:]
    first = "replace ethernet1/13 AFBR-5710PZ (AVAGO, third-party) and 1 more optic"  # ethernet1/15 fails too
    assert reasons["acme-lon1-fw01"] == f"{first}: {why} (field report)"
    assert reasons["acme-par1-fw01"].startswith("replace ethernet1/3 AFBR-5710PZ (AVAGO, third-party): ")
    assert set(reasons) == {"acme-lon1-fw01", "acme-lon1-fw02", "acme-par1-fw01"}  # the PAN-OS FAILs only
    findings = [r for r in wb["Findings"].iter_rows(min_row=2, values_only=True) if r[0] == "acme-lon1-fw01"]
    message = " ".join(lesson["message"].split())
    assert any(r[3] == "FAIL" and message in " ".join(str(r[4]).split()) for r in findings)
