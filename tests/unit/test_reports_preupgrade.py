"""The pre-upgrade sheets built from typed plans: Upgrade path cells, Readiness cells and their notes."""

from __future__ import annotations

from typing import Any

from reports.preupgrade import PATH_HEADERS, PATH_TITLE, READINESS_TITLE, checks_of, path_sheet, readiness_sheet
from tasks.models import Facts, Finding, HostRecord, RunInfo, RunResult, Severity, Verdict
from tasks.models.plan import Download, Hop, UpgradePlan

FACTS = Facts("fw1", "PA-850", "SN1", "9.1.14")
TWO_HOPS = UpgradePlan(
    "os", "PA-850", "9.1.14", "10.1.9",
    (Hop("9.1.14", "10.0.0", (Download("10.0.0", 900, base=True),), minutes=20),
     Hop("10.0.0", "10.1.9", (Download("10.1.0", 950, base=True), Download("10.1.9", 400)), minutes=25)),
    Verdict.PASS,
)  # fmt: skip
ON_TARGET = UpgradePlan("os", "PA-850", "10.1.9", "10.1.9", (), Verdict.PASS)
BROKEN = UpgradePlan("os", "PA-850", "9.1.14", "10.2.0", TWO_HOPS.hops, Verdict.FAIL, reasons=("skips 10.1",))


def run(*hosts: HostRecord) -> RunResult:
    return RunResult(RunInfo("r", "pre-upgrade", ["acme"], "10.1.9", ""), list(hosts))


def host(name: str, **fields: Any) -> HostRecord:
    return HostRecord(name, "acme", "lon1", "os", **fields)


def test_the_path_sheet_shows_each_plan() -> None:
    spec = path_sheet(
        run(
            host("fw1", facts=FACTS, plan=TWO_HOPS),
            host("fw2", facts=Facts("fw2", "PA-850", "SN2", "10.1.9"), plan=ON_TARGET),
            host("fw3", facts=FACTS, plan=BROKEN),
            host("fw4", status="error", error_stage="connect", error="refused"),
        )
    )
    assert spec.title == PATH_TITLE and spec.headers == PATH_HEADERS
    assert [tuple(r) for r in spec.rows] == [
        ("fw1", "acme", "lon1", "PA-850", "9.1.14", "10.1.9", "10.0.0 → 10.1.9", "10.0.0, 10.1.0, 10.1.9", 2250, 2,
         45, "PASS", "9.1.14 → 10.0.0 → 10.1.9"),
        ("fw2", "acme", "lon1", "PA-850", "10.1.9", "10.1.9", "", None, 0, 0, 0, "PASS", "already on 10.1.9"),
        ("fw3", "acme", "lon1", "PA-850", "9.1.14", "10.1.9", "10.0.0 → 10.1.9", "10.0.0, 10.1.0, 10.1.9", 2250, 2,
         45, "FAIL", "skips 10.1"),
        ("fw4", "acme", "lon1", None, None, "10.1.9", None, None, None, None, None, "ERROR", "connect: refused"),
    ]  # fmt: skip


def test_readiness_cells_are_verdicts_with_the_message_as_note() -> None:
    checked = host("fw1", findings=[Finding("ntp", Severity.BLOCKER, Verdict.FAIL, "not synchronised")])
    unchecked = host("fw2", status="error", error_stage="login", error="rejected")
    spec = readiness_sheet(run(checked, unchecked), ("disk", "ntp"))
    assert spec.title == READINESS_TITLE and spec.headers == ("Device", "Customer", "Site", "Platform", "disk", "ntp")
    assert [tuple(r[4:]) for r in spec.rows] == [("", "FAIL"), ("ERROR", "ERROR")]
    assert spec.notes == {(0, 5): "not synchronised"}
    assert checks_of(run(checked, unchecked), ("disk", "ntp", "licenses")) == ("ntp",)
