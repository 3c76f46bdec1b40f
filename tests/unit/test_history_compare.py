"""`compare`: which failing findings are new, fixed, still failing or unknown since the previous run."""

from __future__ import annotations

import pytest

from tasks.models.history import HostFinding
from tests.history_cases import E, F, P, S, W, host, run
from workflows.history.compare import compare, findings_of


def f(host_name: str, check: str, verdict: str, message: str = "m") -> HostFinding:
    return HostFinding(host_name, check, {"P": P, "F": F, "W": W, "E": E, "S": S}[verdict], message)


def names(found: list[HostFinding]) -> list[tuple[str, str, str]]:
    return [(x.host, x.check, x.message) for x in found]


CASES = {
    "fail then pass is fixed": ([f("a", "ntp", "F")], [f("a", "ntp", "P")], [], [("a", "ntp", "m")], [], []),
    "pass then fail is new": ([f("a", "ntp", "P")], [f("a", "ntp", "F")], [("a", "ntp", "m")], [], [], []),
    "fail twice is still failing, with the new message": (
        [f("a", "ntp", "F", "old")],
        [f("a", "ntp", "W", "new")],
        [],
        [],
        [("a", "ntp", "new")],
        [],
    ),
    "a new host's failure is new": ([], [f("b", "ntp", "F")], [("b", "ntp", "m")], [], [], []),
    "a check gone from a judged host is fixed": (
        [f("a", "ntp", "F")],
        [f("a", "ssh", "P")],
        [],
        [("a", "ntp", "m")],
        [],
        [],
    ),
    "a host not in the current run is unknown": (
        [f("a", "ntp", "F")],
        [f("b", "ntp", "P")],
        [],
        [],
        [],
        [("a", "ntp", "m")],
    ),
    "a host in ERROR now is unknown": (
        [f("a", "ntp", "F")],
        [f("a", "device", "E", "refused")],
        [],
        [],
        [],
        [("a", "ntp", "m")],
    ),
    "several findings of one check match by message": (
        [f("a", "optic", "F", "p1"), f("a", "optic", "F", "p2")],
        [f("a", "optic", "F", "p2"), f("a", "optic", "F", "p3")],
        [("a", "optic", "p3")],
        [("a", "optic", "p1")],
        [("a", "optic", "p2")],
        [],
    ),
    "skipped and error are not failing": ([f("a", "x", "S")], [f("a", "x", "E")], [], [], [], []),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_compare(case: str) -> None:
    previous, current, new, fixed, still, unknown = CASES[case]
    result = compare(previous, current)
    assert (names(result.new), names(result.fixed), names(result.still_failing), names(result.unknown)) == (
        new,
        fixed,
        still,
        unknown,
    )


def test_changes_lists_every_finding_with_what_happened() -> None:
    result = compare(
        [f("a", "ntp", "F"), f("a", "dns", "F")], [f("a", "ntp", "P"), f("a", "dns", "F"), f("a", "x", "W")]
    )
    assert [(change, x.check) for change, x in result.changes()] == [
        ("new", "x"),
        ("fixed", "ntp"),
        ("still failing", "dns"),
    ]


def test_findings_of_keeps_one_customer_and_marks_error_hosts() -> None:
    result = run(
        "r1",
        "compliance",
        "2026-11-01T10:00:00+00:00",
        host("a1", "acme", ("ntp", F, "no ntp")),
        host("a2", "acme", error="refused"),
        host("g1", "globex", ("ntp", P, "ok")),
    )
    assert [(x.host, x.check, x.verdict) for x in findings_of(result, "acme")] == [
        ("a1", "ntp", F),
        ("a2", "device", E),
    ]
    assert len(findings_of(result)) == 3
