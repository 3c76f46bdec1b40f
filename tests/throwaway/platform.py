"""TinyOS for estate: the platform object of a throwaway platform (commands, parsers, version scheme).

Registered by the test (`tasks.platforms.register(PLATFORM)`), never by discovery: it lives in tests/.
"""

from __future__ import annotations

from collections.abc import Mapping

from tasks.errors import ParseError
from tasks.models import Facts, Transceiver
from tasks.platforms.base import Platform
from tasks.platforms.text import first_line
from tasks.versions import dotted

DEVICE_TYPE = "tiny_os"
COMMANDS = {"facts": "show version", "transceivers": "show transceivers"}
_FACT_KEYS = {"Hostname": "hostname", "Model": "model", "Serial": "serial", "Version": "version"}
_HEADER = ["Port", "Type", "Vendor", "Part", "Serial"]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().endswith("#")]


def parse_facts(outputs: Mapping[str, str], prompt: str = "") -> Facts:
    """`show version`: `Key: value` lines; ParseError when hostname, model, serial or version is missing."""
    found: dict[str, str] = {}
    for line in _lines(outputs["facts"]):
        key, sep, value = line.partition(":")
        if sep and key.strip() in _FACT_KEYS:
            found[_FACT_KEYS[key.strip()]] = value.strip()
    missing = [key for key in _FACT_KEYS.values() if key not in found]
    if missing:
        raise ParseError(f"show version: no {', '.join(missing)} in output starting {first_line(outputs['facts'])!r}")
    return Facts(**found)


def parse_transceivers(outputs: Mapping[str, str]) -> list[Transceiver]:
    """`show transceivers`: a header row, then `port | type | vendor | part | serial` per optic."""
    lines = _lines(outputs["transceivers"])
    if not lines or [cell.strip() for cell in lines[0].split("|")] != _HEADER:
        raise ParseError(f"show transceivers: no table header in {first_line(outputs['transceivers'])!r}")
    optics = []
    for line in lines[1:]:
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) != len(_HEADER):
            raise ParseError(f"show transceivers: a row of {len(cells)} columns: {line[:60]!r}")
        port, type_, vendor, part, serial = cells
        optics.append(Transceiver(port=port, type=type_, vendor=vendor, part=part, serial=serial))
    return optics


PLATFORM = Platform(
    device_type=DEVICE_TYPE,
    os_name="TinyOS",
    vendor="Tiny",
    commands=COMMANDS,
    facts_commands=("facts",),
    transceiver_commands=("transceivers",),
    parse_facts=parse_facts,
    parse_transceivers=parse_transceivers,
    parse_version=dotted(DEVICE_TYPE),
    netmiko_device_type="linux",
)
