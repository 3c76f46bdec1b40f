"""An upgrade plan, typed: the hops, downloads and reboots from a running release to a target.

`tasks.checks.upgrade_path` makes one per device from the matrix's rules; it round-trips through
results.json, so the upgrade run can start from a pre-upgrade run folder.

>>> plan = UpgradePlan("os", "M-1", "1.0.0", "2.0.1", (Hop("1.0.0", "2.0.1", (Download("2.0.0", 900, base=True),
...     Download("2.0.1", 400))),), Verdict.PASS)
>>> UpgradePlan.from_dict(plan.to_dict()) == plan, plan.reason, plan.download_mb
(True, '1.0.0 → 2.0.1', 1300)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from tasks.models import Verdict

ARROW = "→"


@dataclass(frozen=True)
class Download:
    """An image to download before a hop; `estimated` when its size is the matrix's estimate, not its own."""

    version: str
    size_mb: int | None
    base: bool = False
    estimated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Download:
        return cls(**data)


@dataclass(frozen=True)
class Hop:
    """One install: from the running version to `to_version`, after downloading `downloads`."""

    from_version: str
    to_version: str
    downloads: tuple[Download, ...]
    install: bool = True
    reboot: bool = True
    minutes: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "downloads": [d.to_dict() for d in self.downloads]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Hop:
        return cls(**{**data, "downloads": tuple(Download.from_dict(d) for d in data["downloads"])})


@dataclass(frozen=True)
class UpgradePlan:
    """The path of one device: its hops, and whether the path follows the vendor's rules.

    `reasons` say why the verdict is FAIL, each naming the rule; `warnings` why it is WARN (a rule that could
    not be checked, e.g. the release-date rule without a date); `notes` say what the plan assumed (estimated
    sizes, the source of a stop).
    """

    platform: str
    model: str
    current: str
    target: str
    hops: tuple[Hop, ...]
    verdict: Verdict
    reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def path(self) -> tuple[str, ...]:
        """The versions the device runs in turn, from the current one; just the current one without hops."""
        return (self.current, *(hop.to_version for hop in self.hops))

    @property
    def downloads(self) -> tuple[Download, ...]:
        """Every image to download, in order, each once."""
        return tuple(d for hop in self.hops for d in hop.downloads)

    @property
    def download_mb(self) -> int:
        """Total size of the downloads (images of unknown size count 0 and are named in `notes`)."""
        return sum(d.size_mb or 0 for d in self.downloads)

    @property
    def reboots(self) -> int:
        return sum(1 for hop in self.hops if hop.reboot)

    @property
    def minutes(self) -> int:
        """Estimated install and reboot minutes over all hops (downloads excluded)."""
        return sum(hop.minutes or 0 for hop in self.hops)

    def to_dict(self) -> dict[str, Any]:
        """The results.json shape of `host.plan`: every field, plus the path and totals for readers of the file."""
        return {
            "platform": self.platform,
            "model": self.model,
            "current": self.current,
            "target": self.target,
            "hops": [hop.to_dict() for hop in self.hops],
            "verdict": self.verdict.value,
            "reasons": list(self.reasons),
            "notes": list(self.notes),
            "warnings": list(self.warnings),
            "path": list(self.path),
            "reason": self.reason,
            "download_mb": self.download_mb,
            "reboots": self.reboots,
            "minutes": self.minutes,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UpgradePlan:
        """The inverse of `to_dict` (the derived keys are ignored); KeyError or ValueError on another shape."""
        return cls(
            platform=data["platform"],
            model=data["model"],
            current=data["current"],
            target=data["target"],
            hops=tuple(Hop.from_dict(hop) for hop in data["hops"]),
            verdict=Verdict(data["verdict"]),
            reasons=tuple(data.get("reasons", ())),
            notes=tuple(data.get("notes", ())),
            warnings=tuple(data.get("warnings", ())),
        )

    @property
    def reason(self) -> str:
        """One line: the broken rules when FAIL, else the path and what could not be checked."""
        if self.reasons:
            return "; ".join(self.reasons)
        if not self.hops:
            return f"already on {self.target}"
        return "; ".join([f" {ARROW} ".join(self.path), *self.warnings])
