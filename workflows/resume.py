"""`--resume RUN_DIR` for the runs that read devices (audit, pre-upgrade, backup): a run killed midway continues in
its own folder, contacting only the hosts its journal does not hold.

A resumable run writes `resume.json` (its command, its hosts, its targets and options, when it started) before the
first connection, and holds a lock on `.running.lock` in its folder for as long as it runs (fcntl.lockf: the kernel
drops it when the process dies, however it dies, and a forked worker does not inherit it). Its journal
(`journal.jsonl`) gets one line per finished host, flushed as it arrives and fsynced at most every quarter-second
(`reports.runfolder.Journal`).

A folder with `resume.json`, no `results.json` and a free lock is an interrupted run: the next run of the CLI and
`estate history` say so, with the command that resumes it. Resuming reads the hosts and options back, takes each
host the journal holds as finished (a last line cut short by the kill is ignored with a warning, that host is run
again) and runs the others; the report is then written over every host, as the uninterrupted run would have.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reports.runfolder import JOURNAL_NAME, RESULTS_NAME, atomic_write_text, read_journal
from tasks.errors import UsageError
from tasks.models import HostRecord

log = logging.getLogger(__name__)

RESUME_NAME = "resume.json"
LOCK_NAME = ".running.lock"
RESUMABLE = ("audit", "pre-upgrade", "backup")


@dataclass(frozen=True)
class SavedRun:
    """What a resumable run wrote before it contacted a device: enough to run the rest of it."""

    command: str
    hosts: tuple[str, ...]
    started: str
    targets: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        data = {"command": self.command, "hosts": list(self.hosts), "started": self.started}
        return json.dumps({**data, "targets": list(self.targets), "options": self.options}, indent=1)


def save(run_dir: Path, saved: SavedRun) -> None:
    """Write `resume.json` into `run_dir` (atomically)."""
    atomic_write_text(run_dir / RESUME_NAME, saved.to_json())


def read_saved(run_dir: Path, command: str) -> SavedRun:
    """The `resume.json` of `run_dir`, which must be a run of `command` not finished yet; UsageError otherwise."""
    path = run_dir / RESUME_NAME
    if not path.is_file():
        raise UsageError(f"--resume {run_dir}: not a resumable run folder of estate (no {RESUME_NAME})")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        saved = SavedRun(
            str(data["command"]),
            tuple(str(h) for h in data["hosts"]),
            str(data["started"]),
            tuple(str(t) for t in data.get("targets", [])),
            dict(data.get("options", {})),
        )
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UsageError(f"{path}: not a resume file of estate: {type(exc).__name__}: {exc}") from None
    if saved.command != command:
        raise UsageError(
            f"--resume {run_dir}: a run of {saved.command}, not of {command} (resume it with estate {saved.command})"
        )
    if (run_dir / RESULTS_NAME).exists():
        raise UsageError(f"--resume {run_dir}: this run finished (it has its {RESULTS_NAME}); nothing to resume")
    if running(run_dir):
        raise UsageError(f"--resume {run_dir}: this run is still running")
    return saved


def finished_hosts(run_dir: Path, hosts: tuple[str, ...]) -> dict[str, HostRecord]:
    """The hosts of `hosts` the journal of `run_dir` holds, as records (the last line of a host wins)."""
    path = run_dir / JOURNAL_NAME
    if not path.is_file():
        return {}
    wanted = set(hosts)
    try:
        entries = read_journal(path)
    except ValueError as exc:
        raise UsageError(f"--resume {run_dir}: {exc}") from None
    records: dict[str, HostRecord] = {}
    for entry in entries:
        name = str(entry.pop("name", ""))
        if name in wanted:
            try:
                records[name] = HostRecord.from_dict(name, entry)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise UsageError(f"{path}: host {name}: not a journal line of estate: {exc}") from None
    return records


@contextlib.contextmanager
def holding(run_dir: Path) -> Iterator[None]:
    """The run's lock held for the block: `running(run_dir)` is true meanwhile, false once this process dies.
    The lock file is removed when the block ends (a killed run leaves it, free)."""
    path = run_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        path.unlink(missing_ok=True)
        os.close(fd)


def running(run_dir: Path) -> bool:
    """Whether a live process holds the run's lock."""
    try:
        fd = os.open(run_dir / LOCK_NAME, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # also drops the lock just taken: this process holds no other descriptor of the file
    return False


@dataclass(frozen=True)
class Interrupted:
    """A run that died before its report: its folder, its command, hosts finished and hosts in all."""

    run_dir: Path
    command: str
    done: int
    total: int

    def notice(self) -> str:
        return (
            f"run {self.run_dir.name} was interrupted ({self.done} of {self.total} hosts done): resume with "
            f"estate {self.command} --resume {self.run_dir}"
        )


def interrupted(out_dir: Path, skip: Path | None = None) -> list[Interrupted]:
    """The interrupted runs under `out_dir`, oldest first; `skip` (the folder being resumed) left out."""
    found: list[Interrupted] = []
    if not out_dir.is_dir():
        return found
    for path in sorted(out_dir.glob(f"*/{RESUME_NAME}")):
        folder = path.parent
        if (folder / RESULTS_NAME).exists() or (skip is not None and folder.resolve() == skip.resolve()):
            continue
        if running(folder):
            continue
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            hosts = tuple(str(h) for h in saved["hosts"])
            done = len(finished_hosts(folder, hosts))
            found.append(Interrupted(folder, str(saved["command"]), done, len(hosts)))
        except (OSError, ValueError, KeyError, TypeError, UsageError) as exc:
            log.debug("passed over %s: %s", folder, exc)
    return found
