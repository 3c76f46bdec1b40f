"""An upgrade run's per-device plan of work, typed: the ordered steps of each hop, the wave, and what came of it.

`tasks.checks.upgrade_steps` makes the steps from a pre-upgrade's `UpgradePlan` and the platform's upgrade
driver; they round-trip through results.json (`host.upgrade`), so a later `--resume` can read them back.

>>> step = UpgradeStep(1, "9.1.14", "10.0.0", StepKind.INSTALL, "request system software install version 10.0.0")
>>> device = DeviceUpgrade(UpgradeStatus.DRY_RUN, wave=1, steps=(step,))
>>> DeviceUpgrade.from_dict(device.to_dict()) == device, device.hops
(True, (1,))
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class StepKind(str, Enum):
    """What one step of a hop does, in the order a hop takes them (see `tasks.checks.upgrade_steps`)."""

    DOWNLOAD_BASE = "download base image"
    DOWNLOAD = "download image"
    INSTALL = "install"
    RECHECK = "re-check known issues"
    REBOOT = "reboot"
    WAIT = "wait until back"
    VERIFY = "verify release"
    DELETE = "delete images"


class StepResult(str, Enum):
    """What came of a step (the Upgrade sheet's Result); a dry run's steps are all DRY-RUN."""

    DRY_RUN = "DRY-RUN"
    SKIPPED = "SKIPPED"


class UpgradeStatus(str, Enum):
    """What the run does with a device: walk its steps (here, show them: a dry run) or skip it with a reason."""

    DRY_RUN = "DRY-RUN"
    SKIPPED = "SKIPPED"


@dataclass(frozen=True)
class UpgradeStep:
    """One step of one hop (hops counted from 1): the exact command and what ends the step (`expect`)."""

    hop: int
    from_version: str
    to_version: str
    kind: StepKind
    command: str
    expect: str = ""
    started: str | None = None
    finished: str | None = None
    result: StepResult = StepResult.DRY_RUN
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "hop": self.hop,
            "from_version": self.from_version,
            "to_version": self.to_version,
            "kind": self.kind.value,
            "command": self.command,
            "expect": self.expect,
            "started": self.started,
            "finished": self.finished,
            "result": self.result.value,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UpgradeStep:
        return cls(
            **{**data, "kind": StepKind(data["kind"]), "result": StepResult(data["result"])},
        )


@dataclass(frozen=True)
class DeviceUpgrade:
    """One device in an upgrade run: its status, wave within its site (None when skipped), reason and steps.

    `forced` names what `--force` skipped for this device (empty when the gate applied).
    """

    status: UpgradeStatus
    wave: int | None = None
    reason: str = ""
    steps: tuple[UpgradeStep, ...] = ()
    forced: str = ""

    @property
    def hops(self) -> tuple[int, ...]:
        """The hop numbers that have steps, in order."""
        return tuple(dict.fromkeys(step.hop for step in self.steps))

    def to_dict(self) -> dict[str, Any]:
        """The results.json shape of `host.upgrade`."""
        return {
            "status": self.status.value,
            "wave": self.wave,
            "reason": self.reason,
            "forced": self.forced,
            "steps": [step.to_dict() for step in self.steps],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DeviceUpgrade:
        return cls(
            status=UpgradeStatus(data["status"]),
            wave=data.get("wave"),
            reason=data.get("reason", ""),
            steps=tuple(UpgradeStep.from_dict(s) for s in data.get("steps", [])),
            forced=data.get("forced", ""),
        )
