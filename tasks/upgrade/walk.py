"""One device's upgrade, walked: each unit of its steps in order, journalled, until the last or the first failure.

A unit is the neighbouring steps of one hop, kind and release (a download and its job polling). The platform's
driver performs its own kinds; this module performs the shared ones:
- re-check: the optics read now, judged against the known issues of the release the device is about to boot
  (the story's firewall is stopped here, even when nobody ran a pre-upgrade with these optics);
- wait: the device goes away, answers again, and is ready (`DeviceSession.wait_back`);
- verify: the running release is the hop's.
A failed unit leaves the device where it is: its later steps are NOT REACHED and the device FAILED, with the
hop, the step and the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from nornir.core.task import Task

from tasks.checks.optics import judge_optics
from tasks.collect import collect_facts, collect_transceivers
from tasks.errors import DeviceError, StepFailed
from tasks.matrix import Matrix, Waiver
from tasks.models import Facts, Verdict
from tasks.models.plan import ARROW
from tasks.models.upgrade import DeviceUpgrade, ImageServer, StepKind, StepResult, UpgradeStatus, UpgradeStep
from tasks.platforms import get_platform
from tasks.platforms.base import UpgradeDriver
from tasks.upgrade.journal import FINISHED, STARTED, StepJournal, UnitState, now_text
from tasks.upgrade.session import Bounds, Clock, DeviceSession

# The message of a unit that may have rebooted the device before the run was interrupted: counted as sent.
SENT_BEFORE = "started before the interruption: counted as sent, not sent again"
_FINISHED = (StepResult.OK, StepResult.SKIPPED)


@dataclass(frozen=True)
class WalkContext:
    """What the walk needs besides the device: its matrix and waivers, today, the bounds, the journal, its
    customer's image server (None: not configured), and the job marks an interrupted run journalled for units it
    did not end ({index of the unit's first step: mark})."""

    matrix: Matrix
    waivers: Sequence[Waiver]
    today: date
    bounds: Bounds
    journal: StepJournal
    clock: Clock | None = field(default=None, compare=False)
    image_server: ImageServer | None = None
    job_marks: Mapping[int, int] = field(default_factory=dict)


def units(steps: Sequence[UpgradeStep]) -> list[list[int]]:
    """The indices of `steps` grouped into units (neighbouring steps of one hop, kind and release).

    >>> s = [UpgradeStep(1, "a", "b", StepKind.DOWNLOAD, "get", version="b"),
    ...      UpgradeStep(1, "a", "b", StepKind.DOWNLOAD, "poll", version="b"),
    ...      UpgradeStep(1, "a", "b", StepKind.INSTALL, "install", version="b")]
    >>> units(s)
    [[0, 1], [2]]
    """
    groups: list[list[int]] = []
    for index, step in enumerate(steps):
        if groups and steps[groups[-1][0]].unit == step.unit:
            groups[-1].append(index)
        else:
            groups.append([index])
    return groups


def _reboots(kind: StepKind, driver: UpgradeDriver) -> bool:
    return kind is StepKind.REBOOT or (kind is StepKind.INSTALL and driver.install_reboots)


def recheck(task: Task, ctx: WalkContext, release: str) -> str:
    """The optics read now against the known issues of `release`; StepFailed naming the first blocker."""
    outputs: dict[str, str] = {}
    facts: Facts = collect_facts(task, outputs).result
    optics = collect_transceivers(task, outputs).result
    verdicts = judge_optics(
        facts.model, facts.version, optics, ctx.matrix, ctx.waivers, task.host.name, release, ctx.today
    )
    blockers = [v for v in verdicts if v.verdict is Verdict.FAIL]
    if blockers:
        first = blockers[0].transceiver
        more = f" (and {len(blockers) - 1} more optics)" if len(blockers) > 1 else ""
        where = f"{first.port} ({first.vendor or 'no vendor name'} {first.part})"
        raise StepFailed(f"stopped before booting {release}: {where}: {blockers[0].reason}{more}")
    return f"{len(optics)} optics read now: no known issue of {release} stops the boot"


def verify(task: Task, session: DeviceSession, release: str) -> str:
    """The running release is `release`; StepFailed otherwise."""
    outputs: dict[str, str] = {}
    facts: Facts = collect_facts(task, outputs).result
    session.outputs, session.facts = outputs, facts
    if facts.version != release:
        raise StepFailed(f"running {facts.version}, not {release}")
    return f"running {release}"


def _perform(
    task: Task, session: DeviceSession, ctx: WalkContext, step: UpgradeStep, version: str, expect_gone: bool
) -> str:
    if step.kind is StepKind.RECHECK:
        return recheck(task, ctx, step.to_version)
    if step.kind is StepKind.WAIT:
        return session.wait_back(expect_gone=expect_gone)
    if step.kind is StepKind.VERIFY:
        return verify(task, session, step.to_version)
    perform = session.driver.perform
    if perform is None:
        raise StepFailed(f"{session.platform.os_name}: no way to perform {step.kind.value}")
    return perform(step.kind, version, session)


def _failed(steps: list[UpgradeStep], index: int, message: str) -> str:
    step = steps[index]
    return f"hop {step.hop} ({step.from_version} {ARROW} {step.to_version}), {step.kind.value}: {message}"


def walk(task: Task, upgrade: DeviceUpgrade, ctx: WalkContext) -> DeviceUpgrade:
    """Take every unfinished unit of `upgrade` on the task's host; the upgrade with each step's outcome."""
    platform = get_platform(task.host.platform or "")
    driver = platform.upgrade
    if not isinstance(driver, UpgradeDriver):
        return replace(upgrade, status=UpgradeStatus.FAILED, reason=driver.reason)
    session = DeviceSession(
        task, platform, driver, ctx.bounds, ctx.clock, image_server=ctx.image_server, journal=ctx.journal
    )
    steps = list(upgrade.steps)
    name = task.host.name
    expect_gone = True  # whether the wait after a reboot must first see the device go away
    failure = ""
    try:
        for group in units(steps):
            first = steps[group[0]]
            if all(steps[i].result in _FINISHED for i in group):
                # a reboot an interrupted run sent: the device may be down, or back already
                expect_gone = not _reboots(first.kind, driver)
                continue
            if failure:
                for i in group:
                    steps[i] = replace(steps[i], result=StepResult.NOT_REACHED)
                continue
            version = first.unit[2]
            started = now_text()
            ctx.journal.write(name, group[0], STARTED, at=started, kind=first.kind.value, hop=first.hop)
            session.begin(group[0], ctx.job_marks.get(group[0]))
            try:
                if not session.outputs and first.kind is not StepKind.WAIT:
                    # contexts (FortiOS `config global`) are chosen from them; the model names the image
                    session.facts = collect_facts(task, session.outputs).result
                rebooting = _reboots(first.kind, driver)
                if rebooting:
                    session.end_session()
                message, result = _perform(task, session, ctx, first, version, expect_gone), StepResult.OK
                # the device closing our session is its going down: the wait need not see the port close too
                expect_gone = not (rebooting and session.session_ended())
                if rebooting:
                    session.drop()
            except DeviceError as exc:
                message = str(exc) if isinstance(exc, StepFailed) else f"{exc.stage}: {exc}"
                result = StepResult.FAILED
            finished = now_text()
            ctx.journal.write(name, group[0], FINISHED, at=finished, result=result.value, message=message)
            for i in group:
                steps[i] = replace(steps[i], started=started, finished=finished, result=result, message=message)
            if result is StepResult.FAILED:
                failure = _failed(steps, group[0], message)
    finally:
        session.drop()
    if failure:
        return replace(upgrade, status=UpgradeStatus.FAILED, reason=failure, steps=tuple(steps))
    return replace(upgrade, status=UpgradeStatus.UPGRADED, steps=tuple(steps))


def mark_not_reached(upgrade: DeviceUpgrade, reason: str) -> DeviceUpgrade:
    """The device was not walked (its site stopped): its pending steps NOT REACHED, with `reason`."""
    steps = tuple(s if s.result in _FINISHED else replace(s, result=StepResult.NOT_REACHED) for s in upgrade.steps)
    return replace(upgrade, status=UpgradeStatus.NOT_REACHED, reason=reason, steps=steps)


def apply_journal(
    upgrade: DeviceUpgrade, name: str, platform: str, states: Mapping[tuple[str, int], UnitState]
) -> DeviceUpgrade:
    """The plan of `name` with what a journal says: units that ended OK keep their times and message; a unit
    that may have rebooted the device and never ended counts as sent (`SENT_BEFORE`); the rest stay pending."""
    driver = get_platform(platform).upgrade
    steps = list(upgrade.steps)
    for group in units(steps):
        state = states.get((name, group[0]))
        if state is None:
            continue
        kind = steps[group[0]].kind
        if state.result == StepResult.OK.value:
            done = (state.started, state.finished, StepResult.OK, state.message)
        elif state.finished is None and isinstance(driver, UpgradeDriver) and _reboots(kind, driver):
            done = (state.started, None, StepResult.OK, SENT_BEFORE)
        else:
            continue
        for i in group:
            steps[i] = replace(steps[i], started=done[0], finished=done[1], result=done[2], message=done[3])
    return replace(upgrade, steps=tuple(steps))
