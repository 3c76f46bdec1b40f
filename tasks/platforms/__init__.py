"""Platform drivers: one data module per netmiko device_type (commands, parsers, OEM markers).

Every platform module provides:

- ``DEVICE_TYPE``: the netmiko device_type it serves;
- ``COMMANDS``: purpose -> CLI command (at least ``facts`` and ``transceivers``);
- ``FACTS_COMMANDS``: the purposes whose outputs ``facts`` reads;
- ``facts(outputs, prompt) -> Facts`` and ``parse_transceivers(text) -> list[Transceiver]``: pure parsers that raise
  ``tasks.errors.ParseError`` when an output is not what the OS prints.

Adding a platform: write ``tasks/platforms/<device_type>.py`` with the names above, add it to ``PLATFORMS``,
add its fixtures under ``tests/fixtures/<device_type>/`` and its matrix ``matrices/<device_type>.yaml``.
"""

from __future__ import annotations

from types import ModuleType

from tasks.platforms import paloalto_panos

PLATFORMS: dict[str, ModuleType] = {
    paloalto_panos.DEVICE_TYPE: paloalto_panos,
}

# Planned, one module each: fortinet, cisco_ios, cisco_nxos, arista_eos, juniper_junos.


def get_platform(device_type: str) -> ModuleType:
    """The platform module for a netmiko device_type.

    >>> get_platform("paloalto_panos").COMMANDS["facts"]
    'show system info'
    >>> get_platform("cisco_ios")
    Traceback (most recent call last):
    ...
    ValueError: unknown platform 'cisco_ios'; supported: paloalto_panos
    """
    try:
        return PLATFORMS[device_type]
    except KeyError:
        supported = ", ".join(sorted(PLATFORMS))
        raise ValueError(f"unknown platform {device_type!r}; supported: {supported}") from None
