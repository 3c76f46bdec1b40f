"""FortiOS personality: FortiGate prompt, netmiko's session preparation, outputs shaped like real samples."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import random
import re
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from lab.estate import Device, License, Optic, serial_for
from lab.personalities.base import (
    Command,
    DeviceView,
    Personality,
    Reply,
    device_rng,
    layout_problems,
    match_command,
)

# --- hardware data ----------------------------------------------------------------------------------------

SFP_FORM = "SFP/SFP+/SFP28"
QSFP_FORM = "QSFP+/QSFP28"


@dataclass(frozen=True)
class OpticKind:
    """One optic type as FortiOS names it after the form factor (`Interface x1 - SFP/SFP+/SFP28, <type>`)."""

    quad: bool
    speed_g: int


# Type strings seen in real samples: 10GBASE-SR, 10GBASE-LR, 100G CWDM4 (oxidized, [src]); the others
# follow the same pattern and are [unverified], including the 25G DAC name 25GBASE-CR.
OPTIC_KINDS: dict[str, OpticKind] = {
    "1000BASE-SX": OpticKind(False, 1),
    "1000BASE-LX": OpticKind(False, 1),
    "1000BASE-T": OpticKind(False, 1),
    "10GBASE-SR": OpticKind(False, 10),
    "10GBASE-LR": OpticKind(False, 10),
    "10GBASE-ER": OpticKind(False, 10),
    "10GBASE-CR": OpticKind(False, 10),
    "25GBASE-SR": OpticKind(False, 25),
    "25GBASE-LR": OpticKind(False, 25),
    "25GBASE-CR": OpticKind(False, 25),
    "40GBASE-SR4": OpticKind(True, 40),
    "40GBASE-LR4": OpticKind(True, 40),
    "100GBASE-SR4": OpticKind(True, 100),
    "100GBASE-LR4": OpticKind(True, 100),
    "100G CWDM4": OpticKind(True, 100),
}

_SFP = frozenset({"1000BASE-SX", "1000BASE-LX", "1000BASE-T"})
_SFP_PLUS = _SFP | {"10GBASE-SR", "10GBASE-LR", "10GBASE-ER", "10GBASE-CR"}
_SFP28 = _SFP_PLUS | {"25GBASE-SR", "25GBASE-LR", "25GBASE-CR"}
_QSFP_PLUS = frozenset({"40GBASE-SR4", "40GBASE-LR4"})
_QSFP28 = _QSFP_PLUS | {"100GBASE-SR4", "100GBASE-LR4", "100G CWDM4"}
# Cage kind -> the optic types it takes (copper: none).
CAGES: dict[str, frozenset[str]] = {
    "copper": frozenset(),
    "sfp": _SFP,
    "sfp+": _SFP_PLUS,
    "sfp28": _SFP28,
    "qsfp+": _QSFP_PLUS,
    "qsfp28": _QSFP28,
}

Layout = tuple[tuple[str, str], ...]


def _ports(cage: str, *names: str) -> Layout:
    return tuple((name, cage) for name in names)


def _numbered(cage: str, prefix: str, first: int, last: int) -> Layout:
    return tuple((f"{prefix}{n}", cage) for n in range(first, last + 1))


# Front-panel layouts after the vendor data sheets and the real samples' port names (plausible, not exact:
# 3001F ha1/ha2 SFP+ and port17-36, 501E port9-12/s1/s2/vw1/vw2/x1/x2 and 91G wan1/wan2 are [src] samples).
MODELS: dict[str, Layout] = {
    "FortiGate-60F": _ports("copper", "wan1", "wan2", "dmz", "a", "b") + _numbered("copper", "internal", 1, 5),
    "FortiGate-91G": _ports("sfp+", "wan1", "wan2") + _ports("copper", "dmz") + _numbered("copper", "internal", 1, 7),
    "FortiGate-100F": _ports("copper", "wan1", "wan2", "dmz", "mgmt", "ha1", "ha2")
    + _numbered("copper", "port", 1, 16)
    + _numbered("sfp", "port", 17, 24)
    + _ports("sfp+", "x1", "x2"),
    "FortiGate-501E": _ports("copper", "mgmt", "ha")
    + _numbered("copper", "port", 1, 8)
    + _numbered("sfp", "port", 9, 12)
    + _ports("sfp", "s1", "s2", "vw1", "vw2")
    + _ports("sfp+", "x1", "x2"),
    "FortiGate-601F": _ports("copper", "mgmt", "ha1", "ha2")
    + _numbered("copper", "port", 1, 8)
    + _numbered("sfp", "port", 9, 16)
    + _numbered("sfp+", "x", 1, 4)
    + _numbered("sfp28", "x", 5, 8),
    "FortiGate-1801F": _ports("copper", "mgmt1", "mgmt2", "ha1", "ha2")
    + _numbered("copper", "port", 1, 16)
    + _numbered("sfp", "port", 17, 24)
    + _numbered("sfp28", "port", 25, 40)
    + _numbered("qsfp28", "port", 41, 44),
    "FortiGate-3001F": _ports("copper", "mgmt1", "mgmt2")
    + _ports("sfp+", "ha1", "ha2")
    + _numbered("copper", "port", 1, 16)
    + _numbered("sfp28", "port", 17, 30)
    + _numbered("qsfp28", "port", 31, 36),
}

# Known (version -> build, build date yymmdd, maturity) from vendor-data.md §2.2 [src]; others are derived.
BUILDS: dict[str, tuple[int, str, str]] = {
    "6.2.6": (1175, "201110", "GA"),
    "6.4.7": (1911, "210922", "GA"),
    "7.0.3": (237, "211207", "GA"),
    "7.0.7": (367, "221005", "GA.F"),
    "7.0.13": (566, "231024", "GA.M"),
    "7.0.15": (632, "240401", "GA.M"),
    "7.2.6": (1575, "231003", "GA.M"),
    "7.4.1": (2463, "230830", "GA.F"),
    "7.4.7": (2731, "250120", "GA.M"),
    "7.4.8": (2795, "250523", "GA.M"),
    "7.6.0": (3401, "240724", "GA.F"),
}
_VERSION_RE = re.compile(r"(?P<major>[678])\.(?P<minor>\d+)\.(?P<patch>\d+)")

# --- what the lead's demo estate may use ----------------------------------------------------------------

DEMO_MODELS: dict[str, str] = {
    "FortiGate-601F": "edge-fw",
    "FortiGate-1801F": "dc-fw",
    "FortiGate-100F": "branch-fw",
    "FortiGate-60F": "branch-fw",
    "FortiGate-91G": "branch-fw",
}
DEMO_VERSIONS: list[str] = ["7.0.13", "7.0.15", "7.2.6", "7.4.7", "7.4.8"]
DEMO_OEM_OPTICS: list[dict[str, str]] = [
    {"type": "10GBASE-SR", "vendor": "FORTINET", "part": "FTLX8574D3BCLFTN"},
    {"type": "10GBASE-LR", "vendor": "Fortinet", "part": "LCP-10G3B4QDRZFN"},
    {"type": "1000BASE-SX", "vendor": "FORTINET", "part": "AFBR-5710PZ"},
    {"type": "25GBASE-CR", "vendor": "FORTINET", "part": "FN-CABLE-SFP28-1"},
    {"type": "100G CWDM4", "vendor": "FORTINET", "part": "FTLC1157RGPLFTN"},
]
DEMO_THIRD_PARTY_OPTICS: list[dict[str, str]] = [
    {"type": "10GBASE-SR", "vendor": "FINISAR CORP.", "part": "FTLX8571D3BCL"},
    {"type": "10GBASE-LR", "vendor": "FS", "part": "SFP-10GLR-31"},
    {"type": "1000BASE-SX", "vendor": "Avago", "part": "AFBR-5715PZ"},
    {"type": "25GBASE-SR", "vendor": "FLEXOPTIX", "part": "S.8525.02.D"},
    {"type": "10GBASE-SR", "vendor": "Intel Corp", "part": "FTLX8571D3BCV-IT"},
]
DEMO_PORTS: dict[str, list[str]] = {
    model: [port for port, cage in layout if cage != "copper"]
    for model, layout in MODELS.items()
    if model in DEMO_MODELS
}


# --- validation ------------------------------------------------------------------------------------------


# The `state:` keys the FortiOS shell reads (lab.estate.STATE_KEYS); a set `app_version` means "FortiGuard
# content never updated", whatever its value.
STATE_KEYS = frozenset(
    {"app_version", "licenses", "ntp_synced", "mgmt_cpu_pct", "mgmt_mem_pct", "disk_free_mb", "environment", "ha_sync"}
)


def validate_device(device: Device) -> list[tuple[str, str]]:
    """Problems with a FortiGate: unknown model or version form, optics in ports that cannot hold them."""
    if device.model in MODELS and not _VERSION_RE.fullmatch(device.version):
        return [("version", f"FortiOS version must be X.Y.Z with X 6-8 (e.g. 7.4.8), got {device.version!r}")]
    ports = {model: dict(layout) for model, layout in MODELS.items()}
    return layout_problems(device, "FortiGate", ports, OPTIC_KINDS, lambda cage, kind: kind in CAGES[cage])


# --- per-device deterministic facts -------------------------------------------------------------------------


def _pair_rng(device: Device) -> random.Random:
    """The same random stream on both members of an HA pair (shared cluster facts)."""
    names = sorted([device.name, device.ha.peer if device.ha else device.name])
    seed = hashlib.sha256("/".join([*names, "ha"]).encode()).digest()
    return random.Random(int.from_bytes(seed[:8], "big"))


def serial(device: Device) -> str:
    """The serial the device prints: the estate's, or a FortiGate-style one when the estate generated it.

    >>> from lab.estate import Device
    >>> d = Device("fw1", "fortinet", "FortiGate-601F", "7.4.8", "c", "s", serial=serial_for("fw1"))
    >>> serial(d).startswith("FG6H1F"), len(serial(d))
    (True, 16)
    """
    if device.serial and device.serial != serial_for(device.name):
        return device.serial
    digits = re.sub(r"\D", "", device.model.split("-", 1)[-1])
    letter = re.sub(r"[^A-Z]", "", device.model.split("-", 1)[-1])[-1:] or "F"
    prefix = f"FGT{digits}{letter}" if len(digits) <= 2 else f"FG{digits[0]}H{digits[-1]}{letter}"
    number = int(hashlib.sha256(device.name.encode()).hexdigest(), 16)
    return (prefix + f"{number % 10**12:012d}")[:16]


def build_info(version: str) -> tuple[int, str, str]:
    """(build, build date yymmdd, maturity) of a FortiOS version; derived deterministically when unknown.

    >>> build_info("7.4.8")
    (2795, '250523', 'GA.M')
    >>> build_info("7.4.8") != build_info("7.4.5")
    True
    """
    if version in BUILDS:
        return BUILDS[version]
    major, minor, patch = (int(p) for p in version.split("."))
    build = {6: 1000, 7: 0, 8: 0}.get(major, 0) + minor * 600 + patch * 45 + 66
    date = f"{18 + minor + major % 6:02d}{1 + patch % 12:02d}{10 + patch % 18:02d}"
    maturity = "GA" if major < 7 else ("GA.M" if patch >= 8 else "GA.F")
    return build, date, maturity


def version_line(device: Device) -> str:
    """`FortiGate-601F v7.4.8,build2795,250523 (GA.M)`."""
    build, date, maturity = build_info(device.version)
    return f"{device.model} v{device.version},build{build:04d},{date} ({maturity})"


def vdoms_enabled(device: Device) -> bool:
    """Multi-VDOM on the larger models in an HA pair, so the lab exercises netmiko's `config global` path."""
    return device.ha is not None and device.model in ("FortiGate-1801F", "FortiGate-3001F", "FortiGate-501E")


def ha_mode(device: Device) -> str:
    """`standalone` or `a-p, primary` / `a-p, secondary` (the estate's active / passive)."""
    if device.ha is None:
        return "standalone"
    return "a-p, primary" if device.ha.state == "active" else "a-p, secondary"


def _duration(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{days} days, {hours} hours, {minutes} minutes, {secs} seconds"


# --- command handlers -----------------------------------------------------------------------------------


def get_system_status(view: DeviceView, args: dict[str, str]) -> str:
    """`get system status` in the field order of the real 7.4.8 output (oxidized 3001F/501E samples)."""
    d, r = view.device, device_rng(view.device, "status")
    build, _, _ = build_info(d.version)
    vdom = vdoms_enabled(d)
    today = datetime.now().date()
    db = f"{r.randint(90, 93)}.{r.randint(1000, 9999):05d}({today - timedelta(days=r.randint(0, 2))} 06:31)"
    ips, app = content_databases(d, today)
    lines = [
        f"Version: {version_line(d)}",
        "First GA patch build date: 230509",
        "Current Security Level: High",
        "Firmware Signature: certified",
        f"Virus-DB: {db}",
        f"Extended DB: {db}",
        f"IPS-DB: {ips}",
        "IPS-ETDB: 0.00000(2001-01-01 00:00)",
        f"APP-DB: {app}",
        f"Serial-Number: {serial(d)}",
        f"BIOS version: 0600{r.randint(1, 9):04d}",
        f"System Part-Number: P{r.randint(20000, 29999)}-0{r.randint(1, 9)}",
        "Log hard disk: Available",
        f"Hostname: {d.name}",
        "Private Encryption: Disable",
        "Operation Mode: NAT",
        "Current virtual domain: root",
        "Max number of virtual domains: 10",
        f"Virtual domains status: {3 if vdom else 1} in NAT mode, 0 in TP mode",
        f"Virtual domain configuration: {'multiple' if vdom else 'disable'}",
        "FIPS-CC mode: disable",
        f"Current HA mode: {ha_mode(d)}",
    ]
    if d.ha is not None:
        uptime = _pair_rng(d).randint(3600, 90 * 86400)
        lines += [
            f"Cluster uptime: {_duration(uptime + int(time.time() - view.started_at))}",
            "Cluster state change time: 2026-01-12 12:12:12",
        ]
    lines += [
        f"Branch point: {build:04d}",
        "Release Version Information: GA",
        f"System time: {_clock(datetime.now())}",
        "Last reboot reason: warm reboot",
    ]
    return "\n".join(lines)


# What a FortiGate that never reached FortiGuard prints (real 91G and 300E samples: IPS-DB/APP-DB 6.00741).
STALE_DB = "6.00741(2015-12-01 02:30)"


def content_databases(device: Device, today: date) -> tuple[str, str]:
    """(IPS-DB, APP-DB) as get system status prints them: updated in the last days, or the factory databases
    when ``state.app_version`` is set (on FortiOS the lab reads that key as "content not updated")."""
    if device.state.app_version is not None:
        return STALE_DB, STALE_DB
    r = device_rng(device, "content")
    when = f"{today - timedelta(days=r.randint(0, 2))} 03:16"
    return f"33.{r.randint(100, 999):05d}({when})", f"33.{r.randint(100, 999):05d}({when})"


def _clock(now: datetime) -> str:
    """FortiOS pads the day to two characters: `Wed Jan  7 14:30:09 2026`."""
    return f"{now:%a %b} {now.day:>2} {now:%H:%M:%S %Y}"


def _field(label: str, value: str) -> str:
    """`  Vendor Name  :            FORTINET        ` (EEPROM strings are 16 characters, space padded)."""
    return f"  {label:<13}:            {value:<16}"


def _optic_block(port: str, optic: Optic) -> list[str]:
    form = QSFP_FORM if OPTIC_KINDS[optic.type].quad else SFP_FORM
    return [
        f"Interface {port} - {form}, {optic.type}",
        _field("Vendor Name", optic.vendor),
        _field("Part No.", optic.part),
        _field("Serial No.", optic.serial),
    ]


_LEGEND = "++ : high alarm, + : high warning, - : low warning, -- : low alarm, ? : suspect."
_SFP_HEADER = [
    "                                       Optical      Optical      Optical",
    "SFP/SFP+     Temperature  Voltage      Tx Bias      Tx Power     Rx Power",
    "Interface    (Celsius)    (Volts)      (mA)         (dBm)        (dBm)",
    "------------ ------------ ------------ ------------ ------------ ------------ ",
]
_QSFP_HEADER = [
    "QSFP/QSFP+    Temperature  Voltage      Optical Tx Bias, Tx1/Tx2/...          Optical Rx Power, Rx1/Rx2/...",
    "Interface     (Celsius)    (Volts)      (mA)                                  (dBm)",
    "------------ ------------ ------------ ------------------------------------- ------------------------------------",
]


def _sfp_row(device: Device, port: str) -> str:
    r = device_rng(device, f"dom/{port}")
    temp, volts, bias = r.uniform(25, 55), r.uniform(3.25, 3.36), r.uniform(5, 40)
    tx, rx = r.uniform(-3.5, -1.0), r.uniform(-9.0, -2.0)
    return f"{port:<13}{temp:>5.1f}{volts:>13.2f}{bias:>13.2f}{tx:>13.1f}{rx:>13.1f} {'':<6}"


def _qsfp_row(device: Device, port: str) -> str:
    r = device_rng(device, f"dom/{port}")
    temp, volts = r.uniform(35, 55), r.uniform(3.25, 3.36)
    bias = [f"{r.uniform(35, 42):.2f}" for _ in range(4)]
    rx = [f"{r.uniform(-2.0, 1.0):>5.1f}" for _ in range(4)]
    lanes = f"{bias[0]:>13}" + "".join(f"   /{b:<5}" for b in bias[1:])
    return f"{port:<13}{temp:>5.1f}{volts:>13.2f}{lanes}      " + "   /".join(rx) + "   "


def get_system_interface_transceiver(view: DeviceView, args: dict[str, str]) -> str:
    """Every cage in port order (`Transceiver is not detected.` when empty), then the DOM tables."""
    d = view.device
    optics = {optic.port: optic for optic in d.optics}
    lines: list[str] = []
    sfp_rows: list[str] = []
    qsfp_rows: list[str] = []
    for port, cage in MODELS[d.model]:
        if cage == "copper":
            continue
        optic = optics.get(port)
        if optic is None:
            lines.append(f"Interface {port} - Transceiver is not detected.")
            continue
        lines += _optic_block(port, optic)
        if OPTIC_KINDS[optic.type].quad:
            qsfp_rows.append(_qsfp_row(d, port))
        else:
            sfp_rows.append(_sfp_row(d, port))
    if sfp_rows:
        lines += ["", *_SFP_HEADER, *sfp_rows]
    if qsfp_rows:
        lines += ["", *_QSFP_HEADER, *qsfp_rows]
    if sfp_rows or qsfp_rows:
        lines.append(_LEGEND)
    return "\n".join(lines)


# --- pre-upgrade readiness ---------------------------------------------------------------------------------


def get_system_ha_status(view: DeviceView, args: dict[str, str]) -> str:
    """`get system ha status` in the 7.4.8 shape (oxidized 3001F sample); standalone in the 6.0 shape.

    Configuration Status is `in-sync` on both members only when both have ``state.ha_sync`` synchronized.
    """
    d, peer = view.device, view.peer
    if d.ha is None:
        return "\n".join(
            [
                "HA Health Status: OK",
                f"Model: {d.model}",
                "Mode: Standalone",
                "Group: 0",
                "Debug: 0",
                "Cluster Uptime: 0 days 0:0:0",
                "Cluster state change time: N/A",
                "ses_pickup: disable",
                "override: disable",
                "System Usage stats:",
                "HBDEV stats:",
                "number of vcluster: 0",
            ]
        )
    members = [d] + ([peer] if peer is not None else [])
    synced = all(m.state.ha_sync == "synchronized" for m in members)
    ordered = sorted(members, key=lambda m: 0 if m.ha and m.ha.state == "active" else 1)
    lines = [
        "HA Health Status: OK",
        f"Model: {d.model}",
        "Mode: HA A-P",
        f"Group Name: {ordered[0].name} Cluster",
        "Group ID: 50",
        "Debug: 0",
        "Cluster Uptime: 12 days 12:42:42",
        "Cluster state change time: 2026-01-12 12:12:12",
        "Primary selected using:",
        f"    <2026/01/12 12:42:12> vcluster-1: {serial(ordered[0])} is selected as the primary because its "
        "uptime is larger than peer member.",
        "ses_pickup: disable",
        "override: disable",
        "Configuration Status:",
    ]
    for i, member in enumerate(ordered):
        lines.append(f"    {serial(member)}(updated {i + 1} seconds ago): {'in-sync' if synced else 'out-of-sync'}")
    lines.append("System Usage stats:")
    for i, member in enumerate(ordered):
        lines += [
            f"    {serial(member)}(updated {i + 1} seconds ago):",
            "        sessions=288, npu-sessions=0, average-cpu-user/nice/system/idle=0%/0%/0%/100%, memory=8%",
        ]
    lines.append(f"number of member: {len(ordered)}")
    lines += [f"{m.name:<18}, {serial(m)}, HA cluster index = {i}" for i, m in enumerate(ordered)]
    lines += ["number of vcluster: 1", "vcluster 1: work 169.254.0.1"]
    roles = ("Primary", "Secondary")
    lines += [f"{roles[min(i, 1)]}: {serial(m)}, HA operating index = {i}" for i, m in enumerate(ordered)]
    return "\n".join(lines)


def free_disk_mb(device: Device) -> float:
    """Free MB on the log/data partition of the boot disk: ``state.disk_free_mb``, else a healthy 9-13 GB."""
    if device.state.disk_free_mb is not None:
        return float(device.state.disk_free_mb)
    return float(device_rng(device, "disk").randint(9000, 13000))


def diagnose_hardware_deviceinfo_disk(view: DeviceView, args: dict[str, str]) -> str:
    """`diagnose hardware deviceinfo disk` [unverified shape]: the boot disk, its two boot partitions and the
    log/data partition whose free space is ``state.disk_free_mb``."""
    d = view.device
    free = free_disk_mb(d)
    return "\n".join(
        [
            "Disk SYSTEM(boot)                ref:    0  14.9GiB   type: SSD [ATA SQF-SHMM1-16G] dev: /dev/sda",
            "   partition ref:   1  247.0MiB,  60.0MiB free   mounted: Y  label: 7464A257  dev: /dev/sda1(boot)",
            "   partition ref:   2  247.0MiB,  61.0MiB free   mounted: N  label: 7464A258  dev: /dev/sda2(boot)",
            f"   partition ref:   3  14.2GiB,  {free:.1f}MiB free   mounted: Y  label: LOGUSEDX  dev: /dev/sda3",
            "",
            "Total available disks:     1",
            "Max SSD disks:             1    Available storage disks:   1",
        ]
    )


def diagnose_sys_ntp_status(view: DeviceView, args: dict[str, str]) -> str:
    """`diagnose sys ntp status` in the shape of the published samples; ``state.ntp_synced``."""
    synced = view.device.state.ntp_synced
    reach = "reachable(0xff) S:3 T:54 selected" if synced else "unreachable S:1 T:0"
    return "\n".join(
        [
            f"synchronized: {'yes' if synced else 'no'}, ntpsync: enabled, server-mode: disabled",
            "",
            f"ipv4 server(ntp1.fortiguard.com) 208.91.115.123 -- {reach}",
            "    server-version=4, stratum=1",
        ]
    )


def get_system_performance_status(view: DeviceView, args: dict[str, str]) -> str:
    """`get system performance status` (300E sample shape); CPU and memory from ``state.mgmt_*_pct``."""
    d, r = view.device, device_rng(view.device, "performance")
    cpu = d.state.mgmt_cpu_pct if d.state.mgmt_cpu_pct is not None else float(r.randint(1, 20))
    mem = d.state.mgmt_mem_pct if d.state.mgmt_mem_pct is not None else float(r.randint(20, 55))
    total = 8172040
    used = int(total * mem / 100)
    idle = max(0, 100 - round(cpu))
    busy = 100 - idle
    states = f"{busy // 2}% user {busy - busy // 2}% system 0% nice {idle}% idle 0% iowait 0% irq 0% softirq"
    return "\n".join(
        [
            f"CPU states: {states}",
            f"CPU0 states: {states}",
            f"Memory: {total}k total, {used}k used ({mem:.1f}%), {total - used}k free ({100 - mem:.1f}%), "
            "200368k freeable (2.4%)",
            "Average network usage: 0 / 0 kbps in 1 minute, 0 / 0 kbps in 10 minutes, 0 / 0 kbps in 30 minutes",
            "Average sessions: 12 sessions in 1 minute, 10 sessions in 10 minutes, 9 sessions in 30 minutes",
            "Virus caught: 0 total in 1 minute",
            "IPS attacks blocked: 0 total in 1 minute",
            f"Uptime: 12 days,  3 hours,  {int(time.time() - view.started_at) // 60 % 60} minutes",
        ]
    )


FORTIGUARD_SERVICES = ("AV Engine", "Virus Definitions", "Attack Definitions", "Application Definitions")


def default_licenses(device: Device) -> tuple[License, ...]:
    """Healthy FortiGuard contracts: every service valid for another 200-400 days."""
    r = device_rng(device, "licenses")
    return tuple(License(name, expires_in_days=r.randint(200, 400)) for name in FORTIGUARD_SERVICES)


def get_system_fortiguard_service_status(view: DeviceView, args: dict[str, str]) -> str:
    """`get system fortiguard-service status` (300E sample columns); EXPIRE from ``state.licenses`` or a healthy
    default, `n/a` for a service without a licence. The YYYY-MM-DD form of EXPIRE is [unverified]."""
    d, today = view.device, datetime.now().date()
    licences = {lic.feature: lic for lic in (d.state.licenses or default_licenses(d))}
    lines = ["NAME               VERSION LAST UPDATE          METHOD    EXPIRE"]
    for name in dict.fromkeys([*FORTIGUARD_SERVICES, *licences]):
        lic = licences.get(name)
        expiry = lic.expiry(today) if lic else None
        updated = f"{today - timedelta(days=1)} 03:16:00"
        lines.append(f"{name:<19} 33.950  {updated}  scheduled {expiry.isoformat() if expiry else 'n/a'}")
    return "\n".join(lines)


def execute_sensor_list(view: DeviceView, args: dict[str, str]) -> str:
    """`execute sensor list` (300E sample rows); ``state.environment`` raises the fan, PSU or thermal alarm."""
    env = view.device.state.environment
    rows = [
        ("+VCC3", False, "value=3.2896"),
        ("+VCC12", False, "value=11.898"),
        ("CPU DTS0", env.temp_alarm, f"value={96 if env.temp_alarm else 38}"),
        ("TD1", False, "value=41"),
        ("Fan 1", False, "value=6600"),
        ("Fan 2", env.fan_failed, f"value={0 if env.fan_failed else 6500}"),
        ("PS1 VIN", False, "value=222"),
        ("PS1 Status", False, ""),
        ("PS2 VIN", env.psu_failed, "(reading unavailable)" if env.psu_failed else "value=221"),
        ("PS2 Status", env.psu_failed, ""),
    ]
    lines = []
    for i, (name, alarm, value) in enumerate(rows, start=1):
        tail = f"  {value}  threshold_status={4 if alarm else 0}" if value.startswith("value=") else f"  {value}"
        lines.append(f"    {i} {name:<17} alarm={int(alarm)}{tail.rstrip()}")
    return "\n".join(lines)


# --- the pre-upgrade snapshot: link state, routes, ARP, sessions, configuration -------------------------------


def up_ports(device: Device) -> list[str]:
    """The ports that are up: every port holding an optic and the first two copper data ports, in port order.
    They are the layer-3 interfaces of the generated configuration."""
    optics = {optic.port for optic in device.optics}
    copper = [port for port, cage in MODELS[device.model] if cage == "copper" and not port.startswith(("mgmt", "ha"))]
    copper = copper[:2]
    return [port for port, _ in MODELS[device.model] if port in optics or port in copper]


def _subnet(device: Device, port: str) -> str:
    """`10.A.N` for the /24 on the N-th port of the layout (A fixed per device); the FortiGate is `.1`."""
    a = device_rng(device, "net").randint(20, 250)
    index = [name for name, _ in MODELS[device.model]].index(port) + 1
    return f"10.{a}.{index}"


def _speed(device: Device, port: str) -> str:
    optic = next((o for o in device.optics if o.port == port), None)
    return f"{OPTIC_KINDS[optic.type].speed_g * 1000}Mbps" if optic else "1000Mbps"


def get_system_interface_physical(view: DeviceView, args: dict[str, str]) -> str:
    """`get system interface physical` in the 7.4 shape of the ntc-templates sample: every port of the layout,
    up when `up_ports` says so (a down port's speed is `n/a`, as in the 6.2 sample)."""
    d = view.device
    up = set(up_ports(d))
    lines = ["== [onboard]"]
    for port, _ in MODELS[d.model]:
        ip = f"{_subnet(d, port)}.1 255.255.255.0" if port in up else "0.0.0.0 0.0.0.0"
        speed = f"{_speed(d, port)} (Duplex: full)" if port in up else "n/a"
        lines += [
            f"    ==[{port}]",
            "        mode: static",
            f"        ip: {ip}",
            "        ipv6: ::/0",
            f"        status: {'up' if port in up else 'down'}",
            f"        speed: {speed}",
            "        FEC: none",
            "        FEC_cap: none",
        ]
    return "\n".join(lines)


def _static_routes(device: Device) -> list[tuple[str, list[str]]]:
    """`(destination, next hops)` of the static routes: a default route (over two links when there are two)
    and a few internal ones."""
    up = up_ports(device)
    if not up:
        return []
    gateways = [f"{_subnet(device, port)}.254" for port in up[:2]]
    inside = f"{_subnet(device, up[-1])}.254"
    count = device_rng(device, "static").randint(2, 6)
    return [("0.0.0.0/0", gateways)] + [(f"172.{16 + n}.0.0/16", [inside]) for n in range(count)]


def route_count(device: Device) -> int:
    """The routes `get router info routing-table all` lists: a connected route per up port and the statics."""
    return len(up_ports(device)) + len(_static_routes(device))


_ROUTE_LEGEND = [
    "Codes: K - kernel, C - connected, S - static, R - RIP, B - BGP",
    "       O - OSPF, IA - OSPF inter area",
    "       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2",
    "       E1 - OSPF external type 1, E2 - OSPF external type 2",
    "       i - IS-IS, L1 - IS-IS level-1, L2 - IS-IS level-2, ia - IS-IS inter area",
    "       * - candidate default",
    "",
    "Routing table for VRF=0",
]


def get_router_info_routing_table_all(view: DeviceView, args: dict[str, str]) -> str:
    """`get router info routing-table all` in the shape of the ntc-templates sample: the default route's second
    next hop on a continuation line (ECMP), connected routes, internal statics."""
    d = view.device
    port_of = {f"{_subnet(d, port)}.254": port for port in up_ports(d)}
    rows: list[tuple[tuple[int, ...], list[str]]] = []
    for destination, hops in _static_routes(d):
        code = "S*" if destination == "0.0.0.0/0" else "S"
        head = f"{code:<8}{destination} [10/0] via {hops[0]}, {port_of[hops[0]]}"
        more = [f"{'':<{8 + len(destination) + 1}}[10/0] via {hop}, {port_of[hop]}" for hop in hops[1:]]
        rows.append((_ip_key(destination), [head, *more]))
    for port in up_ports(d):
        destination = f"{_subnet(d, port)}.0/24"
        rows.append((_ip_key(destination), [f"{'C':<8}{destination} is directly connected, {port}"]))
    return "\n".join(_ROUTE_LEGEND + [line for _, block in sorted(rows) for line in block])


def _ip_key(prefix: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.split(r"[./]", prefix))


def _arp_rows(device: Device) -> list[tuple[str, int, str, str]]:
    """`(ip, age in minutes, mac, interface)` per neighbour: each up port's gateway and a few hosts."""
    r = device_rng(device, "arp")
    rows = []
    for port in up_ports(device):
        net = _subnet(device, port)
        for host in [254, *range(10, 10 + r.randint(0, 4))]:
            octets = hashlib.sha256(f"{device.name}/{net}.{host}".encode()).digest()[:3]
            rows.append((f"{net}.{host}", r.randint(0, 9), "00:09:0f:" + ":".join(f"{b:02x}" for b in octets), port))
    return rows


def arp_count(device: Device) -> int:
    """The number of entries `get system arp` lists."""
    return len(_arp_rows(device))


def get_system_arp(view: DeviceView, args: dict[str, str]) -> str:
    """`get system arp` in the column layout of the ntc-templates sample."""
    lines = ["Address           Age(min)   Hardware Addr      Interface"]
    lines += [f"{ip:<18}{age:<11}{mac} {port}" for ip, age, mac, port in _arp_rows(view.device)]
    return "\n".join(lines)


def session_count(device: Device) -> int:
    """`session_count` in `diagnose sys session stat`."""
    return device_rng(device, "sessions").randint(200, 40000)


def diagnose_sys_session_stat(view: DeviceView, args: dict[str, str]) -> str:
    """`diagnose sys session stat` in the shape of the Fortinet KB 196340 sample (FortiOS 6.4+ fields)."""
    count = session_count(view.device)
    established = count * 3 // 5
    return "\n".join(
        [
            f"misc info:       session_count={count} setup_rate={count // 300} exp_count=0 clash=0",
            "        memory_tension_drop=0 ephemeral=0/131062 removeable=0",
            "delete=0, flush=0, dev_down=0/0 ses_flush_filters=0",
            "flush_work_num=0",
            "TCP sessions:",
            f"{established:>10} in ESTABLISHED state",
            f"{count // 50:>10} in TIME_WAIT state",
            "firewall error stat:",
            *(f"{name}=00000000" for name in ("error1", "error2", "error3", "error4", "tt", "cont")),
            *(f"{name}=00000000" for name in ("ids_recv", "url_recv", "av_recv", "fqdn_count", "fqdn6_count")),
            "global: ses_limit=0 ses6_limit=0 rt_limit=0 rt6_limit=0",
        ]
    )


def _blob(device: Device, salt: str, length: int) -> str:
    """Deterministic base64 text of `length` characters for a device and a purpose."""
    raw = b"".join(hashlib.sha256(f"{device.name}/{salt}/{n}".encode()).digest() for n in range(1 + length // 40))
    return base64.b64encode(raw).decode()[:length]


def config_secrets(device: Device) -> dict[str, str]:
    """The secrets the generated configuration holds, by what they are (for tests of the sanitiser)."""
    key_lines = [_blob(device, f"private-key-{n}", 64) for n in range(4)]
    return {
        "admin_password": "SH2" + _blob(device, "admin", 60),
        "snmp_community": "c0mm-" + hashlib.sha256(f"{device.name}/snmp".encode()).hexdigest()[:10],
        "snmp_auth_pwd": _blob(device, "snmp-auth", 44),
        "snmp_priv_pwd": _blob(device, "snmp-priv", 44),
        "radius_secret": _blob(device, "radius", 44),
        "tacacs_key": _blob(device, "tacacs", 44),
        "ipsec_psksecret": _blob(device, "psk", 88),
        "ipsec_ppk_secret": _blob(device, "ppk", 44),
        "cert_password": _blob(device, "cert-password", 44),
        "private_key": "\n".join(key_lines),
        **{f"private_key_line{n}": line for n, line in enumerate(key_lines)},
    }


def running_config(device: Device) -> str:
    """The non-default configuration `show` prints, in the shape of the oxidized samples (the `#config-version`
    header, `config`/`edit`/`set`/`next`/`end`, a private key quoted over several unindented lines); on a
    multi-VDOM unit wrapped in `config vdom` / `config global` as the 501E sample. Sections and values are
    [unverified]: written from documentation and knowledge."""
    s, build = config_secrets(device), build_info(device.version)[0]
    vdom = vdoms_enabled(device)
    up = up_ports(device)
    r = device_rng(device, "config")
    peer, ntp = f"203.0.113.{r.randint(2, 250)}", f"10.{r.randint(1, 250)}.0.123"
    short = re.sub(r"[^0-9A-Z]", "", device.model.split("-", 1)[-1].upper())
    header = [
        f"#config-version=FGT{short}-{device.version}-FW-build{build}-{build_info(device.version)[1]}"
        f":opmode=0:vdom={int(vdom)}:user=admin",
        f"#conf_file_ver={int(hashlib.sha256(device.name.encode()).hexdigest(), 16) % 10**15}",
        f"#buildno={build}",
        "#global_vdom=1",
    ]
    interfaces = ["config system interface"]
    for i, port in enumerate(up):
        interfaces += [
            f'    edit "{port}"',
            '        set vdom "root"',
            f"        set ip {_subnet(device, port)}.1 255.255.255.0",
            "        set allowaccess ping https ssh" if i else "        set allowaccess ping",
            "        set type physical",
            f"        set snmp-index {i + 1}",
            "    next",
        ]
    interfaces.append("end")
    key = "\n".join(["-----BEGIN ENCRYPTED PRIVATE KEY-----", s["private_key"], "-----END ENCRYPTED PRIVATE KEY-----"])
    cert = "\n".join(["-----BEGIN CERTIFICATE-----", _blob(device, "cert", 64), "-----END CERTIFICATE-----"])
    glob = [
        "config system global",
        f'    set alias "{device.model}"',
        f'    set hostname "{device.name}"',
        '    set timezone "Europe/London"',
        *(["    set vdom-mode multi-vdom"] if vdom else []),
        "end",
        *interfaces,
        "config system admin",
        '    edit "admin"',
        '        set accprofile "super_admin"',
        '        set vdom "root"',
        f"        set password ENC {s['admin_password']}",
        "    next",
        "end",
        "config system ntp",
        "    set ntpsync enable",
        "    set type custom",
        "    config ntpserver",
        "        edit 1",
        f'            set server "{ntp}"',
        "        next",
        "    end",
        "end",
        "config system snmp community",
        "    edit 1",
        f'        set name "{s["snmp_community"]}"',
        "        config hosts",
        "            edit 1",
        "                set ip 10.0.0.50 255.255.255.255",
        "            next",
        "        end",
        "    next",
        "end",
        "config system snmp user",
        '    edit "estate-mon"',
        "        set security-level auth-priv",
        f"        set auth-pwd ENC {s['snmp_auth_pwd']}",
        f"        set priv-pwd ENC {s['snmp_priv_pwd']}",
        "    next",
        "end",
        "config vpn certificate local",
        '    edit "estate-lab"',
        f"        set password ENC {s['cert_password']}",
        '        set comments "lab certificate"',
        f'        set private-key "{key}"',
        f'        set certificate "{cert}"',
        "    next",
        "end",
    ]
    outside = up[0] if up else "port1"
    routes = ["config router static"]
    entries = [(destination, hop) for destination, hops in _static_routes(device) for hop in hops]
    for n, (destination, hop) in enumerate(entries, start=1):
        net, bits = destination.split("/")
        mask = ipaddress.ip_network(destination).netmask
        port = next(p for p in up if hop.startswith(_subnet(device, p) + "."))
        dst = [] if bits == "0" else [f"        set dst {net} {mask}"]
        routes += [f"    edit {n}", *dst, f"        set gateway {hop}", f'        set device "{port}"', "    next"]
    routes.append("end")
    root = [
        "config user radius",
        '    edit "estate-radius"',
        '        set server "10.0.0.60"',
        f"        set secret ENC {s['radius_secret']}",
        "    next",
        "end",
        "config user tacacs+",
        '    edit "estate-tacacs"',
        '        set server "10.0.0.61"',
        f"        set key ENC {s['tacacs_key']}",
        "        set authorization enable",
        "    next",
        "end",
        "config vpn ipsec phase1-interface",
        '    edit "to-hq"',
        f'        set interface "{outside}"',
        "        set peertype any",
        "        set net-device disable",
        "        set proposal aes256-sha256",
        f"        set remote-gw {peer}",
        f"        set psksecret ENC {s['ipsec_psksecret']}",
        "        set ppk enable",
        '        set ppk-identity "estate"',
        f"        set ppk-secret ENC {s['ipsec_ppk_secret']}",
        "    next",
        "end",
        *routes,
    ]
    if vdom:
        body = ["config vdom", "edit root", "next", "end", "config global", *glob, "end"]
        body += ["config vdom", "edit root", *root, "next", "end"]
    else:
        body = glob + root
    return "\n".join(header + body)


def show(view: DeviceView, args: dict[str, str]) -> str:
    """`show`: the configuration `running_config` generates."""
    return running_config(view.device)


# Estate `state:` that makes a FortiGate fail one readiness check (the demo estate and the tests use them).
# pending_changes and running_jobs are SKIPPED on FortiOS, so they have no failing state. On FortiOS the lab
# reads a set `app_version` as "FortiGuard content never updated" (factory IPS/APP databases).
EXAMPLE_FAILING_STATES: dict[str, dict[str, object]] = {
    "disk_space": {"disk_free_mb": 100},
    "ha_peer": {"ha_sync": "not synchronized"},
    "content_version": {"app_version": "1-1"},
    "licenses": {"licenses": [{"feature": "Attack Definitions", "expires_in_days": -20}]},
    "ntp_sync": {"ntp_synced": False},
    "mgmt_resources": {"mgmt_cpu_pct": 93, "mgmt_mem_pct": 95},
    "environmentals": {"environment": {"fan_failed": True}},
}


# --- the shell ------------------------------------------------------------------------------------------


_UNKNOWN_ACTION = "Unknown action 0"
# FortiOS's answer to a known action with words it cannot parse (oxidized 501E transcript, [src]).
_PARSE_ERROR = "command parse error before '{word}'\nCommand fail. Return code -61"
# The first words FortiOS knows at the top level; any other first word is `Unknown action 0` [unverified].
ACTIONS = frozenset({"config", "get", "show", "diagnose", "execute", "exit", "end", "tree", "fnsysctl", "sudo"})

ShellHandler = Callable[["FortiShell", dict[str, str]], str]


@dataclass(frozen=True)
class ShellCommand:
    """A command that reads or changes the session (config contexts, the console's output mode)."""

    syntax: str
    handler: ShellHandler
    contexts: tuple[str, ...]  # where it is accepted: "" top level, "global", "console"


class FortiShell:
    """One FortiOS CLI session: config contexts (`(global)`, `(console)`), `| grep`, FortiOS errors."""

    def __init__(self, view: DeviceView) -> None:
        self.view = view
        self.contexts: list[str] = []
        # FortiOS ships with `output more`: netmiko switches it to standard (and back at cleanup). Paging
        # itself is not simulated: the lab's session answers whole lines, never a bare space.
        self.output_mode = "more"

    def prompt(self) -> str:
        context = f" ({self.contexts[-1]})" if self.contexts else ""
        return f"{self.view.device.name}{context} # "

    def banner(self) -> str:
        return ""

    def handle(self, line: str) -> Reply:
        command, grep = _split_grep(line)
        words = command.split()
        if not words:
            return Reply()
        context = self.contexts[-1] if self.contexts else ""
        for shell_command in SHELL_COMMANDS:
            if context in shell_command.contexts and _matches(shell_command.syntax, words):
                text = shell_command.handler(self, {"value": words[-1]})
                return Reply(text=_framed(text, grep), close=shell_command.handler is _exit, setup=True)
        found = match_command(COMMANDS, command)
        if found.command is not None:
            text = found.command.handler(self.view, dict(found.args))
            return Reply(text=_framed(text, grep), setup=found.command.setup or grep is not None)
        return Reply(text=_framed(self._error(words, found.error_word), None))

    def _error(self, words: list[str], error_word: str | None) -> str:
        if words[0] not in ACTIONS:
            return _UNKNOWN_ACTION
        if error_word is None or error_word == words[0]:
            error_word = words[1] if len(words) > 1 else words[0]
        return "\n" + _PARSE_ERROR.format(word=error_word)


def _matches(syntax: str, words: list[str]) -> bool:
    tokens = syntax.split()
    return len(tokens) == len(words) and all(
        t.startswith("<") or w in t.split("|") for t, w in zip(tokens, words, strict=True)
    )


def _config_global(shell: FortiShell, args: dict[str, str]) -> str:
    if not vdoms_enabled(shell.view.device):
        return "\n" + _PARSE_ERROR.format(word="global")
    shell.contexts.append("global")
    return ""


def _config_console(shell: FortiShell, args: dict[str, str]) -> str:
    shell.contexts.append("console")
    return ""


def _set_output(shell: FortiShell, args: dict[str, str]) -> str:
    shell.output_mode = args["value"]
    return ""


def _end(shell: FortiShell, args: dict[str, str]) -> str:
    if shell.contexts:
        shell.contexts.pop()
    return ""


def _get_console(shell: FortiShell, args: dict[str, str]) -> str:
    """`get system console` (FortiOS 7.x; field list after the 7.x CLI reference, [unverified])."""
    return "\n".join(
        [
            f"{key:<20}: {value}"
            for key, value in (
                ("output", shell.output_mode),
                ("login", "enable"),
                ("fortiexplorer", "enable"),
                ("log", "disable"),
            )
        ]
    )


def _show_console(shell: FortiShell, args: dict[str, str]) -> str:
    """`show full-configuration system console` (what netmiko reads on FortiOS 6.x)."""
    return f"config system console\n    set output {shell.output_mode}\n    set login enable\nend"


def _exit(shell: FortiShell, args: dict[str, str]) -> str:
    return ""


_ANYWHERE = ("", "global", "console")
SHELL_COMMANDS: tuple[ShellCommand, ...] = (
    ShellCommand("config global", _config_global, ("",)),
    ShellCommand("config system console", _config_console, ("", "global")),
    ShellCommand("set output standard|more", _set_output, ("console",)),
    ShellCommand("end", _end, _ANYWHERE),
    ShellCommand("get system console", _get_console, ("", "global")),
    ShellCommand("show full-configuration system console", _show_console, ("", "global")),
    ShellCommand("exit", _exit, _ANYWHERE),
)

COMMANDS: tuple[Command, ...] = (
    Command("get system status", get_system_status),
    Command("get system interface transceiver", get_system_interface_transceiver),
    Command("get system ha status", get_system_ha_status),
    Command("diagnose hardware deviceinfo disk", diagnose_hardware_deviceinfo_disk),
    Command("diagnose sys ntp status", diagnose_sys_ntp_status),
    Command("get system performance status", get_system_performance_status),
    Command("get system fortiguard-service status", get_system_fortiguard_service_status),
    Command("execute sensor list", execute_sensor_list),
    Command("get system interface physical", get_system_interface_physical),
    Command("get router info routing-table all", get_router_info_routing_table_all),
    Command("get system arp", get_system_arp),
    Command("diagnose sys session stat", diagnose_sys_session_stat),
    Command("show", show),
)


def _split_grep(line: str) -> tuple[str, tuple[str, bool, bool] | None]:
    """`cmd | grep [-i] [-v] word` -> (cmd, (word, ignore case, invert)); no pipe -> (line, None).

    >>> _split_grep("get system status | grep -i version")
    ('get system status', ('version', True, False))
    """
    command, pipe, rest = line.partition("|")
    if not pipe:
        return line.strip(), None
    try:
        words = shlex.split(rest)
    except ValueError:
        words = rest.split()
    if not words or words[0] != "grep":
        return line.strip(), None
    flags = {w for w in words[1:] if w.startswith("-")}
    pattern = " ".join(w for w in words[1:] if not w.startswith("-"))
    return command.strip(), (pattern, "-i" in flags, "-v" in flags)


def _grep(text: str, grep: tuple[str, bool, bool]) -> str:
    pattern, ignore_case, invert = grep
    try:
        regex = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    except re.error:
        regex = re.compile(re.escape(pattern), re.IGNORECASE if ignore_case else 0)
    return "\n".join(line for line in text.split("\n") if bool(regex.search(line)) != invert)


def _framed(text: str, grep: tuple[str, bool, bool] | None) -> str:
    """FortiOS ends every output with a blank line before the prompt (`\\r\\n\\r\\n<prompt>` on the wire)."""
    if grep is not None:
        text = _grep(text, grep)
    return f"{text}\n\n" if text else "\n"


PERSONALITY = Personality(
    platform="fortinet",
    validate_device=validate_device,
    new_shell=FortiShell,
    models=tuple(MODELS),
    state_keys=STATE_KEYS,
    extra_kex_algs=("diffie-hellman-group14-sha1",),
)
