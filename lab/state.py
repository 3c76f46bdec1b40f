"""The lab's state directory: ``lab.json`` (what a running lab serves) and ``credentials.env``."""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STATE_FILE = "lab.json"
CREDENTIALS_FILE = "credentials.env"
LOG_FILE = "lab.log"


@dataclass(frozen=True)
class LabInfo:
    """A running lab: its process, what it serves on which port, and how to log in."""

    pid: int
    devices: dict[str, int]
    inventory: Path | None
    username: str
    password: str = field(repr=False)
    estate: Path = Path()
    state_dir: Path = Path()
    started: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "pid": self.pid,
            "ready": True,
            "devices": self.devices,
            "inventory": str(self.inventory) if self.inventory else None,
            "username": self.username,
            "password": self.password,
            "estate": str(self.estate),
            "state_dir": str(self.state_dir),
            "started": self.started,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LabInfo:
        return cls(
            pid=int(data["pid"]),
            devices={str(k): int(v) for k, v in data["devices"].items()},
            inventory=Path(data["inventory"]) if data.get("inventory") else None,
            username=str(data["username"]),
            password=str(data["password"]),
            estate=Path(data["estate"]),
            state_dir=Path(data["state_dir"]),
            started=float(data["started"]),
        )


def atomic_write(path: Path, text: str, mode: int = 0o600) -> None:
    """Write ``text`` to ``path`` through a temp file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def write_state(info: LabInfo) -> None:
    """Publish ``lab.json`` and ``credentials.env`` (both readable by the owner only)."""
    atomic_write(info.state_dir / CREDENTIALS_FILE, credentials_env(info.username, info.password))
    atomic_write(info.state_dir / STATE_FILE, json.dumps(info.to_json(), indent=2) + "\n")


def credentials_env(username: str, password: str) -> str:
    """The ``export ESTATE_USERNAME=… ESTATE_PASSWORD=…`` lines for a shell.

    >>> print(credentials_env("admin", "p w"), end="")
    export ESTATE_USERNAME=admin
    export ESTATE_PASSWORD='p w'
    """
    return f"export ESTATE_USERNAME={shlex.quote(username)}\nexport ESTATE_PASSWORD={shlex.quote(password)}\n"


def read_state(state_dir: Path) -> LabInfo | None:
    """The state a lab published in ``state_dir``, or None (absent or unreadable)."""
    try:
        data = json.loads((state_dir / STATE_FILE).read_text(encoding="utf-8"))
        return LabInfo.from_json(data) if data.get("ready") else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remove_state(state_dir: Path, pid: int | None = None) -> None:
    """Remove ``lab.json`` and ``credentials.env``; with ``pid``, only if that process published them."""
    if pid is not None:
        current = read_state(state_dir)
        if current is not None and current.pid != pid:
            return
    for name in (STATE_FILE, CREDENTIALS_FILE):
        (state_dir / name).unlink(missing_ok=True)
