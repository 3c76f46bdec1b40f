"""Backup: each selected device's running configuration, sanitised and without volatile lines, into a git
repository per customer (`<root>/<customer>/<site>/<device>.cfg`), one commit per run, pushed when configured.

The per-host task only reads and cleans the configuration (the platform's `backup` command, then its
`sanitise_config`, then its `strip_volatile`): the text is held in memory and nothing reaches the disk before
every secret is removed. Once every host is done, `store` writes each customer's files, commits them when
something changed (the message names the run and counts changed / unchanged / failed devices) and pushes.
A device whose platform has no backup or no sanitiser is an ERROR row with the reason, and nothing is written.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from itertools import groupby
from pathlib import Path

from nornir.core.task import Result, Task

from reports.backup import backup_sheet
from reports.runfolder import atomic_write_text
from tasks.backup.repo import BRANCH, Repository, git_available, relative_file
from tasks.collect import close_connection, collect_outputs
from tasks.errors import ParseError, RepositoryError, UsageError
from tasks.models import Finding, HostRecord, RunResult, Severity, Unsupported, Verdict
from tasks.models.backup import BackupStatus, DeviceBackup
from tasks.platforms import get_platform
from tasks.platforms.text import mask_url_credentials
from workflows.processors import record_for
from workflows.run import RunOutcome, RunRequest, check_resumed, execute, new_run_dir, prepare, resuming

log = logging.getLogger(__name__)

COMMAND = "backup"
CHECK = "backup"  # the finding every backed-up device gets (JUnit: one testcase per device)
PUSH_CHECK = "backup_push"  # a WARN on the customer's devices when the push was refused
STAGE = "backup"  # the Errors sheet's stage of a device that cannot be backed up
CUSTOMER_FIELD = "{customer}"
PENDING = "configs-pending"  # in the run folder: configurations read, not stored yet (a resumed backup reads them)


@dataclass
class Configs:
    """The sanitised configurations read so far, by host name (hosts run in threads).

    With a `folder` (the run folder's PENDING) each is also written there as it is read, before its host is
    journalled, so that a backup killed before it stored them can be resumed (`load`); `store` removes it.
    """

    texts: dict[str, str] = field(default_factory=dict)
    folder: Path | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, host: str, text: str) -> None:
        with self._lock:
            self.texts[host] = text
        if self.folder is not None:
            self.folder.mkdir(exist_ok=True)
            atomic_write_text(self.folder / f"{host}.cfg", text)

    def load(self, hosts: Iterable[str]) -> None:
        """The configurations of `hosts` an interrupted run of this folder read (those it has)."""
        for host in hosts:
            path = self.folder / f"{host}.cfg" if self.folder is not None else None
            if path is not None and path.is_file():
                self.texts[host] = path.read_text(encoding="utf-8")

    def discard(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def cannot_back_up(device_type: str) -> str | None:
    """Why devices of `device_type` cannot be backed up (no backup command, or no sanitiser), else None."""
    platform = get_platform(device_type)
    if isinstance(platform.backup, Unsupported):
        return platform.backup.reason
    if isinstance(platform.sanitise_config, Unsupported):
        return f"{platform.sanitise_config.reason}: its configuration would be stored with its secrets"
    return None


def backup_host(task: Task, configs: Configs) -> Result:
    """Read the running configuration and keep it, sanitised and without volatile lines, in `configs`."""
    host = task.host
    reason = cannot_back_up(host.platform or "")
    if reason is not None:
        return Result(host=host, result=record_for(host, status="error", error_stage=STAGE, error=reason))
    platform = get_platform(host.platform or "")
    backup, sanitise = platform.backup, platform.sanitise_config
    assert not isinstance(backup, Unsupported) and not isinstance(sanitise, Unsupported)  # cannot_back_up
    try:
        outputs = collect_outputs(task, [backup.command]).result
    finally:
        close_connection(task)
    text = backup.strip_volatile(sanitise(outputs[backup.command]))
    if not text.strip():
        raise ParseError(f"{platform.command(backup.command)!r}: the device printed no configuration")
    configs.put(host.name, text)
    log.info("configuration read: %d lines", text.count("\n") + 1, extra={"host": host.name})
    return Result(host=host, result=record_for(host))


def remote_for(remote: str, customer: str) -> tuple[str, str]:
    """(where to push, which branch) for a customer: `{customer}` in the remote names one repository per
    customer (branch `main`); without it every customer's repository goes to one remote, a branch each.

    >>> remote_for("/srv/backup-{customer}.git", "acme"), remote_for("/srv/all.git", "acme")
    (('/srv/backup-acme.git', 'main'), ('/srv/all.git', 'acme'))
    """
    if CUSTOMER_FIELD in remote:
        return remote.replace(CUSTOMER_FIELD, customer), BRANCH
    return remote, customer


def commit_message(run_id: str, changed: list[str], unchanged: int, failed: list[str]) -> str:
    """The commit's subject (run id and counts) and body (the changed files and failed devices, by name only:
    a failure's reason stays in the run folder).

    >>> print(commit_message("20250101T000000Z-backup-acme", ["lon1/sw1.cfg"], 2, ["fw9"]))
    estate backup 20250101T000000Z-backup-acme: 1 changed, 2 unchanged, 1 failed
    <BLANKLINE>
    changed: lon1/sw1.cfg
    failed: fw9
    """
    subject = f"estate backup {run_id}: {len(changed)} changed, {unchanged} unchanged, {len(failed)} failed"
    body = [f"changed: {name}" for name in changed] + [f"failed: {name}" for name in failed]
    return "\n".join([subject, "", *body]) if body else subject


def _failed(host: HostRecord, file: str, repository: Path, reason: str) -> HostRecord:
    backup = DeviceBackup(BackupStatus.FAILED, file, repository=str(repository), reason=reason)
    if host.status == "error":
        return replace(host, backup=backup)
    return replace(host, status="error", error_stage=STAGE, error=reason, backup=backup)


def _store_customer(
    customer: str, hosts: list[HostRecord], texts: dict[str, str], root: Path, run_id: str, remote: str | None
) -> list[HostRecord]:
    """Write, commit and push one customer's repository; the hosts with their `backup` set."""
    repository = Repository(root / customer)
    files = {host.name: relative_file(host.site, host.name) for host in hosts}
    stored = [host for host in hosts if host.status == "ok" and host.name in texts]
    names = {host.name for host in stored}
    try:
        repository.ensure()
        for host in stored:
            repository.write(files[host.name], texts[host.name])
        changes = repository.stage([files[host.name] for host in stored])
        failed = [host.name for host in hosts if host.name not in names]
        changed = sorted(changes)
        commit = ""
        if changes:
            commit = repository.commit(commit_message(run_id, changed, len(stored) - len(changes), failed))
            log.info("%s: committed %s (%d changed files)", repository.path, commit[:12], len(changes))
        else:
            log.info("%s: nothing changed, no commit", repository.path)
        push_problem = _push(repository, customer, remote)
    except (RepositoryError, OSError) as exc:  # git refused, or the disk did (full, read-only, permissions)
        reason = str(exc) if isinstance(exc, RepositoryError) else f"{repository.path}: {exc.strerror or exc}"
        log.error("%s", reason)
        return [_failed(host, files[host.name], repository.path, reason) for host in hosts]
    result: list[HostRecord] = []
    for host in hosts:
        file = files[host.name]
        if host.name not in names:
            result.append(_failed(host, file, repository.path, host.error or "not read"))
            continue
        change = changes.get(file)
        status = BackupStatus.CHANGED if change is not None else BackupStatus.UNCHANGED
        backup = DeviceBackup(
            status,
            file,
            added=change.added if change else 0,
            removed=change.removed if change else 0,
            commit=commit if change else "",
            repository=str(repository.path),
        )
        message = f"{file} {status.value}" + (f" (+{backup.added} -{backup.removed}, {commit[:12]})" if change else "")
        findings = [*host.findings, Finding(CHECK, Severity.INFO, Verdict.PASS, message)]
        if push_problem:
            findings.append(Finding(PUSH_CHECK, Severity.WARNING, Verdict.WARN, push_problem))
        result.append(replace(host, findings=findings, backup=backup))
    return result


def _push(repository: Repository, customer: str, remote: str | None) -> str:
    """Push to the configured remote; the reason it was refused ("" when pushed or no remote is set)."""
    if not remote:
        return ""
    url, branch = remote_for(remote, customer)
    try:
        repository.push(url, branch)
    except RepositoryError as exc:
        log.error("push of %s refused: %s", repository.path, exc)
        return f"push to {mask_url_credentials(url)} refused: {exc}"
    log.info("%s: pushed to %s (%s)", repository.path, mask_url_credentials(url), branch)
    return ""


def store(result: RunResult, configs: Configs, root: Path, remote: str | None) -> RunResult:
    """Every customer's repository written, committed and pushed; the hosts with their `backup` set."""
    hosts: list[HostRecord] = []
    for customer, group in groupby(sorted(result.hosts, key=lambda h: h.customer), key=lambda h: h.customer):
        hosts += _store_customer(customer, list(group), configs.texts, root, result.run.id, remote)
    order = {host.name: i for i, host in enumerate(result.hosts)}
    return replace(result, hosts=sorted(hosts, key=lambda h: order[h.name]))


def check_backup_input(root: Path, remote: str | None, customers: Iterable[str]) -> None:
    """Before any connection: git is installed, the repository root and each customer's folder can be made,
    the remote names no other field than `{customer}`; UsageError (exit 3) naming the problem."""
    if git_available() is None:
        raise UsageError("backup: git is not installed (the backup repositories are written with the git CLI)")
    for folder in (root, *(root / customer for customer in customers)):
        for existing in (folder, *folder.parents):
            if existing.exists():
                if not existing.is_dir():
                    raise UsageError(f"backup.root: {existing} is a file, not a folder")
                break
    if remote is not None and "{" in remote.replace(CUSTOMER_FIELD, ""):
        raise UsageError(f"backup.remote: {mask_url_credentials(remote)}: only {CUSTOMER_FIELD} may be replaced")


def run_backup(request: RunRequest, repo_root: Path | None = None, resume: Path | None = None) -> RunOutcome:
    """Back up the selected devices into `repo_root` (default: the `backup.root` setting); `resume`: continue
    that interrupted backup instead (its hosts and repository root), reading only the devices it did not."""
    resumed = None
    if resume is not None:
        request, resumed = resuming(request, resume, COMMAND)
        repo_root = Path(resumed.saved.options["repo_root"]) if "repo_root" in resumed.saved.options else repo_root
    settings = request.settings
    root = repo_root or settings.backup_root
    inputs = prepare(request)
    check_resumed(inputs, resumed)
    customers = sorted({h.data["customer"] for h in inputs.nornir.inventory.hosts.values()})
    check_backup_input(root, settings.backup_remote, customers)
    for host in inputs.nornir.inventory.hosts.values():
        try:
            relative_file(host.data["site"], host.name)
        except ValueError as exc:
            raise UsageError(f"{settings.inventory}: host {host.name}: {exc}") from None
    run_dir = resumed.run_dir if resumed is not None else new_run_dir(COMMAND, request, inputs)
    configs = Configs(folder=run_dir / PENDING)
    if resumed is not None:
        configs.load(resumed.done)

    def finish(result: RunResult) -> RunResult:
        stored = store(result, configs, root, settings.backup_remote)
        configs.discard()
        return stored

    return execute(
        COMMAND,
        request,
        inputs,
        backup_host,
        sheets=lambda r: [backup_sheet(r)],
        finish=finish,
        single_process=True,  # `configs` is filled by the task and read by `store`: both in this process
        run_dir=run_dir,
        options={"repo_root": str(root)},
        resumed=resumed,
        configs=configs,
    )
