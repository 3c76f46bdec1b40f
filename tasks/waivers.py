"""Customer waivers (`inventory/<customer>/waivers.yaml`): approved exceptions to optic verdicts, with expiry dates.

A waiver covers a part anywhere, or a device (and optionally one port), accepts the known issues it lists by
id, and applies through its `expires` date. A broken file is one `MatrixError` line naming file, line and field.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tasks.errors import MatrixError
from tasks.models import Transceiver
from tasks.yamlfile import YamlError, read_yaml, validate


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Waiver(_Strict):
    """A customer-approved exception: a part anywhere, or a device (and optionally one of its ports).

    It applies through its `expires` date. It accepts the known issues it lists by id, and no others.
    """

    part: str | None = None
    device: str | None = None
    port: str | None = None
    reason: str = Field(min_length=1)
    approved_by: str = Field(min_length=1)
    expires: date
    known_issues: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _part_or_device(self) -> Waiver:
        if bool(self.part) == bool(self.device):
            raise ValueError("give either part or device (with an optional port), not both or neither")
        if self.port and not self.device:
            raise ValueError("port needs a device")
        return self

    def is_active(self, today: date) -> bool:
        """True through the expiry date, False after it."""
        return today <= self.expires

    def covers(self, device: str, transceiver: Transceiver) -> bool:
        """Whether the waiver names this optic's part, or this device (and port)."""
        if self.part:
            return self.part.strip().upper() == transceiver.part.strip().upper()
        if self.device != device:
            return False
        return self.port is None or self.port == transceiver.port

    def describe(self) -> str:
        """`waiver for part X: reason (approved by A, expires D)`."""
        scope = (
            f"part {self.part}" if self.part else f"device {self.device}" + (f" port {self.port}" if self.port else "")
        )
        return f"waiver for {scope}: {self.reason} (approved by {self.approved_by}, expires {self.expires})"


class _WaiverFile(_Strict):
    waivers: list[Waiver] = Field(default_factory=list)


def load_waivers(path: Path) -> list[Waiver]:
    """The waivers in a customer's `waivers.yaml`; a missing or empty file means no waivers.

    Expired waivers are returned too (reports may list them); `Waiver.is_active(today)` decides.
    """
    if not path.exists():
        return []
    try:
        doc = read_yaml(path)
        if doc.data is None:
            return []
        return list(validate(_WaiverFile, doc).waivers)
    except YamlError as exc:
        raise MatrixError(str(exc)) from None


def active_waivers(waivers: Sequence[Waiver], today: date) -> list[Waiver]:
    """The waivers that still apply on `today`."""
    return [w for w in waivers if w.is_active(today)]
