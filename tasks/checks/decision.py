"""GO / NO-GO for an upgrade, decided once from typed host records: per device, per site and for the run.

The rule: a device is NO-GO when it could not be checked (ERROR) or a check FAILs; its reason is the first FAIL
finding (`check: message`) or `could not be checked: stage: error`. A site, and the run, are NO-GO when any of
their devices is. The Summary sheet and the terminal summary both show what this module decides.

>>> from tasks.models import Finding, HostRecord, Severity, Verdict
>>> ok = HostRecord("fw1", "acme", "lon1", "os", findings=[Finding("disk", Severity.INFO, Verdict.PASS, "ok")])
>>> bad = HostRecord("fw2", "acme", "lon1", "os", findings=[Finding("ntp", Severity.BLOCKER, Verdict.FAIL, "off")])
>>> run = decide_run([ok, bad])
>>> run.decision.value, run.sites[0].decision.value, run.no_go[0].reason
('NO-GO', 'NO-GO', 'ntp: off')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from tasks.models import HostRecord, Verdict


class Decision(str, Enum):
    """Whether a device, a site or a run may be upgraded."""

    GO = "GO"
    NO_GO = "NO-GO"


NO_GO_VERDICTS = frozenset({Verdict.FAIL, Verdict.ERROR})
UNCHECKED = "could not be checked"


@dataclass(frozen=True)
class DeviceDecision:
    """One device's decision; `reason` says why it is NO-GO (empty for GO)."""

    name: str
    customer: str
    site: str
    decision: Decision
    reason: str = ""


@dataclass(frozen=True)
class SiteDecision:
    """One customer's site: NO-GO when any of its devices is."""

    customer: str
    site: str
    devices: tuple[DeviceDecision, ...]

    @property
    def decision(self) -> Decision:
        return _any_no_go(self.devices)

    @property
    def no_go(self) -> tuple[DeviceDecision, ...]:
        return tuple(d for d in self.devices if d.decision is Decision.NO_GO)


@dataclass(frozen=True)
class RunDecision:
    """Every site of a run, in the order their first device was given; NO-GO when any device is."""

    sites: tuple[SiteDecision, ...]

    @property
    def decision(self) -> Decision:
        return _any_no_go(self.devices)

    @property
    def devices(self) -> tuple[DeviceDecision, ...]:
        return tuple(d for site in self.sites for d in site.devices)

    @property
    def no_go(self) -> tuple[DeviceDecision, ...]:
        return tuple(d for d in self.devices if d.decision is Decision.NO_GO)

    def site_counts(self) -> dict[Decision, int]:
        """How many sites are GO and how many NO-GO (both keys always present)."""
        counts = dict.fromkeys(Decision, 0)
        for site in self.sites:
            counts[site.decision] += 1
        return counts

    def device_counts(self) -> dict[Decision, int]:
        """How many devices are GO and how many NO-GO (both keys always present)."""
        counts = dict.fromkeys(Decision, 0)
        for device in self.devices:
            counts[device.decision] += 1
        return counts


def _any_no_go(devices: Iterable[DeviceDecision]) -> Decision:
    return Decision.NO_GO if any(d.decision is Decision.NO_GO for d in devices) else Decision.GO


def decide_device(host: HostRecord) -> DeviceDecision:
    """GO, or NO-GO with the first reason: why the host could not be checked, else its first finding of its
    (worst) verdict: a FAIL, or an ERROR when a check could not be judged (its command failed)."""
    if host.verdict not in NO_GO_VERDICTS:
        return DeviceDecision(host.name, host.customer, host.site, Decision.GO)
    if host.status == "error":
        reason = f"{UNCHECKED}: {host.error_stage}: {host.error}"
    else:
        reason = next(f"{f.check}: {f.message}" for f in host.findings if f.verdict is host.verdict)
    return DeviceDecision(host.name, host.customer, host.site, Decision.NO_GO, reason)


def decide_run(hosts: Iterable[HostRecord]) -> RunDecision:
    """Decide every host, grouped by (customer, site); sites and devices keep the order `hosts` come in."""
    sites: dict[tuple[str, str], list[DeviceDecision]] = {}
    for host in hosts:
        sites.setdefault((host.customer, host.site), []).append(decide_device(host))
    return RunDecision(tuple(SiteDecision(c, s, tuple(devices)) for (c, s), devices in sites.items()))
