"""Cisco IOS / IOS-XE personality: `host#` prompt, netmiko's session preparation, outputs shaped like real IOS."""

from __future__ import annotations

import time
from dataclasses import dataclass

from lab.estate import Device, Optic
from lab.estates.platforms import demo_data
from lab.personalities import configs, data
from lab.personalities.base import (
    Command,
    DeviceView,
    Personality,
    Reply,
    device_rng,
    layout_problems,
    match_command,
    nothing,
    word_start,
)

# --- hardware data ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpticKind:
    """How IOS reports one optic type: `show inventory` DESCR and the `show idprom interface` type lines.

    DESCR strings follow the samples' shape (`SFP-10GBase-SR`, `1000BaseSX SFP`, `QSFP 40GE AOC3M`); the
    exact text per type is plausible, not copied from a device.
    """

    descr: str
    idprom_description: str
    idprom_type: str
    encoding: str
    bitrate: str


def _ports(prefix: str, first: int, last: int, cage: str) -> tuple[tuple[str, str], ...]:
    """``(prefix + n, cage)`` for n in first..last.

    >>> _ports("Te1/1/", 1, 2, "sfp+")
    (('Te1/1/1', 'sfp+'), ('Te1/1/2', 'sfp+'))
    """
    return tuple((f"{prefix}{n}", cage) for n in range(first, last + 1))


@dataclass(frozen=True)
class Model:
    """One chassis: its front-panel ports and the lines of show version/inventory that depend on it."""

    ports: tuple[tuple[str, str], ...]
    family: str  # key of FAMILIES
    extra_inventory: tuple[tuple[str, str, str], ...] = ()  # (NAME, DESCR, PID) after the chassis entries


@dataclass(frozen=True)
class Family:
    """Software and hardware strings shared by a model family."""

    software: str  # the `(...)` part of the `Cisco IOS Software` line
    image: str  # format string with {v} (the version as the image names it)
    processor: str
    stack_name: str  # the inventory's first entry on Catalyst 9000 switches ("" = none)
    xe: bool = True


# The catalogue: lab/personalities/data/cisco_ios.yaml.
_DATA = data.read("cisco_ios")
OPTIC_KINDS: dict[str, OpticKind] = {
    str(name): OpticKind(**fields) for name, fields in data.section(_DATA, "optic_kinds").items()
}
CAGES: dict[str, frozenset[str]] = {str(k): frozenset(v) for k, v in data.section(_DATA, "cages").items()}
MODELS: dict[str, Model] = {
    str(name): Model(
        tuple(port for group in spec["ports"] for port in _ports(*group)),
        str(spec["family"]),
        tuple(tuple(entry) for entry in spec.get("extra_inventory", ())),
    )
    for name, spec in data.section(_DATA, "models").items()
}
FAMILIES: dict[str, Family] = {str(k): Family(**v) for k, v in data.section(_DATA, "families").items()}


# IOS-XE release trains and their code names, as the `Cisco IOS Software [name]` line prints them.
CODE_NAMES: dict[str, str] = {
    "16.6": "Everest",
    "16.8": "Fuji",
    "16.9": "Fuji",
    "16.12": "Gibraltar",
    "17.3": "Amsterdam",
    "17.6": "Bengaluru",
    "17.9": "Cupertino",
    "17.12": "Dublin",
    "17.15": "IOSXE",
}

# --- demo data for the estate the lead generates ----------------------------------------------------------

_DEMO = demo_data("cisco_ios")  # lab/estates/platforms/cisco_ios.yaml
DEMO_MODELS: dict[str, str] = _DEMO.models
DEMO_VERSIONS: list[str] = _DEMO.versions
DEMO_OEM_OPTICS: list[dict[str, str]] = _DEMO.oem_optics
DEMO_THIRD_PARTY_OPTICS: list[dict[str, str]] = _DEMO.third_party_optics
DEMO_PORTS: dict[str, list[str]] = {
    model: [port for port, cage in spec.ports if cage != "copper"] for model, spec in MODELS.items()
}


# --- validation -------------------------------------------------------------------------------------------


def validate_device(device: Device) -> list[tuple[str, str]]:
    """Problems with an Cisco IOS device: unknown model, optics in ports that cannot hold them."""
    ports = {model: dict(spec.ports) for model, spec in MODELS.items()}
    return layout_problems(device, "Cisco IOS", ports, OPTIC_KINDS, lambda cage, kind: kind in CAGES[cage])


# --- per-device deterministic facts -------------------------------------------------------------------------


def is_oem(optic: Optic) -> bool:
    """Cisco-coded optics carry `CISCO-<maker>` (or `CISCO`) as EEPROM vendor name.

    >>> is_oem(Optic("Te1/1/1", "10GBASE-SR", "CISCO-FINISAR", "SFP-10G-SR", "X")), is_oem(
    ...     Optic("Te1/1/1", "10GBASE-SR", "FINISAR CORP.", "FTLX8571D3BCL", "X"))
    (True, False)
    """
    return optic.vendor.upper().startswith("CISCO")


def xe_version(version: str) -> str:
    """The zero-padded form IOS-XE prints on its first line and in image names: 17.9.4a -> 17.09.04a.

    >>> xe_version("17.9.4a"), xe_version("16.12.04"), xe_version("17.12.3")
    ('17.09.04a', '16.12.04', '17.12.03')
    """
    parts = version.split(".")
    if len(parts) != 3:
        return version
    digits = "".join(c for c in parts[2] if c.isdigit())
    letters = parts[2][len(digits) :]
    return f"{int(parts[0])}.{int(parts[1]):02d}.{int(digits or 0):02d}{letters}"


def short_version(version: str) -> str:
    """The unpadded form of the `Cisco IOS Software ..., Version` line: 16.12.04 -> 16.12.4.

    >>> short_version("16.12.04"), short_version("15.2(7)E3")
    ('16.12.4', '15.2(7)E3')
    """
    parts = version.split(".")
    if len(parts) != 3 or "(" in version:
        return version
    digits = "".join(c for c in parts[2] if c.isdigit())
    return f"{int(parts[0])}.{int(parts[1])}.{int(digits or 0)}{parts[2][len(digits) :]}"


def _uptime(view: DeviceView) -> str:
    seconds = device_rng(view.device, "uptime").randint(3600, 400 * 86400) + int(time.time() - view.started_at)
    weeks, rest = divmod(seconds, 7 * 86400)
    days, rest = divmod(rest, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    units = [(weeks, "week"), (days, "day"), (hours, "hour"), (minutes, "minute")]
    return ", ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in units if n) or "0 minutes"


def _mac(device: Device) -> str:
    r = device_rng(device, "mac")
    return "f8:7b:20:" + ":".join(f"{r.randint(0, 255):02x}" for _ in range(3))


# --- show version -------------------------------------------------------------------------------------------

_LEGAL = """\
This product contains cryptographic features and is subject to United
States and local country laws governing import, export, transfer and
use. Delivery of Cisco cryptographic products does not imply
third-party authority to import, export, distribute or use encryption.
Importers, exporters, distributors and users are responsible for
compliance with U.S. and local country laws. By using this product you
agree to comply with applicable laws and regulations. If you are unable
to comply with U.S. and local laws, return this product immediately.

A summary of U.S. laws governing Cisco cryptographic products may be found at:
http://www.cisco.com/wwl/export/crypto/tool/stqrg.html

If you require further assistance please contact us by sending email to
export@cisco.com."""

_XE_GPL = """\
Cisco IOS-XE software, Copyright (c) 2005-2023 by cisco Systems, Inc.
All rights reserved.  Certain components of Cisco IOS-XE software are
licensed under the GNU General Public License ("GPL") Version 2.0.  The
software code licensed under GPL Version 2.0 is free software that comes
with ABSOLUTELY NO WARRANTY.  You can redistribute and/or modify such
GPL code under the terms of GPL Version 2.0.  For more details, see the
documentation or "License Notice" file accompanying the IOS-XE software,
or the applicable URL provided on the flyer accompanying the IOS-XE
software."""


def _header(device: Device, family: Family) -> list[str]:
    """The software banner: IOS-XE's two version lines, or classic IOS's one."""
    if not family.xe:
        line = f"Cisco IOS Software, {family.software}, Version {device.version}, RELEASE SOFTWARE (fc3)"
        return [line, "Technical Support: http://www.cisco.com/techsupport"]
    train = ".".join(short_version(device.version).split(".")[:2])
    return [
        f"Cisco IOS XE Software, Version {xe_version(device.version)}",
        f"Cisco IOS Software [{CODE_NAMES.get(train, 'IOSXE')}], {family.software}, "
        f"Version {short_version(device.version)}, RELEASE SOFTWARE (fc3)",
        "Technical Support: http://www.cisco.com/techsupport",
    ]


def _members(view: DeviceView) -> list[Device]:
    """This switch, then its StackWise Virtual peer when the estate gives one."""
    return [view.device] + ([view.peer] if view.peer is not None and view.device.ha is not None else [])


def _switch_table(view: DeviceView, family: Family) -> list[str]:
    """The `Switch Ports Model SW Version` table of Catalyst switches, one row per member."""
    if not family.stack_name and family.xe:
        return []
    image = family.software.split("(")[-1].rstrip(")")
    mode = "INSTALL" if family.xe else ""
    lines = [
        "Switch Ports Model              SW Version        SW Image              Mode   ",
        "------ ----- -----              ----------        ----------            ----   ",
    ]
    for n, member in enumerate(_members(view), start=1):
        ports = len(MODELS[member.model].ports)
        version = xe_version(member.version) if family.xe else member.version
        star = "*" if n == 1 else " "
        lines.append(f"{star}{n:>5} {ports:<5} {member.model:<18} {version:<17} {image:<21} {mode:<7}")
    return lines


def _member_block(member: Device) -> list[str]:
    """The MAC, model and serial lines of one switch (a StackWise Virtual peer gets a `Switch 02` block)."""
    return [
        f"Base Ethernet MAC Address          : {_mac(member)}",
        f"Motherboard Serial Number          : {member.serial}",
        f"Model Number                       : {member.model}",
        f"System Serial Number               : {member.serial}",
    ]


def show_version(view: DeviceView, args: dict[str, str]) -> str:
    """``show version`` in the line order of the C9200L 17.9.4a sample (classic IOS: the 2960 sample)."""
    d = view.device
    family = FAMILIES[MODELS[d.model].family]
    image_version = xe_version(d.version) if family.xe else d.version.replace("(", "-").replace(")", ".")
    lines = [*_header(d, family), "Copyright (c) 1986-2023 by Cisco Systems, Inc.", "Compiled Fri 20-Oct-23 10:33"]
    lines += ["", ""] + ([_XE_GPL, "", "", "ROM: IOS-XE ROMMON"] if family.xe else ["ROM: Bootstrap program"])
    lines += [
        "",
        f"{d.name} uptime is {_uptime(view)}",
        f"Uptime for this control processor is {_uptime(view)}",
        "System returned to ROM by Reload Command",
        f'System image file is "{family.image.format(v=image_version)}"',
        "Last reload reason: Reload Command",
        "",
        "",
        "",
        _LEGAL,
        "",
        "",
        f"cisco {d.model} {family.processor}",
        f"Processor board ID {d.serial}",
        f"{len(MODELS[d.model].ports)} Gigabit Ethernet interfaces",
        "2048K bytes of non-volatile configuration memory.",
        "",
        *_member_block(d),
        "",
        "",
    ]
    for n, member in enumerate(_members(view)[1:], start=2):
        lines += [f"Switch {n:02d}", "---------", *_member_block(member), ""]
    table = _switch_table(view, family)
    lines += [*table, "", ""] if table else []
    lines += ["Configuration register is 0x102", "", ""]
    return "\n".join(lines)


# --- show inventory / show idprom interface ---------------------------------------------------------------


def _entry(name: str, descr: str, pid: str, vid: str, sn: str, width: int = 18) -> str:
    """One inventory entry, padded as IOS prints it (PID to 18 columns, optics' to 20, VID to 5)."""
    return f'NAME: "{name}", DESCR: "{descr}"\nPID: {pid:<{width}}, VID: {vid:<5}, SN: {sn}\n'


def _optic_entry(optic: Optic) -> str:
    """An optic's entry: Cisco-coded optics show their PID; others `Unspecified` and an empty VID."""
    kind = OPTIC_KINDS[optic.type]
    if is_oem(optic):
        return _entry(optic.port, kind.descr, optic.part, "V03", optic.serial, width=20)
    return _entry(optic.port, kind.descr, "Unspecified", "", optic.serial, width=20)


def show_inventory(view: DeviceView, args: dict[str, str]) -> str:
    """``show inventory``: chassis (and stack) entries, power supplies and modules, then every optic."""
    d = view.device
    model = MODELS[d.model]
    family = FAMILIES[model.family]
    r = device_rng(d, "inventory")
    entries = []
    if family.stack_name:
        entries.append(_entry(family.stack_name, family.stack_name, d.model, "V02", d.serial))
        entries.append(_entry("Switch 1", d.model, d.model, "V02", d.serial))
    else:
        entries.append(_entry("Chassis", f"Cisco {d.model} Chassis", d.model, "V02", d.serial))
    for name, descr, pid in model.extra_inventory:
        entries.append(_entry(name, descr, pid, "V02", f"QCS{r.randint(10**7, 10**8 - 1)}"))
    order = {port: i for i, (port, _) in enumerate(model.ports)}
    entries += [_optic_entry(o) for o in sorted(d.optics, key=lambda o: order[o.port])]
    return "\n".join(entries) + "\n\n"


def _idprom_line(key: str, value: str) -> str:
    return f"  {key:<42}= {value}"


def show_idprom_interface(view: DeviceView, args: dict[str, str]) -> str:
    """``show idprom interface <port>`` in the shape of the genie GigabitEthernet1/0/2 sample.

    A third-party optic shows its own vendor part as PID and no Cisco part number [unverified: no
    third-party idprom sample was found]. A cage without an optic prints a one-line notice [unverified].
    """
    d, port = view.device, args["port"]
    cages = dict(MODELS[d.model].ports)
    optic = next((o for o in d.optics if o.port == port), None)
    if optic is None:
        return f"IDPROM is not available for {port}\n" if port in cages else ""
    kind = OPTIC_KINDS[optic.type]
    r = device_rng(d, f"idprom/{port}")
    oem = is_oem(optic)
    lines = [
        f"IDPROM for transceiver {port}:",
        _idprom_line("Description", kind.idprom_description),
        _idprom_line("Transceiver Type:", kind.idprom_type),
        _idprom_line("Product Identifier (PID)", f"{optic.part:<20}"),
        _idprom_line("Vendor Revision", f"{'1.0' if oem else 'A':<4}"),
        _idprom_line("Serial Number (SN)", f"{optic.serial:<16}"),
        _idprom_line("Vendor Name", f"{optic.vendor:<16}"),
        _idprom_line("Vendor OUI (IEEE company ID)", "00.90.65 (36965)"),
        _idprom_line("CLEI code", "COUIA8NCAA" if oem else ""),
        _idprom_line("Cisco part number", f"10-{r.randint(2000, 3300)}-0{r.randint(1, 3)}" if oem else ""),
        _idprom_line("Device State", "Enabled."),
        _idprom_line("Date code (yy/mm/dd)", f"{r.randint(16, 23)}/{r.randint(1, 12):02d}/{r.randint(1, 28):02d}"),
        _idprom_line("Connector type", "LC."),
        _idprom_line("Encoding", kind.encoding),
        _idprom_line("Nominal bitrate", kind.bitrate),
        _idprom_line("Minimum bit rate as % of nominal bit rate", "not specified"),
        _idprom_line("Maximum bit rate as % of nominal bit rate", "not specified"),
    ]
    return "\n".join(lines) + "\n"


def show_clock(view: DeviceView, args: dict[str, str]) -> str:
    """``show clock``: `*10:15:02.123 UTC Mon Sep 9 2024`."""
    now = time.gmtime()
    return f"*{time.strftime('%H:%M:%S', now)}.000 UTC {time.strftime('%a %b', now)} {now.tm_mday} {now.tm_year}\n"


def show_running_config(view: DeviceView, args: dict[str, str]) -> str:
    """``show running-config``: lab.personalities.configs, with the estate file's and ``lab ctl`` changes."""
    return configs.served(view, configs.ios_running_config(view))


COMMANDS: tuple[Command, ...] = (
    Command("terminal width <n>", nothing, setup=True),
    Command("terminal length <n>", nothing, setup=True),
    Command("enable", nothing),
    Command("show version", show_version),
    Command("show inventory", show_inventory),
    Command("show idprom interface <port>", show_idprom_interface),
    Command("show clock", show_clock),
    Command("show running-config", show_running_config),
    Command("exit|quit|logout", nothing, close=True),
)

INVALID_INPUT = "% Invalid input detected at '^' marker."
INCOMPLETE = "% Incomplete command."


def _bad_word(line: str) -> int | None:
    """Index in `line` of the first word no command accepts, or None when the line is only too short.

    >>> _bad_word("show foo"), _bad_word("display version"), _bad_word("show version brief"), _bad_word("show")
    (5, 0, 13, None)
    """
    words = line.split()
    depth = 0
    for command in COMMANDS:
        tokens = command.tokens
        matched = 0
        for token, word in zip(tokens, words, strict=False):
            if not (token.startswith("<") or word in token.split("|")):
                break
            matched += 1
        depth = max(depth, matched)
    if depth >= len(words):
        return None
    position = 0
    for word in words[:depth]:
        position = line.index(word, position) + len(word)
    return line.index(words[depth], position)


# --- the shell ------------------------------------------------------------------------------------------


class IosShell:
    """One IOS exec session at privilege 15 (prompt `hostname#`)."""

    def __init__(self, view: DeviceView) -> None:
        self.view = view

    def prompt(self) -> str:
        return f"{self.view.device.name}#"

    def banner(self) -> str:
        return "\n"

    def handle(self, line: str) -> Reply:
        found = match_command(COMMANDS, line)
        if found.command is None:
            return Reply(text=self._error(line))
        command = found.command
        text = command.handler(self.view, dict(found.args))
        return Reply(text=text, close=command.close, setup=command.setup)

    def refuse(self, line: str) -> str:
        """A command the account's privilege level lacks: IOS marks the word after `show` as invalid input."""
        return f"{' ' * (len(self.prompt()) + word_start(line, 1))}^\n{INVALID_INPUT}\n\n"

    def _error(self, line: str) -> str:
        """IOS marks the first bad character with a caret under the echoed line (prompt included)."""
        column = _bad_word(line)
        if column is None:
            return f"{INCOMPLETE}\n\n"
        return f"{' ' * (len(self.prompt()) + column)}^\n{INVALID_INPUT}\n\n"


PERSONALITY = Personality(
    platform="cisco_ios",
    validate_device=validate_device,
    new_shell=IosShell,
    models=tuple(MODELS),
)
