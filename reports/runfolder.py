"""Run folders: their names, atomic file writes, the per-host journal an interrupted run keeps, and reading one back."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any

from tasks.errors import UsageError
from tasks.models import HostRecord, RunResult

log = logging.getLogger(__name__)

JOURNAL_NAME = "journal.jsonl"
REPORT_HTML = "report.html"
REPORT_XLSX = "report.xlsx"
RESULTS_NAME = "results.json"
ALL_CUSTOMERS = "all"
_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")
_UNSAFE_CUSTOMER = re.compile(r"[^A-Za-z0-9._-]+")  # '+' joins customers, so it may not appear in one
_MAX_SCOPE = 64  # characters of customer names in a folder name; longer lists become "<first>+<n>-more"


def run_id(now: datetime, command: str, customers: Sequence[str], *, every_customer: bool = False) -> str:
    """`<UTC yyyymmddTHHMMSSZ>-<command>-<customers or all>`; `now` must be timezone-aware.

    Customers are de-duplicated, sorted and joined with '+'; `all` when `every_customer` is set, when no
    customer is named, or when `all` is one of them.

    >>> when = datetime(2024, 5, 1, 9, 30, 5, tzinfo=timezone.utc)
    >>> run_id(when, "audit", ["globex", "acme"])
    '20240501T093005Z-audit-acme+globex'
    >>> run_id(when, "pre-upgrade", ["acme"], every_customer=True)
    '20240501T093005Z-pre-upgrade-all'
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"run_id needs a timezone-aware time, got naive {now.isoformat()}")
    stamp = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    name = _sanitise(command)
    if not name:
        raise ValueError(f"run_id needs a command name, got {command!r}")
    return f"{stamp}-{name}-{customer_scope(customers, every_customer=every_customer)}"


def customer_scope(customers: Sequence[str], *, every_customer: bool = False) -> str:
    """The customer part of a run id: sanitised names joined with '+', or `all`.

    >>> customer_scope(["ACME Corp", "a+b"])
    'ACME_Corp+a_b'
    >>> customer_scope([f"customer{i:02}" for i in range(10)])
    'customer00+9-more'
    """
    names = sorted({_sanitise(c, _UNSAFE_CUSTOMER) for c in customers} - {""})
    if every_customer or not names or ALL_CUSTOMERS in names:
        return ALL_CUSTOMERS
    scope = "+".join(names)
    if len(scope) > _MAX_SCOPE:
        scope = f"{names[0][:_MAX_SCOPE]}+{len(names) - 1}-more"
    return scope


def _sanitise(text: str, unsafe: re.Pattern[str] = _UNSAFE) -> str:
    return unsafe.sub("_", text.strip()).strip("._")


def make_run_dir(out_dir: Path, run_id: str) -> Path:
    """Create `out_dir/run_id` (and `out_dir`); if it exists, `run_id-2`, `run_id-3`, ... instead."""
    out_dir.mkdir(parents=True, exist_ok=True)
    attempt = 1
    while True:
        path = out_dir / (run_id if attempt == 1 else f"{run_id}-{attempt}")
        try:
            path.mkdir()
        except FileExistsError:
            attempt += 1
            continue
        return path


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; when the block succeeds it is fsynced and renamed onto `path`.

    For writers that want a file name (openpyxl's `save`). If the block raises, the temporary file is removed
    and `path` is left as it was: readers see the old file or the whole new one, never half of it.
    """
    tmp = _reserve_temp(path)
    try:
        yield tmp
        _fsync_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (temporary file in the same folder, fsync, rename)."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write `text` to `path` atomically, encoded with `encoding`."""
    atomic_write_bytes(path, text.encode(encoding))


def _reserve_temp(path: Path) -> Path:
    """Create an empty, uniquely named hidden file beside `path` (mode 0666 less the umask, like open())."""
    while True:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return tmp


def _fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable; not possible (nor needed) on every OS, so failures are ignored."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


JOURNAL_SYNC_S = 0.25  # the longest a journal line written in a burst waits for its fsync (see Journal)


class Journal:
    """Appends one JSON line per host record to `journal.jsonl` as results arrive; safe across threads.

    Each line is the host's results.json entry plus its `name`. Every line is written and flushed as it
    arrives, so a run that is killed (`kill -9`, an OOM kill) keeps every host it finished: the kernel holds what
    was written. By default the file is also fsynced, against a machine that loses power: at once for a line
    that comes JOURNAL_SYNC_S or more after the last fsync; lines coming faster wait for the next line after
    that interval, or the close (or the kernel's own writeback, typically within 30 s). A thousand hosts then
    cost a few dozen fsyncs, not a thousand (each a journal commit of the filesystem, ~0.25 ms of CPU and a few
    ms of the parent's loop); a power cut can lose the lines written since the last fsync, whose hosts a
    resumed run checks again.
    """

    def __init__(self, path: Path, *, fsync: bool = True, sync_every_s: float = JOURNAL_SYNC_S) -> None:
        self.path = path
        self._fsync = fsync
        self._sync_every_s = sync_every_s
        self._synced = float("-inf")  # monotonic time of the last fsync
        self._unsynced = False
        self._lock = threading.Lock()
        self._file = path.open("a", encoding="utf-8")

    @classmethod
    def in_run_dir(cls, run_dir: Path, *, fsync: bool = True) -> Journal:
        """The journal of the run folder `run_dir`."""
        return cls(run_dir / JOURNAL_NAME, fsync=fsync)

    def append(self, record: HostRecord) -> None:
        """Write `record` as one line and flush it."""
        line = json.dumps({"name": record.name, **record.to_dict()}, ensure_ascii=False, default=str)
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()
            if not self._fsync:
                return
            now = time.monotonic()
            if now - self._synced >= self._sync_every_s:
                os.fsync(self._file.fileno())
                self._synced, self._unsynced = now, False
            else:
                self._unsynced = True

    def close(self) -> None:
        with self._lock:
            if self._unsynced and not self._file.closed:
                self._file.flush()
                os.fsync(self._file.fileno())
                self._unsynced = False
            self._file.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def read_journal(path: Path) -> list[dict[str, Any]]:
    """The host entries of a journal, in the order written; a last line cut short by a crash is ignored."""
    entries: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            if number == len(lines):
                log.warning("%s: its last line was cut short (the run died while writing it): ignored", path)
                break
            raise ValueError(f"{path}: line {number} is not JSON") from None
    return entries


def read_run(run_dir: Path) -> RunResult:
    """A run folder's results.json back as typed objects (hosts with their facts, findings, plan and snapshot).

    What `report merge` and the runs that start from an earlier one (upgrade, post-upgrade) read; a missing or
    malformed file is a UsageError naming it.
    """
    if run_dir.exists() and not run_dir.is_dir():
        raise UsageError(f"{run_dir}: a file, not a run folder (give the folder that holds {RESULTS_NAME})")
    path = run_dir / RESULTS_NAME
    try:
        return RunResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: a folder, not a results.json") from None
    except FileNotFoundError:
        raise UsageError(f"{path}: not found (is {run_dir} a run folder?)") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: not valid JSON (line {exc.lineno}): {exc.msg}") from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UsageError(f"{path}: not a results.json of estate: {type(exc).__name__}: {exc}") from None


def age_hours(result: RunResult, now: datetime) -> float:
    """Hours since the run started (when its state was read).

    >>> from tasks.models import RunInfo
    >>> run = RunResult(RunInfo("r", "pre-upgrade", [], "1.0", "2026-01-01T00:00:00+00:00"), [])
    >>> age_hours(run, datetime(2026, 1, 1, 6, 30, tzinfo=timezone.utc))
    6.5
    """
    started = datetime.fromisoformat(result.run.started)
    if started.tzinfo is None:
        started = started.replace(tzinfo=timezone.utc)
    return (now - started).total_seconds() / 3600


def runs_newest_first(out_dir: Path, command: str) -> Iterator[tuple[Path, RunResult]]:
    """The run folders of `command` under `out_dir`, read back, newest first (folder names start with the UTC
    time); a folder that cannot be read, or holds another command's run, is passed over (logged)."""
    if not out_dir.is_dir():
        return
    folders = sorted((p for p in out_dir.glob(f"*-{command}-*") if p.is_dir()), key=lambda p: p.name, reverse=True)
    for folder in folders:
        if not (folder / RESULTS_NAME).is_file():
            continue
        try:
            result = read_run(folder)
        except UsageError as exc:
            log.info("passed over %s: %s", folder, exc)
            continue
        if result.run.command == command:
            yield folder, result
