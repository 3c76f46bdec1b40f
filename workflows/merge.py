"""`estate report merge`: shard run folders (e.g. GitLab `parallel:` jobs) into one run folder and report."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path

from reports.compliance import compliance_sheets
from reports.excel import write_workbook
from reports.html import write_html
from reports.json_report import write_results_json
from reports.junit import write_junit
from reports.preupgrade import checks_of, path_sheet, readiness_sheet
from reports.replacements import replacements_sheet
from reports.runfolder import REPORT_HTML, REPORT_XLSX, make_run_dir, read_run, run_id
from reports.sheets import SheetSpec
from tasks.checks.readiness import ALL_CHECKS
from tasks.errors import UsageError
from tasks.matrix import Matrix, load_matrix
from tasks.models import RunInfo, RunResult
from workflows.audit import COMMAND as AUDIT
from workflows.compliance import COMMAND as COMPLIANCE
from workflows.logs import run_log
from workflows.preupgrade import COMMAND as PREUPGRADE
from workflows.run import RunOutcome, exit_code

log = logging.getLogger(__name__)


def merge_results(runs: Sequence[tuple[Path, RunResult]]) -> RunResult:
    """One RunResult from shards of the same command and target; a host in two shards is an error."""
    first_dir, first = runs[0]
    hosts = {}
    for folder, run in runs:
        for field in ("command", "target"):
            if getattr(run.run, field) != getattr(first.run, field):
                raise UsageError(
                    f"{folder}: run.{field} is {getattr(run.run, field)!r}, "
                    f"but {first_dir} has {getattr(first.run, field)!r}; only shards of one run merge"
                )
        for host in run.hosts:
            if host.name in hosts:
                raise UsageError(f"{folder}: host {host.name} is also in another shard; shards must not overlap")
            hosts[host.name] = host
    info = RunInfo(
        id="",
        command=first.run.command,
        customers=sorted({c for _, run in runs for c in run.run.customers}),
        target=first.run.target,
        started=min(run.run.started for _, run in runs),
        finished=max(run.run.finished for _, run in runs),
        shard=None,
        estate_version=first.run.estate_version,
    )
    ordered = sorted(hosts.values(), key=lambda h: (h.customer, h.site, h.name))
    return RunResult(run=info, hosts=ordered)


def command_report(result: RunResult, matrices: Mapping[str, Matrix] | None = None) -> tuple[list[SheetSpec], bool]:
    """The sheets a run's command adds after the standard ones, and whether its Summary shows GO / NO-GO.

    A merged run gets what its command's own run writes; the Readiness columns are the checks the shards ran;
    the Replacements of an audit or pre-upgrade come from `matrices`.
    """
    replacements = [replacements_sheet(result, matrices or {})]
    if result.run.command == PREUPGRADE:
        return [*replacements, readiness_sheet(result, checks_of(result, ALL_CHECKS)), path_sheet(result)], True
    if result.run.command == COMPLIANCE:
        return compliance_sheets(result), False
    if result.run.command == AUDIT:
        return replacements, False
    return [], False


def run_matrices(result: RunResult, matrices_dir: Path) -> dict[str, Matrix]:
    """The matrices of the platforms of `result`'s hosts (MatrixError, one line, when one does not load)."""
    return {platform: load_matrix(platform, matrices_dir) for platform in sorted({h.platform for h in result.hosts})}


def merge(folders: Sequence[Path], out_dir: Path, matrices_dir: Path = Path("matrices")) -> RunOutcome:
    """Read every shard, check they belong together, and write the merged run folder (the Summary's reasons and
    the Replacements sheet read the matrices in `matrices_dir`)."""
    if not folders:
        raise UsageError("report merge: give at least one run folder")
    result = merge_results([(folder, read_run(folder)) for folder in folders])
    matrices = run_matrices(result, matrices_dir)
    now = datetime.now(timezone.utc)
    result.run.id = run_id(now, result.run.command, result.run.customers)
    run_dir = make_run_dir(out_dir, result.run.id)
    with run_log(run_dir / "run.log", result.run.id):
        log.info("merged %d shard run folders: %s", len(folders), ", ".join(str(f) for f in folders))
        write_results_json(result, run_dir / "results.json")
        write_junit(result, run_dir / "junit.xml")
        sheets, go_no_go = command_report(result, matrices)
        write_workbook(result, run_dir / REPORT_XLSX, sheets, go_no_go=go_no_go, matrices=matrices)
        write_html(result, run_dir / REPORT_HTML, sheets, go_no_go=go_no_go, matrices=matrices)
    return RunOutcome(result=result, run_dir=run_dir, exit_code=exit_code(result), go_no_go=go_no_go)
