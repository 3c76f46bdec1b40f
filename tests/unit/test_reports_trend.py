"""The Trend sheet: the percentage table, a line chart with one series per customer, and the changes below."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
from openpyxl import Workbook

from reports.trend import CHANGES_TITLE, add_trend_sheet, trend_table, write_trend_sheet
from tasks.models.history import Comparison, HostFinding, TrendPoint
from tests.history_cases import F, W


def point(run_id: str, day: int, passed: int, judged: int) -> TrendPoint:
    return TrendPoint(run_id, datetime(2026, 11, day, 10, 0, tzinfo=timezone.utc), passed, judged)


C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
SERIES_TITLES = f".//{C}lineChart/{C}ser/{C}tx/{C}strRef/{C}f"  # the cell naming each line
TREND = {
    "acme": [point("r1", 1, 1, 2), point("r3", 3, 3, 4), point("r4", 4, 4, 4)],
    "globex": [point("r1", 1, 0, 2), point("r4", 4, 1, 2)],
    "initech": [point("r2", 2, 9, 10)],
}
CHANGES = {
    "globex": Comparison(
        new=[HostFinding("g-fw2", "banner", W, "no banner")],
        fixed=[HostFinding("g-fw1", "ntp", F, "no ntp")],
        still_failing=[HostFinding("g-fw1", "snmp", F, "v2c on")],
    )
}


def chart_series(path: Path) -> list[list[str]]:
    """The series of each chart in the saved workbook (openpyxl does not read charts back: read the XML)."""
    with zipfile.ZipFile(path) as archive:
        charts = sorted(n for n in archive.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        return [[f.text or "" for f in ElementTree.fromstring(archive.read(n)).iterfind(SERIES_TITLES)] for n in charts]


def test_trend_table_has_a_row_per_run_and_a_column_per_customer() -> None:
    spec = trend_table(TREND)
    assert spec.headers == ("Run", "Started (UTC)", "acme", "globex", "initech")
    assert [tuple(row) for row in spec.rows] == [
        ("r1", "2026-11-01 10:00", 50.0, 0.0, None),
        ("r2", "2026-11-02 10:00", None, None, 90.0),
        ("r3", "2026-11-03 10:00", 75.0, None, None),
        ("r4", "2026-11-04 10:00", 100.0, 50.0, None),
    ]


def test_trend_sheet_opens_with_a_line_chart_of_one_series_per_customer(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)
    write_trend_sheet(workbook, TREND, CHANGES)
    path = tmp_path / "trend.xlsx"
    workbook.save(path)
    ws = openpyxl.load_workbook(path)["Trend"]
    assert ws["C1"].value == "acme" and ws["C5"].value == 100.0
    assert chart_series(path) == [["'Trend'!C1", "'Trend'!D1", "'Trend'!E1"]]
    rows = [tuple(c.value for c in row) for row in ws.iter_rows(min_row=8)]
    assert rows[0][0] == CHANGES_TITLE
    assert rows[2:] == [
        ("globex", "g-fw2", "banner", "new", "WARN", "no banner"),
        ("globex", "g-fw1", "ntp", "fixed", "FAIL", "no ntp"),
        ("globex", "g-fw1", "snmp", "still failing", "FAIL", "v2c on"),
    ]


def test_add_trend_sheet_to_a_written_report(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    workbook = Workbook()
    workbook.active.title = "Summary"
    workbook.save(path)
    add_trend_sheet(path, {"acme": TREND["acme"]})
    assert openpyxl.load_workbook(path).sheetnames == ["Summary", "Trend"]
    assert chart_series(path) == [["'Trend'!C1"]]
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left beside it


def test_an_empty_trend_has_no_chart(tmp_path: Path) -> None:
    workbook = Workbook()
    write_trend_sheet(workbook, {})
    path = tmp_path / "empty.xlsx"
    workbook.save(path)
    assert chart_series(path) == []
