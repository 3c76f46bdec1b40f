"""NX-OS personality: prompt, session preparation, errors and outputs in the shape of real Nexus samples."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from datetime import datetime

from lab.estate import Device, Optic
from lab.estates.platforms import demo_data
from lab.personalities import configs, data
from lab.personalities.base import Command, DeviceView, Personality, Reply, layout_problems, match_command, nothing

# --- hardware data ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpticKind:
    """How NX-OS describes one optic type (`type is ...`) in `show interface transceiver`."""

    cage: str  # the smallest cage kind it fits: sfp, sfp+, sfp28, qsfp+, qsfp28
    bitrate: str  # `nominal bitrate is ...`
    reach: str  # the `Link length supported ...` line
    cisco_id: str
    extended_id: str


@dataclass(frozen=True)
class Model:
    """One Nexus chassis: the `cisco ... Chassis` line of `show version` and its front-panel ports."""

    chassis: str
    ports: tuple[tuple[str, str], ...]


def _layout(*groups: tuple[str, int, int]) -> tuple[tuple[str, str], ...]:
    """Ports ``Ethernet1/first..last`` of each cage kind."""
    return tuple((f"Ethernet1/{n}", cage) for cage, first, last in groups for n in range(first, last + 1))


# The catalogue: lab/personalities/data/cisco_nxos.yaml.
_DATA = data.read("cisco_nxos")
OPTIC_KINDS: dict[str, OpticKind] = {
    str(name): OpticKind(**{k: str(v) for k, v in fields.items()})
    for name, fields in data.section(_DATA, "optic_kinds").items()
}
CAGE_ACCEPTS: dict[str, frozenset[str]] = {str(k): frozenset(v) for k, v in data.section(_DATA, "cage_accepts").items()}
MODELS: dict[str, Model] = {
    str(name): Model(str(spec["chassis"]), _layout(*(tuple(group) for group in spec["ports"])))
    for name, spec in data.section(_DATA, "models").items()
}


# For the demo estate the lead generates.
_DEMO = demo_data("cisco_nxos")  # lab/estates/platforms/cisco_nxos.yaml
DEMO_MODELS: dict[str, str] = _DEMO.models
DEMO_VERSIONS: list[str] = _DEMO.versions
DEMO_OEM_OPTICS: list[dict[str, str]] = _DEMO.oem_optics
DEMO_THIRD_PARTY_OPTICS: list[dict[str, str]] = _DEMO.third_party_optics
DEMO_PORTS: dict[str, list[str]] = {
    model: [port for port, cage in spec.ports if cage != "copper"]
    for model, spec in MODELS.items()
    if model in DEMO_MODELS
}

# A Cisco-coded optic's EEPROM vendor part number and Cisco part number, where a sample shows them
# (shared/reference/vendor-data.md §3.1); others get a made-up, stable vendor part.
_CISCO_PARTS: dict[str, tuple[str, str]] = {
    "SFP-10G-SR": ("FTLX8571D3BCL-C2", "10-2415-03"),
    "QSFP-40G-SR-BD": ("AFBR-79EBPZ-CS2", "10-2945-02"),
    "SFP-H10GB-CU1M": ("74752-9519", "37-0960-03"),
}


def validate_device(device: Device) -> list[tuple[str, str]]:
    """Problems with an NX-OS device: unknown model, optics in ports that cannot hold them."""
    ports = {model: dict(spec.ports) for model, spec in MODELS.items()}
    return layout_problems(
        device, "NX-OS", ports, OPTIC_KINDS, lambda cage, kind: OPTIC_KINDS[kind].cage in CAGE_ACCEPTS[cage]
    )


# --- per-device deterministic facts -------------------------------------------------------------------------


def _digest(device: Device, salt: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{device.name}/{salt}".encode()).digest()[:8], "big")


def is_cisco(vendor: str) -> bool:
    """Cisco-coded optics report `CISCO` or `CISCO-<maker>` as their name.

    >>> is_cisco("CISCO-AVAGO"), is_cisco("Arista Networks")
    (True, False)
    """
    return vendor.upper() == "CISCO" or vendor.upper().startswith("CISCO-")


def _image(version: str) -> str:
    """The NX-OS image file name of a release: `nxos64-cs.10.4.5.M.bin` (10.x), `nxos.9.3.10.bin`.

    >>> _image("10.4(5)"), _image("9.3(10)")
    ('nxos64-cs.10.4.5.M.bin', 'nxos.9.3.10.bin')
    """
    dotted = ".".join(re.findall(r"\d+", version))
    return f"nxos64-cs.{dotted}.M.bin" if int(version.split(".")[0]) >= 10 else f"nxos.{dotted}.bin"


def _uptime(view: DeviceView) -> str:
    seconds = _digest(view.device, "uptime") % (400 * 86400) + 3600 + int(time.time() - view.started_at)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{days} day(s), {hours} hour(s), {minutes} minute(s), {secs} second(s)"


# --- command handlers -----------------------------------------------------------------------------------

_COPYRIGHT = """Cisco Nexus Operating System (NX-OS) Software
TAC support: http://www.cisco.com/tac
Copyright (C) 2002-2025, Cisco and/or its affiliates.
All rights reserved.
The copyrights to certain works contained in this software are
owned by other third parties and used and distributed under their own
licenses, such as open source.  This software is provided "as is," and unless
otherwise stated, there is no warranty, express or implied, including but not
limited to warranties of merchantability and fitness for a particular purpose.
Certain components of this software are licensed under
the GNU General Public License (GPL) version 2.0 or
GNU General Public License (GPL) version 3.0  or the GNU
Lesser General Public License (LGPL) Version 2.1 or
Lesser General Public License (LGPL) Version 2.0.
A copy of each such license is available at
http://www.opensource.org/licenses/gpl-2.0.php and
http://opensource.org/licenses/gpl-3.0.html and
http://www.opensource.org/licenses/lgpl-2.1.php and
http://www.gnu.org/licenses/old-licenses/library.txt."""


def show_version(view: DeviceView, args: dict[str, str]) -> str:
    """`show version` in the shape of the real N9K 10.4(5) sample (ntc-templates / oxidized)."""
    d = view.device
    release = " [Maintenance Release]" if d.version.startswith(("10.2(", "10.4(")) else ""
    lines = [
        _COPYRIGHT,
        "",
        "Software",
        "  BIOS: version 01.11",
        f"  NXOS: version {d.version}{release}",
        "  BIOS compile time:  12/04/2024",
        f"  NXOS image file is: bootflash:///{_image(d.version)}",
        "  NXOS compile time:  3/5/2025 31:00:00 [03/01/2025 05:48:31]",
        "  NXOS boot mode: LXC",
        "",
        "Hardware",
        f"  cisco {MODELS[d.model].chassis}",
        "  Intel(R) Xeon(R) CPU D-1526 @ 1.80GHz with 32802700 kB of memory.",
        f"  Processor Board ID {d.serial}",
        f"  Device name: {d.name}",
        "  bootflash:  115805708 kB",
        "",
        f"Kernel uptime is {_uptime(view)}",
        "",
        "Last reset at 769579 usecs after Wed May 28 16:37:32 2025",
        "  Reason: Reset due to upgrade",
        f"  System version: {d.version}",
        "  Service: ",
        "",
        "plugin",
        "  Core Plugin, Ethernet Plugin",
        "",
        "Active Package(s):",
        "        ",
    ]
    return "\n".join(lines) + "\n"


def _optic_block(port: str, optic: Optic) -> list[str]:
    kind = OPTIC_KINDS[optic.type]
    cisco = is_cisco(optic.vendor)
    vendor_part = optic.part
    if cisco:
        vendor_part, _ = _CISCO_PARTS.get(optic.part, (f"{optic.part.split('-')[0]}{len(optic.part)}-C2", ""))
    lines = [
        port,
        "    transceiver is present",
        f"    type is {optic.type}",
        f"    name is {optic.vendor}",
        f"    part number is {vendor_part}",
        f"    revision is {'A' if cisco else '01'}",
        f"    serial number is {optic.serial}",
        f"    nominal bitrate is {kind.bitrate}",
        f"    {kind.reach}",
        f"    cisco id is {kind.cisco_id}",
        f"    cisco extended id number is {kind.extended_id}",
    ]
    if cisco:
        cisco_part = _CISCO_PARTS.get(optic.part, ("", f"10-{2000 + len(optic.part) * 37 % 1000}-01"))[1]
        lines += [
            f"    cisco part number is {cisco_part}",
            f"    cisco product id is {optic.part}",
            "    cisco version id is V01",
        ]
    return lines


def show_interface_transceiver(view: DeviceView, args: dict[str, str]) -> str:
    """`show interface transceiver`: one block per front-panel port, blank-line separated (N9K shape)."""
    optics = {optic.port: optic for optic in view.device.optics}
    blocks: list[list[str]] = []
    for port, cage in MODELS[view.device.model].ports:
        optic = optics.get(port)
        if optic is not None:
            blocks.append(_optic_block(port, optic))
        elif cage == "copper":
            blocks.append([port, "    transceiver is not applicable"])
        else:
            blocks.append([port, "    transceiver is not present"])
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def show_hostname(view: DeviceView, args: dict[str, str]) -> str:
    """`show hostname`."""
    return f"{view.device.name} \n"


def show_clock(view: DeviceView, args: dict[str, str]) -> str:
    """`show clock`, as NX-OS 10.x prints it."""
    now = datetime.now()
    return f"{now:%H:%M:%S}.{now.microsecond // 1000:03d} UTC {now:%a %b %d %Y}\nTime source is NTP\n"


def show_running_config(view: DeviceView, args: dict[str, str]) -> str:
    """``show running-config``: lab.personalities.configs, with the estate file's and ``lab ctl`` changes."""
    return configs.served(view, configs.nxos_running_config(view))


COMMANDS: tuple[Command, ...] = (
    Command("terminal width <n>", nothing, setup=True),
    Command("terminal length <n>", nothing, setup=True),
    Command("show version", show_version),
    Command("show interface transceiver", show_interface_transceiver),
    Command("show hostname", show_hostname),
    Command("show clock", show_clock),
    Command("show running-config", show_running_config),
    Command("exit", nothing, close=True),
)


# --- the shell ------------------------------------------------------------------------------------------


def invalid_command(prompt: str, line: str, word_index: int) -> str:
    """NX-OS's error: a caret under the end of the rejected word (after the prompt), then the message.

    The caret column follows the real N5548 sample (`show inventory all`: caret after `all`).

    >>> invalid_command("sw1# ", "show foo", 1)
    "             ^\\n% Invalid command at '^' marker.\\n"
    """
    words = list(re.finditer(r"\S+", line))
    end = words[min(word_index, len(words) - 1)].end() if words else 0
    return " " * (len(prompt) + end) + "^\n% Invalid command at '^' marker.\n"


def _known_words(line: str) -> int:
    """How many leading words of `line` some command accepts."""
    words = line.split()
    best = 0
    for command in COMMANDS:
        depth = 0
        for token, word in zip(command.tokens, words, strict=False):
            if not (token.startswith("<") or word in token.split("|")):
                break
            depth += 1
        best = max(best, depth)
    return best


class NxosShell:
    """One NX-OS exec session (no config mode); prompt `hostname# ` preceded by a CR, as NX-OS sends it."""

    def __init__(self, view: DeviceView) -> None:
        self.view = view

    def prompt(self) -> str:
        return f"\r{self.view.device.name}# "

    def banner(self) -> str:
        return "\n" + _COPYRIGHT + "\n"

    def handle(self, line: str) -> Reply:
        found = match_command(COMMANDS, line)
        if found.command is None:
            visible = self.prompt().lstrip("\r")
            if found.error_word is None and _known_words(line) == len(line.split()):
                text = " " * (len(visible) + len(line)) + "^\n% Incomplete command at '^' marker.\n"
                return Reply(text=text)
            return Reply(text=invalid_command(visible, line, _known_words(line)))
        command = found.command
        text = command.handler(self.view, dict(found.args))
        return Reply(text=text, close=command.close, setup=command.setup)

    def refuse(self, line: str) -> str:
        """A command the account's role lacks: NX-OS rejects the word after `show`."""
        return invalid_command(self.prompt().lstrip("\r"), line, 1)


PERSONALITY = Personality(
    platform="cisco_nxos",
    validate_device=validate_device,
    new_shell=NxosShell,
    models=tuple(MODELS),
)
