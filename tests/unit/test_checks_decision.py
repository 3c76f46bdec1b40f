"""GO / NO-GO, table-tested from the rule: a device is NO-GO when it could not be checked or a check FAILs (its
reason the first FAIL as `check: message`, or `could not be checked: stage: error`); a site and a run are NO-GO
when any of their devices is."""

from __future__ import annotations

from typing import Any

import pytest

from tasks.checks.decision import Decision, DeviceDecision, decide_device, decide_run
from tasks.models import Finding, HostRecord, Severity, Verdict

GO, NO_GO = Decision.GO, Decision.NO_GO


def found(check: str, verdict: Verdict, message: str = "m", severity: Severity = Severity.INFO) -> Finding:
    return Finding(check, severity, verdict, message)


def record(name: str = "fw1", site: str = "lon1", customer: str = "acme", **fields: Any) -> HostRecord:
    return HostRecord(name, customer, site, "os", **fields)


DEVICE_CASES = [
    ("no finding at all", record(), GO, ""),
    ("every check passes", record(findings=[found("disk", Verdict.PASS), found("ntp", Verdict.PASS)]), GO, ""),
    ("skipped checks are no reason to stop", record(findings=[found("disk", Verdict.SKIPPED)]), GO, ""),
    ("a warning is not a blocker", record(findings=[found("optic", Verdict.WARN, "waived")]), GO, ""),
    (
        "one FAIL: its check and message",
        record(findings=[found("disk", Verdict.PASS), found("ntp", Verdict.FAIL, "not synchronised")]),
        NO_GO,
        "ntp: not synchronised",
    ),
    (
        "two FAILs: the first one given",
        record(findings=[found("jobs", Verdict.FAIL, "job 12 running"), found("ntp", Verdict.FAIL, "off")]),
        NO_GO,
        "jobs: job 12 running",
    ),
    (
        "a FAIL after a WARN: the FAIL",
        record(findings=[found("optic", Verdict.WARN, "waived"), found("path", Verdict.FAIL, "skips 10.0")]),
        NO_GO,
        "path: skips 10.0",
    ),
    (
        "a FAIL of any severity counts, not only blockers",
        record(findings=[found("software", Verdict.FAIL, "not approved", Severity.WARNING)]),
        NO_GO,
        "software: not approved",
    ),
    (
        "a readiness check whose command failed (an ERROR finding on a checked device): its reason",
        record(findings=[found("path", Verdict.PASS), found("ntp_sync", Verdict.ERROR, "'show ntp' was not read")]),
        NO_GO,
        "ntp_sync: 'show ntp' was not read",
    ),
    (
        "could not be checked: stage and error",
        record(status="error", error_stage="login", error="login rejected for user 'admin'"),
        NO_GO,
        "could not be checked: login: login rejected for user 'admin'",
    ),
]


@pytest.mark.parametrize(
    ("record_", "decision", "reason"), [c[1:] for c in DEVICE_CASES], ids=[c[0] for c in DEVICE_CASES]
)
def test_a_device_is_no_go_with_its_first_reason(record_: HostRecord, decision: Decision, reason: str) -> None:
    assert decide_device(record_) == DeviceDecision(record_.name, "acme", record_.site, decision, reason)


PASSING = [found("disk", Verdict.PASS)]
FAILING = [found("ntp", Verdict.FAIL, "off")]

# hosts as (name, site, findings or "error"); expected: {site: decision}, run decision
SITE_CASES = [
    ("one good site", [("a1", "lon1", PASSING), ("a2", "lon1", PASSING)], {"lon1": GO}, GO),
    ("one bad device makes its site NO-GO", [("a1", "lon1", PASSING), ("a2", "lon1", FAILING)], {"lon1": NO_GO}, NO_GO),
    (
        "a bad device in one site leaves the other GO",
        [("a1", "lon1", PASSING), ("b1", "par1", FAILING), ("b2", "par1", PASSING)],
        {"lon1": GO, "par1": NO_GO},
        NO_GO,
    ),
    (
        "an unreachable device makes its site NO-GO",
        [("a1", "lon1", "error"), ("b1", "par1", PASSING)],
        {"lon1": NO_GO, "par1": GO},
        NO_GO,
    ),
    ("no device: nothing to stop", [], {}, GO),
]


def _hosts(spec: list[tuple[str, str, Any]]) -> list[HostRecord]:
    return [
        record(name, site, status="error", error_stage="connect", error="refused")
        if findings == "error"
        else record(name, site, findings=findings)
        for name, site, findings in spec
    ]


@pytest.mark.parametrize(("spec", "sites", "run"), [c[1:] for c in SITE_CASES], ids=[c[0] for c in SITE_CASES])
def test_a_site_and_the_run_are_no_go_when_any_device_is(
    spec: list[tuple[str, str, Any]], sites: dict[str, Decision], run: Decision
) -> None:
    decided = decide_run(_hosts(spec))
    assert {s.site: s.decision for s in decided.sites} == sites
    assert decided.decision is run
    assert {d.name for d in decided.no_go} == {n for n, _, f in spec if f is not PASSING}
    assert decided.site_counts() == {GO: list(sites.values()).count(GO), NO_GO: list(sites.values()).count(NO_GO)}


def test_sites_are_told_apart_by_customer_and_keep_the_given_order() -> None:
    hosts = [
        record("b1", "lon1", customer="beta", findings=FAILING),
        record("a1", "lon1", customer="alpha", findings=PASSING),
        record("b2", "lon1", customer="beta", findings=PASSING),
    ]
    decided = decide_run(hosts)
    assert [(s.customer, s.site, s.decision) for s in decided.sites] == [("beta", "lon1", NO_GO), ("alpha", "lon1", GO)]
    assert [d.name for d in decided.sites[0].devices] == ["b1", "b2"]
    assert decided.device_counts() == {GO: 2, NO_GO: 1}
