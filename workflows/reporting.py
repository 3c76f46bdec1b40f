"""`estate report html` and `estate report site`: a run's report.html rebuilt from its run folder, and the site of
every run's report per customer (GitLab Pages).

A rebuilt page has what the run's own page has, read back from results.json: the command's own tables (pre-upgrade
Readiness and Upgrade path with GO / NO-GO, compliance, post-upgrade Diff, backup, upgrade with its Summary), and
for a compliance run the trend of its customers from the run history up to that run. An onboarding run's own
sheets come from its device list, not results.json: its rebuilt page has the standard tables.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from reports.backup import backup_sheet
from reports.html import render_report, write_html
from reports.postupgrade import diff_sheet
from reports.runfolder import REPORT_HTML, RESULTS_NAME, read_run
from reports.sheets import SheetSpec
from reports.site import write_site
from reports.summary import SummaryData
from reports.upgrade import upgrade_sheet, upgrade_summary
from tasks.errors import MatrixError, UsageError
from tasks.matrix import Matrix
from tasks.models import RunResult
from tasks.models.history import TrendPoint
from workflows.backup import COMMAND as BACKUP
from workflows.compliance import COMMAND as COMPLIANCE
from workflows.merge import command_report, run_matrices
from workflows.postupgrade import COMMAND as POST_UPGRADE
from workflows.settings import Settings
from workflows.upgrade import COMMAND as UPGRADE

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportParts:
    """What a run's command adds to the standard report: its sheets, GO / NO-GO, its own Summary, the trend."""

    sheets: list[SheetSpec] = field(default_factory=list)
    go_no_go: bool = False
    summary: SummaryData | None = None
    trend: Mapping[str, Sequence[TrendPoint]] | None = None


def report_parts(result: RunResult, matrices: Mapping[str, Matrix] | None = None) -> ReportParts:
    """The parts of `result`'s report that results.json holds, as the command's own run writes them (the
    Replacements of an audit or pre-upgrade, and the Summary's blocker reasons, read `matrices`)."""
    command = result.run.command
    if command == POST_UPGRADE:
        return ReportParts([diff_sheet(result)])
    if command == BACKUP:
        return ReportParts([backup_sheet(result)])
    if command == UPGRADE:
        return ReportParts([upgrade_sheet(result)], summary=upgrade_summary(result))
    sheets, go_no_go = command_report(result, matrices)  # audit, pre-upgrade, compliance (as a merge writes them)
    return ReportParts(sheets, go_no_go)


def matrices_for(result: RunResult, matrices_dir: Path) -> dict[str, Matrix]:
    """The matrices of the run's platforms, for the Replacements and the Summary's reasons; none (a WARNING) when
    one does not load: a page without what to buy beats no page."""
    try:
        return run_matrices(result, matrices_dir)
    except MatrixError as exc:
        log.warning("%s: report.html without the matrices (no Replacements, reasons as recorded)", exc)
        return {}


def trend_until(result: RunResult, settings: Settings) -> dict[str, list[TrendPoint]] | None:
    """The compliance trend of the run's customers from the history, up to and including this run; None when
    the history is off or cannot be read (a WARNING: the page is written without it)."""
    from workflows.history.record import open_history
    from workflows.history.store import HistoryError

    started = datetime.fromisoformat(result.run.started)
    if started.tzinfo is None:
        started = started.replace(tzinfo=timezone.utc)
    try:
        with open_history(settings) as store:
            trend = store.compliance_trend(result.run.customers)
    except HistoryError as exc:
        log.warning("%s: no compliance trend in report.html", exc)
        return None
    return {customer: _until(points, result.run.id, started) for customer, points in trend.items()}


def _until(points: Sequence[TrendPoint], run_id: str, started: datetime) -> list[TrendPoint]:
    """`points` (oldest first, runs of one second in the order recorded) up to and including run `run_id`'s own;
    by start time when the run has no point. A start time alone cannot tell apart two runs started within the same
    second (`…Z-compliance-all` and `…Z-compliance-all-2`): the later one's point was on the earlier one's page.

    >>> from datetime import timezone
    >>> at = datetime(2026, 12, 1, 18, 32, 16, tzinfo=timezone.utc)
    >>> points = [TrendPoint("r", at, 7, 10), TrendPoint("r-2", at, 6, 10)]
    >>> [p.run_id for p in _until(points, "r", at)], [p.run_id for p in _until(points, "gone", at)]
    (['r'], ['r', 'r-2'])
    """
    for index, point in enumerate(points):
        if point.run_id == run_id:
            return list(points[: index + 1])
    return [p for p in points if p.started <= started]


def rebuild_html(run_dir: Path, settings: Settings) -> Path:
    """Write `run_dir/report.html` again from its results.json (UsageError when that is missing or malformed);
    the history is the one `settings` configure, by default beside the run folder."""
    result = read_run(run_dir)
    matrices = matrices_for(result, settings.matrices)
    parts = report_parts(result, matrices)
    trend = None
    if result.run.command == COMPLIANCE:
        trend = trend_until(result, settings.override(output=run_dir.resolve().parent))
    path = run_dir / REPORT_HTML
    write_html(result, path, parts.sheets, parts.go_no_go, parts.summary, trend, matrices=matrices)
    return path


def run_folders(runs_root: Path) -> list[Path]:
    """The run folders directly under `runs_root` that hold a results.json, by name (their UTC time first)."""
    if not runs_root.is_dir():
        raise UsageError(f"--runs {runs_root}: not a folder")
    return sorted(p for p in runs_root.iterdir() if p.is_dir() and (p / RESULTS_NAME).is_file())


def build_site(
    out: Path, run_dirs: Sequence[Path], runs_root: Path | None, matrices_dir: Path = Path("matrices")
) -> tuple[Path, int]:
    """The report site in `out` from `run_dirs` and every run folder under `runs_root`: index.html and each run's
    pages (a run without its page gets one rendered, reading the matrices in `matrices_dir`); returns the index's
    path and how many runs it lists. A folder under `runs_root` whose results.json cannot be read is passed over
    (logged); a RUN_DIR given by name must read."""

    def render(folder: Path, result: RunResult) -> str:
        matrices = matrices_for(result, matrices_dir)
        parts = report_parts(result, matrices)
        return render_report(result, parts.sheets, parts.go_no_go, parts.summary, matrices=matrices)

    runs = [(folder, read_run(folder)) for folder in run_dirs]
    given = {folder.resolve() for folder in run_dirs}
    for folder in run_folders(runs_root) if runs_root is not None else []:
        if folder.resolve() in given:
            continue  # named and under --runs: listed once
        try:
            runs.append((folder, read_run(folder)))
        except UsageError as exc:
            log.warning("passed over %s: %s", folder, exc)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: a file, not a folder")
    return write_site(out, runs, render), len(runs)
