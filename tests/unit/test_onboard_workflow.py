"""The onboarding run's own logic, without devices: what becomes of each row of the list, how the baseline runs'
records are combined into one per device, and the sheets of the onboarding workbook."""

from __future__ import annotations

from pathlib import Path

from reports.onboard import ListEntry, blockers_sheet, onboarding_sheet
from tasks.models import (
    Facts,
    Finding,
    HostRecord,
    OpticVerdict,
    RunInfo,
    RunResult,
    Severity,
    Support,
    Transceiver,
    Verdict,
)
from tasks.models.plan import UpgradePlan
from tasks.onboard.detect import Detection
from tasks.onboard.source import SourceRow
from workflows.onboard import LEFT_OUT, Baseline, _entries, combine
from workflows.run import RunOutcome


def _row(n: int, name: str, platform: str | None) -> SourceRow:
    return SourceRow(n, name, "192.0.2.1", 2200 + n, "lon1", "edge-fw", platform)


def test_each_row_is_added_kept_or_left_out_with_its_reason() -> None:
    rows = [_row(2, "fw1", "paloalto_panos"), _row(3, "sw1", None), _row(4, "sw2", None), _row(5, "fw2", "fortinet")]
    detected = {
        2: Detection("paloalto_panos"),
        3: Detection("cisco_ios"),
        4: Detection(None, "not detected: AuthError: login rejected for user 'x'"),
        5: Detection(None, "unreachable: 192.0.2.1:2205: Connection refused"),
    }
    entries = {e.name: e for e in _entries(rows, detected, known={"fw1"})}
    assert (entries["fw1"].inventory, entries["fw1"].platform_from) == ("already there", "list")
    assert (entries["sw1"].inventory, entries["sw1"].platform, entries["sw1"].platform_from) == (
        "added",
        "cisco_ios",
        "detected",
    )
    assert entries["sw2"].inventory == LEFT_OUT and "login rejected" in entries["sw2"].reason
    assert entries["fw2"].inventory == LEFT_OUT and entries["fw2"].platform == ""  # the list's platform, unreached


def _optic(port: str, verdict: Verdict) -> OpticVerdict:
    return OpticVerdict(Transceiver(port, "SFP+", "FS", "SFP-10GSR-85"), False, Support.NO, verdict, "third-party")


def _outcome(command: str, hosts: list[HostRecord]) -> RunOutcome:
    return RunOutcome(RunResult(RunInfo(f"r-{command}", command, ["c"], None, ""), hosts), Path(command), 0)


def test_the_baseline_records_combine_into_one_per_device() -> None:
    facts = Facts("fw1", "PA-850", "013201001234", "10.1.11")
    compliance = HostRecord(
        "fw1",
        "c",
        "lon1",
        "paloalto_panos",
        facts=facts,
        optics=[_optic("ethernet1/1", Verdict.WARN)],
        findings=[Finding("optic:ethernet1/1", Severity.WARNING, Verdict.WARN, "third-party"), Finding(
            "rule:ntp-servers", Severity.BLOCKER, Verdict.FAIL, "no NTP")],
        compliance=[],
    )  # fmt: skip
    pre = HostRecord(
        "fw1",
        "c",
        "lon1",
        "paloalto_panos",
        facts=facts,
        optics=[_optic("ethernet1/1", Verdict.FAIL)],
        findings=[Finding("optic:ethernet1/1", Severity.BLOCKER, Verdict.FAIL, "boot loop from 10.2")],
    )
    pre.plan = UpgradePlan("paloalto_panos", "PA-850", "10.1.11", "10.2.4-h4", (), Verdict.PASS)  # a pre-upgrade's
    backup_error = HostRecord("fw2", "c", "lon1", "fortinet", status="error", error_stage="connect", error="refused")
    fw2 = HostRecord("fw2", "c", "lon1", "fortinet", facts=Facts("fw2", "FortiGate-60F", "FGT60F", "7.2.6"))
    baseline = Baseline(
        backup=_outcome("backup", [backup_error]),
        compliance=_outcome("compliance", [compliance, fw2]),
        preupgrade=_outcome("pre-upgrade", [pre]),
    )
    records = {r.name: r for r in combine(baseline)}
    fw1 = records["fw1"]
    findings = {f.check: f for f in fw1.findings}
    assert findings["optic:ethernet1/1"].verdict is Verdict.FAIL  # the worse of the two judgements
    assert findings["rule:ntp-servers"].verdict is Verdict.FAIL  # compliance's own finding is kept
    assert [o.verdict for o in fw1.optics] == [Verdict.FAIL]  # judged against the target
    assert fw1.compliance == [] and fw1.plan is not None
    assert records["fw2"].status == "error" and records["fw2"].error == "refused"  # the backup could not reach it
    assert records["fw2"].facts is not None  # what compliance found is still shown


def test_the_onboarding_sheet_shows_what_was_found_and_why_a_device_is_missing() -> None:
    host = HostRecord(
        "fw1",
        "c",
        "lon1",
        "paloalto_panos",
        facts=Facts("fw1", "PA-850", "SER1", "10.1.11"),
        optics=[_optic("ethernet1/1", Verdict.WARN), _optic("ethernet1/2", Verdict.WARN)],
    )
    entries = [
        ListEntry(2, "fw1", "192.0.2.1", 22, "lon1", "edge-fw", "paloalto_panos", "detected", "added"),
        ListEntry(3, "fw2", "192.0.2.2", 22, "lon1", "edge-fw", "", "", LEFT_OUT, "unreachable: refused"),
    ]
    sheet = onboarding_sheet(entries, {"fw1": host})
    rows = [dict(zip(sheet.headers, row, strict=True)) for row in sheet.rows]
    assert (rows[0]["Model"], rows[0]["Serial"], rows[0]["Optics"], rows[0]["Third-party optics"]) == (
        "PA-850",
        "SER1",
        2,
        2,
    )
    assert (rows[1]["Verdict"], rows[1]["Reason"]) == ("ERROR", "unreachable: refused")


def test_the_blockers_sheet_has_a_go_row_or_one_row_per_blocker() -> None:
    info = RunInfo("r", "pre-upgrade", ["c"], "10.2.4-h4", "")
    go = HostRecord("fw1", "c", "lon1", "paloalto_panos", findings=[Finding("disk", Severity.INFO, Verdict.PASS, "")])
    nogo = HostRecord(
        "fw2",
        "c",
        "lon1",
        "paloalto_panos",
        findings=[
            Finding("optic:ethernet1/1", Severity.BLOCKER, Verdict.FAIL, "boot loop"),
            Finding("ha", Severity.BLOCKER, Verdict.FAIL, "peer not in sync"),
            Finding("content", Severity.WARNING, Verdict.WARN, "old content"),
        ],
    )
    sheet = blockers_sheet(RunResult(info, [go, nogo]), info.target)
    decisions = [(row[0], row[5], row[6]) for row in sheet.rows]
    assert decisions == [("fw1", "GO", None), ("fw2", "NO-GO", "optic:ethernet1/1"), ("fw2", "NO-GO", "ha")]
