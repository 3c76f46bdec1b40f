"""Platform drivers: one data module per netmiko device_type (commands, parsers), found by discovery.

Every module in this package that defines ``DEVICE_TYPE`` is a platform. It provides:

- ``DEVICE_TYPE``: the netmiko device_type it serves;
- ``COMMANDS``: purpose -> CLI command, exactly as sent (ntc-templates matches on the command string);
- ``FACTS_COMMANDS`` and ``TRANSCEIVER_COMMANDS``: the purposes whose outputs ``facts`` and ``transceivers``
  read, in the order they are sent;
- ``transceiver_followups(outputs) -> dict[str, str]``: further {key: command} to send once the first
  outputs are known (per-port or per-module commands such as IOS ``show idprom interface X``); ``{}`` if none;
- ``facts(outputs, prompt) -> Facts`` and ``transceivers(outputs) -> list[Transceiver]``: pure parsers over
  {purpose or key: output}, raising ``tasks.errors.ParseError`` when an output is not what the OS prints.

Adding a platform is docs/adding-a-platform.md: this module, a lab personality, a matrix, fixtures.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def _discover() -> dict[str, ModuleType]:
    found: dict[str, ModuleType] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        device_type = getattr(module, "DEVICE_TYPE", None)
        if device_type:
            found[device_type] = module
    return found


PLATFORMS: dict[str, ModuleType] = _discover()


def get_platform(device_type: str) -> ModuleType:
    """The platform module for a netmiko device_type.

    >>> get_platform("paloalto_panos").COMMANDS["facts"]
    'show system info'
    >>> get_platform("cisco_wlc")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown platform 'cisco_wlc'; supported: ...paloalto_panos...
    """
    try:
        return PLATFORMS[device_type]
    except KeyError:
        supported = ", ".join(sorted(PLATFORMS))
        raise ValueError(f"unknown platform {device_type!r}; supported: {supported}") from None
