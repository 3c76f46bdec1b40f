"""TinyOS: a throwaway platform defined entirely in tests, registered with the lab when imported.

It proves that a platform needs no edit of a shared lab module: `register(PERSONALITY)` at import, and the
lab process imports this module first (`lab.control.start(..., plugins=("tests.lab_plugins.tiny_os",))`).
`show software` prints the release facts of `matrices/tiny_os.yaml` in the folder the lab was given.
"""

from __future__ import annotations

from lab import releases
from lab.estate import Device
from lab.personalities import register
from lab.personalities.base import DeviceView, Personality, Reply

PLATFORM = "tiny_os"
MODELS = ("TINY-1",)


def validate_device(device: Device) -> list[tuple[str, str]]:
    """Only the model TINY-1, without optics."""
    if device.model not in MODELS:
        return [("model", f"unknown TinyOS model {device.model!r} (known: {', '.join(MODELS)})")]
    if device.optics:
        return [("optics[0].port", "TinyOS has no optic ports")]
    return []


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
    """A prompt `<name># `; `show version`, `show software`, `exit`; anything else prints nothing."""

    def __init__(self, view: DeviceView) -> None:
        self.view = view

    def banner(self) -> str:
        return ""

    def prompt(self) -> str:
        return f"{self.view.device.name}# "

    def handle(self, line: str) -> Reply:
        words = line.split()
        if words == ["show", "version"]:
            return Reply(text=f"TinyOS {self.view.device.version} on {self.view.device.model}\n")
        if words == ["show", "software"]:
            return Reply(text=show_software(self.view.device) + "\n")
        if words and words[0] in ("exit", "quit"):
            return Reply(close=True)
        return Reply(setup=True)


PERSONALITY = Personality(platform=PLATFORM, validate_device=validate_device, new_shell=TinyShell, models=MODELS)
register(PERSONALITY)
