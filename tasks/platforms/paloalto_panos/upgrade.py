"""PAN-OS upgrade steps as data, and how each is performed: software download, install, reboot, clean-up, HA.

From the research notes (upgrade-backup-cli.md A.1-A.4): `request system software check` refreshes the list the
device may download; downloads and installs are jobs polled with `show jobs id N` until FIN (the reboot is
gated on the install job's FIN OK); `request system software install` and `request restart system` ask for a
y/n confirmation; after the boot the device is ready when `show chassis-ready` says yes and the AutoCom job is
FIN OK; `show system info` then names the running release. The HA member that carries the traffic is suspended
(`request high-availability state suspend`: its peer takes over) before its reboot and made functional again
after its last hop; with preemption configured it takes the traffic back then.

A download asks `request system software info` first and skips an image already on the device. Before a download
or install asks for its job, the newest job id of `show jobs all` is journalled (the job mark); the step taken
again after an interrupted run polls the job of its type above that mark (`Downld`, `SWInstall`) when the device
lists one, so nothing is fetched or installed twice, even when the run was killed before the device's answer
was read. (A scheduled content download enqueued in between would be taken for it: both are `Downld` jobs.)
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tasks.errors import CommandRefused, ParseError, StepFailed
from tasks.models.readiness import Job
from tasks.models.upgrade import StepKind
from tasks.platforms.base import StepCommand, UpgradeDriver, UpgradeSession
from tasks.platforms.paloalto_panos.commands import COMMANDS
from tasks.platforms.paloalto_panos.readiness import parse_jobs, parse_software_info

CHECK = "request system software check"
INFO = "request system software info"
DOWNLOAD = "request system software download version {version}"
INSTALL = "request system software install version {version}"
RESTART = "request restart system"
DELETE = "delete software version {version}"
SUSPEND = "request high-availability state suspend"
FUNCTIONAL = "request high-availability state functional"
JOB = "show jobs id {job}"
CHASSIS_READY = "show chassis-ready"
DOWNLOAD_JOB, INSTALL_JOB = "Downld", "SWInstall"  # the job types of `show jobs all`
_JOB_ID = re.compile(r"\bjobid (\d+)", re.IGNORECASE)
_GOING_DOWN = "going down"
_HA_CHANGED = "Successfully changed HA state"

_DOWNLOAD = (
    StepCommand(CHECK, "the list of releases refreshed"),
    StepCommand(DOWNLOAD, "Download job enqueued with jobid N (skipped when already downloaded)"),
    StepCommand("show jobs id N", "Downld job FIN OK (polled, bounded)"),
)


def _job_id(output: str, command: str) -> int:
    found = _JOB_ID.search(output)
    if found is None:
        lines = [line.strip() for line in output.splitlines() if line.strip()]
        raise StepFailed(f"{command!r}: no job id in the answer: {lines[-1] if lines else 'nothing'}")
    return int(found.group(1))


def _job_state(session: UpgradeSession, job: int) -> Callable[[], str | None]:
    """A probe for `session.poll`: None while job `job` runs, its result once FIN."""

    def probe() -> str | None:
        try:
            jobs = parse_jobs(session.send(JOB.format(job=job)))
        except ParseError as exc:
            raise StepFailed(f"{JOB.format(job=job)!r}: {exc}") from None
        found: Job | None = next((j for j in jobs if j.id == job), None)
        if found is None:
            raise StepFailed(f"job {job} is not in the device's job list")
        return found.result if found.status == "FIN" else None

    return probe


def _wait_job(session: UpgradeSession, job: int, what: str) -> str:
    result = session.poll(f"{what} job {job}", _job_state(session, job))
    if result != "OK":
        raise StepFailed(f"{what} job {job} finished {result}")
    return f"{what} job {job} FIN OK"


def _newest_job(session: UpgradeSession) -> int | None:
    """The highest job id in `show jobs all` (0: no jobs), or None when the list cannot be read."""
    try:
        return max((job.id for job in parse_jobs(session.send(COMMANDS["jobs"]))), default=0)
    except (CommandRefused, ParseError):
        return None


def _earlier(session: UpgradeSession, job_type: str, what: str) -> str | None:
    """The job of `job_type` an interrupted run had asked for in this step (the first above its journalled mark),
    polled to its end (its outcome, one line); None when there is none (the step then asks again)."""
    mark = session.earlier_job_mark()
    if mark is None:
        return None
    try:
        jobs = parse_jobs(session.send(COMMANDS["jobs"]))
    except ParseError as exc:
        raise StepFailed(f"{COMMANDS['jobs']!r}: {exc}") from None
    ours = sorted(job.id for job in jobs if job.type == job_type and job.id > mark)
    if not ours:
        return None
    return f"{_wait_job(session, ours[0], what)} (enqueued before the interruption)"


def _request_job(session: UpgradeSession, command: str, ask: Callable[[str], str], what: str) -> str:
    """Journal the job mark, ask for the job with `ask(command)`, and poll it to FIN OK."""
    newest = _newest_job(session)
    if newest is not None:
        session.job_mark(newest)
    return _wait_job(session, _job_id(ask(command), command), what)


def _software(session: UpgradeSession, version: str) -> tuple[bool, bool]:
    """(downloaded, current) of `version` as `request system software info` says."""
    try:
        images = parse_software_info(session.send(INFO))
    except ParseError as exc:
        raise StepFailed(f"{INFO!r}: {exc}") from None
    image = next((i for i in images if i.version == version), None)
    return (image.downloaded, image.current) if image else (False, False)


def _refused(exc: CommandRefused) -> StepFailed:
    return StepFailed(f"{exc.command!r}: {exc.answer}")


def _download(session: UpgradeSession, version: str) -> str:
    session.send(CHECK)
    downloaded, _ = _software(session, version)
    if downloaded:
        return f"{version} already downloaded"
    what = f"download of {version}"
    earlier = _earlier(session, DOWNLOAD_JOB, what)
    if earlier is not None:
        return earlier
    return _request_job(session, DOWNLOAD.format(version=version), session.send, what)


def _install(session: UpgradeSession, version: str) -> str:
    what = f"install of {version}"
    earlier = _earlier(session, INSTALL_JOB, what)
    if earlier is not None:
        return earlier
    return _request_job(session, INSTALL.format(version=version), session.confirm, what)


def _reboot(session: UpgradeSession, version: str) -> str:
    answer = session.confirm(RESTART)
    return "restart confirmed; the system is going down" if _GOING_DOWN in answer else "restart confirmed"


def _delete(session: UpgradeSession, version: str) -> str:
    try:
        session.send(DELETE.format(version=version))
    except CommandRefused as exc:  # clean-up: the upgrade stands; say why the image stays
        return f"{version} not deleted: {exc.answer}"
    return f"{version} deleted"


def _ha(command: str) -> Callable[[UpgradeSession, str], str]:
    def change(session: UpgradeSession, version: str) -> str:
        answer = session.confirm(command)  # the prompt shows the HA state: it changes with it
        if _HA_CHANGED not in answer:
            lines = [line.strip() for line in answer.splitlines() if line.strip()]
            raise StepFailed(f"{command!r}: {lines[-1] if lines else 'no answer'}")
        return f"{answer.strip().splitlines()[-1].strip()}"

    return change


_PERFORM: dict[StepKind, Callable[[UpgradeSession, str], str]] = {
    StepKind.DOWNLOAD_BASE: _download,
    StepKind.DOWNLOAD: _download,
    StepKind.INSTALL: _install,
    StepKind.REBOOT: _reboot,
    StepKind.DELETE: _delete,
    StepKind.HA_SUSPEND: _ha(SUSPEND),
    StepKind.HA_FUNCTIONAL: _ha(FUNCTIONAL),
}


def perform(kind: StepKind, version: str, session: UpgradeSession) -> str:
    """Take one PAN-OS step for `version`; what happened, one line. StepFailed when the device refuses."""
    try:
        return _PERFORM[kind](session, version)
    except CommandRefused as exc:
        raise _refused(exc) from None


def not_ready(session: UpgradeSession) -> str | None:
    """After a boot: None once `show chassis-ready` says yes and the AutoCom job is FIN OK, else what is pending."""
    if session.send(CHASSIS_READY).strip().splitlines()[-1:] != ["yes"]:
        return "chassis not ready"
    try:
        jobs = parse_jobs(session.send(COMMANDS["jobs"]))
    except ParseError:
        return "job list not readable yet"
    autocom = [j for j in jobs if j.type == "AutoCom"]
    if autocom and autocom[0].status != "FIN":
        return "AutoCom job still running"
    return None


DRIVER = UpgradeDriver(
    steps={
        StepKind.HA_SUSPEND: (StepCommand(SUSPEND, "Successfully changed HA state to suspended; the peer is active"),),
        StepKind.DOWNLOAD_BASE: _DOWNLOAD,
        StepKind.DOWNLOAD: _DOWNLOAD,
        StepKind.INSTALL: (
            StepCommand(INSTALL, "answer y; install job enqueued, jobid N"),
            StepCommand("show jobs id N", "SWInstall job FIN OK (polled, bounded)"),
        ),
        StepKind.RECHECK: (StepCommand(COMMANDS["transceivers"], "no known issue of {version} applies to the optics"),),
        StepKind.REBOOT: (StepCommand(RESTART, "answer y; the session drops"),),
        StepKind.WAIT: (
            StepCommand(CHASSIS_READY, "gone away, then yes (bounded, with backoff)"),
            StepCommand(COMMANDS["jobs"], "AutoCom job FIN OK"),
        ),
        StepKind.VERIFY: (StepCommand(COMMANDS["facts"], "sw-version: {version}"),),
        StepKind.DELETE: (StepCommand(DELETE, "image removed"),),
        StepKind.HA_FUNCTIONAL: (
            StepCommand(FUNCTIONAL, "Successfully changed HA state to functional (preemption may move traffic back)"),
        ),
    },
    perform=perform,
    not_ready=not_ready,
)
