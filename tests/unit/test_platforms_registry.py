"""The platform registry: discovery, run-time registration (a throwaway platform), and its version scheme."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from tasks.models import Facts, Unsupported
from tasks.platforms import PLATFORMS, get_platform, platforms, register, unregister
from tasks.platforms.base import Platform, available
from tasks.versions import SCHEMES, compare, dotted, parse_version

SHIPPED = {"arista_eos", "cisco_ios", "cisco_nxos", "fortinet", "juniper_junos", "paloalto_panos"}


def _throwaway(os_name: str = "ThrowawayOS") -> Platform:
    return Platform(
        device_type="throwaway_os",
        os_name=os_name,
        vendor="Throwaway",
        commands={"facts": "show facts"},
        facts_commands=("facts",),
        transceiver_commands=(),
        parse_facts=lambda outputs, prompt: Facts("h", "M-1", "1", outputs["facts"].strip()),
        parse_transceivers=lambda outputs: [],
        parse_version=dotted("throwaway_os"),
    )


@pytest.fixture
def throwaway() -> Iterator[Platform]:
    yield register(_throwaway())
    unregister("throwaway_os")  # leave the registry as the other tests expect it


def test_every_shipped_platform_is_discovered_and_has_a_scheme() -> None:
    assert SHIPPED <= set(platforms()) == set(PLATFORMS)  # tests may add throwaway platforms
    assert set(SCHEMES) >= SHIPPED
    for device_type, platform in platforms().items():
        assert platform.device_type == device_type
        assert set(platform.facts_commands) | set(platform.transceiver_commands) <= set(platform.commands)


def test_readiness_and_snapshot_are_capabilities_not_probes() -> None:
    with_readiness = {d for d, p in platforms().items() if available(p.readiness)}
    assert with_readiness & SHIPPED == {"paloalto_panos", "fortinet"}  # docs/checks.md
    assert {d for d, p in platforms().items() if available(p.snapshot)} & SHIPPED == {"paloalto_panos", "fortinet"}
    assert isinstance(get_platform("cisco_ios").readiness, Unsupported)


def test_an_unknown_platform_is_a_value_error_listing_the_supported() -> None:
    with pytest.raises(ValueError, match=r"unknown platform 'cisco_wlc'; supported: arista_eos, .*paloalto_panos"):
        get_platform("cisco_wlc")


def test_a_platform_registered_at_run_time_is_found_with_its_version_scheme(throwaway: Platform) -> None:
    assert get_platform("throwaway_os") is throwaway and "throwaway_os" in PLATFORMS
    assert compare("1.10", "1.9.3", "throwaway_os") == 1
    assert parse_version("2.0.1", "throwaway_os").feature_release == "2.0"


def test_registering_a_device_type_again_replaces_it(throwaway: Platform) -> None:
    again = register(_throwaway(os_name="ThrowawayOS 2"))
    assert get_platform("throwaway_os") is again and again is not throwaway


def test_unregistering_forgets_the_platform(throwaway: Platform) -> None:
    unregister("throwaway_os")
    assert "throwaway_os" not in PLATFORMS
    unregister("throwaway_os")  # forgetting an unknown platform is harmless


def test_sessions_open_with_the_netmiko_driver_the_platform_names(throwaway: Platform) -> None:
    assert throwaway.driver == "throwaway_os"  # its own device_type by default
    assert replace(throwaway, netmiko_device_type="linux").driver == "linux"
    assert get_platform("paloalto_panos").driver == "paloalto_panos"


def test_a_capability_not_given_says_which_os_lacks_it() -> None:
    assert get_platform("cisco_ios").readiness == Unsupported("no readiness checks for IOS yet")
    assert get_platform("arista_eos").snapshot == Unsupported("no state snapshot for EOS yet")
    assert _throwaway().sanitise_config == Unsupported("no configuration sanitiser for ThrowawayOS yet")
