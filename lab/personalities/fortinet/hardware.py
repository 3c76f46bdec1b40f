"""FortiGate hardware (read from lab/personalities/data/fortinet.yaml), validation, per-device facts."""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass

from lab.estate import Device, serial_for
from lab.personalities import data
from lab.personalities.base import (
    layout_problems,
)
from lab.releases import releases

# --- hardware data ----------------------------------------------------------------------------------------

SFP_FORM = "SFP/SFP+/SFP28"
QSFP_FORM = "QSFP+/QSFP28"


@dataclass(frozen=True)
class OpticKind:
    """One optic type as FortiOS names it after the form factor (`Interface x1 - SFP/SFP+/SFP28, <type>`)."""

    quad: bool
    speed_g: int


Layout = tuple[tuple[str, str], ...]

_DATA = data.read("fortinet")
OPTIC_KINDS: dict[str, OpticKind] = {
    str(name): OpticKind(**fields) for name, fields in data.section(_DATA, "optic_kinds").items()
}
# Cage kind -> the optic types it takes (copper: none).
CAGES: dict[str, frozenset[str]] = {str(k): frozenset(v) for k, v in data.section(_DATA, "cages").items()}
MODELS: dict[str, Layout] = data.layouts(_DATA)
_MATURITY: dict[str, str] = {str(k): str(v) for k, v in data.section(_DATA, "maturity").items()}
_VERSION_RE = re.compile(r"(?P<major>[678])\.(?P<minor>\d+)\.(?P<patch>\d+)")
_BUILD_RE = re.compile(r"\bbuild (\d+)")

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


def pair_rng(device: Device) -> random.Random:
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
    """(build, build date yymmdd, maturity) of a FortiOS version.

    The build and its date are matrices/fortinet.yaml's (the build its `images:` note names, its `released`
    date); where the matrix has none the lab prints 0 and 000000 rather than invent one.

    >>> build_info("7.4.8")
    (2795, '250523', 'GA.M')
    >>> build_info("7.9.99")
    (0, '000000', 'GA.M')
    """
    image = releases("fortinet").image(version)
    found = _BUILD_RE.search(image.note) if image is not None else None
    build = int(found.group(1)) if found else 0
    day = f"{image.released:%y%m%d}" if image is not None and image.released is not None else "000000"
    return build, day, _MATURITY.get(version) or _maturity(version)


def _maturity(version: str) -> str:
    major, _, patch = (int(p) for p in version.split("."))
    return "GA" if major < 7 else ("GA.M" if patch >= 8 else "GA.F")


def version_line(device: Device) -> str:
    """`FortiGate-601F v7.4.8,build2795,250523 (GA.M)`."""
    build, day, maturity = build_info(device.version)
    return f"{device.model} v{device.version},build{build:04d},{day} ({maturity})"


def vdoms_enabled(device: Device) -> bool:
    """Multi-VDOM mode: the estate file lists the unit's `vdoms`."""
    return bool(device.vdoms)


def management_vdom(device: Device) -> str:
    """The VDOM a session is in when `get system status` runs: `root` when it is one of them, else the first."""
    return "root" if "root" in device.vdoms or not device.vdoms else device.vdoms[0]


def ha_mode(device: Device) -> str:
    """`standalone` or `a-p, primary` / `a-p, secondary` (the estate's active / passive)."""
    if device.ha is None:
        return "standalone"
    return "a-p, primary" if device.ha.state == "active" else "a-p, secondary"


def uptime_text(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{days} days, {hours} hours, {minutes} minutes, {secs} seconds"
