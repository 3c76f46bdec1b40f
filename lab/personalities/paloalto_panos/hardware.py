"""PAN-OS hardware (read from lab/personalities/data/paloalto_panos.yaml), validation and per-device facts."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime

from lab.estate import Device
from lab.personalities import data
from lab.personalities.base import (
    DeviceView,
    device_rng,
    layout_problems,
)

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


@dataclass(frozen=True)
class Cage:
    """A front-panel port kind: what an empty one reports and which optic types fit."""

    empty_media: str
    accepts: frozenset[str]


_DATA = data.read("paloalto_panos")
OPTIC_KINDS: dict[str, OpticKind] = {
    str(name): OpticKind(**fields) for name, fields in data.section(_DATA, "optic_kinds").items()
}
CAGES: dict[str, Cage] = {
    str(name): Cage(str(cage["empty_media"]), frozenset(cage["accepts"]))
    for name, cage in data.section(_DATA, "cages").items()
}
MODELS: dict[str, tuple[tuple[str, str], ...]] = data.layouts(_DATA)


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


_VERSION_RE = re.compile(r"^\d+\.\d+\.\d+(?:-h\d+)?$")
_APP_VERSION_RE = re.compile(r"^\d+-\d+$")
# The `state:` keys the PAN-OS shell reads (lab.estate.STATE_KEYS): all of them.
STATE_KEYS = frozenset(
    {"pending_changes", "jobs", "app_version", "licenses", "ntp_synced", "mgmt_cpu_pct", "mgmt_mem_pct",
     "disk_free_mb", "environment", "ha_sync", "peer_version", "images", "advanced_routing"}
)  # fmt: skip


def _version_problems(device: Device) -> list[tuple[str, str]]:
    versions = [("version", device.version)]
    if device.state.peer_version is not None:
        versions.append(("state.peer_version", device.state.peer_version))
    versions += [(f"state.images[{i}]", v) for i, v in enumerate(device.state.images)]
    for where, version in versions:
        if not _VERSION_RE.match(version):
            return [(where, f"must be a PAN-OS version like '10.2.4-h4', got {version!r}")]
    app = device.state.app_version
    if app is not None and not _APP_VERSION_RE.match(app):
        return [("state.app_version", f"must look like '8635-7675', got {app!r}")]
    return []


def validate_device(device: Device) -> list[tuple[str, str]]:
    """Problems with a PAN-OS device: unknown model, optics in ports that cannot hold them, version forms."""
    layouts = {model: dict(layout) for model, layout in MODELS.items()}
    problems = layout_problems(device, "PAN-OS", layouts, OPTIC_KINDS, lambda cage, kind: kind in CAGES[cage].accepts)
    return problems or _version_problems(device)


# --- per-device deterministic facts -------------------------------------------------------------------------


def mac(device: Device, index: int) -> str:
    base = int(device.serial[-6:]) % 0xFFFF
    return f"00:1b:17:{base >> 8:02x}:{base & 0xFF:02x}:{index & 0xFF:02x}"


def mgmt_ip(device: Device) -> str:
    r = device_rng(device, "mgmt")
    return f"10.{r.randint(1, 250)}.{r.randint(0, 255)}.{r.randint(2, 250)}"


def uptime_seconds(view: DeviceView) -> int:
    booted = view.runtime.booted_at if view.runtime is not None else None
    if booted is not None:  # rebooted in this lab
        return int(time.time() - booted)
    base = device_rng(view.device, "uptime").randint(3600, 400 * 86400)
    return base + int(time.time() - view.started_at)


def uptime(view: DeviceView) -> str:
    seconds = uptime_seconds(view)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{days} days, {hours}:{minutes:02d}:{secs:02d}"


def clock(now: datetime) -> str:
    return f"{now:%a %b} {now.day} {now:%H:%M:%S %Y}"


def model_family(model: str) -> str:
    """PA-3220 → 3200, PA-850 → 800."""
    digits = re.sub(r"\D", "", model)
    return digits[:-2] + "00" if len(digits) >= 3 else digits


def base_release(version: str) -> str:
    return ".".join(version.split("-")[0].split(".")[:2]) + ".0"
