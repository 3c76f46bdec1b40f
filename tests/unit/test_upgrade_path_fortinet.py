"""FortiOS upgrade paths from matrices/fortinet.yaml: one branch per hop, the release-date rule, unknown builds,
last branch per model, downgrades.

Expected stops follow the rules, not the planner: a path stops in every branch between the running one and the
target's (Fortinet's Upgrade Path Tool steps 6.4 -> 7.0 -> 7.2 -> 7.4 -> 7.6, tagged unverified in the matrix),
each stop a build the matrix lists and released no later than the next (release-date rule, FOS-UP). In 7.2 the
matrix dates 7.2.10 2024-09-19 [src FOS-UP]; in 7.0 the newest build dated by then is 7.0.15 (2024-04-01).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tasks.checks.upgrade_path import UpgradePlan, plan_path, upgrade_path_finding
from tasks.matrix import Matrix, load_matrix
from tasks.models import Severity, Verdict

MATRICES = Path(__file__).resolve().parents[2] / "matrices"
DEMO_MODELS = ("FortiGate-601F", "FortiGate-1801F", "FortiGate-100F", "FortiGate-60F", "FortiGate-91G")
DEMO_VERSIONS = ("7.0.13", "7.0.15", "7.2.6", "7.4.7")
UNDATED = {"7.2.6"}  # demo versions without a date in any source read (vendor-data.md §2.2)


@pytest.fixture(scope="module")
def matrix() -> Matrix:
    return load_matrix("fortinet", MATRICES)


# model, current, target, via -> verdict, path, a phrase of the reason
CASES = [
    ("FortiGate-60F", "7.0.15", "7.4.8", None, Verdict.PASS, ("7.0.15", "7.2.10", "7.4.8"), "7.0.15 → 7.2.10 → 7.4.8"),
    ("FortiGate-60F", "7.0.13", "7.4.8", None, Verdict.PASS, ("7.0.13", "7.2.10", "7.4.8"), "7.0.13 → 7.2.10 → 7.4.8"),
    # 6.4.7 has no date in the matrix: the path is planned, and the unchecked rule is a WARN naming the hop
    ("FortiGate-100F", "6.4.7", "7.4.8", None, Verdict.WARN, ("6.4.7", "7.0.15", "7.2.10", "7.4.8"),
     "release-date rule not checked for 6.4.7 → 7.0.15"),
    ("FortiGate-60F", "7.0.13", "7.4.99", None, Verdict.FAIL, ("7.0.13",), "unknown target release 7.4.99"),
    ("FortiGate-60F", "7.0.13", "7.4.8", "7.2.99", Verdict.FAIL, ("7.0.13", "7.2.99", "7.4.8"),
     "unknown hop release 7.2.99"),
    # a forced hop over a branch breaks the step rule
    ("FortiGate-60F", "7.0.15", "7.4.8", [], Verdict.FAIL, ("7.0.15", "7.4.8"), "7.0.15 → 7.4.8 skips 7.2"),
    ("FortiGate-601F", "7.4.7", "7.4.8", None, Verdict.PASS, ("7.4.7", "7.4.8"), "7.4.7 → 7.4.8"),
    ("FortiGate-91G", "7.4.8", "7.4.8", None, Verdict.PASS, ("7.4.8",), "already on 7.4.8"),
    # Fortinet's own example: 7.0.17 (2025-01-14) may not go to 7.2.10 (2024-09-19)
    ("FortiGate-60F", "7.0.17", "7.2.10", None, Verdict.FAIL, ("7.0.17", "7.2.10"), "release-date rule"),
    ("FortiGate-100F", "7.0.17", "7.4.8", "7.2.10", Verdict.FAIL, ("7.0.17", "7.2.10", "7.4.8"), "released 2024-09-19"),
    ("FortiGate-100E", "7.0.15", "7.4.8", None, Verdict.FAIL, ("7.0.15",), "beyond the last supported release"),
    # Fortinet's own example again: from 7.0.17 the matrix lists no later-released 7.2 build to stop at
    ("FortiGate-60F", "7.0.17", "7.4.8", None, Verdict.FAIL, ("7.0.17", "7.2.10", "7.4.8"), "release-date rule"),
    ("FortiGate-100E", "7.0.15", "7.2.10", None, Verdict.PASS, ("7.0.15", "7.2.10"), "7.0.15 → 7.2.10"),
    ("FortiGate-60F", "7.4.8", "7.2.6", None, Verdict.FAIL, ("7.4.8",), "is a downgrade"),
    ("FortiGate-60F", "7.4.8", "7.8.1", None, Verdict.FAIL, ("7.4.8",), "feature release 7.8 is not in the matrix"),
]  # fmt: skip


@pytest.mark.parametrize(("model", "current", "target", "via", "verdict", "path", "reason"), CASES)
def test_fortios_paths(
    matrix: Matrix,
    model: str,
    current: str,
    target: str,
    via: str | None,
    verdict: Verdict,
    path: tuple[str, ...],
    reason: str,
) -> None:
    plan = plan_path("fortinet", model, current, target, matrix, via)
    assert (plan.verdict, plan.path) == (verdict, path), plan.reason
    assert reason in plan.reason


@pytest.mark.parametrize("model", DEMO_MODELS)
@pytest.mark.parametrize("current", DEMO_VERSIONS)
def test_every_demo_fortigate_plans_to_the_demo_target_one_branch_per_hop(
    matrix: Matrix, model: str, current: str
) -> None:
    plan = plan_path("fortinet", model, current, "7.4.8", matrix)
    assert plan.verdict is not Verdict.FAIL, plan.reason
    branches = [".".join(v.split(".")[:2]) for v in plan.path]
    steps = {"7.0": "7.2", "7.2": "7.4", "7.4": "7.4"}
    assert all(steps[a] == b for a, b in itertools.pairwise(branches)), plan.path
    assert plan.path[-1] == "7.4.8"
    assert all(matrix.image(v) is not None for v in plan.path[1:])  # every hop a named build of the matrix
    assert plan.download_mb == 150 * len(plan.hops)  # the matrix's unverified estimate, named in the notes
    assert any("estimated" in note for note in plan.notes)
    # vendor-data.md §2.2 gives 7.2.6 a build (1575) but no release or build date: the rule cannot be checked.
    if current in UNDATED:
        assert plan.verdict is Verdict.WARN and "release-date rule not checked" in plan.reason


def test_six_zero_to_seven_six_stops_in_every_branch(matrix: Matrix) -> None:
    plan = plan_path("fortinet", "FortiGate-601F", "6.0.7", "7.6.0", matrix)
    branches = [".".join(v.split(".")[:2]) for v in plan.path]
    assert branches == ["6.0", "6.2", "6.4", "7.0", "7.2", "7.4", "7.6"], plan.path
    assert plan.verdict is not Verdict.PASS  # some builds on the way have no date in the matrix


def test_an_undated_build_is_planned_with_a_warning_the_user_sees(matrix: Matrix) -> None:
    plan = plan_path("fortinet", "FortiGate-60F", "7.0.14", "7.4.8", matrix)
    assert plan.verdict is Verdict.WARN
    assert "release-date rule not checked for 7.0.14 → 7.2.10" in plan.reason
    finding = upgrade_path_finding(plan)
    assert (finding.verdict, finding.severity) == (Verdict.WARN, Severity.WARNING)
    assert UpgradePlan.from_dict(plan.to_dict()) == plan


def test_the_branch_step_rule_is_data_tagged_with_the_missing_source(matrix: Matrix) -> None:
    upgrade = matrix.upgrade
    assert upgrade is not None
    assert upgrade.rules.max_skipped_releases == 0
    assert upgrade.rules.unverified_rules == ["max_skipped_releases"]
    assert "Upgrade Path Tool" in (upgrade.rules.note or "")
