"""A device's configuration backup as results.json (`host.backup`) and the Backup sheet hold it.

>>> row = DeviceBackup(BackupStatus.CHANGED, "lon1/sw1.cfg", added=3, removed=1, commit="0a1b2c3")
>>> DeviceBackup.from_dict(row.to_dict()) == row
True
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class BackupStatus(str, Enum):
    """What became of a device's configuration in this run."""

    CHANGED = "changed"  # new or different: written and in this run's commit
    UNCHANGED = "unchanged"  # the same as the repository holds: nothing written, no commit
    FAILED = "failed"  # not read, or the platform cannot be backed up: nothing written


@dataclass(frozen=True)
class DeviceBackup:
    """One device's backup: its file in the customer's repository (`<site>/<device>.cfg`), the lines added and
    removed against the previous commit, and the commit that holds it (empty when nothing was committed)."""

    status: BackupStatus
    file: str
    added: int = 0
    removed: int = 0
    commit: str = ""
    repository: str = ""  # the customer's repository folder
    reason: str = ""  # why it failed

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "file": self.file,
            "added": self.added,
            "removed": self.removed,
            "commit": self.commit or None,
            "repository": self.repository,
            "reason": self.reason or None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DeviceBackup:
        return cls(
            status=BackupStatus(data["status"]),
            file=data["file"],
            added=int(data.get("added", 0)),
            removed=int(data.get("removed", 0)),
            commit=data.get("commit") or "",
            repository=data.get("repository", ""),
            reason=data.get("reason") or "",
        )
