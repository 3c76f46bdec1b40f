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
from tasks.models.readiness import DiskUsage, ReadinessState, SoftwareImage
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


def _repo(free_mb: int) -> ReadinessState:
    return ReadinessState(disk=DiskUsage("/opt/panrepo", "/dev/sda6", 12288, 12288 - free_mb, free_mb, 50))


@pytest.mark.parametrize(("free_mb", "verdict"), [(3000, Verdict.PASS), (1815, Verdict.FAIL), (1816, Verdict.PASS)])
def test_the_disk_holds_one_hop_at_a_time(free_mb: int, verdict: Verdict) -> None:
    """The rule (docs/checks.md): a hop's images (base included) are deleted before the next hop's download, so
    the need is 1.1 x the largest hop. 9.1.14 -> 10.2.4-h4 enters 10.0, 10.1 and 10.2, each hop downloading a
    base and a maintenance image the matrix sizes by its estimate (1100 + 550 MB): 1.1 x 1650 = 1815 MB, not
    1.1 x the sum of every hop."""
    estimate = PANOS.upgrade.image_size_estimate  # type: ignore[union-attr]
    assert estimate is not None and (estimate.base_mb, estimate.other_mb) == (1100, 550)
    plan = plan_path("paloalto_panos", "PA-3220", "9.1.14", "10.2.4-h4", PANOS)
    (result,) = run_readiness(_repo(free_mb), plan, TODAY, (DISK_SPACE,))
    assert result.verdict is verdict, result.reason
    assert "1.1 x 1650 MB of images = 1815 MB" in result.reason
    assert "the largest download" in result.reason and "→ 10.0.12-h6: 10.0.0, 10.0.12-h6" in result.reason


def test_a_hop_whose_images_are_on_the_device_needs_no_room() -> None:
    plan = plan_path("paloalto_panos", "PA-3220", "10.1.14-h13", "10.2.4-h4", PANOS)
    on_disk = (SoftwareImage("10.2.0", 1100, "", True, False), SoftwareImage("10.2.4-h4", 550, "", True, False))
    state = ReadinessState(disk=_repo(100).disk, images=on_disk)
    (result,) = run_readiness(state, plan, TODAY, (DISK_SPACE,))
    assert (result.verdict, result.reason) == (Verdict.PASS, "nothing to download; 100 MB free on /opt/panrepo")
