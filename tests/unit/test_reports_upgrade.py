"""The Upgrade sheet and an upgrade run's Summary, read back with openpyxl."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from reports.excel import write_workbook
from reports.junit import junit_tree
from reports.upgrade import NONE_SKIPPED, SKIPPED_TITLE, UPGRADE_HEADERS, upgrade_sheet, upgrade_summary
from tasks.models import HostRecord, RunInfo, RunResult
from tasks.models.upgrade import DeviceUpgrade, StepKind, StepResult, UpgradeStatus, UpgradeStep
from workflows.upgrade import upgrade_findings


def _host(name: str, site: str, upgrade: DeviceUpgrade) -> HostRecord:
    return HostRecord(name, "acme", site, "os", upgrade=upgrade, findings=upgrade_findings(upgrade))


STEPS = (
    UpgradeStep(1, "1.0", "1.1", StepKind.INSTALL, "install 1.1", "job FIN OK"),
    UpgradeStep(1, "1.0", "1.1", StepKind.RECHECK, "show optics", "no issue", result=StepResult.SKIPPED,
                message="not re-checked: --force"),
    UpgradeStep(2, "1.1", "2.0", StepKind.INSTALL, "install 2.0", "job FIN OK"),
)  # fmt: skip
RESULT = RunResult(
    RunInfo("r", "upgrade", ["acme"], "2.0", "2026-11-30T12:00:00+00:00"),
    [
        _host("fw2", "lon1", DeviceUpgrade(UpgradeStatus.DRY_RUN, wave=2, steps=STEPS)),
        _host("fw1", "lon1", DeviceUpgrade(UpgradeStatus.DRY_RUN, wave=1, steps=STEPS[:1])),
        _host("fw3", "lon1", DeviceUpgrade(UpgradeStatus.SKIPPED, reason="NO-GO: ntp_sync: not synchronised")),
        _host("fw4", "par1", DeviceUpgrade(UpgradeStatus.DRY_RUN, wave=1, steps=STEPS[:1])),
    ],
)


def _rows(path: Path, title: str) -> list[tuple[object, ...]]:
    return list(openpyxl.load_workbook(path, read_only=True)[title].iter_rows(values_only=True))


def test_upgrade_sheet_rows_in_wave_order_with_dry_run_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    write_workbook(RESULT, path, [upgrade_sheet(RESULT)], summary=upgrade_summary(RESULT))
    rows = _rows(path, "Upgrade")
    assert rows[0] == UPGRADE_HEADERS
    assert [(r[0], r[3], r[4], r[9]) for r in rows[1:]] == [
        ("fw3", None, None, "SKIPPED"),
        ("fw1", 1, "1: 1.0 → 1.1", "DRY-RUN"),
        ("fw2", 2, "1: 1.0 → 1.1", "DRY-RUN"),
        ("fw2", 2, "1: 1.0 → 1.1", "SKIPPED"),
        ("fw2", 2, "2: 1.1 → 2.0", "DRY-RUN"),
        ("fw4", 1, "1: 1.0 → 1.1", "DRY-RUN"),
    ]
    assert rows[1][10] == "NO-GO: ntp_sync: not synchronised"
    assert rows[4][10] == "not re-checked: --force" and rows[2][10] == "job FIN OK"
    assert all(r[7] is None and r[8] is None for r in rows[1:])  # dry run: no Started / Finished


def test_summary_counts_to_upgrade_and_skipped_per_site_and_lists_the_skipped(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    write_workbook(RESULT, path, [upgrade_sheet(RESULT)], summary=upgrade_summary(RESULT))
    rows = _rows(path, "Summary")
    header = rows[0]
    assert header[-2:] == ("To upgrade", "Skipped")
    by_site = {(r[0], r[1]): r for r in rows[1:4]}
    assert by_site[("acme", "lon1")][-2:] == (2, 1) and by_site[("acme", "par1")][-2:] == (1, 0)
    assert rows[3][0] == "Total" and rows[3][-2:] == (3, 1)
    title = next(i for i, r in enumerate(rows) if r[0] == SKIPPED_TITLE)
    assert rows[title + 2][0] == "fw3" and rows[title + 2][5] == "NO-GO: ntp_sync: not synchronised"
    clean = RunResult(RESULT.run, RESULT.hosts[:2])
    write_workbook(clean, path, summary=upgrade_summary(clean))
    assert any(r[0] == NONE_SKIPPED for r in _rows(path, "Summary"))


def test_junit_has_a_testcase_per_device_and_hop() -> None:
    root = junit_tree(RESULT)
    suites = {s.get("name"): [c.get("name") for c in s.iter("testcase")] for s in root.iter("testsuite")}
    assert suites["fw2"] == ["hop 1: 1.0 → 1.1", "hop 2: 1.1 → 2.0"]
    assert suites["fw3"] == ["upgrade"]
    assert root.find("testsuite[@name='fw3']/testcase/skipped") is not None
