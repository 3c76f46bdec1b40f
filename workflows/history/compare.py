"""Compare a run's findings with the previous run's: new, fixed and still failing (pure, no database)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from tasks.models import RunResult, Verdict
from tasks.models.history import Comparison, HostFinding

# A finding that needs someone's attention; ERROR means the host could not be judged (neither failing nor fixed).
FAILING = frozenset({Verdict.FAIL, Verdict.WARN})
DEVICE_CHECK = "device"  # the check name `findings_of` gives a host that could not be checked


def findings_of(result: RunResult, customer: str | None = None) -> list[HostFinding]:
    """The findings of `result` (of `customer`'s hosts only, when given) in the shape `compare` takes.

    A host that could not be checked gives one ERROR finding (check `device`), so that `compare` knows its
    previous failures are unknown rather than fixed.
    """
    found: list[HostFinding] = []
    for host in result.hosts:
        if customer is not None and host.customer != customer:
            continue
        if host.status == "error":
            found.append(HostFinding(host.name, DEVICE_CHECK, Verdict.ERROR, f"{host.error_stage}: {host.error}"))
        found += [HostFinding(host.name, f.check, f.verdict, f.message) for f in host.findings]
    return found


def compare(previous: Sequence[HostFinding], current: Sequence[HostFinding]) -> Comparison:
    """Which failing findings (FAIL or WARN) are new, fixed or still failing since `previous`.

    Findings are matched by host and check; when a host has several failing findings of one check (one per
    port, say), they are matched by message as well. A previous failure whose host the current run did not
    judge is `unknown`, not fixed.

    >>> F, P = Verdict.FAIL, Verdict.PASS
    >>> before = [HostFinding("fw1", "ntp", F, "no server"), HostFinding("fw1", "telnet", F, "telnet on")]
    >>> after = [HostFinding("fw1", "ntp", F, "still no server"), HostFinding("fw1", "telnet", P, "off"),
    ...          HostFinding("fw1", "banner", F, "no banner")]
    >>> result = compare(before, after)
    >>> [(f.check, f.message) for f in result.new], [f.check for f in result.fixed]
    ([('banner', 'no banner')], ['telnet'])
    >>> [(f.check, f.message) for f in result.still_failing]
    [('ntp', 'still no server')]
    """
    judged = {f.host for f in current} - {f.host for f in current if f.verdict is Verdict.ERROR}
    before = _failing_by_key(previous)
    now = _failing_by_key(current)
    outcome = Comparison()
    for key, findings in now.items():
        earlier = before.get(key, [])
        if len(earlier) == 1 and len(findings) == 1:
            outcome.still_failing.append(findings[0])
            continue
        messages = {f.message for f in earlier}
        for finding in findings:
            (outcome.still_failing if finding.message in messages else outcome.new).append(finding)
    for key, findings in before.items():
        later = now.get(key, [])
        if len(later) == 1 and len(findings) == 1:
            continue
        messages = {f.message for f in later}
        for finding in findings:
            if finding.message in messages:
                continue
            (outcome.fixed if finding.host in judged else outcome.unknown).append(finding)
    return outcome


def _failing_by_key(findings: Iterable[HostFinding]) -> dict[tuple[str, str], list[HostFinding]]:
    grouped: dict[tuple[str, str], list[HostFinding]] = defaultdict(list)
    for finding in findings:
        if finding.verdict in FAILING:
            grouped[(finding.host, finding.check)].append(finding)
    return grouped
