"""One compliance rule's outcome on one device: what results.json's `compliance` list and the sheets hold."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tasks.models import Verdict


@dataclass(frozen=True)
class RuleResult:
    """A rule judged on a device: `missing` (required patterns or golden lines absent) and `extra` (forbidden
    lines present, or section lines the golden template does not have); `waiver` says why a FAIL became WARN."""

    rule: str
    feature: str
    kind: str  # required | forbidden | golden | software | optics
    verdict: Verdict
    message: str
    missing: tuple[str, ...] = field(default_factory=tuple)
    extra: tuple[str, ...] = field(default_factory=tuple)
    waiver: str = ""
    origin: str = ""  # the rule file, e.g. compliance/fortinet.yaml or inventory/acme/compliance.yaml

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "feature": self.feature,
            "kind": self.kind,
            "verdict": self.verdict.value,
            "message": self.message,
            "missing": list(self.missing),
            "extra": list(self.extra),
            "waiver": self.waiver,
            "origin": self.origin,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RuleResult:
        """The inverse of `to_dict`.

        >>> r = RuleResult("ntp", "ntp", "required", Verdict.FAIL, "m", ("a",))
        >>> RuleResult.from_dict(r.to_dict()) == r
        True
        """
        return cls(
            rule=data["rule"],
            feature=data["feature"],
            kind=data["kind"],
            verdict=Verdict(data["verdict"]),
            message=data["message"],
            missing=tuple(data.get("missing", ())),
            extra=tuple(data.get("extra", ())),
            waiver=data.get("waiver", ""),
            origin=data.get("origin", ""),
        )
