"""Nornir processors: turn each host's outcome into a HostRecord as it arrives, journal it, show progress."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from nornir.core.inventory import Host
from nornir.core.task import AggregatedResult, MultiResult, Task
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tasks.errors import DeviceError
from tasks.models import HostRecord
from tasks.retry import set_host

log = logging.getLogger(__name__)


def record_for(host: Host, **fields: Any) -> HostRecord:
    """A HostRecord of a Nornir host: its name, customer, site, platform and role, plus `fields`."""
    return HostRecord(
        name=host.name,
        customer=host.data["customer"],
        site=host.data["site"],
        platform=host.platform or "",
        role=host.data.get("role", ""),
        **fields,
    )


def error_record(host: Host, exc: BaseException | None, fallback: str) -> HostRecord:
    """The ERROR record of a host whose task failed: the stage from our exception tree, a one-line reason."""
    if isinstance(exc, DeviceError):
        stage, reason = exc.stage, str(exc)
    elif exc is not None:
        # Not one of ours: a bug or an untranslated library error. Still a row, never a crash.
        lines = str(exc).strip().splitlines()
        stage, reason = "internal", f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    else:
        stage, reason = "internal", fallback
    return record_for(host, status="error", error_stage=stage, error=reason)


class RecordCollector:
    """Collects one HostRecord per host: the task's own on success, an ERROR record on failure."""

    def __init__(self, on_record: Callable[[HostRecord], None] | None = None) -> None:
        self.records: dict[str, HostRecord] = {}
        self._lock = threading.Lock()
        self._on_record = on_record

    def task_started(self, task: Task) -> None:
        return None

    def task_completed(self, task: Task, result: AggregatedResult) -> None:
        return None

    def task_instance_started(self, task: Task, host: Host) -> None:
        set_host(host.name)  # this thread works on `host` now: tasks.retry names it in its log lines

    def task_instance_completed(self, task: Task, host: Host, result: MultiResult) -> None:
        set_host(None)
        outcome = result[0]
        if result.failed or not isinstance(outcome.result, HostRecord):
            exc = outcome.exception
            record = error_record(host, exc, str(outcome.result or "task failed"))
            if exc is not None and not isinstance(exc, DeviceError):
                log.error("internal error: %s", record.error, exc_info=exc, extra={"host": host.name})
            else:
                log.warning("%s: %s", record.error_stage, record.error, extra={"host": host.name})
        else:
            record = outcome.result
            log.info("verdict %s", record.verdict.value, extra={"host": host.name})
        with self._lock:
            self.records[host.name] = record
        if self._on_record is not None:
            self._on_record(record)

    def subtask_instance_started(self, task: Task, host: Host) -> None:
        return None

    def subtask_instance_completed(self, task: Task, host: Host, result: MultiResult) -> None:
        return None


class ProgressBar:
    """A rich progress bar advanced once per host (only used when the terminal is a TTY)."""

    def __init__(self, total: int, description: str) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=True,
        )
        self._task = self._progress.add_task(description, total=total)

    def __enter__(self) -> ProgressBar:
        self._progress.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._progress.stop()

    def advance(self, record: HostRecord) -> None:
        self._progress.advance(self._task)
