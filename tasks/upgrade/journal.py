"""The per-step journal of an executed upgrade (`upgrade-journal.jsonl` in the run folder).

One JSON line when a piece of work (a unit: the neighbouring steps of one hop, kind and release) starts, one
when it ends; each line flushed and fsynced before the device is sent anything more, so a run killed at any
moment leaves a journal that says what finished. `--resume` reads it back: a unit that ended OK is not taken
again; a unit that started and never ended is taken again, except one that may have rebooted the device
(the reboot, or an install that reboots): that one counts as sent, and the run goes on waiting for the device.
Before a unit asks the device for a job (a download, an install) the device's newest job id is journalled (the
job mark), so the unit taken again finds its job (the one of its type with a higher id) and polls it instead of
asking for it a second time, even when the run was killed before the device's answer was read.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

JOURNAL_NAME = "upgrade-journal.jsonl"
STARTED, FINISHED, JOB_MARK = "started", "finished", "job-mark"


def now_text() -> str:
    """The time a step started or finished, as the Upgrade sheet shows it (UTC, seconds)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class UnitState:
    """What the journal says of one unit of one device: when it started, and how it ended (None: not ended);
    `job_mark`: the device's newest job id before the unit asked for its job, while the unit has not ended."""

    started: str
    finished: str | None = None
    result: str | None = None
    message: str = ""
    job_mark: int | None = None


class StepJournal:
    """Appends the start and end of each unit of each device; safe across threads."""

    def __init__(self, path: Path, *, fsync: bool = True) -> None:
        self.path = path
        self._fsync = fsync
        self._lock = threading.Lock()

    def write(self, device: str, unit: int, event: str, **fields: Any) -> None:
        """One line: `device`, the index of the unit's first step, `event` (started / job-mark / finished), `fields`."""
        line = json.dumps({"device": device, "step": unit, "event": event, **fields}, ensure_ascii=False)
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            if self._fsync:
                os.fsync(handle.fileno())


def read_step_journal(path: Path) -> dict[tuple[str, int], UnitState]:
    """{(device, index of the unit's first step): its state}; a last line cut short by a kill is ignored.

    A unit started again (by a `--resume`) keeps the job mark an earlier start journalled, until it ends.

    ValueError naming the file and line when a line before the last is not JSON.
    """
    states: dict[tuple[str, int], UnitState] = {}
    if not path.is_file():
        return states
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            key = (str(entry["device"]), int(entry["step"]))
            event = entry["event"]
            mark = int(entry["newest"]) if event == JOB_MARK else None
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            if number == len(lines):
                break
            raise ValueError(f"{path}: line {number} is not a journal entry") from None
        earlier = states.get(key)
        if event == STARTED:
            kept = earlier.job_mark if earlier is not None and earlier.finished is None else None
            states[key] = UnitState(started=str(entry.get("at", "")), job_mark=kept)
        elif event == JOB_MARK and earlier is not None and earlier.finished is None:
            states[key] = replace(earlier, job_mark=mark)
        elif event == FINISHED and key in states:
            states[key] = UnitState(
                states[key].started, str(entry.get("at", "")), str(entry.get("result")), str(entry.get("message", ""))
            )
    return states
