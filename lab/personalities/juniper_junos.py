"""Junos personality: prompt with context line, session preparation, outputs in the shape of real Junos samples."""

from __future__ import annotations

import hashlib
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from lab.estate import Device, Optic
from lab.estates.platforms import demo_data
from lab.personalities import configs, data
from lab.personalities.base import Command, DeviceView, Personality, Reply, match_command, nothing

# --- hardware data ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpticKind:
    """How Junos reports one optic type: the `show chassis hardware` description is the type name."""

    prefix: str  # interface prefix by speed: ge, xe, et
    cable: str  # `show chassis pic` Cable type (10G/100G after the genieparser samples; others plausible)
    fiber: str  # SM / MM / n/a
    wavelength: str
    juniper_part: str  # the 740- number a Juniper-coded optic of this type reports


@dataclass(frozen=True)
class PicSpec:
    """One PIC of FPC 0: its number, description and ports ``first..last`` of one cage kind per group."""

    number: int
    description: str
    groups: tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class ModelSpec:
    """A model: what `show chassis hardware` calls the chassis and FPC, and its PICs (front panel)."""

    chassis: str
    fpc: str
    pics: tuple[PicSpec, ...]


# The catalogue: lab/personalities/data/juniper_junos.yaml.
_DATA = data.read("juniper_junos")
OPTIC_KINDS: dict[str, OpticKind] = {
    str(name): OpticKind(**fields) for name, fields in data.section(_DATA, "optic_kinds").items()
}
CAGES: dict[str, frozenset[str]] = {str(k): frozenset(v) for k, v in data.section(_DATA, "cages").items()}
MODELS: dict[str, ModelSpec] = {
    str(name): ModelSpec(
        str(spec["chassis"]),
        str(spec["fpc"]),
        tuple(
            PicSpec(int(pic["number"]), str(pic["description"]), tuple(tuple(group) for group in pic["groups"]))
            for pic in spec["pics"]
        ),
    )
    for name, spec in data.section(_DATA, "models").items()
}


def cages(model: str) -> dict[tuple[int, int], str]:
    """``{(pic, port): cage kind}`` for every front-panel port of ``model`` (FPC 0)."""
    return {
        (pic.number, n): cage
        for pic in MODELS[model].pics
        for cage, first, last in pic.groups
        for n in range(first, last + 1)
    }


def parse_port(port: str) -> tuple[str, int, int, int] | None:
    """``xe-0/1/3`` → ``('xe', 0, 1, 3)``; None when it is not a Junos physical port name.

    >>> parse_port("et-0/0/48"), parse_port("ethernet1/1")
    (('et', 0, 0, 48), None)
    """
    prefix, sep, rest = port.partition("-")
    numbers = rest.split("/")
    if not sep or prefix not in ("ge", "xe", "et") or len(numbers) != 3 or not all(n.isdigit() for n in numbers):
        return None
    return prefix, int(numbers[0]), int(numbers[1]), int(numbers[2])


def validate_device(device: Device) -> list[tuple[str, str]]:
    """Problems with a Junos device: unknown model, optics in ports that cannot hold them."""
    if device.model not in MODELS:
        return [("model", f"unknown Junos model {device.model!r} (known: {', '.join(MODELS)})")]
    layout = cages(device.model)
    for i, optic in enumerate(device.optics):
        problem = _optic_problem(device.model, layout, optic)
        if problem:
            return [(f"optics[{i}].{problem[0]}", problem[1])]
    return []


def _optic_problem(model: str, layout: dict[tuple[int, int], str], optic: Optic) -> tuple[str, str] | None:
    kind = OPTIC_KINDS.get(optic.type)
    if kind is None:
        return "type", f"unknown optic type {optic.type!r} (known: {', '.join(OPTIC_KINDS)})"
    parsed = parse_port(optic.port)
    if parsed is None or parsed[1] != 0 or (parsed[2], parsed[3]) not in layout:
        return "port", f"{model} has no port {optic.port!r} (ports are ge-|xe-|et-0/<pic>/<port>)"
    cage = layout[(parsed[2], parsed[3])]
    if optic.type not in CAGES[cage]:
        return "port", f"{optic.port} of {model} is a {cage} port and cannot hold a {optic.type} optic"
    if parsed[0] != kind.prefix:
        expected = f"{kind.prefix}-0/{parsed[2]}/{parsed[3]}"
        return "port", f"Junos names a {optic.type} in this cage {expected}, not {optic.port}"
    return None


def is_juniper(optic: Optic) -> bool:
    """Whether the estate describes a Juniper-coded optic (part is a 740- number)."""
    return optic.part.startswith("740-")


# --- per-device deterministic facts -------------------------------------------------------------------------


def _rng(device: Device, salt: str) -> random.Random:
    seed = hashlib.sha256(f"{device.name}/{salt}".encode()).digest()
    return random.Random(int.from_bytes(seed[:8], "big"))


def _uptime_seconds(view: DeviceView) -> int:
    return _rng(view.device, "uptime").randint(3600, 400 * 86400) + int(time.time() - view.started_at)


def _ago(seconds: int) -> str:
    """Junos' `22w0d 19:16` form.

    >>> _ago(22 * 7 * 86400 + 19 * 3600 + 16 * 60 + 5)
    '22w0d 19:16'
    """
    weeks, rest = divmod(seconds, 7 * 86400)
    days, rest = divmod(rest, 86400)
    hours, rest = divmod(rest, 3600)
    return f"{weeks}w{days}d {hours:02d}:{rest // 60:02d}"


def _members(view: DeviceView) -> list[tuple[str, Device]]:
    """The `fpcN:`/`nodeN:` sections of a VC or cluster (the active member first), [] for a single box."""
    d, peer = view.device, view.peer
    if d.ha is None or peer is None:
        return []
    first, second = (d, peer) if d.ha.state == "active" else (peer, d)
    kind = "node" if d.model.startswith("SRX") else "fpc"
    return [(f"{kind}0", first), (f"{kind}1", second)]


def context_line(device: Device) -> str | None:
    """The line Junos prints above the prompt: `{master:0}` on a VC member, `{primary:node0}` on a cluster."""
    if device.ha is None:
        return None
    active = device.ha.state == "active"
    if device.model.startswith("SRX"):
        return "{primary:node0}" if active else "{secondary:node1}"
    if device.model.startswith("MX"):
        return "{master}" if active else "{backup}"
    return "{master:0}" if active else "{backup:1}"


# --- command handlers -----------------------------------------------------------------------------------

# Package lines of a 64-bit Junos 21+ `show version` (after the ntc-templates srx1500/qfx5100 samples);
# `{v}` is the release, `{b}` the builder stamp.
_PACKAGES = (
    "JUNOS OS Kernel 64-bit  [{b}]",
    "JUNOS OS libs [{b}]",
    "JUNOS OS runtime [{b}]",
    "JUNOS OS time zone information [{b}]",
    "JUNOS network stack and utilities [{b}]",
    "JUNOS libs [{b}]",
    "JUNOS runtime [{b}]",
    "JUNOS Packet Forwarding Engine Support (qfx-ex-x86-32) [{v}]",
    "JUNOS Routing Software Suite [{v}]",
    "JUNOS Web Management Platform Package [{b}]",
    "JUNOS Online Documentation [{v}]",
    "JUNOS Openconfig [{v}]",
)


def _version_body(device: Device, hostname: str) -> list[str]:
    lines = [f"Hostname: {hostname}", f"Model: {device.model.lower()}", f"Junos: {device.version}"]
    if device.model.startswith("SRX"):
        return [*lines, f"JUNOS Software Release [{device.version}]"]
    stamp = f"{20200101 + _rng(device, 'build').randint(0, 40000)}.{device.version.lower().replace('.', '')}_builder"
    return lines + [p.format(v=device.version, b=stamp) for p in _PACKAGES]


def show_version(view: DeviceView, args: dict[str, str]) -> str:
    """``show version``: one block, or ``fpcN:``/``nodeN:`` sections for a VC or cluster."""
    members = _members(view)
    if not members:
        return "\n".join(_version_body(view.device, view.device.name))
    blocks = []
    for name, member in members:
        blocks.append("\n".join([f"{name}:", "-" * 74, *_version_body(member, member.name)]))
    return "\n\n".join(blocks)


def _hw_row(item: str, version: str, part: str, serial: str, description: str) -> str:
    """A `show chassis hardware` row: columns at 0, 17, 26, 39 and 57 as in the real samples."""
    return f"{item:<17}{version:<9}{part:<13}{serial:<18}{description}".rstrip()


def show_chassis_hardware(view: DeviceView, args: dict[str, str]) -> str:
    """``show chassis hardware``: chassis, routing engine, FPC 0, its PICs and their optics, PSUs, fans."""
    d = view.device
    spec = MODELS[d.model]
    r = _rng(d, "hardware")
    optics = {parse_port(o.port): o for o in d.optics}
    rows = [
        "Hardware inventory:",
        "Item             Version  Part number  Serial number     Description",
        _hw_row("Chassis", "", "", d.serial, spec.chassis),
        _hw_row("Routing Engine 0", "", "BUILTIN", "BUILTIN", f"RE-{d.model}"),
        _hw_row("FPC 0", f"REV {r.randint(1, 20):02d}", f"650-0{r.randint(10000, 99999)}", d.serial, spec.fpc),
        _hw_row("  CPU", "", "BUILTIN", "BUILTIN", "FPC CPU"),
    ]
    for pic in spec.pics:
        rows.append(_hw_row(f"  PIC {pic.number}", "", "BUILTIN", "BUILTIN", pic.description))
        ports = sorted((key[3], optic) for key, optic in optics.items() if key is not None and key[2] == pic.number)
        for number, optic in ports:
            juniper = is_juniper(optic)
            rev = f"REV {r.randint(1, 2):02d}" if juniper else ""
            rows.append(
                _hw_row(f"    Xcvr {number}", rev, optic.part if juniper else "NON-JNPR", optic.serial, optic.type)
            )
    for n in range(2):
        rows.append(
            _hw_row(f"Power Supply {n}", "REV 04", "740-070749", f"1F1{r.randint(10**7, 10**8 - 1)}", "JPSU-650W-AC-AO")
        )
    rows += [_hw_row(f"Fan Tray {n}", "", "", "", f"Fan Tray {n}, Front to Back Airflow - AFO") for n in range(3)]
    return "\n".join(rows)


def _vendor_part(optic: Optic) -> str:
    """What the EEPROM calls the part: the maker's part for a Juniper-coded optic (not in the estate).

    Two come from the genieparser PIC samples; the `JNP-` form of the others is made up for the lab.
    """
    if not is_juniper(optic):
        return optic.part
    return {"SFP+-10G-LR": "AFCT-739ASMZ-JU1", "QSFP-100GBASE-LR4-T2": "FTLC1121RDNL-J3"}.get(
        optic.type, f"JNP-{optic.part[4:]}"
    )


def show_chassis_pic(view: DeviceView, args: dict[str, str]) -> str:
    """``show chassis pic fpc-slot N pic-slot M`` in the column layout of the genieparser samples."""
    d = view.device
    spec = MODELS[d.model]
    fpc, pic_no = args["fpc"], args["pic"]
    pic = next((p for p in spec.pics if str(p.number) == pic_no), None)
    if fpc != "0" or pic is None:
        return f"FPC slot {fpc}, PIC slot {pic_no} information:\n  State                            Empty"
    uptime = _uptime_seconds(view)
    hours, minutes = divmod(uptime // 60, 60)
    lines = [
        f"FPC slot {fpc}, PIC slot {pic_no} information:",
        f"  Type                             {pic.description}",
        "  State                            Online",
        f"  PIC version                 {1 + _rng(d, 'pic').randint(0, 2)}.{_rng(d, 'pic').randint(10, 40)}",
        f"  Uptime\t\t\t {hours % 24} hours, {minutes} minutes, {uptime % 60} seconds",
        "",
        "PIC port information:",
        "                         Fiber                    Xcvr vendor       Wave-    Xcvr",
        "  Port Cable type        type  Xcvr vendor        part number       length   Firmware",
    ]
    optics = sorted(
        (key[3], optic) for optic in d.optics if (key := parse_port(optic.port)) is not None and str(key[2]) == pic_no
    )
    for number, optic in optics:
        kind = OPTIC_KINDS[optic.type]
        lines.append(
            f"  {number:<5}{kind.cable:<18}{kind.fiber:<6}{optic.vendor:<19}{_vendor_part(optic):<18}"
            f"{kind.wavelength:<9}0.0"
        )
    return "\n".join(lines)


def show_system_uptime(view: DeviceView, args: dict[str, str]) -> str:
    """``show system uptime`` after the ntc-templates samples."""
    now = datetime.now().replace(microsecond=0)
    up = _uptime_seconds(view)
    booted = now - timedelta(seconds=up)
    configured = now - timedelta(seconds=up // 3)
    days, rest = divmod(up, 86400)
    return "\n".join(
        [
            f"Current time: {now:%Y-%m-%d %H:%M:%S} UTC",
            "Time Source:  NTP CLOCK",
            f"System booted: {booted:%Y-%m-%d %H:%M:%S} UTC ({_ago(up)} ago)",
            f"Protocols started: {booted + timedelta(minutes=5):%Y-%m-%d %H:%M:%S} UTC ({_ago(up - 300)} ago)",
            f"Last configured: {configured:%Y-%m-%d %H:%M:%S} UTC ({_ago(up // 3 * 2)} ago) by {view.username}",
            f"{now:%-I:%M%p}  up {days} days, {rest // 3600}:{rest % 3600 // 60:02d}, 1 user, "
            "load averages: 0.04, 0.04, 0.01",
        ]
    )


def show_chassis_cluster_status(view: DeviceView, args: dict[str, str]) -> str:
    """``show chassis cluster status``: only the not-clustered reply of the oxidized SRX300 sample."""
    return "error: Chassis cluster is not enabled."


def screen_width(view: DeviceView, args: dict[str, str]) -> str:
    return f"Screen width set to {args['n']}"


def screen_length(view: DeviceView, args: dict[str, str]) -> str:
    return f"Screen length set to {args['n']}"


def complete_on_space(view: DeviceView, args: dict[str, str]) -> str:
    return "Disabling complete-on-space" if args["onoff"] == "off" else "Enabling complete-on-space"


def show_running_config(view: DeviceView, args: dict[str, str]) -> str:
    """``show configuration | display set``: lab.personalities.configs, with the estate file's and ``lab ctl``
    changes."""
    return configs.served(view, configs.junos_running_config(view))


COMMANDS: tuple[Command, ...] = (
    Command("set cli screen-width <n>", screen_width, setup=True),
    Command("set cli screen-length <n>", screen_length, setup=True),
    Command("set cli complete-on-space <onoff>", complete_on_space, setup=True),
    Command("show version", show_version),
    Command("show chassis hardware", show_chassis_hardware),
    Command("show chassis pic fpc-slot <fpc> pic-slot <pic>", show_chassis_pic),
    Command("show chassis cluster status", show_chassis_cluster_status),
    Command("show system uptime", show_system_uptime),
    Command("show configuration <pipe> display set", show_running_config),
    Command("exit|quit", nothing, close=True),
)

# First words Junos knows at the top level: another word is an `unknown command.`.
_TOP_LEVEL = frozenset({"show", "set", "exit", "quit", "request", "configure", "clear", "file", "monitor", "ping"})


# --- the shell ------------------------------------------------------------------------------------------


class JunosShell:
    """One Junos CLI session: `user@host> ` with a `{master:0}`-style line above it on a VC/cluster member."""

    def __init__(self, view: DeviceView) -> None:
        self.view = view
        self._context = context_line(view.device)

    def _prompt_text(self) -> str:
        return f"{self.view.username}@{self.view.device.name}> "

    def prompt(self) -> str:
        if self._context is None:
            return self._prompt_text()
        return f"\n{self._context}\n{self._prompt_text()}"

    def banner(self) -> str:
        login = datetime.now() - timedelta(hours=_rng(self.view.device, "login").randint(1, 200))
        built = "2024-05-10 20:45:39 UTC"
        version = self.view.device.version
        return f"Last login: {login:%a %b %e %H:%M:%S %Y} from 10.0.0.2\n--- JUNOS {version} built {built}\n"

    def handle(self, line: str) -> Reply:
        found = match_command(COMMANDS, line)
        if found.command is None:
            return Reply(text=self._frame(self._error(line)))
        command = found.command
        text = command.handler(self.view, dict(found.args))
        if command.close:
            return Reply(close=True)
        return Reply(text=self._frame(text), setup=command.setup)

    def refuse(self, line: str) -> str:
        """A command the login class does not allow is hidden, so unknown: Junos' syntax error at its third
        word (`show chassis pic ...`: under `pic`)."""
        column = len(self._prompt_text()) + _word_offset(line, min(2, len(line.split()) - 1))
        return self._frame(f"{' ' * column}^\nsyntax error, expecting <command>.")

    def _error(self, line: str) -> str:
        """Junos' caret under the first bad word, then `unknown command.` or a `syntax error`."""
        words = line.split()
        bad = _bad_word_index(words)
        column = len(self._prompt_text()) + _word_offset(line, bad)
        if bad == 0 and words[0] not in _TOP_LEVEL:
            message = "unknown command."
        elif any(command.tokens == words[:bad] for command in COMMANDS):
            message = "syntax error."  # a whole command followed by words it does not take
        else:
            message = "syntax error, expecting <command>."
        return f"{' ' * column}^\n{message}"

    def _frame(self, text: str) -> str:
        """Junos ends an output with a blank line before the next prompt (the context line brings its own)."""
        if not text:
            return "" if self._context else "\n"
        return f"{text}\n" if self._context else f"{text}\n\n"


def _bad_word_index(words: list[str]) -> int:
    """The index of the first word no command continues with (len(words) when the line is just incomplete)."""
    for i in range(len(words)):
        if not any(_prefix_matches(command.tokens, words[: i + 1]) for command in COMMANDS):
            return i
    return len(words)


def _prefix_matches(tokens: list[str], words: list[str]) -> bool:
    if len(words) > len(tokens):
        return False
    return all(t.startswith("<") or w in t.split("|") for t, w in zip(tokens, words, strict=False))


def _word_offset(line: str, index: int) -> int:
    """The column where word ``index`` of ``line`` starts (end of line when past the last word)."""
    position = 0
    for i, word in enumerate(line.split()):
        position = line.index(word, position)
        if i == index:
            return position
        position += len(word)
    return len(line) + 1


PERSONALITY = Personality(
    platform="juniper_junos",
    validate_device=validate_device,
    new_shell=JunosShell,
    models=tuple(MODELS),
)

# --- data for the demo estate --------------------------------------------------------------------------------

_DEMO = demo_data("juniper_junos")  # lab/estates/platforms/juniper_junos.yaml
DEMO_MODELS: dict[str, str] = _DEMO.models
DEMO_VERSIONS: list[str] = _DEMO.versions
# Only 10G SFP+ optics, so that any of them fits any port of DEMO_PORTS (Junos names a port by the optic's
# speed: a 1G SFP in an SFP+ cage is ge-, not xe-; the lab rejects a name that does not match the type).
DEMO_OEM_OPTICS: list[dict[str, str]] = _DEMO.oem_optics
# Third-party optics report NON-JNPR in `show chassis hardware` (which is what estate audits); the estate's
# part is the maker's part, which `show chassis pic` prints in its vendor part number column.
DEMO_THIRD_PARTY_OPTICS: list[dict[str, str]] = _DEMO.third_party_optics
# The SFP+/SFP28 cages of each demo model, named as Junos names them with a 10G optic inside.
DEMO_PORTS: dict[str, list[str]] = {
    model: [f"xe-0/{pic}/{port}" for (pic, port), cage in cages(model).items() if cage in ("sfp+", "sfp28")]
    for model in DEMO_MODELS
}
