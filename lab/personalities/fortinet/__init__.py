"""FortiOS personality: FortiGate prompt, netmiko's session preparation, outputs shaped like real samples.

The package splits the personality by job: `hardware` (the catalogue from lab/personalities/data/fortinet.yaml,
validation, per-device facts; builds and build dates from matrices/fortinet.yaml), `system` (`get system status`,
transceivers), `readiness` (what readiness checks read), `snapshot` (link state, routes, ARP, sessions,
configuration), `upgrade` (`execute restore image`, changing the device's lab.runtime state) and `shell`.
Demo data (DEMO_*, EXAMPLE_FAILING_STATES) comes from lab/estates/platforms/fortinet.yaml.
"""

from __future__ import annotations

from lab.estates.platforms import demo_data
from lab.personalities.fortinet.hardware import (
    CAGES,
    MODELS,
    OPTIC_KINDS,
    STATE_KEYS,
    OpticKind,
    build_info,
    serial,
    validate_device,
    version_line,
)
from lab.personalities.fortinet.shell import COMMANDS, PERSONALITY, FortiShell
from lab.personalities.fortinet.snapshot import (
    arp_count,
    config_secrets,
    route_count,
    running_config,
    session_count,
    up_ports,
)

_DEMO = demo_data("fortinet")
DEMO_MODELS: dict[str, str] = _DEMO.models
DEMO_VERSIONS: list[str] = _DEMO.versions
DEMO_OEM_OPTICS: list[dict[str, str]] = _DEMO.oem_optics
DEMO_THIRD_PARTY_OPTICS: list[dict[str, str]] = _DEMO.third_party_optics
DEMO_PORTS: dict[str, list[str]] = {
    model: [port for port, cage in layout if cage != "copper"]
    for model, layout in MODELS.items()
    if model in DEMO_MODELS
}
# Estate `state:` that makes a FortiGate fail one readiness check (the demo estate and the tests use them).
# pending_changes and running_jobs are SKIPPED on FortiOS, so they have no failing state.
EXAMPLE_FAILING_STATES: dict[str, dict[str, object]] = _DEMO.failing_states

__all__ = [
    "CAGES",
    "COMMANDS",
    "DEMO_MODELS",
    "DEMO_OEM_OPTICS",
    "DEMO_PORTS",
    "DEMO_THIRD_PARTY_OPTICS",
    "DEMO_VERSIONS",
    "EXAMPLE_FAILING_STATES",
    "MODELS",
    "OPTIC_KINDS",
    "PERSONALITY",
    "STATE_KEYS",
    "FortiShell",
    "OpticKind",
    "arp_count",
    "build_info",
    "config_secrets",
    "route_count",
    "running_config",
    "serial",
    "session_count",
    "up_ports",
    "validate_device",
    "version_line",
]
