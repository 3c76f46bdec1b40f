"""TinyOS in the lab: a personality defined outside lab/, registered with the lab when this module is imported.

The lab process imports it first (`lab.control.start(..., plugins=("tests.throwaway.personality",))`), so no
shared lab module is edited. `show software` prints the release facts of `tiny_os.yaml` in the matrices
folder the lab was given.
"""

from __future__ import annotations

from lab import releases
from lab.estate import Device
from lab.personalities import register
from lab.personalities.base import DeviceView, Personality, Reply

PLATFORM = "tiny_os"
MODELS = ("TINY-1",)
PORTS = ("port1", "port2", "port3", "port4")  # every TINY-1 has four SFP+ cages
TYPES = ("10GBASE-SR", "10GBASE-LR")


def validate_device(device: Device) -> list[tuple[str, str]]:
    """Only the model TINY-1; optics only in its four ports, of the types a TINY-1 takes."""
    if device.model not in MODELS:
        return [("model", f"unknown TinyOS model {device.model!r} (known: {', '.join(MODELS)})")]
    for i, optic in enumerate(device.optics):
        if optic.port not in PORTS:
            return [(f"optics[{i}].port", f"TINY-1 has no port {optic.port!r} (ports: {', '.join(PORTS)})")]
        if optic.type not in TYPES:
            return [(f"optics[{i}].type", f"unknown optic type {optic.type!r} (known: {', '.join(TYPES)})")]
    return []


def show_version(device: Device) -> str:
    """Key-value facts, one per line."""
    return (
        f"Hostname: {device.name}\nModel: {device.model}\nSerial: {device.serial or 'T' + device.name[-4:]}\n"
        f"Version: {device.version}\n"
    )


def show_transceivers(device: Device) -> str:
    """One row per optic: port, type, vendor (may hold spaces), part, serial; columns split by ` | `."""
    rows = ["Port | Type | Vendor | Part | Serial"]
    rows += [f"{o.port} | {o.type} | {o.vendor} | {o.part} | {o.serial}" for o in device.optics]
    return "\n".join(rows) + "\n"


def show_software(device: Device) -> str:
    """Every image of the platform's matrix: version, size (- if unknown), release date (or unknown)."""
    facts = releases.releases(PLATFORM)
    versions = [image.version for image in facts.images]
    rows = []
    for version in versions if device.version in versions else [*versions, device.version]:
        image = facts.image(version)
        size = facts.size_mb(version)
        released = image.released.isoformat() if image is not None and image.released is not None else "unknown"
        current = " *" if version == device.version else ""
        rows.append(f"{version} {f'{size}MB' if size is not None else '-'} {released}{current}")
    return "\n".join(rows)


class TinyShell:
    """A prompt `<name># `; `show version`, `show transceivers`, `show software`, `exit`; anything else (what a
    session preparation sends) prints nothing."""

    def __init__(self, view: DeviceView) -> None:
        self.view = view

    def banner(self) -> str:
        return ""

    def prompt(self) -> str:
        return f"{self.view.device.name}# "

    def refuse(self, line: str) -> str:
        return "% not permitted\n"

    def handle(self, line: str) -> Reply:
        words = line.split()
        device = self.view.device
        if words == ["show", "version"]:
            return Reply(text=show_version(device))
        if words == ["show", "transceivers"]:
            return Reply(text=show_transceivers(device))
        if words == ["show", "software"]:
            return Reply(text=show_software(device) + "\n")
        if words and words[0] in ("exit", "quit"):
            return Reply(close=True)
        return Reply(setup=True)


PERSONALITY = Personality(platform=PLATFORM, validate_device=validate_device, new_shell=TinyShell, models=MODELS)
register(PERSONALITY)
