"""`estate report merge`: shard run folders (e.g. GitLab `parallel:` jobs) into one run folder and report."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from reports.excel import write_workbook
from reports.json_report import write_results_json
from reports.junit import write_junit
from reports.runfolder import make_run_dir, run_id
from tasks.errors import UsageError
from tasks.models import RunInfo, RunResult
from workflows.logs import attach_run_log, detach
from workflows.run import RunOutcome, exit_code

log = logging.getLogger(__name__)


def read_run(folder: Path) -> RunResult:
    """One run folder's results.json as a RunResult; a missing or malformed file is a UsageError naming it."""
    path = folder / "results.json"
    try:
        return RunResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise UsageError(f"{path}: not found (is {folder} a run folder?)") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: not valid JSON (line {exc.lineno}): {exc.msg}") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"{path}: not a results.json of estate: {type(exc).__name__}: {exc}") from None


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


def merge(folders: Sequence[Path], out_dir: Path) -> RunOutcome:
    """Read every shard, check they belong together, and write the merged run folder."""
    if not folders:
        raise UsageError("report merge: give at least one run folder")
    result = merge_results([(folder, read_run(folder)) for folder in folders])
    now = datetime.now(timezone.utc)
    result.run.id = run_id(now, result.run.command, result.run.customers)
    run_dir = make_run_dir(out_dir, result.run.id)
    handler = attach_run_log(run_dir / "run.log", result.run.id)
    try:
        log.info("merged %d shard run folders: %s", len(folders), ", ".join(str(f) for f in folders))
        write_results_json(result, run_dir / "results.json")
        write_junit(result, run_dir / "junit.xml")
        write_workbook(result, run_dir / "report.xlsx")
    finally:
        detach(handler)
    return RunOutcome(result=result, run_dir=run_dir, exit_code=exit_code(result))
