"""The compliance sheets and the results.json `compliance` key, read back from a written workbook and file."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl

from reports.compliance import DETAIL_TITLE, NOT_APPLICABLE, compliance_sheets
from reports.excel import VERDICT_COLOURS, write_workbook
from reports.json_report import write_results_json
from tasks.models import Finding, HostRecord, RunInfo, RunResult, Severity, Verdict
from tasks.models.compliance import RuleResult

NTP_FAIL = RuleResult("ntp-servers", "ntp", "required", Verdict.FAIL, "no line matches", missing=("^ntp server",))
SNMP_WAIVED = RuleResult("snmp-no-community", "snmp", "forbidden", Verdict.WARN, "1 line", extra=("snmp-server c",),
                         waiver="waived for every device: legacy")  # fmt: skip
BANNER_OK = RuleResult("login-banner", "banner", "required", Verdict.PASS, "present")


def _run() -> RunResult:
    fail = Finding("rule:ntp-servers", Severity.BLOCKER, Verdict.FAIL, "no line matches")
    sw1 = HostRecord("sw1", "acme", "lon1", "os-a", findings=[fail], compliance=[NTP_FAIL, SNMP_WAIVED, BANNER_OK])
    sw2 = HostRecord("sw2", "acme", "lon1", "os-b", compliance=[BANNER_OK])
    audit = HostRecord("sw3", "acme", "lon1", "os-b")
    return RunResult(RunInfo("r1", "compliance", ["acme"], None, "2026-11-30T19:00:00+00:00"), [sw1, sw2, audit])


def test_the_compliance_sheet_is_a_coloured_device_by_rule_grid(tmp_path: Path) -> None:
    result = _run()
    write_workbook(result, tmp_path / "report.xlsx", compliance_sheets(result))
    book = openpyxl.load_workbook(tmp_path / "report.xlsx")
    ws = book["Compliance"]
    header = [c.value for c in ws[1]]
    rows = {r[0].value: {h: c for h, c in zip(header, r, strict=True)} for r in ws.iter_rows(min_row=2)}
    assert rows["sw1"]["ntp-servers"].value == "FAIL" and rows["sw1"]["Compliant"].value == "1/3"
    assert rows["sw2"]["ntp-servers"].value == NOT_APPLICABLE and rows["sw2"]["login-banner"].value == "PASS"
    assert rows["sw1"]["ntp-servers"].fill.fgColor.rgb.endswith(VERDICT_COLOURS[Verdict.FAIL][0])
    assert rows["sw1"]["snmp-no-community"].fill.fgColor.rgb.endswith(VERDICT_COLOURS[Verdict.WARN][0])
    assert rows["sw3"]["Compliant"].value is None  # not judged (an ERROR host, or a run before compliance)
    detail = list(book[DETAIL_TITLE].iter_rows(values_only=True))
    by_rule = {row[2]: row for row in detail[1:]}
    assert set(by_rule) == {"ntp-servers", "snmp-no-community"}  # a plain PASS has no detail row
    assert by_rule["ntp-servers"][7] == "^ntp server" and by_rule["snmp-no-community"][8] == "snmp-server c"
    assert "legacy" in by_rule["snmp-no-community"][9]


def test_results_json_has_a_compliance_list_only_for_compliance_records(tmp_path: Path) -> None:
    result = _run()
    write_results_json(result, tmp_path / "results.json")
    hosts = json.loads((tmp_path / "results.json").read_text())["hosts"]
    assert [r["rule"] for r in hosts["sw1"]["compliance"]] == ["ntp-servers", "snmp-no-community", "login-banner"]
    assert hosts["sw1"]["compliance"][0]["missing"] == ["^ntp server"]
    assert "compliance" not in hosts["sw3"]
    again = HostRecord.from_dict("sw1", hosts["sw1"])
    assert again.compliance == [NTP_FAIL, SNMP_WAIVED, BANNER_OK]


def test_merged_compliance_shards_keep_their_compliance_sheets() -> None:
    from workflows.merge import command_report

    sheets, go_no_go = command_report(_run())
    assert [s.title for s in sheets] == ["Compliance", DETAIL_TITLE] and not go_no_go
