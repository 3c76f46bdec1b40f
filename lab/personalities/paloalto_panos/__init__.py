"""PAN-OS personality: prompt, session preparation, and outputs in the shape of real PAN-OS samples.

Where each output's shape comes from:
- real samples (shared/reference/cli/paloalto_panos): `show system info`, `show system state`, `show interface
  hardware`, `show high-availability all`/`state`, `show jobs all`, `request license info`, `debug swm status`;
- a real `top` capture in a PAN knowledge-base article (older procps form) for `show system resources`; the
  lab prints the procps-ng form of newer releases [unverified for PAN-OS];
- a public parser's test strings for `show ntp` (format evidence; the repository is not known);
- the real `request content upgrade info` table for `request system software info` [unverified: same
  columns assumed, with Current in place of Installed];
- documentation and knowledge only [unverified]: `show system environmentals`, `check pending-changes`
  (prints yes/no), `show system disk-space` (df -h);
- ntc-templates' real samples for `show routing route` and `show arp all`; the PAN-OS 10.0 CLI Quick Start
  example for `show session info` (fields real, column alignment assumed);
- knowledge of the brace format only [unverified]: `show config running` (a generated configuration with
  deliberate secrets for the sanitiser: `config_secrets`).


The package splits the personality by job: `hardware` (the catalogue from lab/personalities/data/paloalto_panos.yaml,
validation, per-device facts), `system` (system info, optics, HA), `readiness` (what readiness checks read;
release facts from matrices/paloalto_panos.yaml), `snapshot` (routes, ARP, sessions, configuration), `upgrade`
(download, install, restart, chassis-ready, HA suspend: the device's lab.runtime state) and `shell`.
Demo data (DEMO_*, EXAMPLE_*) comes from lab/estates/platforms/paloalto_panos.yaml.
"""

from __future__ import annotations

from lab.estates.platforms import demo_data
from lab.personalities.paloalto_panos.hardware import (
    CAGES,
    MODELS,
    OPTIC_KINDS,
    STATE_KEYS,
    Cage,
    OpticKind,
    ports,
    state_key,
    validate_device,
)
from lab.personalities.paloalto_panos.readiness import default_licenses, request_system_software_info
from lab.personalities.paloalto_panos.shell import COMMANDS, PERSONALITY, PanosShell
from lab.personalities.paloalto_panos.snapshot import (
    arp_count,
    config_secrets,
    route_count,
    running_config,
    session_count,
    session_counts,
)
from lab.personalities.paloalto_panos.system import show_system_info

_DEMO = demo_data("paloalto_panos")
# What a plausible device looks like, for generated estates (lab/estates/, tests); the PAN-OS demo firewalls
# themselves are planned by lab/estates/make_demo.py.
DEMO_MODELS: dict[str, str] = _DEMO.models
DEMO_VERSIONS: list[str] = _DEMO.versions
DEMO_OEM_OPTICS: list[dict[str, str]] = _DEMO.oem_optics
DEMO_THIRD_PARTY_OPTICS: list[dict[str, str]] = _DEMO.third_party_optics
DEMO_PORTS: dict[str, list[str]] = {model: [p for p, cage in ports(model) if cage != "copper"] for model in DEMO_MODELS}
# Example `state:` overrides, one per readiness check, that make a device fail that check for a real reason;
# the HA peer version mismatch needs a peer: put it on one member of an HA pair.
EXAMPLE_FAILING_STATES: dict[str, dict[str, object]] = _DEMO.failing_states
EXAMPLE_HA_VERSION_MISMATCH: dict[str, object] = _DEMO.ha_version_mismatch

__all__ = [
    "CAGES",
    "COMMANDS",
    "DEMO_MODELS",
    "DEMO_OEM_OPTICS",
    "DEMO_PORTS",
    "DEMO_THIRD_PARTY_OPTICS",
    "DEMO_VERSIONS",
    "EXAMPLE_FAILING_STATES",
    "EXAMPLE_HA_VERSION_MISMATCH",
    "MODELS",
    "OPTIC_KINDS",
    "PERSONALITY",
    "STATE_KEYS",
    "Cage",
    "OpticKind",
    "PanosShell",
    "arp_count",
    "config_secrets",
    "default_licenses",
    "ports",
    "request_system_software_info",
    "route_count",
    "running_config",
    "session_count",
    "session_counts",
    "show_system_info",
    "state_key",
    "validate_device",
]
