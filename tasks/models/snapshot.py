"""The pre-upgrade state snapshot, typed: what post-upgrade compares the device against after the upgrade.

A platform's snapshot capability builds it from command outputs; it round-trips through results.json
(`to_dict` / `from_dict`), so a later run can read a pre-upgrade run folder back.

>>> snap = Snapshot(version="10.1.9", content={"app": "8635-7675"}, interfaces={"ethernet1/1": "up"},
...                 optics={"ethernet1/1": OpticState("PAN-SFP-PLUS-SR", "OEM", "AB12")}, routes=3)
>>> Snapshot.from_dict(snap.to_dict()) == snap
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class OpticState:
    """The optic in one port at snapshot time."""

    part: str
    vendor: str
    serial: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"part": self.part, "vendor": self.vendor, "serial": self.serial}


@dataclass(frozen=True)
class Snapshot:
    """Version and build, content versions, HA state, link state and optic per port, route / ARP / session
    counts (None when not read), and the running configuration with every secret removed."""

    version: str
    build: str | None = None
    content: dict[str, str] = field(default_factory=dict)  # content package -> version
    ha_state: str | None = None
    interfaces: dict[str, str] = field(default_factory=dict)  # port -> link state (up, down, ...)
    optics: dict[str, OpticState] = field(default_factory=dict)  # port -> optic
    routes: int | None = None
    arp: int | None = None
    sessions: int | None = None
    config: str | None = None  # sanitised

    def to_dict(self) -> dict[str, Any]:
        """The results.json shape of `host.snapshot`."""
        return {
            "version": self.version,
            "build": self.build,
            "content": dict(self.content),
            "ha_state": self.ha_state,
            "interfaces": dict(self.interfaces),
            "optics": {port: optic.to_dict() for port, optic in self.optics.items()},
            "routes": self.routes,
            "arp": self.arp,
            "sessions": self.sessions,
            "config": self.config,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Snapshot:
        """The inverse of `to_dict`; KeyError or TypeError when `data` is not that shape."""
        return cls(
            version=data["version"],
            build=data.get("build"),
            content=dict(data.get("content") or {}),
            ha_state=data.get("ha_state"),
            interfaces=dict(data.get("interfaces") or {}),
            optics={port: OpticState(**optic) for port, optic in (data.get("optics") or {}).items()},
            routes=data.get("routes"),
            arp=data.get("arp"),
            sessions=data.get("sessions"),
            config=data.get("config"),
        )
