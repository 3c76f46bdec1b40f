"""Pre-upgrade judging (pure): optics at every hop of the path, and the readiness checks of a platform.

The story's outage came from a check nobody ran on an intermediate hop, so optics are judged against the known
issues of every release the device will boot on the way, not only the target.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from tasks.checks import readiness as r
from tasks.checks.optics import judge_optics
from tasks.checks.upgrade_path import ARROW, UpgradePlan
from tasks.matrix import Matrix, Waiver
from tasks.models import Facts, OpticVerdict, Transceiver, Verdict
from tasks.platforms import fortinet, get_platform
from tasks.platforms import paloalto_panos as panos


def judge_optics_along(
    plan: UpgradePlan,
    facts: Facts,
    transceivers: Sequence[Transceiver],
    matrix: Matrix,
    waivers: Sequence[Waiver],
    device: str,
    today: date,
) -> list[OpticVerdict]:
    """Each optic judged against every hop's release; it keeps its worst verdict, and the reason names the
    first hop where that verdict arose. Without hops (already on the target) it is judged against the target.

    A plan whose path could not be made (no hops) is judged against its target alone.
    """
    hops = [(hop.from_version, hop.to_version) for hop in plan.hops] or [(plan.current, plan.target)]
    worst: list[OpticVerdict] | None = None
    for source, release in hops:
        judged = judge_optics(facts.model, facts.version, transceivers, matrix, waivers, device, release, today)
        if worst is None:
            worst = [_at_hop(v, source, release, len(hops)) for v in judged]
            continue
        worst = [
            _at_hop(new, source, release, len(hops)) if new.verdict.rank > old.verdict.rank else old
            for old, new in zip(worst, judged, strict=True)
        ]
    return worst or []


def _at_hop(verdict: OpticVerdict, source: str, release: str, hops: int) -> OpticVerdict:
    if verdict.verdict is Verdict.PASS or hops == 1:
        return verdict
    return replace(verdict, reason=f"at hop {source} {ARROW} {release}: {verdict.reason}")


@dataclass(frozen=True)
class ReadinessInput:
    """What a platform's readiness checks read: the collected outputs, the facts, the plan and today."""

    outputs: Mapping[str, str]
    facts: Facts
    plan: UpgradePlan
    today: date
    min_content: str | None = None


def _panos_disk(data: ReadinessInput) -> r.CheckResult:
    software = panos.parse_software_info(data.outputs["software"])
    sizes = {d.version: d.size_mb for d in data.plan.downloads if d.size_mb is not None}
    required = r.download_mb([d.version for d in data.plan.downloads], software, sizes)
    return r.check_disk_space(panos.parse_disk_space(data.outputs["disk"]), required_mb=required)


_PANOS: dict[str, Callable[[ReadinessInput], r.CheckResult]] = {
    r.DISK_SPACE: _panos_disk,
    r.HA_PEER: lambda d: r.check_ha(panos.parse_ha_all(d.outputs["ha_all"])),
    r.PENDING_CHANGES: lambda d: r.check_pending_changes(panos.parse_pending_changes(d.outputs["pending"])),
    r.RUNNING_JOBS: lambda d: r.check_running_jobs(panos.parse_jobs(d.outputs["jobs"])),
    r.CONTENT_VERSION: lambda d: r.check_content_version(d.facts.extra.get("app-version"), d.min_content),
    r.LICENSES: lambda d: r.check_licenses(panos.parse_licenses(d.outputs["licenses"]), d.today),
    r.NTP_SYNC: lambda d: r.check_ntp(panos.parse_ntp(d.outputs["ntp"])),
    r.MGMT_RESOURCES: lambda d: r.check_mgmt_resources(panos.parse_resources(d.outputs["resources"])),
    r.ENVIRONMENTALS: lambda d: r.check_environmentals(panos.parse_environmentals(d.outputs["environmentals"])),
}


def _fortinet_disk(data: ReadinessInput) -> r.CheckResult:
    """FortiOS lists no downloaded images: every image on the path counts, sized by the plan (matrix)."""
    sizes = {d.version: d.size_mb for d in data.plan.downloads if d.size_mb is not None}
    required = r.download_mb([d.version for d in data.plan.downloads], [], sizes)
    store = fortinet.image_store(fortinet.parse_disk_info(data.outputs["disk"]))
    return r.check_disk_space(store, required_mb=required, mount=fortinet.IMAGE_STORE)


def _fortinet_content(data: ReadinessInput) -> r.CheckResult:
    """FortiOS publishes no minimum content per release: the IPS and application databases must be fresh."""
    status = fortinet.parse_system_status(data.outputs["facts"])
    return r.check_content_age(fortinet.content_packages(status), data.today)


def _skipped(name: str, why: str) -> Callable[[ReadinessInput], r.CheckResult]:
    return lambda d: r.CheckResult(name, Verdict.SKIPPED, why)


_FORTINET: dict[str, Callable[[ReadinessInput], r.CheckResult]] = {
    r.DISK_SPACE: _fortinet_disk,
    r.HA_PEER: lambda d: r.check_ha(fortinet.parse_ha_status(d.outputs["ha_status"], d.facts.serial)),
    r.PENDING_CHANGES: _skipped(
        r.PENDING_CHANGES, "FortiOS has no candidate configuration: changes apply when entered"
    ),
    r.RUNNING_JOBS: _skipped(r.RUNNING_JOBS, "FortiOS has no job queue to read"),
    r.CONTENT_VERSION: _fortinet_content,
    r.LICENSES: lambda d: r.check_licenses(
        fortinet.parse_fortiguard_services(d.outputs["services"]), d.today, support_listed=False
    ),
    r.NTP_SYNC: lambda d: r.check_ntp(fortinet.parse_ntp_status(d.outputs["ntp"])),
    r.MGMT_RESOURCES: lambda d: r.check_mgmt_resources(fortinet.parse_performance(d.outputs["performance"])),
    r.ENVIRONMENTALS: lambda d: r.check_environmentals(fortinet.parse_sensors(d.outputs["sensors"])),
}
# platform -> check name -> how to run it; a platform without an entry reports every check SKIPPED.
READINESS: dict[str, dict[str, Callable[[ReadinessInput], r.CheckResult]]] = {
    panos.DEVICE_TYPE: _PANOS,
    fortinet.DEVICE_TYPE: _FORTINET,
}


def run_readiness(platform: str, data: ReadinessInput, selected: Sequence[str]) -> list[r.CheckResult]:
    """The `selected` readiness checks of `platform`, in ALL_CHECKS order; SKIPPED where it has none yet.

    Parsers raise ParseError on output the OS does not print; that propagates (the device becomes ERROR).
    """
    table = READINESS.get(platform)
    results = []
    for name in (c for c in r.ALL_CHECKS if c in selected):
        if table is None or name not in table:
            results.append(r.CheckResult(name, Verdict.SKIPPED, f"no {name} check for {platform} yet"))
        else:
            results.append(table[name](data))
    return results


def readiness_purposes(platform: str) -> tuple[str, ...]:
    """The command purposes the platform's readiness checks read (none when it has no checks yet).

    >>> readiness_purposes("cisco_ios"), "disk" in readiness_purposes("paloalto_panos")
    ((), True)
    """
    return tuple(getattr(get_platform(platform), "READINESS_COMMANDS", ())) if platform in READINESS else ()
