"""PAN-OS personality: prompt, session preparation, and outputs in the shape of real PAN-OS samples."""

from __future__ import annotations

import fnmatch
import hashlib
import random
import re
import time
from dataclasses import dataclass
from datetime import datetime

from lab.estate import Device, Optic
from lab.personalities.base import Command, DeviceView, Personality, Reply, match_command

# --- hardware data ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpticKind:
    """How PAN-OS reports one optic type in ``show system state``."""

    media: str
    transceiver: str
    identifier: str
    connector: str
    encoding: str
    speed: int  # Mb/s, for ``show interface hardware``

    @property
    def quad(self) -> bool:
        return self.identifier.startswith("QSFP")


OPTIC_KINDS: dict[str, OpticKind] = {
    "1000BASE-SX": OpticKind("SFP-Fiber", "1000B-SX", "SFP", "LC", "8B10B", 1000),
    "1000BASE-LX": OpticKind("SFP-Fiber", "1000B-LX", "SFP", "LC", "8B10B", 1000),
    "1000BASE-T": OpticKind("SFP-Copper", "1000B-T", "SFP", "Copper pigtail", "8B10B", 1000),
    "10GBASE-SR": OpticKind("SFP-Plus-Fiber", "10000B-SR", "SFP", "LC", "Reserved", 10000),
    "10GBASE-LR": OpticKind("SFP-Plus-Fiber", "10000B-LR", "SFP", "LC", "Reserved", 10000),
    "10GBASE-ER": OpticKind("SFP-Plus-Fiber", "10000B-ER", "SFP", "LC", "Reserved", 10000),
    "25GBASE-SR": OpticKind("SFP28-Fiber", "25GBASE-SR", "SFP", "LC", "64B66B", 25000),
    "25GBASE-LR": OpticKind("SFP28-Fiber", "25GBASE-LR", "SFP", "LC", "64B66B", 25000),
    "40GBASE-SR4": OpticKind("QSFP-Plus-Fiber", "40GBASE-SR4", "QSFPP", "MPO", "64B66B", 40000),
    "40GBASE-LR4": OpticKind("QSFP-Plus-Fiber", "40GBASE-LR4", "QSFPP", "LC", "64B66B", 40000),
    "100GBASE-SR4": OpticKind("QSFP28-Fiber", "100GBASE-SR4", "QSFP28", "MPO", "64B66B", 100000),
    "100GBASE-LR4": OpticKind("QSFP28-Fiber", "100GBASE-LR4", "QSFP28", "LC", "64B66B", 100000),
}


@dataclass(frozen=True)
class Cage:
    """A front-panel port kind: what an empty one reports and which optic types fit."""

    empty_media: str
    accepts: frozenset[str]


_SFP = frozenset({"1000BASE-SX", "1000BASE-LX", "1000BASE-T"})
_SFP_PLUS = _SFP | {"10GBASE-SR", "10GBASE-LR", "10GBASE-ER"}
_QSFP_PLUS = frozenset({"40GBASE-SR4", "40GBASE-LR4"})
CAGES: dict[str, Cage] = {
    "copper": Cage("CAT5", frozenset()),
    "sfp": Cage("SFP-Fiber", _SFP),
    "sfp+": Cage("SFP-Plus-Fiber", _SFP_PLUS),
    "sfp28": Cage("SFP28-Fiber", _SFP_PLUS | {"25GBASE-SR", "25GBASE-LR"}),
    "qsfp+": Cage("QSFP-Plus-Fiber", _QSFP_PLUS),
    "qsfp28": Cage("QSFP28-Fiber", _QSFP_PLUS | {"100GBASE-SR4", "100GBASE-LR4"}),
}


def _layout(*groups: tuple[str, int, int]) -> tuple[tuple[str, str], ...]:
    """Ports ``ethernet1/first..last`` of each cage kind."""
    return tuple((f"ethernet1/{n}", cage) for cage, first, last in groups for n in range(first, last + 1))


# Front-panel layouts, roughly after the vendor data sheets (plausible, not exact).
MODELS: dict[str, tuple[tuple[str, str], ...]] = {
    "PA-440": _layout(("copper", 1, 8)),
    "PA-450": _layout(("copper", 1, 8)),
    "PA-820": _layout(("copper", 1, 4), ("sfp", 5, 12)),
    "PA-850": _layout(("copper", 1, 4), ("sfp", 5, 12), ("sfp+", 13, 16)),
    "PA-1410": _layout(("copper", 1, 8), ("sfp+", 9, 12)),
    "PA-1420": _layout(("copper", 1, 8), ("sfp+", 9, 16)),
    "PA-3220": _layout(("copper", 1, 12), ("sfp", 13, 16), ("sfp+", 17, 20)),
    "PA-3250": _layout(("copper", 1, 12), ("sfp+", 13, 20), ("qsfp+", 21, 22)),
    "PA-3260": _layout(("copper", 1, 12), ("sfp+", 13, 20), ("qsfp28", 21, 24)),
    "PA-3410": _layout(("copper", 1, 12), ("sfp", 13, 16), ("sfp+", 17, 22)),
    "PA-5220": _layout(("copper", 1, 4), ("sfp+", 5, 20), ("qsfp+", 21, 24)),
    "PA-5250": _layout(("copper", 1, 4), ("sfp+", 5, 20), ("sfp28", 21, 24), ("qsfp28", 25, 28)),
    "PA-5260": _layout(("copper", 1, 4), ("sfp+", 5, 20), ("sfp28", 21, 24), ("qsfp28", 25, 28)),
}


def ports(model: str) -> tuple[tuple[str, str], ...]:
    """``(port, cage kind)`` for every front-panel port of ``model``."""
    return MODELS[model]


def state_key(port: str) -> str:
    """``ethernet1/5`` → ``sys.s1.p5.phy``.

    >>> state_key("ethernet2/13")
    'sys.s2.p13.phy'
    """
    slot, number = port.removeprefix("ethernet").split("/")
    return f"sys.s{slot}.p{number}.phy"


def validate_device(device: Device) -> list[tuple[str, str]]:
    """Problems with a PAN-OS device: unknown model, optics in ports that cannot hold them."""
    if device.model not in MODELS:
        return [("model", f"unknown PAN-OS model {device.model!r} (known: {', '.join(MODELS)})")]
    cages = dict(MODELS[device.model])
    for i, optic in enumerate(device.optics):
        problem = _optic_problem(device.model, cages, optic)
        if problem:
            return [(f"optics[{i}].{problem[0]}", problem[1])]
    return []


def _optic_problem(model: str, cages: dict[str, str], optic: Optic) -> tuple[str, str] | None:
    if optic.type not in OPTIC_KINDS:
        return "type", f"unknown optic type {optic.type!r} (known: {', '.join(OPTIC_KINDS)})"
    cage = cages.get(optic.port)
    if cage is None:
        return "port", f"{model} has no port {optic.port!r}"
    if optic.type not in CAGES[cage].accepts:
        return "port", f"{optic.port} of {model} is a {cage} port and cannot hold a {optic.type} optic"
    return None


# --- per-device deterministic facts -------------------------------------------------------------------------


def _rng(device: Device, salt: str) -> random.Random:
    seed = hashlib.sha256(f"{device.name}/{salt}".encode()).digest()
    return random.Random(int.from_bytes(seed[:8], "big"))


def _mac(device: Device, index: int) -> str:
    base = int(device.serial[-6:]) % 0xFFFF
    return f"00:1b:17:{base >> 8:02x}:{base & 0xFF:02x}:{index & 0xFF:02x}"


def _mgmt_ip(device: Device) -> str:
    r = _rng(device, "mgmt")
    return f"10.{r.randint(1, 250)}.{r.randint(0, 255)}.{r.randint(2, 250)}"


def _uptime_seconds(view: DeviceView) -> int:
    base = _rng(view.device, "uptime").randint(3600, 400 * 86400)
    return base + int(time.time() - view.started_at)


def _uptime(view: DeviceView) -> str:
    seconds = _uptime_seconds(view)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{days} days, {hours}:{minutes:02d}:{secs:02d}"


def _clock(now: datetime) -> str:
    return f"{now:%a %b} {now.day} {now:%H:%M:%S %Y}"


def _family(model: str) -> str:
    """PA-3220 → 3200, PA-850 → 800."""
    digits = re.sub(r"\D", "", model)
    return digits[:-2] + "00" if len(digits) >= 3 else digits


def _base_release(version: str) -> str:
    return ".".join(version.split("-")[0].split(".")[:2]) + ".0"


# --- command handlers -----------------------------------------------------------------------------------


def show_system_info(view: DeviceView, args: dict[str, str]) -> str:
    """``show system info``, in the field order of the real 10.x/11.0 output."""
    d, r = view.device, _rng(view.device, "content")
    app = f"{r.randint(8600, 8900)}-{r.randint(7000, 8800)}"
    fields = [
        ("hostname", d.name),
        ("ip-address", _mgmt_ip(d)),
        ("public-ip-address", "unknown"),
        ("netmask", "255.255.255.0"),
        ("default-gateway", _mgmt_ip(d).rsplit(".", 1)[0] + ".1"),
        ("ip-assignment", "static"),
        ("ipv6-address", "unknown"),
        ("ipv6-link-local-address", f"fe80::21b:17ff:fe{_mac(d, 0)[-5:].replace(':', '')}/64"),
        ("ipv6-default-gateway", ""),
        ("mac-address", _mac(d, 0)),
        ("time", _clock(datetime.now())),
        ("uptime", _uptime(view)),
        ("family", _family(d.model)),
        ("model", d.model),
        ("serial", d.serial),
        ("cloud-mode", "non-cloud"),
        ("sw-version", d.version),
        ("global-protect-client-package-version", "0.0.0"),
        ("device-dictionary-version", f"{r.randint(80, 150)}-{r.randint(300, 600)}"),
        ("device-dictionary-release-date", "2024/05/20 14:09:19"),
        ("app-version", app),
        ("app-release-date", "2024/05/21 17:47:42"),
        ("av-version", f"{r.randint(4700, 4900)}-{r.randint(5200, 5400)}"),
        ("av-release-date", "2024/05/22 04:02:33"),
        ("threat-version", app),
        ("threat-release-date", "2024/05/21 17:47:42"),
        ("wf-private-version", "0"),
        ("wf-private-release-date", "unknown"),
        ("url-db", "paloaltonetworks"),
        ("wildfire-version", f"{r.randint(850000, 880000)}-{r.randint(860000, 890000)}"),
        ("wildfire-release-date", "2024/05/22 04:27:02"),
        ("wildfire-rt", "Disabled"),
        ("url-filtering-version", f"20240522.{r.randint(20000, 40000)}"),
        ("global-protect-datafile-version", "unknown"),
        ("global-protect-datafile-release-date", "unknown"),
        ("global-protect-clientless-vpn-version", "0"),
        ("global-protect-clientless-vpn-release-date", ""),
        ("logdb-version", _base_release(d.version)),
        ("platform-family", _family(d.model)),
        ("vpn-disable-mode", "off"),
        ("multi-vsys", "off"),
        ("operational-mode", "normal"),
        ("device-certificate-status", "Valid"),
    ]
    return "\n".join(f"{key}: {value}" if value else f"{key}:" for key, value in fields)


def _pad(value: str, width: int) -> str:
    """SFF EEPROM strings are fixed-width, space padded; PAN-OS prints them as they are."""
    return f"{value:<{width}}"


def _sfp_block(optic: Optic, kind: OpticKind) -> str:
    """The ``'sfp': { ... }`` value; keys sorted as PAN-OS prints them, QSFPs with per-lane rx power."""
    fields = {
        "connector": kind.connector,
        "encoding": kind.encoding,
        "identifier": kind.identifier,
        "transceiver": kind.transceiver,
        "vendor-name": _pad(optic.vendor, 16),
        "vendor-part-number": _pad(optic.part, 16),
        "vendor-part-rev": _pad("B4" if optic.vendor == "OEM" else "A", 4),
        "vendor-serial-number": _pad(optic.serial, 16),
    }
    if kind.quad:
        fields.update(_QUAD_FIELDS)
        fields["vendor-part-rev"] = _pad("B", 2)
    inner = " ".join(f"'{key}': {fields[key]}," for key in sorted(fields))
    return "{ " + inner + " }"


_QUAD_FIELDS = {
    **{f"ch{n}": "{ 'rx-power': 0.00 mW, }" for n in range(1, 5)},
    "diagnostic-monitor": "Yes",
    "ex-spec-compliance-code": "0x0",
    "link-len-km": "0 km",
    "link-len-om1": "0 m",
    "link-len-om2": "0 m",
    "link-len-om3": "100 m",
    "link-len-om4": "150 m",
    "rx-power-alarm-hi": "0.00 mW",
    "rx-power-alarm-lo": "0.00 mW",
    "rx-power-warn-hi": "0.00 mW",
    "rx-power-warn-lo": "0.00 mW",
}


def _phy_line(port: str, cage: str, optic: Optic | None, view: DeviceView) -> str:
    parts: list[str] = []
    if optic is not None and OPTIC_KINDS[optic.type].quad:
        parts += [f"'duration': {_uptime_seconds(view)},", "'last-sample': 1970-01-01 08:00:00,"]
    parts.append("'link-partner': { },")
    if optic is None:
        parts.append(f"'media': {CAGES[cage].empty_media},")
    else:
        kind = OPTIC_KINDS[optic.type]
        parts += [f"'media': {kind.media},", f"'sfp': {_sfp_block(optic, kind)},"]
    parts.append("'type': Ethernet,")
    return f"{state_key(port)}: {{ {' '.join(parts)} }}"


def _phy_lines(view: DeviceView, pattern: str) -> list[str]:
    optics = {optic.port: optic for optic in view.device.optics}
    return [
        _phy_line(port, cage, optics.get(port), view)
        for port, cage in ports(view.device.model)
        if fnmatch.fnmatchcase(state_key(port), pattern)
    ]


def show_system_state_filter(view: DeviceView, args: dict[str, str]) -> str:
    """``show system state filter <pattern>``: one line per matching key (only phy keys are simulated)."""
    return "\n".join(_phy_lines(view, args["pattern"]))


def show_system_state(view: DeviceView, args: dict[str, str]) -> str:
    """``show system state``: the local.* header keys, then every port."""
    d = view.device
    family = _family(d.model)
    header = [
        "local.brdagent: { }",
        f"local.family: {family}",
        f"local.info: {{ 'family': {family}, 'model': {d.model}, 'name': mp, 'ppid': 0, 'role': mp, 'slot': 1, }}",
        f"local.model: {d.model}",
        "local.name: mp",
        "local.role: mp",
        "local.slot: 1",
    ]
    return "\n".join(header + _phy_lines(view, "sys.s*.p*.phy"))


def _link(cage: str, optic: Optic | None, index: int) -> str:
    if optic is not None:
        return f"{OPTIC_KINDS[optic.type].speed}/full/up"
    if cage == "copper" and index < 2:
        return "1000/full/up"
    return "ukn/ukn/down(autoneg)"


def show_interface_hardware(view: DeviceView, args: dict[str, str]) -> str:
    """``show interface hardware`` in the column layout of the real sample."""
    d = view.device
    optics = {optic.port: optic for optic in d.optics}
    rows = [
        (port, 64 + i, _link(cage, optics.get(port), i), _mac(d, 0x40 + i))
        for i, (port, cage) in enumerate(ports(d.model))
    ]
    rows += [
        ("ha1-a", 5, "ukn/ukn/down(autoneg)", _mac(d, 0xA2)),
        ("ha1-b", 7, "ukn/ukn/down(autoneg)", _mac(d, 0x07)),
        ("vlan", 1, "[n/a]/[n/a]/up", _mac(d, 0x01)),
        ("loopback", 3, "[n/a]/[n/a]/up", _mac(d, 0x03)),
        ("tunnel", 4, "[n/a]/[n/a]/up", _mac(d, 0x04)),
        ("hsci", 8, "ukn/ukn/down(autoneg)", _mac(d, 0x08)),
    ]
    lines = [
        f"total configured hardware interfaces: {len(rows)}",
        "",
        f"{'name':<24}{'id':<6}{'speed/duplex/state':<26}mac address",
        "-" * 80,
    ]
    lines += [f"{name:<24}{ident:<6}{link:<26}{mac}" for name, ident, link, mac in rows]
    return "\n".join([*lines, "", "aggregation groups: 0"])


def _ha_member(device: Device, state: str, days: int, priority: int, peer: bool) -> list[str]:
    lines = [
        "    Connection status: up" if peer else None,
        "    Version: 1",
        "    Mode: Active-Passive",
        f"    State: {state} (last {days} days)",
        "    Device Information:",
        f"      Model: {device.model}",
        f"      Management IPv4 Address: {_mgmt_ip(device)}/24",
        "      Management IPv6 Address: ",
        "    Election Option Information:",
        f"      Priority: {priority}",
        "      Preemptive: no",
        "    Version Information:",
        f"      Build Release: {device.version}",
    ]
    return [line for line in lines if line is not None]


def show_high_availability_state(view: DeviceView, args: dict[str, str]) -> str:
    """``show high-availability state``: group, local and peer information (``HA not enabled.`` if none)."""
    d, peer = view.device, view.peer
    if d.ha is None or peer is None or peer.ha is None:
        return "HA not enabled."
    days = _rng(min(d, peer, key=lambda x: x.name), "ha").randint(1, 300)
    match = "Match" if d.version == peer.version else "Mismatch"
    lines = ["Group 1: ", "  Mode: Active-Passive", "  Local Information:"]
    lines += _ha_member(d, d.ha.state, days, 100 if d.ha.state == "active" else 110, peer=False)
    lines += ["    Version Compatibility:", f"      Software Version: {match}"]
    lines += ["    State Synchronization: Complete; type: ethernet", "  Peer Information:"]
    lines += _ha_member(peer, peer.ha.state, days, 100 if peer.ha.state == "active" else 110, peer=True)
    lines += ["  Configuration Synchronization:", "    Enabled: yes"]
    lines += ["    Running Configuration: synchronized"]
    return "\n".join(lines)


def show_system_disk_space(view: DeviceView, args: dict[str, str]) -> str:
    """``show system disk-space`` (``df -h``); /opt/panrepo free space varies per device."""
    r = _rng(view.device, "disk")
    repo_used = r.choice([2.1, 3.4, 4.7, 5.9, 6.8, 7.4])
    repo_avail = round(7.9 - repo_used - 0.4, 1)
    rows = [
        ("/dev/root", "6.9G", "5.1G", "1.5G", "78%", "/"),
        ("none", "7.8G", "68K", "7.8G", "1%", "/dev"),
        ("/dev/sda5", "16G", "9.0G", "5.9G", "61%", "/opt/pancfg"),
        ("/dev/sda6", "7.9G", f"{repo_used}G", f"{repo_avail}G", f"{round(repo_used / 7.9 * 100)}%", "/opt/panrepo"),
        ("tmpfs", "7.8G", "1.5G", "6.3G", "20%", "/dev/shm"),
        ("cgroup", "7.8G", "0", "7.8G", "0%", "/cgroup"),
        ("/dev/sda8", "89G", "31G", "54G", "37%", "/opt/panlogs"),
        ("tmpfs", "12M", "44K", "12M", "1%", "/opt/pancfg/mgmt/ssl/private"),
    ]
    header = f"{'Filesystem':<16}{'Size':>4}{'Used':>6}{'Avail':>6}{'Use%':>5} Mounted on"
    body = [f"{fs:<16}{size:>4}{used:>6}{avail:>6}{pct:>5} {mount}" for fs, size, used, avail, pct, mount in rows]
    return "\n".join([header, *body])


def show_clock(view: DeviceView, args: dict[str, str]) -> str:
    """``show clock``."""
    now = datetime.now()
    return f"{now:%a %b %d %H:%M:%S} UTC {now:%Y}"


def nothing(view: DeviceView, args: dict[str, str]) -> str:
    """Commands that print nothing (CLI settings)."""
    return ""


COMMANDS: tuple[Command, ...] = (
    Command("set cli scripting-mode on|off", nothing, setup=True),
    Command("set cli terminal width <n>", nothing, setup=True),
    Command("set cli terminal height <n>", nothing, setup=True),
    Command("set cli pager on|off", nothing, setup=True),
    Command("set cli config-output-format default|xml|set|json", nothing, setup=True),
    Command("show system info", show_system_info),
    Command("show system state", show_system_state),
    Command("show system state filter <pattern>", show_system_state_filter),
    Command("show system disk-space", show_system_disk_space),
    Command("show interface hardware", show_interface_hardware),
    Command("show high-availability state", show_high_availability_state),
    Command("show high-availability all", show_high_availability_state),
    Command("show clock", show_clock),
    Command("exit|quit", nothing, close=True),
)


# --- the shell ------------------------------------------------------------------------------------------


class PanosShell:
    """One PAN-OS CLI session. netmiko's first ``show system info`` counts as session preparation."""

    def __init__(self, view: DeviceView) -> None:
        self.view = view
        self._prepared = False

    def prompt(self) -> str:
        ha = self.view.device.ha
        state = f"({ha.state})" if ha is not None else ""
        return f"{self.view.username}@{self.view.device.name}{state}> "

    def banner(self) -> str:
        return "\nNumber of failed attempts since last successful login: 0\n\n\n"

    def handle(self, line: str) -> Reply:
        found = match_command(COMMANDS, line)
        if found.command is None:
            text = f"Unknown command: {found.error_word}" if found.error_word else "Invalid syntax."
            return Reply(text=_framed(text))
        command = found.command
        setup = command.setup or (command.handler is show_system_info and not self._prepared)
        if command.handler is show_system_info:
            self._prepared = True
        text = command.handler(self.view, dict(found.args))
        return Reply(text=_framed(text) if text else "", close=command.close, setup=setup)


def _framed(text: str) -> str:
    """PAN-OS prints a blank line before and after a command's output."""
    return f"\n{text}\n\n"


PERSONALITY = Personality(
    platform="paloalto_panos",
    validate_device=validate_device,
    new_shell=PanosShell,
    models=tuple(MODELS),
)
