"""The transceiver audit: read every optic of the selected devices and judge it against the matrices."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from nornir.core.task import Result, Task

from reports.replacements import replacements_sheet
from reports.sheets import SheetSpec
from tasks.checks.collection import collection_findings
from tasks.checks.optics import judge_optics, optic_findings
from tasks.collect import close_connection, collect_facts, collect_transceivers
from tasks.matrix import Matrix, Waiver
from tasks.models import CommandFailure, RunResult
from workflows.processors import record_for
from workflows.run import RunOutcome, RunRequest, check_resumed, execute, prepare, resuming

log = logging.getLogger(__name__)

COMMAND = "audit"


@dataclass(frozen=True)
class AuditContext:
    """What every host's audit needs besides its own connection: matrices, waivers, target, today."""

    matrices: dict[str, Matrix]
    waivers: dict[str, list[Waiver]]
    targets: dict[str, str]
    today: date


def audit_host(task: Task, context: AuditContext) -> Result:
    """Collect facts and optics from one device, close its connection, and judge every optic.

    A follow-up command that fails (an optic's vendor name) leaves what it reads unknown: a WARN finding.
    """
    host = task.host
    outputs: dict[str, str] = {}
    failures: list[CommandFailure] = []
    try:
        facts = collect_facts(task, outputs).result
        transceivers = collect_transceivers(task, outputs, failures).result
    finally:
        close_connection(task)
    platform = host.platform or ""
    target = context.targets.get(platform)
    verdicts = judge_optics(
        model=facts.model,
        version=facts.version,
        transceivers=transceivers,
        matrix=context.matrices[platform],
        waivers=context.waivers.get(host.data["customer"], []),
        device=host.name,
        target=target,
        today=context.today,
    )
    findings = [*optic_findings(verdicts), *collection_findings(failures)]
    record = record_for(host, facts=facts, optics=verdicts, findings=findings)
    return Result(host=host, result=record)


def run_audit(request: RunRequest, resume: Path | None = None) -> RunOutcome:
    """Run the audit over `request`'s selection and write its run folder; `resume`: continue that interrupted
    audit instead (its hosts and targets), contacting only the hosts it did not finish."""
    resumed = None
    if resume is not None:
        request, resumed = resuming(request, resume, COMMAND)
    inputs = prepare(request)
    check_resumed(inputs, resumed)
    context = AuditContext(inputs.matrices, inputs.waivers, inputs.targets, inputs.today)

    def sheets(result: RunResult) -> list[SheetSpec]:
        return [replacements_sheet(result, inputs.matrices)]

    return execute(COMMAND, request, inputs, audit_host, sheets=sheets, options={}, resumed=resumed, context=context)
