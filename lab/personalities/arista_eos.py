"""Arista EOS personality: prompt, session preparation, and outputs in the shape of real EOS samples."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
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
)

# --- hardware data ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpticKind:
    """What `show interfaces transceiver hardware` prints for one media type."""

    max_power_w: str
    wavelength_nm: int | None  # None for copper and DACs


_QUAD = frozenset({"qsfp+", "qsfp28"})


def _layout(*groups: tuple[str, int, int]) -> tuple[tuple[str, str], ...]:
    """`Management1` then `EthernetN` (`EthernetN/1` for QSFP cages) for each group of cages."""
    ports = [("Management1", "copper")]
    for cage, first, last in groups:
        lane = "/1" if cage in _QUAD else ""
        ports += [(f"Ethernet{n}{lane}", cage) for n in range(first, last + 1)]
    return tuple(ports)


@dataclass(frozen=True)
class Model:
    """One switch model: front panel, the description `show inventory` prints, and its PSU/fan parts."""

    ports: tuple[tuple[str, str], ...]
    description: str
    psu: str
    fan: str
    optimization: str


# The catalogue: lab/personalities/data/arista_eos.yaml.
_DATA = data.read("arista_eos")
OPTIC_KINDS: dict[str, OpticKind] = {
    str(name): OpticKind(**fields) for name, fields in data.section(_DATA, "optic_kinds").items()
}
# Cage kind -> the media types it takes.
CAGES: dict[str, frozenset[str]] = {str(k): frozenset(v) for k, v in data.section(_DATA, "cages").items()}
MODELS: dict[str, Model] = {
    str(name): Model(
        _layout(*(tuple(group) for group in spec["ports"])), **{k: v for k, v in spec.items() if k != "ports"}
    )
    for name, spec in data.section(_DATA, "models").items()
}


# For the demo estate the lead generates: model -> role, versions, optics as EOS reports them, optic ports.
_DEMO = demo_data("arista_eos")  # lab/estates/platforms/arista_eos.yaml
DEMO_MODELS: dict[str, str] = _DEMO.models
DEMO_VERSIONS: list[str] = _DEMO.versions
DEMO_OEM_OPTICS: list[dict[str, str]] = _DEMO.oem_optics
DEMO_THIRD_PARTY_OPTICS: list[dict[str, str]] = _DEMO.third_party_optics


def optic_ports(model: str) -> list[str]:
    """The ports of `model` that take a pluggable optic, in front-panel order."""
    return [port for port, cage in MODELS[model].ports if cage != "copper"]


DEMO_PORTS: dict[str, list[str]] = {model: optic_ports(model) for model in DEMO_MODELS}

# SFF-8472/8636 vendor name, part and serial are 16-byte EEPROM fields; EOS prints them in 16-wide columns.
EEPROM_FIELD = 16


def slot(port: str) -> str:
    """The transceiver slot `show inventory` prints for a port.

    >>> slot("Ethernet49/1"), slot("Ethernet7")
    ('49', '7')
    """
    return port.removeprefix("Ethernet").split("/")[0]


def short_name(port: str) -> str:
    """`Ethernet49/1` -> `Et49/1`, as the hardware view names interfaces."""
    return port.replace("Ethernet", "Et", 1)


def validate_device(device: Device) -> list[tuple[str, str]]:
    """Problems with an EOS device: unknown model, optics in ports that cannot hold them, overlong fields."""
    ports = {model: dict(spec.ports) for model, spec in MODELS.items()}
    problems = layout_problems(
        device, "EOS", ports, OPTIC_KINDS, lambda cage, kind: kind in CAGES[cage], "QSFP ports are named EthernetN/1"
    )
    if problems:
        return problems
    for i, optic in enumerate(device.optics):
        for name in ("vendor", "part", "serial"):
            if len(getattr(optic, name)) > EEPROM_FIELD:
                value = getattr(optic, name)
                return [(f"optics[{i}].{name}", f"{value!r} is longer than the {EEPROM_FIELD}-character EEPROM field")]
    return []


# --- per-device deterministic facts -------------------------------------------------------------------------


def _mac(device: Device) -> str:
    r = device_rng(device, "mac")
    octets = [0x98, 0x5D, 0x82, r.randint(0, 255), r.randint(0, 255), r.randint(0, 255)]
    return ".".join(f"{octets[i]:02x}{octets[i + 1]:02x}" for i in range(0, 6, 2))


def _hw_version(device: Device) -> str:
    return device_rng(device, "hw").choice(("11.00", "11.03", "12.03"))


def _mfg_date(device: Device) -> str:
    r = device_rng(device, "mfg")
    return f"{r.randint(2018, 2023)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"


def _revision(device: Device, optic: Optic) -> str:
    choices = ("0002", "A4", "20", "01") if optic.vendor == "Arista Networks" else ("A", "A3", "01")
    return device_rng(device, f"rev/{optic.port}").choice(choices)


def uptime_text(seconds: int) -> str:
    """EOS' uptime wording.

    >>> uptime_text(65 * 60), uptime_text(((3 * 7) * 24 + 20) * 3600 + 45 * 60)
    ('1 hour and 5 minutes', '3 weeks, 0 days, 20 hours and 45 minutes')
    """
    minutes = seconds // 60
    weeks, rest = divmod(minutes, 7 * 24 * 60)
    days, rest = divmod(rest, 24 * 60)
    hours, minutes = divmod(rest, 60)
    units = [(weeks, "week"), (days, "day"), (hours, "hour"), (minutes, "minute")]
    while len(units) > 1 and units[0][0] == 0:
        units.pop(0)
    words = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in units]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _uptime(view: DeviceView) -> str:
    base = device_rng(view.device, "uptime").randint(3600, 400 * 86400)
    return uptime_text(base + int(time.time() - view.started_at))


def _build(device: Device) -> str:
    base = device.version.split("-")[0]
    return f"{base}-{device_rng(device, 'build').randint(20000000, 40000000)}.{base.replace('.', '')}"


# --- command handlers -----------------------------------------------------------------------------------


def show_version(view: DeviceView, args: dict[str, str]) -> str:
    """`show version`, in the field order of the real 4.27/4.28 samples."""
    d, r = view.device, device_rng(view.device, "version")
    total = r.choice((3982456, 8008496, 16012620))
    lines = [
        f"Arista {d.model}",
        f"Hardware version: {_hw_version(d)}",
        f"Serial number: {d.serial}",
        f"Hardware MAC address: {_mac(d)}",
        f"System MAC address: {_mac(d)}",
        "",
        f"Software image version: {d.version}",
        "Architecture: i686",
        f"Internal build version: {_build(d)}",
        f"Internal build ID: {uuid.UUID(int=r.getrandbits(128), version=4)}",
        "Image format version: 3.0",
        f"Image optimization: {MODELS[d.model].optimization}",
        "",
        f"Uptime: {_uptime(view)}",
        f"Total memory: {total} kB",
        f"Free memory: {total * r.randint(40, 60) // 100} kB",
    ]
    return "\n".join(lines)


def show_hostname(view: DeviceView, args: dict[str, str]) -> str:
    """`show hostname`."""
    return f"Hostname: {view.device.name}\nFQDN:     {view.device.name}"


def _table(header: list[str], widths: list[int], rows: list[list[str]]) -> list[str]:
    """An EOS table: two-space indent, cells padded to their dash widths, one space between columns."""

    def line(cells: list[str]) -> str:
        return ("  " + " ".join(f"{c:<{w}}" for c, w in zip(cells, widths, strict=False))).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(row) for row in rows)]


def _system_information(d: Device) -> list[str]:
    """The `System Information` block, aligned as in the oxidized 4.29.2F transcript."""
    return [
        "System Information",
        f"  {'Model':<25} Description",
        f"  {'-' * 25} {'-' * max(len(MODELS[d.model].description), 11)}",
        f"  {d.model:<25} {MODELS[d.model].description}",
        f"  {'HW Version':<12}  {'Serial Number':<15}  Mfg Date",
        f"  {'-' * 12}  {'-' * 15}  {'-' * 10}",
        f"  {_hw_version(d):<12}  {d.serial:<15}  {_mfg_date(d)}",
    ]


def _transceiver_rows(d: Device) -> list[list[str]]:
    optics = {optic.port: optic for optic in d.optics}
    rows: list[list[str]] = []
    for port in optic_ports(d.model):
        optic = optics.get(port)
        if optic is None:
            rows.append([slot(port), "Not Present"])
        else:
            rows.append([slot(port), optic.vendor, optic.part, optic.serial, _revision(d, optic)])
    return rows


def show_inventory(view: DeviceView, args: dict[str, str]) -> str:
    """`show inventory`: system, power supplies, fans, ports, then one row per transceiver slot."""
    d, model = view.device, MODELS[view.device.model]
    r = device_rng(d, "inventory")
    psus = [[str(n), model.psu, f"EEWT{r.randint(10**7, 10**8 - 1)}"] for n in (1, 2)]
    fans = [[str(n), "1", model.fan, "N/A"] for n in range(1, 5)]
    switched = len(model.ports) - 1
    slots = optic_ports(d.model)
    lines = _system_information(d)
    lines += ["", "System has 2 power supply slots"]
    lines += _table(["Slot", "Model", "Serial Number"], [4, 16, 16], psus)
    lines += ["", "System has 4 fan modules"]
    lines += _table(["Module", "Number of Fans", "Model", "Serial Number"], [7, 15, 16, 16], fans)
    lines += ["", f"System has {switched + 1} ports"]
    lines += _table(["Type", "Count"], [16, 4], [["Management", "1"], ["Switched", str(switched)]])
    lines += ["", f"System has {len(slots)} transceiver slots"]
    lines += _table(["Port", "Manufacturer", "Model", "Serial Number", "Rev"], [4, 16, 16, 16, 4], _transceiver_rows(d))
    return "\n".join(lines)


def show_interfaces_transceiver_hardware(view: DeviceView, args: dict[str, str]) -> str:
    """`show interfaces transceiver hardware`: one block per present module, as in the ntc-templates samples."""
    blocks: list[str] = []
    ports = optic_ports(view.device.model)
    for optic in sorted(view.device.optics, key=lambda o: ports.index(o.port)):
        kind = OPTIC_KINDS[optic.type]
        lines = [
            f"Name: {short_name(optic.port)}",
            f"Media type: {optic.type}",
            f"Maximum module power (W): {kind.max_power_w}",
            "Maximum slot power (W): N/A",
        ]
        if kind.wavelength_nm is not None:
            lines.append(f"Wavelength (nm): {kind.wavelength_nm}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def terminal_width(view: DeviceView, args: dict[str, str]) -> str:
    """`terminal width N` (netmiko waits for `Width set to`)."""
    return f"Width set to {args['n']} columns."


def terminal_length(view: DeviceView, args: dict[str, str]) -> str:
    """`terminal length N` (netmiko waits for `Pagination disabled`)."""
    return "Pagination disabled." if args["n"] == "0" else f"Pagination set to {args['n']} lines."


def show_running_config(view: DeviceView, args: dict[str, str]) -> str:
    """``show running-config``: lab.personalities.configs, with the estate file's and ``lab ctl`` changes."""
    return configs.served(view, configs.eos_running_config(view))


COMMANDS: tuple[Command, ...] = (
    Command("terminal width <n>", terminal_width, setup=True),
    Command("terminal length <n>", terminal_length, setup=True),
    Command("enable", nothing),
    Command("show version", show_version),
    Command("show hostname", show_hostname),
    Command("show inventory", show_inventory),
    Command("show interfaces transceiver hardware", show_interfaces_transceiver_hardware),
    Command("show running-config", show_running_config),
    Command("exit|quit|logout", nothing, close=True),
)

_NO_MORE = "| no-more"


def invalid_input(line: str, word: str | None) -> str:
    """EOS' error for a line it cannot run (token positions count from 0).

    >>> invalid_input("show foo", "foo"), invalid_input("show version brief", None), invalid_input("show", None)
    ("% Invalid input (at token 1: 'foo')", "% Invalid input (at token 2: 'brief')", '% Incomplete command')
    """
    words = line.split()
    if word is not None:
        return f"% Invalid input (at token {words.index(word)}: '{word}')"
    for command in COMMANDS:
        n = len(command.tokens)
        if len(words) > n and match_command((command,), " ".join(words[:n])).command is command:
            return f"% Invalid input (at token {n}: '{words[n]}')"
    return "% Incomplete command"


# --- the shell ------------------------------------------------------------------------------------------


class EosShell:
    """One EOS CLI session, logged in at privileged level (`host#`)."""

    def __init__(self, view: DeviceView) -> None:
        self.view = view

    def prompt(self) -> str:
        return f"{self.view.device.name}#"

    def banner(self) -> str:
        return "\n"

    def handle(self, line: str) -> Reply:
        command_line = line.removesuffix(_NO_MORE).strip() if line.endswith(_NO_MORE) else line
        found = match_command(COMMANDS, command_line)
        if found.command is None:
            return Reply(text=invalid_input(command_line, found.error_word) + "\n")
        command = found.command
        handler: Callable[[DeviceView, dict[str, str]], str] = command.handler
        text = handler(self.view, dict(found.args))
        return Reply(text=f"{text}\n" if text else "", close=command.close, setup=command.setup)

    def refuse(self, line: str) -> str:
        """A command the account's role lacks: EOS rejects the word after `show` as invalid input."""
        words = line.removesuffix(_NO_MORE).split()
        return f"% Invalid input (at token 1: '{words[min(1, len(words) - 1)]}')\n"


PERSONALITY = Personality(
    platform="arista_eos",
    validate_device=validate_device,
    new_shell=EosShell,
    models=tuple(MODELS),
)
