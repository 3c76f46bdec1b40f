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

    HA_SUSPEND = "suspend HA (fail over to the peer)"
    DOWNLOAD_BASE = "download base image"
    DOWNLOAD = "download image"
    INSTALL = "install"
    RECHECK = "re-check known issues"
    REBOOT = "reboot"
    WAIT = "wait until back"
    VERIFY = "verify release"
    DELETE = "delete images"
    HA_FUNCTIONAL = "make HA functional again"


class StepResult(str, Enum):
    """What came of a step (the Upgrade sheet's Result); a dry run's steps are all DRY-RUN.

    PENDING: not taken yet (an executed run's steps before they run); NOT_REACHED: the device stopped before it.
    """

    DRY_RUN = "DRY-RUN"
    SKIPPED = "SKIPPED"
    PENDING = "PENDING"
    OK = "OK"
    FAILED = "FAILED"
    NOT_REACHED = "NOT REACHED"


class UpgradeStatus(str, Enum):
    """What the run does with a device: show its steps (a dry run), walk them, or skip it with a reason.

    PLANNED: to be walked by an --execute run; then UPGRADED (every step OK), FAILED (left where it stopped,
    with the step and reason) or NOT_REACHED (its site stopped after another device failed, or the run ended
    before it).
    """

    DRY_RUN = "DRY-RUN"
    SKIPPED = "SKIPPED"
    PLANNED = "PLANNED"
    UPGRADED = "UPGRADED"
    FAILED = "FAILED"
    NOT_REACHED = "NOT REACHED"


@dataclass(frozen=True)
class UpgradeStep:
    """One step of one hop (hops counted from 1): the exact command and what ends the step (`expect`).

    `version` is the release the command is about (the image downloaded or deleted; the hop's target otherwise).
    """

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
    version: str = ""

    @property
    def unit(self) -> tuple[int, StepKind, str]:
        """What the runner takes as one piece of work: the neighbouring steps of one hop, kind and release."""
        return self.hop, self.kind, self.version or self.to_version

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
            "version": self.version,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UpgradeStep:
        return cls(
            **{**data, "kind": StepKind(data["kind"]), "result": StepResult(data["result"])},
        )

    @property
    def done(self) -> bool:
        return self.result is StepResult.OK


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


# The image server's protocols estate can send: TFTP needs no credentials on the command line (FTP would put a
# password into the command, the journal and the Upgrade sheet; not built).
IMAGE_PROTOCOLS = ("tftp",)
IMAGE_FIELDS = ("model", "version")  # the placeholders an image file name may hold


@dataclass(frozen=True)
class ImageSource:
    """Where one image comes from: `protocol`, the `server` and the `file` name on it."""

    protocol: str
    server: str
    file: str


@dataclass(frozen=True)
class ImageServer:
    """The server devices fetch their image from (config.yaml `upgrade.image_server`, per customer overridable).

    `file` names the image with `{model}` (the model as the platform names its images) and `{version}`; empty:
    the platform's own naming (`UpgradeDriver.image_file`).

    >>> server = ImageServer("192.0.2.10")
    >>> server.source("7.4.8", "60F", "FGT_{model}-v{version}-FORTINET.out")
    ImageSource(protocol='tftp', server='192.0.2.10', file='FGT_60F-v7.4.8-FORTINET.out')
    >>> ImageServer("192.0.2.10", file="{version}.out").source("7.4.8", "60F", "x").file
    '7.4.8.out'
    """

    address: str
    protocol: str = "tftp"
    file: str = ""

    def source(self, version: str, model: str, default_file: str) -> ImageSource:
        """The image of `version` for `model` on this server (`default_file`: the platform's naming)."""
        name = (self.file or default_file).format(version=version, model=model)
        return ImageSource(self.protocol, self.address, name)
