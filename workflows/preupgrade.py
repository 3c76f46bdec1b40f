"""Pre-upgrade: readiness checks, the upgrade path with optics judged at every hop, GO / NO-GO, a snapshot."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date

from nornir.core.task import Result, Task

from reports.sheets import SheetSpec
from tasks.checks.optics import optic_findings
from tasks.checks.preupgrade import judge_optics_along, run_readiness
from tasks.checks.readiness import ALL_CHECKS
from tasks.checks.upgrade_path import UpgradePlan, plan_path, upgrade_path_finding
from tasks.collect import close_connection, collect_facts, collect_outputs, collect_transceivers
from tasks.errors import UsageError
from tasks.matrix import Matrix, Waiver
from tasks.models import RunResult, Unsupported, Verdict
from tasks.models.readiness import ReadinessState
from tasks.platforms import get_platform
from tasks.platforms.base import available
from workflows.processors import record_for
from workflows.run import RunOutcome, RunRequest, execute, prepare
from workflows.selection import select_checks

log = logging.getLogger(__name__)

COMMAND = "pre-upgrade"
READINESS_TITLE = "Readiness"
PATH_TITLE = "Upgrade path"
PATH_HEADERS = (
    "Device", "Customer", "Site", "Model", "Current", "Target", "Hops", "Images to download", "Download MB",
    "Reboots", "Est. minutes", "Verdict", "Reason",
)  # fmt: skip


@dataclass(frozen=True)
class PreUpgradeContext:
    """Everything each host's pre-upgrade needs besides its connection."""

    matrices: dict[str, Matrix]
    waivers: dict[str, list[Waiver]]
    targets: dict[str, str]
    via: str | None
    checks: tuple[str, ...]
    min_content: str | None
    today: date


def preupgrade_host(task: Task, context: PreUpgradeContext) -> Result:
    """Collect facts, optics, readiness state and a snapshot; plan the path; judge optics at every hop."""
    host = task.host
    platform = host.platform or ""
    capabilities = get_platform(platform)
    readiness, snapshotting = available(capabilities.readiness), available(capabilities.snapshot)
    outputs: dict[str, str] = {}
    try:
        facts = collect_facts(task, outputs).result
        transceivers = collect_transceivers(task, outputs).result
        extra = (*(readiness.commands if readiness else ()), *(snapshotting.commands if snapshotting else ()))
        collect_outputs(task, extra, outputs)
    finally:
        close_connection(task)
    matrix = context.matrices[platform]
    plan = plan_path(platform, facts.model, facts.version, context.targets[platform], matrix, context.via)
    optics = judge_optics_along(
        plan, facts, transceivers, matrix, context.waivers.get(host.data["customer"], []), host.name, context.today
    )
    if isinstance(capabilities.readiness, Unsupported):
        state: ReadinessState | Unsupported = capabilities.readiness  # every check SKIPPED with its reason
    else:
        state = capabilities.readiness.read(outputs, facts)
    checks = run_readiness(state, plan, context.today, context.checks, context.min_content)
    snapshot = snapshotting.read(outputs, facts, transceivers).to_dict() if snapshotting else {}
    record = record_for(
        host,
        facts=facts,
        optics=optics,
        findings=[upgrade_path_finding(plan), *optic_findings(optics), *(c.finding() for c in checks)],
        snapshot={**snapshot, "plan": _plan_summary(plan)},
    )
    return Result(host=host, result=record)


def _plan_summary(plan: UpgradePlan) -> dict[str, object]:
    return {
        "path": list(plan.path),
        "verdict": plan.verdict.value,
        "reason": plan.reason,
        "downloads": [d.version for d in plan.downloads],
        "download_mb": plan.download_mb,
        "reboots": plan.reboots,
        "minutes": plan.minutes,
        "notes": list(plan.notes),
    }


def readiness_sheet(result: RunResult, checks: tuple[str, ...]) -> SheetSpec:
    """Device x check, each cell the check's verdict with its reason as the cell's comment (and on Findings)."""
    headers = ("Device", "Customer", "Site", "Platform", *checks)
    rows = []
    notes: dict[tuple[int, int], str] = {}
    for row, host in enumerate(result.hosts):
        by_check = {f.check: f for f in host.findings}
        cells = []
        for column, check in enumerate(checks, start=4):
            finding = by_check.get(check)
            if finding is None:
                cells.append(Verdict.ERROR.value if host.status == "error" else "")
                continue
            cells.append(finding.verdict.value)
            notes[(row, column)] = finding.message
        rows.append((host.name, host.customer, host.site, host.platform, *cells))
    return SheetSpec(READINESS_TITLE, headers, rows, verdict_columns=tuple(range(4, 4 + len(checks))), notes=notes)


def path_sheet(result: RunResult) -> SheetSpec:
    """One row per device: its path, what it downloads, reboots and the estimated duration."""
    rows = []
    for host in result.hosts:
        plan = host.snapshot.get("plan", {})
        path = plan.get("path", [])
        facts = host.facts
        rows.append(
            (
                host.name,
                host.customer,
                host.site,
                facts.model if facts else None,
                facts.version if facts else None,
                path[-1] if path else result.run.target_for(host.platform),
                " → ".join(path[1:]) if path else None,
                ", ".join(plan.get("downloads", [])) or None,
                plan.get("download_mb"),
                plan.get("reboots"),
                plan.get("minutes"),
                plan.get("verdict", Verdict.ERROR.value),
                plan.get("reason") or (f"{host.error_stage}: {host.error}" if host.status == "error" else None),
            )
        )
    return SheetSpec(PATH_TITLE, PATH_HEADERS, rows, verdict_columns=(11,), wrap_columns=(12,))


def run_preupgrade(request: RunRequest, via: str | None = None, checks: str | None = None) -> RunOutcome:
    """Run the pre-upgrade over the selected devices of the platforms given a target release."""
    source = "--checks" if checks else "checks (config.yaml or ESTATE_CHECKS)"
    selected = select_checks(checks or request.settings.checks, ALL_CHECKS, source=source)
    inputs = prepare(request)
    if not inputs.targets:
        raise UsageError("--target: give the release to upgrade to (a bare version or PLATFORM=VERSION)")
    untargeted = sorted(set(inputs.matrices) - set(inputs.targets))
    if untargeted:
        # An upgrade is per platform: devices of platforms without a target are not part of this one.
        log.warning("devices left out, no target release for their platform: %s", ", ".join(untargeted))
        nornir = inputs.nornir.filter(filter_func=lambda host: host.platform in inputs.targets)
        inputs = replace(inputs, nornir=nornir, matrices={p: inputs.matrices[p] for p in inputs.targets})
    if via and len(inputs.matrices) > 1:
        raise UsageError(f"--via: hops are releases of one platform; the selection has {', '.join(inputs.matrices)}")
    context = PreUpgradeContext(
        inputs.matrices, inputs.waivers, inputs.targets, via, selected, request.settings.min_content, inputs.today
    )
    return execute(
        COMMAND,
        request,
        inputs,
        preupgrade_host,
        sheets=lambda result: [readiness_sheet(result, selected), path_sheet(result)],
        go_no_go=True,
        context=context,
    )
