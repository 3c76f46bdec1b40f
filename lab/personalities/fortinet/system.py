"""FortiOS system commands: `get system status`, content databases, transceivers."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from lab.estate import Device, Optic
from lab.personalities.base import (
    DeviceView,
    device_rng,
)
from lab.personalities.fortinet.hardware import (
    MODELS,
    OPTIC_KINDS,
    QSFP_FORM,
    SFP_FORM,
    build_info,
    ha_mode,
    management_vdom,
    pair_rng,
    serial,
    uptime_text,
    vdoms_enabled,
    version_line,
)

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
        f"Current virtual domain: {management_vdom(d)}",
        "Max number of virtual domains: 10",
        f"Virtual domains status: {len(d.vdoms) if vdom else 1} in NAT mode, 0 in TP mode",
        f"Virtual domain configuration: {'multiple' if vdom else 'disable'}",
        "FIPS-CC mode: disable",
        f"Current HA mode: {ha_mode(d)}",
    ]
    if d.ha is not None:
        uptime = pair_rng(d).randint(3600, 90 * 86400)
        lines += [
            f"Cluster uptime: {uptime_text(uptime + int(time.time() - view.started_at))}",
            "Cluster state change time: 2026-01-12 12:12:12",
        ]
    lines += [
        f"Branch point: {build:04d}",
        "Release Version Information: GA",
        f"System time: {clock_text(datetime.now())}",
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


def clock_text(now: datetime) -> str:
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
