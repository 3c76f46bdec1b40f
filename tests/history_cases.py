"""Hand-built runs for the history tests (unit on SQLite, integration on PostgreSQL): one place, both backends."""

from __future__ import annotations

from pathlib import Path

from tasks.models import Finding, HostRecord, RunInfo, RunResult, Severity, Verdict
from workflows.history.store import HistoryStore

P, W, F, E, S = Verdict.PASS, Verdict.WARN, Verdict.FAIL, Verdict.ERROR, Verdict.SKIPPED


def host(name: str, customer: str, *findings: tuple[str, Verdict, str], error: str = "") -> HostRecord:
    """A host of `customer` with (check, verdict, message) findings, or an ERROR host when `error` is given."""
    record = HostRecord(name, customer, "lon1", "test_os")
    if error:
        record.status, record.error_stage, record.error = "error", "connect", error
    record.findings = [Finding(check, Severity.WARNING, verdict, message) for check, verdict, message in findings]
    return record


def run(run_id: str, command: str, started: str, *hosts: HostRecord) -> RunResult:
    customers = sorted({h.customer for h in hosts})
    info = RunInfo(run_id, command, customers, None, started, started.replace(":00+", ":30+"), None, "0.1.0")
    return RunResult(info, list(hosts))


def three_compliance_runs() -> list[RunResult]:
    """acme: 50% then 75% then 100%; globex: 0% then (not covered) then 50%; an audit between them."""
    return [
        run(
            "r1-compliance",
            "compliance",
            "2026-11-01T10:00:00+00:00",
            host("acme-fw1", "acme", ("ntp", F, "no ntp"), ("telnet", P, "off")),
            host("globex-fw1", "globex", ("ntp", F, "no ntp"), ("snmp", W, "v2c on"), ("banner", S, "n/a")),
        ),
        run("r2-audit", "audit", "2026-11-02T10:00:00+00:00", host("acme-fw1", "acme", ("optic_support", F, "x"))),
        run(
            "r3-compliance",
            "compliance",
            "2026-11-03T10:00:00+00:00",
            host("acme-fw1", "acme", ("ntp", P, "ok"), ("telnet", P, "off")),
            host("acme-fw2", "acme", ("ntp", P, "ok"), ("banner", F, "no banner")),
        ),
        run(
            "r4-compliance",
            "compliance",
            "2026-11-04T10:00:00+00:00",
            host("acme-fw1", "acme", ("ntp", P, "ok"), ("telnet", P, "off")),
            host("acme-fw2", "acme", ("ntp", P, "ok"), ("banner", P, "ok")),
            host("globex-fw1", "globex", ("ntp", P, "ok"), ("snmp", F, "v2c on")),
            host("globex-fw2", "globex", error="refused"),
        ),
    ]


def fill(store: HistoryStore, runs: list[RunResult], root: Path) -> None:
    for result in runs:
        store.record(result, root / result.run.id)


def check_store(store: HistoryStore, root: Path) -> None:
    """What the store must do on any backend: list, filter, previous findings, compare and the trend."""
    from workflows.history.compare import compare, findings_of

    runs = three_compliance_runs()
    fill(store, runs, root)
    listed = store.runs()
    assert [r.run_id for r in listed] == ["r4-compliance", "r3-compliance", "r2-audit", "r1-compliance"]
    newest = listed[0]
    assert newest.customers == ("acme", "globex")
    assert newest.devices == 4
    assert newest.counts == {"PASS": 2, "SKIPPED": 0, "WARN": 0, "FAIL": 1, "ERROR": 1}
    assert newest.run_dir == str(root / "r4-compliance")
    assert newest.started.isoformat() == "2026-11-04T10:00:00+00:00"
    assert [r.run_id for r in store.runs(customer="globex")] == ["r4-compliance", "r1-compliance"]
    assert [r.run_id for r in store.runs(command="audit")] == ["r2-audit"]
    assert [r.run_id for r in store.runs(command="compliance", limit=2)] == ["r4-compliance", "r3-compliance"]

    previous = store.previous_findings("globex", "compliance", exclude_run="r4-compliance")
    assert {(f.host, f.check, f.verdict.value) for f in previous} == {
        ("globex-fw1", "ntp", "FAIL"),
        ("globex-fw1", "snmp", "WARN"),
        ("globex-fw1", "banner", "SKIPPED"),
    }
    change = compare(previous, findings_of(runs[3], "globex"))
    assert [(f.host, f.check) for f in change.fixed] == [("globex-fw1", "ntp")]
    assert [(f.host, f.check, f.verdict.value) for f in change.still_failing] == [("globex-fw1", "snmp", "FAIL")]
    assert change.new == [] and change.unknown == []
    # the newest run of the command is the one compared with when nothing is excluded
    assert {f.host for f in store.previous_findings("acme", "compliance")} == {"acme-fw1", "acme-fw2"}

    trend = store.compliance_trend()
    assert {c: [(p.run_id, p.percent) for p in points] for c, points in trend.items()} == {
        "acme": [("r1-compliance", 50.0), ("r3-compliance", 75.0), ("r4-compliance", 100.0)],
        "globex": [("r1-compliance", 0.0), ("r4-compliance", 50.0)],
    }
    assert list(store.compliance_trend(["globex", "nobody"])) == ["globex", "nobody"]
    assert store.compliance_trend(["nobody"]) == {"nobody": []}
    assert [p.run_id for p in store.compliance_trend(["acme"], limit=1)["acme"]] == ["r4-compliance"]
