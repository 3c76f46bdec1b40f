"""The steps of each hop of a plan (base images included) and the order of a site's devices (waves)."""

from __future__ import annotations

import pytest

from tasks.checks.upgrade_steps import WaveDevice, upgrade_steps, upgrade_waves
from tasks.models import Unsupported, Verdict
from tasks.models.plan import Download, Hop, UpgradePlan
from tasks.models.upgrade import StepKind
from tasks.platforms import get_platform
from tasks.platforms.base import UpgradeDriver

K = StepKind


def _driver(platform: str) -> UpgradeDriver:
    driver = get_platform(platform).upgrade
    assert isinstance(driver, UpgradeDriver)
    return driver


PANOS_PLAN = UpgradePlan(
    "paloalto_panos",
    "PA-3220",
    "10.1.9",
    "10.2.4-h4",
    (
        Hop("10.1.9", "10.1.14-h9", (Download("10.1.14-h9", 500),)),
        Hop("10.1.14-h9", "10.2.4-h4", (Download("10.2.0", 900, base=True), Download("10.2.4-h4", 600))),
    ),
    Verdict.PASS,
)


def test_panos_hops_take_every_step_in_order_with_the_base_image_first() -> None:
    steps = upgrade_steps(PANOS_PLAN, _driver("paloalto_panos"))
    second = [(s.kind, s.command) for s in steps if s.hop == 2]
    assert second == [
        (K.DOWNLOAD_BASE, "request system software check"),
        (K.DOWNLOAD_BASE, "request system software download version 10.2.0"),
        (K.DOWNLOAD_BASE, "show jobs id N"),
        (K.DOWNLOAD, "request system software check"),
        (K.DOWNLOAD, "request system software download version 10.2.4-h4"),
        (K.DOWNLOAD, "show jobs id N"),
        (K.INSTALL, "request system software install version 10.2.4-h4"),
        (K.INSTALL, "show jobs id N"),
        (K.RECHECK, "show system state filter sys.s*.p*.phy"),
        (K.REBOOT, "request restart system"),
        (K.WAIT, "show chassis-ready"),
        (K.WAIT, "show jobs all"),
        (K.VERIFY, "show system info"),
        (K.DELETE, "delete software version 10.2.0"),
    ]  # the image now running is kept; the hop's base image goes
    first = [s.kind for s in steps if s.hop == 1]
    # hop 1 downloaded only the release it boots: nothing to delete after it
    assert K.DOWNLOAD_BASE not in first and first[0] is K.DOWNLOAD and first[-1] is K.VERIFY
    assert all((s.from_version, s.to_version) == ("10.1.14-h9", "10.2.4-h4") for s in steps if s.hop == 2)
    verify = next(s for s in steps if s.hop == 2 and s.kind is K.VERIFY)
    assert verify.expect == "sw-version: 10.2.4-h4"


def test_the_serving_ha_peer_is_suspended_before_its_first_reboot_and_made_functional_after_its_last_hop() -> None:
    steps = upgrade_steps(PANOS_PLAN, _driver("paloalto_panos"), serving=True)
    kinds = [s.kind for s in steps]
    assert kinds.count(K.HA_SUSPEND) == 1 and kinds.count(K.HA_FUNCTIONAL) == 1
    first_reboot = kinds.index(K.REBOOT)
    assert kinds.index(K.HA_SUSPEND) == first_reboot - 1  # after the re-check: a stopped device keeps its role
    assert kinds[first_reboot - 2] is K.RECHECK and kinds[-1] is K.HA_FUNCTIONAL
    assert steps[-1].hop == len(PANOS_PLAN.hops)
    assert K.HA_SUSPEND not in [s.kind for s in upgrade_steps(PANOS_PLAN, _driver("paloalto_panos"))]


def test_fortios_rechecks_before_the_install_that_reboots_and_answers_its_prompts() -> None:
    plan = UpgradePlan(
        "fortinet", "FortiGate-60F", "7.2.8", "7.4.8", (Hop("7.2.8", "7.4.8", (Download("7.4.8", 90),)),), Verdict.PASS
    )
    steps = upgrade_steps(plan, _driver("fortinet"))
    assert [s.kind for s in steps] == [K.RECHECK, K.INSTALL, K.WAIT, K.VERIFY]
    install = steps[1]
    assert install.command.startswith("execute restore image ")
    assert "(y/n)" in install.expect and "config global" in install.expect


def test_no_hops_no_steps_and_platforms_without_upgrade_say_so() -> None:
    on_target = UpgradePlan("paloalto_panos", "PA-850", "10.2.4-h4", "10.2.4-h4", (), Verdict.PASS)
    assert upgrade_steps(on_target, _driver("paloalto_panos")) == ()
    assert get_platform("cisco_ios").upgrade == Unsupported("upgrade not supported for IOS yet")


def _site(*devices: tuple[str, str | None], site: str = "lon1") -> list[WaveDevice]:
    return [WaveDevice(name, "acme", site, state) for name, state in devices]


def test_an_ha_pair_goes_one_peer_at_a_time_passive_first_even_with_room_for_more() -> None:
    devices = _site(("fw01", "active"), ("fw02", "passive"), ("sw01", None), ("sw02", None))
    waves = upgrade_waves(devices, max_per_site=3)
    assert waves["fw02"] < waves["fw01"]
    assert max(sum(1 for w in waves.values() if w == n) for n in set(waves.values())) <= 3
    assert waves == {"fw02": 1, "sw01": 1, "sw02": 1, "fw01": 2}


def test_at_most_max_per_site_per_wave_and_sites_side_by_side() -> None:
    devices = _site(*((f"sw{i}", None) for i in range(1, 6))) + _site(("x1", None), site="par1")
    waves = upgrade_waves(devices, max_per_site=2)
    assert [waves[f"sw{i}"] for i in range(1, 6)] == [1, 1, 2, 2, 3]
    assert waves["x1"] == 1
    assert upgrade_waves(devices, 1)["sw5"] == 5


def test_fortios_secondary_before_primary_and_a_bad_bound_is_refused() -> None:
    waves = upgrade_waves(_site(("fg1", "primary"), ("fg2", "secondary")), 2)
    assert waves == {"fg2": 1, "fg1": 2}
    with pytest.raises(ValueError, match="at least 1"):
        upgrade_waves([], 0)
