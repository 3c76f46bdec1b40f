"""The Upgrade sheet and an upgrade run's Summary, read back with openpyxl."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl

from reports.excel import write_workbook
from reports.junit import junit_tree
from reports.upgrade import (
    EXECUTED_HEADERS,
    FAILED_SKIPPED_TITLE,
    NONE_FAILED_SKIPPED,
    NONE_SKIPPED,
    SKIPPED_TITLE,
    UPGRADE_HEADERS,
    upgrade_sheet,
    upgrade_summary,
)
from tasks.models import Facts, HostRecord, RunInfo, RunResult
from tasks.models.upgrade import DeviceUpgrade, StepKind, StepResult, UpgradeStatus, UpgradeStep
from workflows.upgrade import upgrade_findings
from workflows.upgrade_execute import executed_findings


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


def _executed_host(name: str, site: str, upgrade: DeviceUpgrade, version: str = "1.0") -> HostRecord:
    facts = Facts(model="PA-3250", version=version, serial="S1", hostname=name)
    return HostRecord(name, "acme", site, "os", facts=facts, upgrade=upgrade, findings=executed_findings(upgrade))


_OK = dict(started="2026-11-30T12:00:00+00:00", finished="2026-11-30T12:01:00+00:00", result=StepResult.OK)
DONE = (
    replace(STEPS[0], **_OK, message="job 12 FIN OK"),
    replace(STEPS[1]),  # the --force re-check, SKIPPED with its message
    replace(STEPS[2], **_OK, message="job 13 FIN OK"),
)
BROKEN = (
    replace(STEPS[0], **_OK, message="job 12 FIN OK"),
    replace(STEPS[1], result=StepResult.FAILED, message="stopped before booting 1.1: ethernet1/1 (FS SFP-10G)",
            started="2026-11-30T12:01:00+00:00", finished="2026-11-30T12:01:05+00:00"),
    replace(STEPS[2], result=StepResult.NOT_REACHED),
)  # fmt: skip
FAILED_REASON = "hop 1 (1.0 → 1.1), re-check known issues: stopped before booting 1.1: ethernet1/1 (FS SFP-10G)"
EXECUTED = RunResult(
    RunInfo("r", "upgrade", ["acme"], "2.0", "2026-11-30T12:00:00+00:00"),
    [
        _executed_host("fw1", "lon1", DeviceUpgrade(UpgradeStatus.UPGRADED, wave=1, steps=DONE)),
        _executed_host("fw2", "lon1", DeviceUpgrade(UpgradeStatus.FAILED, wave=2, steps=BROKEN, reason=FAILED_REASON)),
        _executed_host("fw3", "lon1", DeviceUpgrade(UpgradeStatus.NOT_REACHED, wave=3, reason="not reached: fw2 failed",
                       steps=tuple(replace(s, result=StepResult.NOT_REACHED) for s in STEPS))),
        _executed_host("fw4", "lon1", DeviceUpgrade(UpgradeStatus.SKIPPED, reason="NO-GO: known_issue: FS optic")),
        _executed_host("fw5", "par1", DeviceUpgrade(UpgradeStatus.UPGRADED, wave=1, steps=DONE)),
        _executed_host("fw6", "par1", DeviceUpgrade(UpgradeStatus.SKIPPED, reason="already on 2.0"), version="2.0"),
    ],
)  # fmt: skip


def test_executed_upgrade_sheet_shows_times_results_and_the_steps_own_messages(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    write_workbook(EXECUTED, path, [upgrade_sheet(EXECUTED)], summary=upgrade_summary(EXECUTED))
    rows = {(r[0], r[4], r[5]): r for r in _rows(path, "Upgrade")[1:]}
    ok = rows[("fw1", "1: 1.0 → 1.1", "install")]
    assert ok[7:] == ("2026-11-30T12:00:00+00:00", "2026-11-30T12:01:00+00:00", "OK", "job 12 FIN OK")
    failed = rows[("fw2", "1: 1.0 → 1.1", "re-check known issues")]
    assert failed[9:] == ("FAILED", "stopped before booting 1.1: ethernet1/1 (FS SFP-10G)")
    not_reached = rows[("fw2", "2: 1.1 → 2.0", "install")]  # not taken: what would have ended it
    assert not_reached[7:] == (None, None, "NOT REACHED", "job FIN OK")
    assert rows[("fw1", "1: 1.0 → 1.1", "re-check known issues")][9:] == ("SKIPPED", "not re-checked: --force")
    assert rows[("fw4", None, None)][9:] == ("SKIPPED", "NO-GO: known_issue: FS optic")


def test_executed_summary_counts_upgraded_skipped_failed_not_reached_and_lists_failed_then_skipped(
    tmp_path: Path,
) -> None:
    path = tmp_path / "report.xlsx"
    write_workbook(EXECUTED, path, [upgrade_sheet(EXECUTED)], summary=upgrade_summary(EXECUTED))
    rows = _rows(path, "Summary")
    assert rows[0][-4:] == EXECUTED_HEADERS == ("Upgraded", "Skipped", "Failed", "Not reached")
    by_site = {(r[0], r[1]): r[-4:] for r in rows[1:3]}
    assert by_site == {("acme", "lon1"): (1, 1, 1, 1), ("acme", "par1"): (1, 1, 0, 0)}
    assert rows[3][0] == "Total" and rows[3][-4:] == (2, 2, 1, 1)
    title = next(i for i, r in enumerate(rows) if r[0] == FAILED_SKIPPED_TITLE)
    listed = [(r[0], r[5]) for r in rows[title + 2 : title + 5]]
    assert listed == [
        ("fw2", f"FAILED: {FAILED_REASON}"),
        ("fw4", "SKIPPED: NO-GO: known_issue: FS optic"),
        ("fw6", "SKIPPED: already on 2.0"),
    ]


def test_executed_summary_with_nothing_failed_or_skipped_says_so_and_a_dry_run_keeps_its_columns() -> None:
    clean = RunResult(EXECUTED.run, [EXECUTED.hosts[0], EXECUTED.hosts[4]])
    data = upgrade_summary(clean)
    assert data.blockers == [] and data.empty_text == NONE_FAILED_SKIPPED
    assert data.total[-4:] == (2, 0, 0, 0)
    assert upgrade_summary(RESULT).headers[-2:] == ("To upgrade", "Skipped")  # no device walked: a dry run
