"""What the run history gives back: a recorded run, a finding of a past run, a point of the compliance trend."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tasks.models import Verdict


@dataclass(frozen=True)
class HostFinding:
    """One finding of one host, as the history keeps it (severity aside): what `compare` works on."""

    host: str
    check: str
    verdict: Verdict
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"host": self.host, "check": self.check, "verdict": self.verdict.value, "message": self.message}


@dataclass(frozen=True)
class Comparison:
    """What `workflows.history.compare.compare` finds between two runs; each list in the order findings came.

    `new`, `still_failing`: failing findings (FAIL or WARN) of the current run, with the current message.
    `fixed`: failing findings of the previous run that the current run no longer has. `unknown`: failing
    findings of the previous run whose host the current run did not judge (absent, or ERROR), so nobody knows.
    """

    new: list[HostFinding] = field(default_factory=list)
    fixed: list[HostFinding] = field(default_factory=list)
    still_failing: list[HostFinding] = field(default_factory=list)
    unknown: list[HostFinding] = field(default_factory=list)

    def changes(self) -> list[tuple[str, HostFinding]]:
        """Every finding with what happened to it (`new`, `fixed`, `still failing`, `unknown`), in that order."""
        groups = (("new", self.new), ("fixed", self.fixed), ("still failing", self.still_failing))
        return [(name, f) for name, found in (*groups, ("unknown", self.unknown)) for f in found]


@dataclass(frozen=True)
class RecordedRun:
    """One row of `estate history`: a run's header, how many devices it covered and their verdict counts.

    `id` is the database's number for the run; `run_id` is the run folder's name, `run_dir` its path as the
    run saw it.
    """

    id: int
    run_id: str
    command: str
    customers: tuple[str, ...]
    target: str | None
    started: datetime
    finished: datetime | None
    devices: int
    counts: dict[str, int] = field(default_factory=dict)
    run_dir: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The `estate history --json` shape: times in ISO 8601 (UTC)."""
        return {
            "id": self.id,
            "run_id": self.run_id,
            "command": self.command,
            "customers": list(self.customers),
            "target": self.target,
            "started": self.started.isoformat(),
            "finished": self.finished.isoformat() if self.finished else None,
            "devices": self.devices,
            "counts": dict(self.counts),
            "run_dir": self.run_dir,
        }


@dataclass(frozen=True)
class TrendPoint:
    """One recorded run of one customer on the compliance trend: PASS findings out of the judged ones.

    Judged findings are every finding but SKIPPED (WARN, FAIL and ERROR count against the percentage).

    >>> from datetime import timezone
    >>> TrendPoint("r1", datetime(2026, 1, 1, tzinfo=timezone.utc), passed=3, judged=4).percent
    75.0
    """

    run_id: str
    started: datetime
    passed: int
    judged: int

    @property
    def percent(self) -> float:
        """PASS findings as a percentage of the judged ones, one decimal (0.0 when none was judged)."""
        return round(100.0 * self.passed / self.judged, 1) if self.judged else 0.0
