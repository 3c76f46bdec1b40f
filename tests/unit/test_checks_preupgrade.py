"""Optics judged at every hop of a path, and the readiness checks run over a device's state (no sockets)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tasks.checks.preupgrade import judge_optics_along, run_readiness
from tasks.checks.readiness import ALL_CHECKS, DISK_SPACE, NTP_SYNC, RUNNING_JOBS
from tasks.checks.upgrade_path import plan_path
from tasks.matrix import load_matrix
from tasks.models import Facts, Transceiver, Unsupported, Verdict
from tasks.models.readiness import ReadinessState
from tasks.platforms import get_platform
from tasks.platforms.paloalto_panos import readiness as panos_readiness

MATRICES = Path(__file__).resolve().parents[2] / "matrices"
PANOS = load_matrix("paloalto_panos", MATRICES)
TODAY = date(2026, 11, 26)
OEM = Transceiver("ethernet1/5", "10000B-SR", "OEM", "PAN-SFP-PLUS-SR")
THIRD = Transceiver("ethernet1/6", "10000B-SR", "FINISAR CORP.", "FTLX8571D3BCL")


def facts(version: str) -> Facts:
    return Facts(hostname="fw", model="PA-5220", serial="1", version=version)


@pytest.mark.parametrize(
    ("current", "target", "verdict", "hop"),
    [
        # 9.1 -> 11.1 jumps from 10.1 straight to 11.1: the 10.2 lesson applies at that hop.
        ("9.1.14", "11.1.4-h7", Verdict.FAIL, "→ 11.1.4-h7"),
        # Staying below 10.2 the lesson never applies: works today, unsupported.
        ("9.1.14", "10.1.14-h13", Verdict.WARN, None),
    ],
)
def test_a_third_party_optic_is_judged_at_every_hop(
    current: str, target: str, verdict: Verdict, hop: str | None
) -> None:
    plan = plan_path("paloalto_panos", "PA-5220", current, target, PANOS)
    assert plan.verdict is Verdict.PASS and len(plan.hops) >= 2
    judged = judge_optics_along(plan, facts(current), [OEM, THIRD], PANOS, [], "fw", TODAY)
    assert [j.verdict for j in judged] == [Verdict.PASS, verdict]
    if hop:
        assert judged[1].reason.startswith("at hop ") and hop in judged[1].reason
        assert "LOCAL-PANOS-10.2-NON-OEM-BOOT-LOOP" in judged[1].reason


def test_platforms_without_readiness_report_every_check_skipped() -> None:
    plan = plan_path("paloalto_panos", "PA-5220", "10.1.9", "10.2.4-h4", PANOS)
    capability = get_platform("cisco_ios").readiness
    assert isinstance(capability, Unsupported)
    results = run_readiness(capability, plan, TODAY, ALL_CHECKS)
    assert [r.name for r in results] == list(ALL_CHECKS)
    assert {r.verdict for r in results} == {Verdict.SKIPPED}
    assert {r.reason for r in results} == {capability.reason}


def test_selected_checks_only_and_in_order() -> None:
    plan = plan_path("paloalto_panos", "PA-5220", "10.1.9", "10.2.4-h4", PANOS)
    ntp = panos_readiness.parse_ntp("NTP state:\n    NTP synched to 192.0.2.1\n")
    disks = panos_readiness.parse_disk_space(
        "Filesystem      Size  Used Avail Use% Mounted on\n/dev/sda6        12G  2.0G  10G  17% /opt/panrepo\n"
    )
    state = ReadinessState(disk=disks["/opt/panrepo"], ntp=ntp)
    results = run_readiness(state, plan, TODAY, (NTP_SYNC, DISK_SPACE))
    assert [r.name for r in results] == [DISK_SPACE, NTP_SYNC]
    assert [r.verdict for r in results] == [Verdict.PASS, Verdict.PASS]


def test_a_state_field_the_platform_lacks_is_skipped_with_its_reason() -> None:
    plan = plan_path("paloalto_panos", "PA-5220", "10.1.9", "10.2.4-h4", PANOS)
    state = ReadinessState(jobs=Unsupported("no job queue to read"))
    (result,) = run_readiness(state, plan, TODAY, (RUNNING_JOBS,))
    assert (result.verdict, result.reason) == (Verdict.SKIPPED, "no job queue to read")
