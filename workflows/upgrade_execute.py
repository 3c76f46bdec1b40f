"""`estate upgrade --execute` and `--resume RUN_DIR`: walk the planned devices, site by site, wave by wave.

The plan (every device's steps and wave, the gate, the targets) is written to the run folder as
`upgrade-plan.json` before any device is touched; each unit of work is journalled as it starts and ends
(`upgrade-journal.jsonl`, `tasks.upgrade.journal`). `--resume RUN_DIR` reads both back and continues in the
same folder: what finished is not taken again (docs/upgrade.md says what is repeated and why).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from nornir.core.task import MultiResult, Result, Task

from reports.runfolder import atomic_write_text
from reports.upgrade import upgrade_sheet, upgrade_summary
from tasks.errors import UsageError
from tasks.models import Finding, HostRecord, Severity, Verdict
from tasks.models.plan import ARROW
from tasks.models.upgrade import DeviceUpgrade, StepResult, UpgradeStatus
from tasks.upgrade.journal import JOURNAL_NAME, StepJournal, read_step_journal
from tasks.upgrade.session import Bounds
from tasks.upgrade.walk import WalkContext, apply_journal, mark_not_reached, walk
from workflows.run import RunInputs, RunOutcome, RunRequest, execute, new_run_dir, prepare
from workflows.selection import Selection
from workflows.upgrade_runner import SiteWaveRunner

log = logging.getLogger(__name__)

COMMAND = "upgrade"
PLAN_NAME = "upgrade-plan.json"


@dataclass(frozen=True)
class SavedPlan:
    """What an executed run wrote before it touched a device: enough for `--resume` to continue it."""

    gate: str
    targets: dict[str, str]
    records: dict[str, HostRecord]

    def to_json(self) -> str:
        hosts = {name: record.to_dict() for name, record in self.records.items()}
        return json.dumps({"gate": self.gate, "targets": self.targets, "hosts": hosts}, indent=1, ensure_ascii=False)


def read_plan(run_dir: Path) -> SavedPlan:
    """The `upgrade-plan.json` of `run_dir`; UsageError naming it when it is missing or not one."""
    path = run_dir / PLAN_NAME
    if not path.is_file():
        raise UsageError(f"--resume {run_dir}: not an executed upgrade run folder (no {PLAN_NAME})")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        records = {name: HostRecord.from_dict(name, host) for name, host in data["hosts"].items()}
        return SavedPlan(str(data["gate"]), {str(k): str(v) for k, v in data["targets"].items()}, records)
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UsageError(f"{path}: not an upgrade plan of estate: {type(exc).__name__}: {exc}") from None


def executed_findings(upgrade: DeviceUpgrade) -> list[Finding]:
    """One finding per hop (a JUnit testcase per device x hop): PASS when every step ended OK, FAIL with the
    reason at the hop that failed, SKIPPED for a hop not reached; a WARN naming what --force skipped."""
    if upgrade.status is UpgradeStatus.SKIPPED:
        return [Finding(COMMAND, Severity.INFO, Verdict.SKIPPED, upgrade.reason)]
    findings = [Finding("force", Severity.WARNING, Verdict.WARN, upgrade.forced)] if upgrade.forced else []
    for hop in upgrade.hops:
        steps = [s for s in upgrade.steps if s.hop == hop]
        name = f"hop {hop}: {steps[0].from_version} {ARROW} {steps[0].to_version}"
        failed = next((s for s in steps if s.result is StepResult.FAILED), None)
        if failed is not None:
            findings.append(Finding(name, Severity.BLOCKER, Verdict.FAIL, f"{failed.kind.value}: {failed.message}"))
        elif all(s.result in (StepResult.OK, StepResult.SKIPPED) for s in steps):
            findings.append(Finding(name, Severity.INFO, Verdict.PASS, f"wave {upgrade.wave}: {len(steps)} steps OK"))
        else:
            why = upgrade.reason if upgrade.status is UpgradeStatus.NOT_REACHED else "not reached"
            findings.append(Finding(name, Severity.INFO, Verdict.SKIPPED, why))
    return findings


def upgrade_host(
    task: Task, records: Mapping[str, HostRecord], contexts: Mapping[str, WalkContext], stopped: Mapping[str, str]
) -> Result:
    """One device of an executed upgrade: walked, written NOT REACHED (its site stopped), or its skip record."""
    record = records[task.host.name]
    upgrade = record.upgrade
    if upgrade is None or upgrade.status is not UpgradeStatus.PLANNED:
        return Result(host=task.host, result=record)
    if task.host.name in stopped:
        upgrade = mark_not_reached(upgrade, stopped[task.host.name])
    else:
        upgrade = walk(task, upgrade, contexts[task.host.name])
    return Result(host=task.host, result=replace(record, upgrade=upgrade, findings=executed_findings(upgrade)))


def _failed(outcome: MultiResult) -> bool:
    record = outcome[0].result if outcome else None
    if outcome.failed or not isinstance(record, HostRecord):
        return True
    return record.upgrade is not None and record.upgrade.status is UpgradeStatus.FAILED


def bounds(request: RunRequest) -> Bounds:
    settings = request.settings
    return Bounds(settings.upgrade_poll_s, settings.upgrade_job_timeout_s, settings.upgrade_reboot_timeout_s)


def walk_devices(
    request: RunRequest,
    inputs: RunInputs,
    run_dir: Path,
    records: dict[str, HostRecord],
    notes: list[tuple[int, str]],
    job_marks: Mapping[str, Mapping[int, int]] | None = None,
) -> RunOutcome:
    """Run the walk over the selected devices in `run_dir` with the site-wave runner; write the run folder.

    `job_marks`: per device, the job marks an interrupted run journalled for units it did not end (their jobs
    are polled, not asked for again)."""
    journal = StepJournal(run_dir / JOURNAL_NAME)
    contexts = {
        name: WalkContext(
            matrix=inputs.matrices[record.platform],
            waivers=inputs.waivers.get(record.customer, []),
            today=inputs.today,
            bounds=bounds(request),
            journal=journal,
            image_server=request.settings.image_server_for(record.customer),
            job_marks=(job_marks or {}).get(name, {}),
        )
        for name, record in records.items()
        if record.platform in inputs.matrices
    }
    stopped: dict[str, str] = {}
    waves = {name: r.upgrade.wave if r.upgrade else None for name, r in records.items()}
    runner = SiteWaveRunner(request.settings.workers, waves, _failed, stopped)
    return execute(
        COMMAND,
        request,
        inputs,
        upgrade_host,
        sheets=lambda result: [upgrade_sheet(result)],
        summary=upgrade_summary,
        notes=notes,
        runner=runner,
        run_dir=run_dir,
        records=records,
        contexts=contexts,
        stopped=stopped,
    )


def execute_upgrade(
    request: RunRequest, inputs: RunInputs, gate: str, records: dict[str, HostRecord], notes: list[tuple[int, str]]
) -> RunOutcome:
    """A new run folder, the plan written into it, then the walk."""
    run_dir = new_run_dir(COMMAND, request, inputs)
    atomic_write_text(run_dir / PLAN_NAME, SavedPlan(gate, dict(inputs.targets), records).to_json())
    return walk_devices(request, inputs, run_dir, records, [*notes, (logging.WARNING, "executing: devices change")])


def resume_upgrade(request: RunRequest, run_dir: Path) -> tuple[RunOutcome, str]:
    """Continue the executed run in `run_dir`: its plan and journal read back, the same devices and targets."""
    saved = read_plan(run_dir)
    try:
        states = read_step_journal(run_dir / JOURNAL_NAME)
    except ValueError as exc:
        raise UsageError(f"--resume {run_dir}: {exc}") from None
    names = tuple(saved.records)
    resumed = replace(
        request,
        selection=Selection(limits=names),
        targets=tuple(f"{platform}={version}" for platform, version in sorted(saved.targets.items())),
    )
    inputs = prepare(resumed)
    missing = [name for name in names if name not in inputs.nornir.inventory.hosts]
    if missing:
        raise UsageError(
            f"--resume {run_dir}: {len(missing)} devices of the run are not in the inventory, e.g. {missing[0]}"
        )
    records: dict[str, HostRecord] = {}
    finished = 0
    for name, record in saved.records.items():
        upgrade = record.upgrade
        if upgrade is not None and upgrade.status is UpgradeStatus.PLANNED:
            upgrade = apply_journal(upgrade, name, record.platform, states)
            finished += sum(1 for s in upgrade.steps if s.result is StepResult.OK)
        records[name] = replace(record, upgrade=upgrade)
    marks: dict[str, dict[int, int]] = {}
    for (name, unit), state in states.items():
        if state.finished is None and state.job_mark is not None:
            marks.setdefault(name, {})[unit] = state.job_mark
    how = f"resumed: {finished} steps had finished; {saved.gate}"
    outcome = walk_devices(resumed, inputs, run_dir, records, [(logging.WARNING, how)], marks)
    return outcome, how
