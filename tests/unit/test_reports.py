"""Tests for reports/: run folder names, atomic writes, journal, results.json, junit.xml and report.xlsx."""

from __future__ import annotations

import json
import re
import threading
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from reports.excel import STANDARD_TITLES, VERDICT_COLOURS, write_workbook
from reports.json_report import write_results_json
from reports.junit import write_junit
from reports.runfolder import (
    Journal,
    atomic_path,
    atomic_write_text,
    make_run_dir,
    read_journal,
    read_run,
    run_id,
)
from reports.sheets import (
    DEVICES_HEADERS,
    ERRORS_HEADERS,
    FINDINGS_HEADERS,
    TRANSCEIVERS_HEADERS,
    SheetSpec,
    target_for,
)
from reports.summary import BLOCKERS_HEADERS, BLOCKERS_TITLE, NO_BLOCKERS, SITES_HEADERS
from tasks.errors import UsageError
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
from tasks.models.plan import Download, Hop, UpgradePlan
from tasks.models.snapshot import OpticState, Snapshot

INJECTION = '=HYPERLINK("http://evil")'


def optic(port: str, vendor: str, oem: bool, supported: Support, verdict: Verdict, reason: str) -> OpticVerdict:
    part = "PAN-SFP-PLUS-SR" if oem else "FTLX8571D3BCL"
    return OpticVerdict(Transceiver(port, "10GBASE-SR", vendor, part, f"S-{port}"), oem, supported, verdict, reason)


def finding(check: str, verdict: Verdict, severity: Severity = Severity.INFO, message: str = "ok") -> Finding:
    return Finding(check, severity, verdict, message)


def host(name: str, customer: str, site: str, **kwargs: Any) -> HostRecord:
    facts = Facts(hostname=name, model="PA-5220", serial=f"SN-{name}", version="9.1.14")
    return HostRecord(name=name, customer=customer, site=site, platform="paloalto_panos", facts=facts, **kwargs)


def build_result() -> RunResult:
    """Two customers, three sites; PASS, WARN, FAIL (blocker), FAIL (not a blocker) and ERROR devices."""
    ok = Support.YES
    hosts = [
        # given out of order on purpose: every output must sort by customer, site, device, port
        host(
            "acme-par1-fw01",
            "acme",
            "par1",
            optics=[
                optic("ethernet1/10", "OEM", True, ok, Verdict.PASS, "supported"),
                optic("ethernet1/2", "FINISAR CORP.", False, Support.NO, Verdict.FAIL, "third-party on 10.2"),
            ],
            findings=[
                finding("optic-support", Verdict.FAIL, Severity.BLOCKER, "ethernet1/2: non-OEM optic, boot loop"),
                finding("optic-support", Verdict.FAIL, Severity.BLOCKER, "second blocker, not shown"),
                finding("ha-state", Verdict.SKIPPED, message="standalone"),
            ],
        ),
        host(
            "acme-lon1-fw10",
            "acme",
            "lon1",
            optics=[optic("ethernet1/1", "FINISAR CORP.", False, Support.WAIVED, Verdict.WARN, INJECTION)],
            findings=[finding("optic-support", Verdict.WARN, Severity.WARNING, "waived until 2030-01-01")],
        ),
        host(
            "acme-lon1-fw2",
            "acme",
            "lon1",
            optics=[optic("ethernet1/1", "OEM", True, ok, Verdict.PASS, "supported")],
            findings=[finding("optic-support", Verdict.PASS)],
        ),
        HostRecord(
            name="globex-nyc1-fw01",
            customer="globex",
            site="nyc1",
            platform="fortinet",
            status="error",
            error_stage="connect",
            error="timed out after 30s\x00\x1b",
        ),
        host(
            "globex-nyc1-sw01",
            "globex",
            "nyc1",
            findings=[finding("software", Verdict.FAIL, Severity.WARNING, "release not approved")],
        ),
        host("globex-nyc1-sw02", "globex", "nyc1"),
    ]
    run = RunInfo(
        id="20240501T093005Z-audit-all",
        command="audit",
        customers=["acme", "globex"],
        target="10.2.9",
        started="2024-05-01T09:30:05Z",
        finished="2024-05-01T09:31:40Z",
        estate_version="0.1.0",
    )
    return RunResult(run, hosts)


@pytest.fixture
def result() -> RunResult:
    return build_result()


@pytest.fixture
def xlsx(result: RunResult, tmp_path: Path) -> Path:
    path = tmp_path / "report.xlsx"
    write_workbook(result, path)
    return path


def rows_of(ws: Worksheet) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in ws.iter_rows(min_row=2, values_only=True)]


def column(ws: Worksheet, header: str) -> list[Any]:
    headers = [c.value for c in ws[1]]
    index = headers.index(header)
    return [row[index] for row in rows_of(ws)]


# --- run folder -------------------------------------------------------------------------------------------


def test_run_id_is_utc_stamp_command_and_customers() -> None:
    local = datetime(2024, 5, 1, 11, 30, 5, tzinfo=timezone(timedelta(hours=2)))
    assert run_id(local, "audit", ["globex", "acme", "acme"]) == "20240501T093005Z-audit-acme+globex"
    assert run_id(local, "pre-upgrade", ["acme"], every_customer=True) == "20240501T093005Z-pre-upgrade-all"
    assert run_id(local, "audit", []).endswith("-audit-all")
    assert run_id(local, "audit", ["all"]).endswith("-audit-all")
    odd = run_id(local, "audit", ["Big Co/EU", "x+y"])
    assert re.fullmatch(r"\d{8}T\d{6}Z-audit-[A-Za-z0-9._+-]+", odd)
    assert odd.endswith("-Big_Co_EU+x_y")


def test_run_id_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        run_id(datetime(2024, 5, 1), "audit", ["acme"])


def test_make_run_dir_adds_a_suffix_when_taken(tmp_path: Path) -> None:
    out = tmp_path / "output"
    made = [make_run_dir(out, "20240501T093005Z-audit-all") for _ in range(3)]
    assert [p.name for p in made] == [
        "20240501T093005Z-audit-all",
        "20240501T093005Z-audit-all-2",
        "20240501T093005Z-audit-all-3",
    ]
    assert all(p.is_dir() for p in made)


def test_atomic_write_replaces_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    atomic_write_text(target, "old")
    atomic_write_text(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_atomic_path_keeps_the_old_file_when_the_writer_fails(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    target.write_text("complete old report")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half a wor")
        raise RuntimeError("writer crashed")
    assert target.read_text() == "complete old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_journal_keeps_one_line_per_host_across_threads(result: RunResult, tmp_path: Path) -> None:
    records = result.hosts * 20
    with Journal.in_run_dir(tmp_path, fsync=False) as journal:
        threads = [threading.Thread(target=journal.append, args=(r,)) for r in records]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    lines = (tmp_path / "journal.jsonl").read_text().splitlines()
    assert len(lines) == len(records)
    entries = [json.loads(line) for line in lines]
    assert Counter(e["name"] for e in entries) == Counter(r.name for r in records)
    assert {e["verdict"] for e in entries} == {r.verdict.value for r in records}


def test_journal_lines_are_written_at_once_and_fsynced_at_most_every_interval(
    result: RunResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each line is in the file as soon as it is appended (a killed run keeps it); a burst of lines shares one
    fsync per JOURNAL_SYNC_S, a line after a quiet spell is synced at once, and close syncs what is left."""
    import reports.runfolder as runfolder

    clock = [100.0]
    synced: list[int] = []  # the number of lines in the file at each fsync
    path = tmp_path / "journal.jsonl"
    monkeypatch.setattr(runfolder.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(runfolder.os, "fsync", lambda fd: synced.append(len(path.read_text().splitlines())))
    journal = Journal.in_run_dir(tmp_path)
    for n in range(1, 11):  # ten lines within 0.1 s
        journal.append(result.hosts[0])
        assert len(path.read_text().splitlines()) == n
        clock[0] += 0.01
    assert synced == [1]  # the first at once, the nine after it wait for the interval
    clock[0] += runfolder.JOURNAL_SYNC_S
    journal.append(result.hosts[0])
    assert synced == [1, 11]  # the interval has passed: this fsync covers the nine before it too
    journal.append(result.hosts[0])
    journal.close()
    assert synced == [1, 11, 12]  # close syncs the line still waiting


def test_read_journal_ignores_a_last_line_cut_by_a_crash(result: RunResult, tmp_path: Path) -> None:
    with Journal.in_run_dir(tmp_path) as journal:
        for record in result.hosts[:2]:
            journal.append(record)
    with (tmp_path / "journal.jsonl").open("a") as handle:
        handle.write('{"name": "half')
    assert [e["name"] for e in read_journal(tmp_path / "journal.jsonl")] == [h.name for h in result.hosts[:2]]


# --- results.json -----------------------------------------------------------------------------------------


def test_results_json_has_the_contract_shape(result: RunResult, tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    write_results_json(result, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data) == {"run", "hosts"}
    run_keys = {"id", "command", "customers", "target", "started", "finished", "shard", "estate_version"}
    assert set(data["run"]) == run_keys
    assert set(data["hosts"]) == {h.name for h in result.hosts}
    host_keys = {
        "customer",
        "site",
        "platform",
        "status",
        "error",
        "verdict",
        "facts",
        "transceivers",
        "findings",
        "snapshot",
        "plan",
    }
    for name, entry in data["hosts"].items():
        assert host_keys <= set(entry), name
    by_name = {h.name: h for h in result.hosts}
    assert {n: e["verdict"] for n, e in data["hosts"].items()} == {n: h.verdict.value for n, h in by_name.items()}
    failed = data["hosts"]["acme-par1-fw01"]
    assert set(failed["transceivers"][0]) == {
        "port",
        "type",
        "vendor",
        "part",
        "serial",
        "oem",
        "supported",
        "verdict",
        "reason",
    }
    assert set(failed["findings"][0]) == {"check", "severity", "verdict", "message"}
    assert data["hosts"]["globex-nyc1-fw01"]["status"] == "error"
    assert data["hosts"]["globex-nyc1-fw01"]["error"].startswith("connect: timed out")


def test_results_json_lists_hosts_in_natural_name_order(result: RunResult, tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    write_results_json(result, path)
    names = list(json.loads(path.read_text())["hosts"])
    assert names == [
        "acme-lon1-fw2",
        "acme-lon1-fw10",
        "acme-par1-fw01",
        "globex-nyc1-fw01",
        "globex-nyc1-sw01",
        "globex-nyc1-sw02",
    ]


# --- junit.xml --------------------------------------------------------------------------------------------


def test_junit_has_one_suite_per_device_and_the_right_counts(result: RunResult, tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    write_junit(result, path)
    root = ET.parse(path).getroot()
    suites = root.findall("testsuite")
    assert root.tag == "testsuites"
    assert sorted(s.get("name", "") for s in suites) == sorted(h.name for h in result.hosts)

    findings = [f for h in result.hosts for f in h.findings]
    error_hosts = [h for h in result.hosts if h.status == "error"]
    empty_ok_hosts = [h for h in result.hosts if h.status == "ok" and not h.findings]
    expected = {
        "tests": len(findings) + len(error_hosts) + len(empty_ok_hosts),
        "failures": sum(f.verdict is Verdict.FAIL for f in findings),
        "errors": sum(f.verdict is Verdict.ERROR for f in findings) + len(error_hosts),
        "skipped": sum(f.verdict is Verdict.SKIPPED for f in findings),
    }
    assert {k: int(root.get(k, "-1")) for k in expected} == expected
    assert expected["failures"] == 3 and expected["errors"] == 1 and expected["skipped"] == 1
    for key in expected:
        assert sum(int(s.get(key, "-1")) for s in suites) == expected[key]


def test_junit_cases_carry_device_context_and_verdicts(result: RunResult, tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    write_junit(result, path)
    suites = {s.get("name"): s for s in ET.parse(path).getroot().findall("testsuite")}

    blocked = suites["acme-par1-fw01"]
    props = {p.get("name"): p.get("value") for p in blocked.iter("property")}
    assert props == {"customer": "acme", "site": "par1", "platform": "paloalto_panos"}
    cases = blocked.findall("testcase")
    assert {c.get("classname") for c in cases} == {"acme.par1.acme-par1-fw01"}
    assert [c.get("name") for c in cases] == ["optic-support", "optic-support", "ha-state"]
    failure = cases[0].find("failure")
    assert failure is not None and failure.get("message") == "ethernet1/2: non-OEM optic, boot loop"

    warned = suites["acme-lon1-fw10"].find("testcase")
    assert warned is not None and warned.find("failure") is None
    out = warned.findtext("system-out") or ""
    assert out.startswith("WARN") and "waived until 2030-01-01" in out

    down = suites["globex-nyc1-fw01"].findall("testcase")
    assert [c.get("name") for c in down] == ["connect"]
    error = down[0].find("error")
    assert error is not None and error.get("message") == "timed out after 30s"  # control bytes dropped


# --- report.xlsx ------------------------------------------------------------------------------------------


def test_workbook_sheets_come_in_contract_order_with_exact_headers(xlsx: Path) -> None:
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["Summary", "Devices", "Transceivers", "Findings", "Errors"]
    headers = {ws.title: tuple(c.value for c in ws[1]) for ws in wb.worksheets}
    assert headers == {
        "Summary": SITES_HEADERS,
        "Devices": DEVICES_HEADERS,
        "Transceivers": TRANSCEIVERS_HEADERS,
        "Findings": FINDINGS_HEADERS,
        "Errors": ERRORS_HEADERS,
    }
    assert DEVICES_HEADERS == (
        "Device",
        "Customer",
        "Site",
        "Platform",
        "Model",
        "Serial",
        "Version",
        "Target",
        "Verdict",
        "Findings",
    )
    assert TRANSCEIVERS_HEADERS == (
        "Device",
        "Customer",
        "Site",
        "Port",
        "Type",
        "Vendor",
        "Part number",
        "Serial",
        "OEM",
        "Supported",
        "Verdict",
        "Reason",
    )
    assert FINDINGS_HEADERS == ("Device", "Check", "Severity", "Verdict", "Message")
    assert ERRORS_HEADERS == ("Device", "Stage", "Error")
    assert SITES_HEADERS == ("Customer", "Site", "Devices", "PASS", "WARN", "FAIL", "ERROR", "SKIPPED")


def test_every_sheet_has_a_bold_frozen_filtered_header(xlsx: Path) -> None:
    wb = load_workbook(xlsx)
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        assert all(c.font.bold and c.fill.fill_type == "solid" for c in ws[1]), ws.title
    data_sheets = [ws for ws in wb.worksheets if ws.title != "Summary"]
    for ws in data_sheets:
        assert ws.auto_filter.ref.endswith(str(ws.max_row)), ws.title


def test_verdict_cells_are_coloured(xlsx: Path) -> None:
    ws = load_workbook(xlsx)["Devices"]
    verdict_col = DEVICES_HEADERS.index("Verdict") + 1
    fills = {}
    for row in range(2, ws.max_row + 1):
        cell = ws.cell(row=row, column=verdict_col)
        fills[cell.value] = cell.fill.fgColor.rgb[-6:]
    assert fills["FAIL"] == VERDICT_COLOURS[Verdict.FAIL][0] == "FFC7CE"
    assert fills["PASS"] == VERDICT_COLOURS[Verdict.PASS][0]
    assert fills["WARN"] == VERDICT_COLOURS[Verdict.WARN][0]
    assert fills["ERROR"] == VERDICT_COLOURS[Verdict.ERROR][0]


def test_devices_rows_are_sorted_and_complete(result: RunResult, xlsx: Path) -> None:
    ws = load_workbook(xlsx)["Devices"]
    rows = rows_of(ws)
    assert [r[0] for r in rows] == [
        "acme-lon1-fw2",
        "acme-lon1-fw10",
        "acme-par1-fw01",
        "globex-nyc1-fw01",
        "globex-nyc1-sw01",
        "globex-nyc1-sw02",
    ]
    by_name = {h.name: h for h in result.hosts}
    for row in rows:
        record = by_name[row[0]]
        assert row[DEVICES_HEADERS.index("Verdict")] == record.verdict.value
        assert row[DEVICES_HEADERS.index("Target")] == target_for(result.run, record) == "10.2.9"
        attention = sum(f.verdict in (Verdict.WARN, Verdict.FAIL, Verdict.ERROR) for f in record.findings)
        assert row[DEVICES_HEADERS.index("Findings")] == attention
    down = rows[3]
    assert down[DEVICES_HEADERS.index("Model")] is None  # no facts from a device that could not be reached


def test_transceivers_sort_ports_naturally_and_say_yes_no(result: RunResult, xlsx: Path) -> None:
    ws = load_workbook(xlsx)["Transceivers"]
    rows = rows_of(ws)
    assert len(rows) == sum(len(h.optics) for h in result.hosts)
    par = [r for r in rows if r[0] == "acme-par1-fw01"]
    assert [r[3] for r in par] == ["ethernet1/2", "ethernet1/10"]
    assert [(r[8], r[9], r[10]) for r in par] == [("no", "no", "FAIL"), ("yes", "yes", "PASS")]
    assert set(column(ws, "Supported")) <= {"yes", "no", "waived"}
    assert "waived" in column(ws, "Supported")


def test_text_that_looks_like_a_formula_stays_text(xlsx: Path) -> None:
    ws = load_workbook(xlsx)["Transceivers"]
    reason_col = TRANSCEIVERS_HEADERS.index("Reason") + 1
    cells = [ws.cell(row=r, column=reason_col) for r in range(2, ws.max_row + 1)]
    injected = [c for c in cells if c.value == INJECTION]
    assert len(injected) == 1 and injected[0].data_type == "s"


def test_findings_and_errors_sheets(result: RunResult, xlsx: Path) -> None:
    wb = load_workbook(xlsx)
    findings = rows_of(wb["Findings"])
    assert len(findings) == sum(len(h.findings) for h in result.hosts)
    assert (
        "acme-par1-fw01",
        "optic-support",
        "blocker",
        "FAIL",
        "ethernet1/2: non-OEM optic, boot loop",
    ) in findings
    errors = rows_of(wb["Errors"])
    assert errors == [("globex-nyc1-fw01", "connect", "timed out after 30s")]


Rows = list[tuple[Any, ...]]


def summary_blocks(ws: Worksheet) -> tuple[Rows, Rows, list[str], dict[Any, Any]]:
    """Site rows (with total), blocker rows, one-cell notes under them, and the run key/values of Summary."""
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    first_blank = next(i for i, r in enumerate(rows) if all(v is None for v in r))
    title = next(i for i, r in enumerate(rows) if r[0] == BLOCKERS_TITLE)
    assert rows[title + 1][: len(BLOCKERS_HEADERS)] == BLOCKERS_HEADERS
    run_title = next(i for i, r in enumerate(rows) if r[0] == "Run")
    block = [r[: len(BLOCKERS_HEADERS)] for r in rows[title + 2 : run_title] if any(r)]
    blockers = [r for r in block if any(v is not None for v in r[1:])]
    notes = [r[0] for r in block if all(v is None for v in r[1:])]
    run = {r[0]: r[1] for r in rows[run_title + 1 :] if r[0]}
    return rows[1:first_blank], blockers, notes, run


def test_summary_counts_devices_per_site(result: RunResult, xlsx: Path) -> None:
    ws = load_workbook(xlsx)["Summary"]
    sites, _, _, _ = summary_blocks(ws)
    *site_rows, total = sites
    expected: dict[tuple[str, str], Counter[str]] = {}
    for h in result.hosts:
        expected.setdefault((h.customer, h.site), Counter())[h.verdict.value] += 1
    got = {(r[0], r[1]): (r[2], *r[3:8]) for r in site_rows}
    want = {
        key: (sum(c.values()), c["PASS"], c["WARN"], c["FAIL"], c["ERROR"], c["SKIPPED"]) for key, c in expected.items()
    }
    assert got == want
    assert [(r[0], r[1]) for r in site_rows] == [("acme", "lon1"), ("acme", "par1"), ("globex", "nyc1")]
    assert total[0] == "Total" and total[2] == len(result.hosts)
    assert ws.auto_filter.ref == f"A1:H{1 + len(site_rows)}"
    total_row = 2 + len(site_rows)
    assert ws.cell(row=total_row, column=1).font.bold


def test_summary_lists_exactly_the_blocking_devices(result: RunResult, xlsx: Path) -> None:
    _, blockers, notes, run = summary_blocks(load_workbook(xlsx)["Summary"])
    reason = "ethernet1/2: non-OEM optic, boot loop"  # the first blocker; sw01's FAIL is not a blocker
    assert blockers == [("acme-par1-fw01", "acme", "par1", "PA-5220", "9.1.14", reason)]
    assert notes == ["1 device could not be checked: see the Errors sheet."]
    counts = result.counts()
    assert run["Run id"] == result.run.id
    # a bare --target applies to every platform of the run (RunInfo.target_for): each named by its OS
    assert run["Target"] == "FortiOS 10.2.9, PAN-OS 10.2.9"
    assert run["Devices selected"] == len(result.hosts)
    assert run["Devices checked"] == sum(h.status == "ok" for h in result.hosts)
    assert {v.value: run[v.value] for v in Verdict} == counts


def test_summary_counts_skipped_devices_apart_and_names_each_targets_platform(tmp_path: Path) -> None:
    skipped = host("acme-lon1-fw01", "acme", "lon1", findings=[finding("ha-state", Verdict.SKIPPED)])
    passed = host("acme-lon1-fw02", "acme", "lon1", findings=[finding("optic-support", Verdict.PASS)])
    switch = replace(
        host("acme-lon1-sw01", "acme", "lon1", findings=[finding("optic-support", Verdict.PASS)]), platform="cisco_nxos"
    )
    run = RunInfo("r", "audit", ["acme"], "cisco_nxos=10.4(5),paloalto_panos=10.2.4-h4", "2024-05-01T09:30:05Z")
    path = tmp_path / "report.xlsx"
    write_workbook(RunResult(run, [skipped, passed, switch]), path)
    sites, _, _, block = summary_blocks(load_workbook(path)["Summary"])
    header = load_workbook(path)["Summary"][1]
    columns = [c.value for c in header][: len(SITES_HEADERS)]
    lon1, total = (dict(zip(columns, row[: len(columns)], strict=True)) for row in sites)
    assert (lon1["Devices"], lon1["PASS"], lon1["SKIPPED"]) == (3, 2, 1)
    assert (total["PASS"], total["SKIPPED"]) == (2, 1)
    assert (block["PASS"], block["SKIPPED"]) == (2, 1)  # the Run block and the table agree
    assert block["Target"] == "NX-OS 10.4(5), PAN-OS 10.2.4-h4"


def test_summary_says_when_nothing_blocks(tmp_path: Path) -> None:
    clean = RunResult(
        RunInfo("r", "audit", ["acme"], None, "2024-05-01T09:30:05Z"),
        [host("acme-lon1-fw01", "acme", "lon1", findings=[finding("optic-support", Verdict.PASS)])],
    )
    path = tmp_path / "report.xlsx"
    write_workbook(clean, path)
    _, blockers, notes, run = summary_blocks(load_workbook(path)["Summary"])
    assert blockers == []
    assert notes == [NO_BLOCKERS]
    assert run["Target"] == "none"


def test_extra_sheets_follow_the_standard_ones(result: RunResult, tmp_path: Path) -> None:
    extra = SheetSpec(
        "Upgrade path",
        ("Device", "Path", "Verdict"),
        [("acme-lon1-fw2", "9.1 → 10.1 → 10.2", Verdict.WARN)],
        verdict_columns=(2,),
    )
    path = tmp_path / "report.xlsx"
    write_workbook(result, path, extra_sheets=[extra])
    wb = load_workbook(path)
    assert wb.sheetnames == [*STANDARD_TITLES, "Upgrade path"]
    ws = wb["Upgrade path"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:C2"
    assert ws["C2"].value == "WARN" and ws["C2"].fill.fgColor.rgb[-6:] == VERDICT_COLOURS[Verdict.WARN][0]


def test_extra_sheets_are_checked(result: RunResult, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="used twice"):
        write_workbook(result, tmp_path / "r.xlsx", [SheetSpec("devices", ("A",), [])])
    with pytest.raises(ValueError, match="row 2"):
        SheetSpec("Diff", ("A", "B"), [("only one",)])
    with pytest.raises(ValueError, match="31 characters"):
        SheetSpec("Diff: before/after", ("A",), [])
    assert not (tmp_path / "r.xlsx").exists()


def test_a_run_folder_holds_the_three_files_and_nothing_else(result: RunResult, tmp_path: Path) -> None:
    folder = make_run_dir(tmp_path, result.run.id)
    write_workbook(result, folder / "report.xlsx")
    write_results_json(result, folder / "results.json")
    write_junit(result, folder / "junit.xml")
    assert sorted(p.name for p in folder.iterdir()) == ["junit.xml", "report.xlsx", "results.json"]


def test_summary_decides_go_no_go_per_site_for_a_pre_upgrade(tmp_path: Path) -> None:
    from reports.summary import DECISION_HEADER, NO_GO_TITLE

    result = build_result()
    path = tmp_path / "report.xlsx"
    write_workbook(result, path, go_no_go=True)
    rows = list(load_workbook(path, read_only=True)["Summary"].iter_rows(values_only=True))
    assert rows[0][-1] == DECISION_HEADER
    bad_sites = {(h.customer, h.site) for h in result.hosts if h.verdict in (Verdict.FAIL, Verdict.ERROR)}
    total = next(i for i, r in enumerate(rows) if r[0] == "Total")
    sites = rows[1:total]
    assert sites and all(r[-1] == ("NO-GO" if (r[0], r[1]) in bad_sites else "GO") for r in sites)
    title = next(i for i, r in enumerate(rows) if r[0] == NO_GO_TITLE)
    listed = {r[0] for r in rows[title + 2 :] if r[0] and r[1]}
    assert {h.name for h in result.hosts if h.verdict in (Verdict.FAIL, Verdict.ERROR)} <= listed


def test_a_sheet_note_becomes_the_cells_comment(tmp_path: Path) -> None:
    spec = SheetSpec(
        "Readiness", ("Device", "ntp_sync"), [("fw1", "FAIL"), ("fw2", "PASS")], (1,), notes={(0, 1): "no sync"}
    )
    path = tmp_path / "report.xlsx"
    write_workbook(build_result(), path, [spec])
    ws = load_workbook(path)["Readiness"]
    assert ws["B2"].comment is not None and ws["B2"].comment.text == "no sync"
    assert ws["B3"].comment is None


PLAN = UpgradePlan(
    "paloalto_panos", "PA-5220", "9.1.14", "10.1.9",
    (Hop("9.1.14", "10.0.0", (Download("10.0.0", 900, base=True),), minutes=20),
     Hop("10.0.0", "10.1.9", (Download("10.1.0", 950, base=True), Download("10.1.9", 400, estimated=True)))),
    Verdict.PASS, notes=("10.1.9: size estimated",),
)  # fmt: skip
SNAPSHOT = Snapshot(
    "9.1.14", content={"app-version": "8635-7675"}, ha_state="active", interfaces={"ethernet1/1": "up"},
    optics={"ethernet1/1": OpticState("PAN-SFP-PLUS-SR", "OEM", "S1")}, routes=3, arp=2, sessions=9, config="x",
)  # fmt: skip


def test_a_run_folder_reads_back_into_the_typed_objects_written(tmp_path: Path) -> None:
    result = build_result()
    result.run.command = "pre-upgrade"
    result.hosts[0].plan, result.hosts[0].snapshot = PLAN, SNAPSHOT
    write_results_json(result, tmp_path / "results.json")
    back = read_run(tmp_path)
    assert back.run == result.run
    by_name = {h.name: h for h in back.hosts}
    assert by_name[result.hosts[0].name].plan == PLAN and by_name[result.hosts[0].name].snapshot == SNAPSHOT
    assert all(h.plan is None and h.snapshot is None for h in back.hosts if h.name != result.hosts[0].name)
    data = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert RunResult.from_dict(data).to_dict() == data
    assert data["hosts"]["globex-nyc1-fw01"]["snapshot"] == {} and data["hosts"]["globex-nyc1-fw01"]["plan"] is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "not found"),
        ("{", "not valid JSON (line 1)"),
        ('{"hosts": {}}', "not a results.json of estate: KeyError"),
        ('{"run": {"id": "r"}, "hosts": {}}', "not a results.json of estate: TypeError"),
    ],
)
def test_read_run_names_the_file_it_cannot_read(tmp_path: Path, text: str | None, message: str) -> None:
    if text is not None:
        (tmp_path / "results.json").write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match=re.escape(f"{tmp_path / 'results.json'}: {message}")):
        read_run(tmp_path)


# --- write-only (streamed) workbook -------------------------------------------------------------------------


def test_write_only_workbook_has_the_same_sheets_and_cells(result: RunResult, tmp_path: Path) -> None:
    normal, streamed = tmp_path / "normal.xlsx", tmp_path / "streamed.xlsx"
    rows = [
        ("fw1", "FAIL", "=1+1", 3),
        ("fw2", "", None, 2.5),
        ("fw3", "PASS", "a text longer than its column " * 3, True),
        ("fw4", "WARN", " <b>&amp; \r\n\tend ", 12345678901234567890),
        ("fw5", "#N/A", "  ", -0.1),
    ]
    notes = {(0, 1): "why it failed", (1, 2): "a note on an empty cell"}
    extra = [SheetSpec("Extra", ("Device", "Verdict", "Note", "Count"), rows, (1,), (2,), {2: 20}, notes)]
    write_workbook(result, normal, extra, write_only=False)
    write_workbook(result, streamed, extra, write_only=True)
    a, b = load_workbook(normal), load_workbook(streamed)
    assert a.sheetnames == b.sheetnames == [*STANDARD_TITLES, "Extra"]
    for title in a.sheetnames:
        left, right = a[title], b[title]
        assert (left.max_row, left.max_column) == (right.max_row, right.max_column), title
        for row_a, row_b in zip(left.iter_rows(), right.iter_rows(), strict=True):
            for x, y in zip(row_a, row_b, strict=True):
                assert (x.coordinate, x.value, x.data_type) == (y.coordinate, y.value, y.data_type), title
                assert (x.fill.fgColor.rgb, x.font.b, x.font.color) == (y.fill.fgColor.rgb, y.font.b, y.font.color)
                assert x.alignment.wrap_text == y.alignment.wrap_text
                assert (x.comment.text if x.comment else None) == (y.comment.text if y.comment else None)
        assert right.freeze_panes == left.freeze_panes == "A2"
        for number in range(1, left.max_row + 1):
            assert right.row_dimensions[number].height == left.row_dimensions[number].height, (title, number)
        if title == "Extra":
            assert right["B2"].comment.text == "why it failed" and right["C4"].alignment.wrap_text
        assert right.auto_filter.ref == left.auto_filter.ref
        for letter, dimension in left.column_dimensions.items():
            assert right.column_dimensions[letter].width == dimension.width, (title, letter)
    # A reader in read-only mode (openpyxl's, pandas') sizes each sheet from its <dimension>: the same rows, padded
    # alike, empty rows included (unsized, a streamed sheet's empty row came back as an empty tuple).
    a, b = load_workbook(normal, read_only=True), load_workbook(streamed, read_only=True)
    for title in a.sheetnames:
        assert b[title].calculate_dimension() == a[title].calculate_dimension(), title
        assert list(b[title].iter_rows(values_only=True)) == list(a[title].iter_rows(values_only=True)), title


def test_large_runs_are_written_in_write_only_mode(
    result: RunResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reports.excel

    modes: list[bool] = []
    real = reports.excel.Workbook

    def spy(write_only: bool = False) -> Any:
        modes.append(write_only)
        return real(write_only=write_only)

    monkeypatch.setattr(reports.excel, "Workbook", spy)
    monkeypatch.setattr(reports.excel, "WRITE_ONLY_HOSTS", len(result.hosts) - 1)
    write_workbook(result, tmp_path / "big.xlsx")
    assert modes[0] is True
    assert load_workbook(tmp_path / "big.xlsx").sheetnames == list(STANDARD_TITLES)
