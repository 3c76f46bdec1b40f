"""Pre-upgrade judging (pure): optics at every hop of the path, and the readiness checks over a device's state.

The story's outage came from a check nobody ran on an intermediate hop, so optics are judged against the known
issues of every release the device will boot on the way, not only the target.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from typing import TypeVar

from tasks.checks import readiness as r
from tasks.checks.optics import judge_optics
from tasks.checks.upgrade_path import ARROW, UpgradePlan
from tasks.matrix import Matrix, Waiver
from tasks.models import Facts, OpticVerdict, Transceiver, Unsupported, Verdict
from tasks.models.readiness import DiskUsage, NotReported, ReadinessState


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


T = TypeVar("T")


def _judge(name: str, value: T | NotReported | Unsupported, judge: Callable[[T], r.CheckResult]) -> r.CheckResult:
    """`judge(value)`; SKIPPED with the reason when the platform does not have this state, ERROR with the
    reason when the device did not tell it (its command failed, or printed what could not be read)."""
    if isinstance(value, Unsupported):
        return r.CheckResult(name, Verdict.SKIPPED, value.reason)
    if isinstance(value, NotReported):
        return r.CheckResult(name, Verdict.ERROR, value.reason)
    return judge(value)


def _disk(disk: DiskUsage | NotReported, state: ReadinessState, plan: UpgradePlan) -> r.CheckResult:
    """The largest hop's images (base included) that the device does not list as downloaded, sized by the
    device's list, else by the plan (matrix): a finished hop's images are deleted before the next download,
    so the hops' downloads never share the disk."""
    sizes = {d.version: d.size_mb for d in plan.downloads if d.size_mb is not None}
    hops = [
        (f"{hop.from_version} {ARROW} {hop.to_version}: {', '.join(d.version for d in hop.downloads)}",
         [d.version for d in hop.downloads])
        for hop in plan.hops
    ]  # fmt: skip
    largest = r.largest_hop_mb(hops, state.images, sizes)
    if largest is None:
        return r.check_disk_space(disk, required_mb=0)
    label, required = largest
    return r.check_disk_space(disk, required_mb=required, hop=label if len(hops) > 1 else None)


def run_readiness(
    state: ReadinessState | Unsupported,
    plan: UpgradePlan,
    today: date,
    selected: Sequence[str],
    min_content: str | None = None,
) -> list[r.CheckResult]:
    """The `selected` readiness checks over a device's state, in ALL_CHECKS order.

    A platform without readiness (`state` is Unsupported) gets every check SKIPPED with its reason; a state
    field that is Unsupported gives its check SKIPPED with the field's reason, one NotReported its check
    ERROR with the field's reason.

    >>> state = ReadinessState(pending_changes=Unsupported("no candidate configuration"))
    >>> plan = UpgradePlan("demo", "M-1", "1.0.0", "1.0.0", (), Verdict.PASS)
    >>> [(c.verdict.value, c.reason) for c in run_readiness(state, plan, date(2026, 1, 1), [r.PENDING_CHANGES])]
    [('SKIPPED', 'no candidate configuration')]
    >>> run_readiness(Unsupported("no readiness checks"), plan, date(2026, 1, 1), r.ALL_CHECKS)[0].reason
    'no readiness checks'
    >>> state = ReadinessState(ntp=NotReported("'show ntp' was not read"))
    >>> [(c.verdict.value, c.reason) for c in run_readiness(state, plan, date(2026, 1, 1), [r.NTP_SYNC])]
    [('ERROR', "'show ntp' was not read")]
    """
    names = [name for name in r.ALL_CHECKS if name in selected]
    if isinstance(state, Unsupported):
        return [r.CheckResult(name, Verdict.SKIPPED, state.reason) for name in names]

    def disk_space() -> r.CheckResult:
        disk = state.disk  # DiskUsage | NotReported | Unsupported: too wide for `_judge` to infer
        if isinstance(disk, Unsupported):
            return r.CheckResult(r.DISK_SPACE, Verdict.SKIPPED, disk.reason)
        return _disk(disk, state, plan)

    checks: dict[str, Callable[[], r.CheckResult]] = {
        r.DISK_SPACE: disk_space,
        r.HA_PEER: lambda: _judge(r.HA_PEER, state.ha, r.check_ha),
        r.PENDING_CHANGES: lambda: _judge(r.PENDING_CHANGES, state.pending_changes, r.check_pending_changes),
        r.RUNNING_JOBS: lambda: _judge(r.RUNNING_JOBS, state.jobs, r.check_running_jobs),
        r.CONTENT_VERSION: lambda: _judge(
            r.CONTENT_VERSION, state.content, lambda content: r.check_content(content, today, min_content)
        ),
        r.LICENSES: lambda: _judge(
            r.LICENSES,
            state.licences,
            lambda licences: r.check_licenses(licences.licenses, today, support_listed=licences.support_listed),
        ),
        r.NTP_SYNC: lambda: _judge(r.NTP_SYNC, state.ntp, r.check_ntp),
        r.MGMT_RESOURCES: lambda: _judge(r.MGMT_RESOURCES, state.resources, r.check_mgmt_resources),
        r.ENVIRONMENTALS: lambda: _judge(r.ENVIRONMENTALS, state.sensors, r.check_environmentals),
    }
    return [checks[name]() for name in names]
