"""One run's hosts spread over worker processes (issue 12): one Nornir process is GIL-bound near one core.

Each worker is a fork of the parent made once the Nornir object, the task and its arguments exist, so nothing but
results has to be pickled. A worker runs its slice of the hosts with its own threads and sends, over a pipe of its
own, every host's HostRecord and every log record; the parent alone writes the journal, run.log and the report.
A worker does not outlive its parent (`die_with_parent`): a parent killed with -9 leaves the journal of what it
received, and no worker goes on contacting devices.

The bounds hold in total: `workers` is split into ceil(workers / processes) threads per worker, and
`max_concurrent_logins` into max(1, limit // processes) logins per worker (the customers' TACACS servers).
A worker that dies (killed, crashed) ends its pipe: its hosts that did not report become ERROR rows, the run goes
on. Ctrl-C in the parent terminates the workers (they ignore SIGINT: the parent decides).

Forking while another thread holds a lock would leave that lock held in the child: at fork the parent runs no
task thread and no progress bar yet; logging re-creates its handlers' locks in the child itself (CPython's
at-fork hooks), and `tasks.connection` re-creates its login gates.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import math
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.reduction import ForkingPickler
from typing import Any

from nornir.core import Nornir

from tasks.models import HostRecord
from workflows.processors import RecordCollector, record_for

log = logging.getLogger(__name__)

MIN_HOSTS_PER_PROCESS = 2  # below two hosts a worker, a fork costs more than it spreads
DIED_STAGE = "internal"
WAKE_S = 0.5  # the parent wakes at least this often, so a Ctrl-C is seen while every worker is quiet
_BASIC = (str, int, float, bool, type(None))
PR_SET_PDEATHSIG = 1  # linux/prctl.h
PARENT_GONE = 3  # a worker's exit code when its parent died
# How long a thread may hold the GIL while others wait for it (CPython's default: 5 ms). Each thread waiting for
# the GIL wakes once per interval to ask for it: with ~100 threads per process, most of them waking on a packet
# at once, the 5 ms default made several thousand futex calls per device. The threads here give the GIL up by
# themselves on every socket read and wait, well within 50 ms: about 9 % less client CPU per device at 1,000
# devices (bench/README.md).
SWITCH_INTERVAL_S = 0.05


def process_count(processes: int, workers: int, hosts: int) -> int:
    """How many processes a run uses: at most `processes`, no more than `workers` (each needs a thread) and at
    least MIN_HOSTS_PER_PROCESS hosts each; 1 means the run stays in this process.

    >>> process_count(2, 200, 500), process_count(2, 200, 3), process_count(8, 200, 10), process_count(4, 1, 50)
    (2, 1, 5, 1)
    """
    return max(1, min(processes, workers, hosts // MIN_HOSTS_PER_PROCESS))


def partition(names: Sequence[str], processes: int) -> list[list[str]]:
    """`names` dealt in sorted order into `processes` slices, one to each in turn: the devices of one site
    (named alike, so adjacent) and of one customer are spread over the workers, and the slices differ by one
    host at most.

    >>> partition(["b-fw1", "a-fw1", "a-fw2", "b-fw2", "c-fw1"], 2)
    [['a-fw1', 'b-fw1', 'c-fw1'], ['a-fw2', 'b-fw2']]
    """
    ordered = sorted(names)
    return [ordered[i::processes] for i in range(min(processes, len(ordered)))]


def per_process(workers: int, logins: int, processes: int) -> tuple[int, int]:
    """(threads, logins) of one of `processes` workers: `workers` is the run's parallel devices, split up (a
    worker's share rounded up); `logins` its bound on logins in progress, split down (at least one each), so that
    the customers' AAA servers never see more than the configured number.

    >>> per_process(200, 16, 2), per_process(5, 3, 2), per_process(200, 1, 4)
    ((100, 8), (3, 1), (50, 1))
    """
    return math.ceil(workers / processes), max(1, logins // processes)


def died(code: int | None) -> str:
    """The reason a host of a dead worker is an ERROR row.

    >>> died(1), died(-9)
    ('worker process died: exit code 1', 'worker process died: exit code -9 (SIGKILL)')
    """
    text = f"worker process died: exit code {code}"
    if code is not None and code < 0:
        with suppress(ValueError):
            text += f" ({signal.Signals(-code).name})"
    return text


@dataclass(frozen=True)
class Job:
    """What every worker runs: the selected Nornir, the task, its name and keyword arguments, and the runner
    and login bound of one worker."""

    nornir: Nornir
    task: Callable[..., Any]
    name: str
    kwargs: dict[str, Any]
    runner: Any
    logins: int


class _Sender:
    """Sends a message to the parent; the worker's task threads take turns (one message is one write)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._lock = threading.Lock()

    def __call__(self, message: tuple[str, Any]) -> None:
        data = ForkingPickler.dumps(message)  # what `Connection.send` pickles, outside the lock the threads share
        with self._lock:
            try:
                self._conn.send_bytes(data)
            except OSError:  # the parent is gone (killed): nobody will journal what this worker does, so stop now
                os._exit(PARENT_GONE)


class _PipeHandler(logging.Handler):
    """A worker's only log handler: each record, made plain (message formatted, traceback as text, only simple
    attributes such as `host` kept), goes to the parent, which hands it to its own handlers."""

    def __init__(self, send: _Sender, level: int) -> None:
        super().__init__(level)
        self._send = send

    def handle(self, record: logging.LogRecord) -> bool:
        """`Handler.handle` without the handler's lock: `emit` only reads the record, and the pipe has its own lock
        (the ~100 threads of a worker queued on both)."""
        if not self.filter(record):
            return False
        self.emit(record)
        return True

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            if record.exc_info:
                message = f"{message}\n{logging.Formatter().formatException(record.exc_info)}"
            plain = {k: v for k, v in vars(record).items() if isinstance(v, _BASIC)}
            plain.update(msg=message, args=None, exc_info=None, exc_text=None)
            self._send(("log", plain))
        except Exception:
            self.handleError(record)


@contextmanager
def thread_switching(interval: float = SWITCH_INTERVAL_S) -> Iterator[None]:
    """This process's threads switch at most every `interval` seconds while the block runs (`SWITCH_INTERVAL_S`)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(interval)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def die_with_parent(parent: int) -> None:
    """End this worker when its parent (pid `parent`) dies, whatever kills it (kill -9 included): a worker left
    running would contact devices whose results nobody journals, and a resumed run would contact them again. On
    Linux the kernel sends SIGKILL at the parent's death (PR_SET_PDEATHSIG); elsewhere the worker's next message to
    the parent ends it (`_Sender`)."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(PARENT_GONE)


def _worker(job: Job, names: list[str], writer: Connection, level: int, parent: int) -> None:
    """A worker's whole life: its slice of the hosts through Nornir, each record and log line to `writer`."""
    die_with_parent(parent)
    # What the worker inherited (the inventory, the modules) stays for its whole life: out of every garbage
    # collection from now on, which then only looks at what the worker makes (and leaves those pages shared).
    gc.freeze()
    sys.setswitchinterval(SWITCH_INTERVAL_S)  # for the worker's whole life: it only runs its threads
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent decides
    send = _Sender(writer)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)  # the parent's terminal and run.log: not closed, they are the parent's
    root.addHandler(_PipeHandler(send, level))

    def on_record(record: HostRecord) -> None:
        try:
            send(("record", record))
        except Exception as exc:  # a record that does not pickle is a bug: still a row, never a lost host
            reason = f"result not sent to the parent: {type(exc).__name__}: {exc}"
            log.error("%s", reason, extra={"host": record.name})
            send(("record", _error(record, reason)))

    keep = set(names)
    nr = job.nornir.filter(filter_func=lambda h: h.name in keep)
    estate = nr.config.user_defined.setdefault("estate", {})
    estate["max_concurrent_logins"] = job.logins  # this worker's share (config is this process's copy)
    try:
        nr.with_runner(job.runner).with_processors([RecordCollector(on_record)]).run(
            task=job.task, name=job.name, **job.kwargs
        )
    except BaseException as exc:
        log.error("worker process failed: %s", exc, exc_info=True)
        sys.exit(1)


def _error(record: HostRecord, reason: str) -> HostRecord:
    return HostRecord(
        name=record.name,
        customer=record.customer,
        site=record.site,
        platform=record.platform,
        role=record.role,
        status="error",
        error_stage=DIED_STAGE,
        error=reason,
    )


@dataclass
class _Child:
    process: Any  # multiprocessing's fork Process (its type is private to multiprocessing)
    reader: Connection
    names: list[str]


def _lowest_level() -> int:
    """The lowest level a handler of the root logger takes: what a worker must send at least."""
    levels = [h.level for h in logging.getLogger().handlers]
    return min(levels) if levels else logging.WARNING


def _messages(children: list[_Child]) -> Iterator[tuple[_Child, str, Any]]:
    """Every message of every worker as it arrives, until each worker's pipe has ended; then (child, "end", None)."""
    open_readers = {child.reader: child for child in children}
    while open_readers:
        for ready in wait(list(open_readers), timeout=WAKE_S):
            assert isinstance(ready, Connection)
            child = open_readers[ready]
            try:
                kind, payload = ready.recv()
            except (EOFError, OSError):
                del open_readers[ready]
                yield child, "end", None
                continue
            yield child, kind, payload


def run_spread(
    job: Job,
    slices: Sequence[list[str]],
    on_record: Callable[[HostRecord], None],
    display: AbstractContextManager[Any] | None = None,
    meanwhile: Callable[[], None] | None = None,
    meanwhile_after: int = 0,
) -> dict[str, HostRecord]:
    """Run `job` with one worker process per slice of host names; `on_record` is called in this process for
    every host (an ERROR record for each host of a worker that died before reporting it). `display` (the
    progress bar) is entered only once every worker is forked. `meanwhile`, this process's own preparations for
    after the run, is called once `meanwhile_after` records have come in (at once, before the first, when 0; at
    the end if fewer come): at the end of a large run the workers wait on their last devices' replies and leave
    the cores room, where earlier it would take CPU from them."""
    context = multiprocessing.get_context("fork")
    level = _lowest_level()
    records: dict[str, HostRecord] = {}
    children: list[_Child] = []
    try:
        for index, names in enumerate(slices, start=1):
            reader, writer = context.Pipe(duplex=False)
            process = context.Process(
                target=_worker, args=(job, names, writer, level, os.getpid()), name=f"estate-worker-{index}"
            )
            process.start()
            writer.close()  # the worker holds the only writer: its death ends the pipe
            children.append(_Child(process, reader, names))
        pending = meanwhile
        if pending is not None and meanwhile_after <= 0:
            pending()
            pending = None
        with display if display is not None else nullcontext():
            for child, kind, payload in _messages(children):
                if kind == "log":
                    record = logging.makeLogRecord(payload)
                    logging.getLogger(record.name).handle(record)
                elif kind == "record":
                    records[payload.name] = payload
                    on_record(payload)
                    if pending is not None and len(records) >= meanwhile_after:
                        pending()
                        pending = None
                else:
                    _ended(child, job.nornir, records, on_record)
        if pending is not None:
            pending()
    except BaseException:
        for child in children:
            if child.process.is_alive():
                child.process.terminate()
        raise
    finally:
        for child in children:
            child.process.join(5)
            child.reader.close()
    return records


def _ended(
    child: _Child, nornir: Nornir, records: dict[str, HostRecord], on_record: Callable[[HostRecord], None]
) -> None:
    """A worker's pipe ended: wait for its exit, and give each of its hosts that did not report an ERROR row."""
    child.process.join(30)
    missing = [name for name in child.names if name not in records]
    if not missing:
        return
    reason = died(child.process.exitcode)
    log.error("%s; %d of its %d hosts not reported", reason, len(missing), len(child.names))
    for name in missing:
        record = record_for(nornir.inventory.hosts[name], status="error", error_stage=DIED_STAGE, error=reason)
        log.warning("%s: %s", DIED_STAGE, reason, extra={"host": name})
        records[name] = record
        on_record(record)
