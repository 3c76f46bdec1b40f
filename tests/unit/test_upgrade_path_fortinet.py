"""FortiOS upgrade paths from matrices/fortinet.yaml: the release-date rule, last branch per model, downgrades."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.checks.upgrade_path import plan_path
from tasks.matrix import Matrix, load_matrix
from tasks.models import Verdict

MATRICES = Path(__file__).resolve().parents[2] / "matrices"
DEMO_MODELS = ("FortiGate-601F", "FortiGate-1801F", "FortiGate-100F", "FortiGate-60F", "FortiGate-91G")
DEMO_VERSIONS = ("7.0.13", "7.0.15", "7.2.6", "7.4.7")
UNDATED = {"7.2.6"}  # demo versions without a date in any source read (vendor-data.md §2.2)


@pytest.fixture(scope="module")
def matrix() -> Matrix:
    return load_matrix("fortinet", MATRICES)


# model, current, target, via -> verdict, path, a phrase of the reason
CASES = [
    ("FortiGate-60F", "7.0.15", "7.4.8", None, Verdict.PASS, ("7.0.15", "7.4.8"), "7.0.15 → 7.4.8"),
    ("FortiGate-601F", "7.4.7", "7.4.8", None, Verdict.PASS, ("7.4.7", "7.4.8"), "7.4.7 → 7.4.8"),
    ("FortiGate-91G", "7.4.8", "7.4.8", None, Verdict.PASS, ("7.4.8",), "already on 7.4.8"),
    # Fortinet's own example: 7.0.17 (2025-01-14) may not go to 7.2.10 (2024-09-19)
    ("FortiGate-60F", "7.0.17", "7.2.10", None, Verdict.FAIL, ("7.0.17", "7.2.10"), "release-date rule"),
    ("FortiGate-100F", "7.0.17", "7.4.8", "7.2.10", Verdict.FAIL, ("7.0.17", "7.2.10", "7.4.8"), "released 2024-09-19"),
    ("FortiGate-100E", "7.0.15", "7.4.8", None, Verdict.FAIL, ("7.0.15",), "beyond the last supported release"),
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
def test_every_demo_fortigate_plans_to_the_demo_target(matrix: Matrix, model: str, current: str) -> None:
    plan = plan_path("fortinet", model, current, "7.4.8", matrix)
    assert plan.verdict is Verdict.PASS, plan.reason
    assert plan.path == (current, "7.4.8")
    assert plan.download_mb == 150  # the matrix's unverified estimate, named in the notes
    assert any("estimated" in note for note in plan.notes)
    # vendor-data.md §2.2 gives 7.2.6 a build (1575) but no release or build date: the rule cannot be checked.
    undated = current in UNDATED
    assert any("release-date rule not checked" in note for note in plan.notes) is undated


def test_an_undated_build_is_planned_with_a_note(matrix: Matrix) -> None:
    plan = plan_path("fortinet", "FortiGate-60F", "7.0.14", "7.4.8", matrix)
    assert plan.verdict is Verdict.PASS
    assert any("release-date rule not checked for 7.0.14 → 7.4.8" in note for note in plan.notes)
