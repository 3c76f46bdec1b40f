"""Pre-upgrade: readiness checks, the upgrade path with optics judged at every hop, GO / NO-GO, a snapshot."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from nornir.core.task import Result, Task

from reports.preupgrade import path_sheet, readiness_sheet
from reports.replacements import replacements_sheet
from tasks.checks.collection import collection_findings
from tasks.checks.optics import optic_findings
from tasks.checks.preupgrade import judge_optics_along, run_readiness
from tasks.checks.readiness import ALL_CHECKS
from tasks.checks.upgrade_path import plan_path, upgrade_path_finding
from tasks.collect import close_connection, collect_facts, collect_outputs, collect_transceivers
from tasks.errors import UsageError
from tasks.matrix import Matrix, Waiver
from tasks.models import CommandFailure, Facts, FailureKind, Transceiver, Unsupported
from tasks.models.readiness import ReadinessState
from tasks.models.snapshot import Snapshot
from tasks.platforms import get_platform
from tasks.platforms.base import Snapshotting, available, read_what_parses
from workflows.processors import record_for
from workflows.run import RunOutcome, RunRequest, check_resumed, execute, prepare, resuming
from workflows.selection import select_checks

log = logging.getLogger(__name__)

COMMAND = "pre-upgrade"


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
    """Collect facts, optics, readiness state and a snapshot; plan the path; judge optics at every hop.

    Facts and optics are essential (their failure is the host's ERROR). The readiness and snapshot commands
    are supplementary: one that fails or cannot be read leaves its values unknown (its readiness check ERROR,
    its snapshot counter None) and gives a WARN `collection` finding. Only the commands of the selected
    readiness checks are sent.
    """
    host = task.host
    platform = host.platform or ""
    capabilities = get_platform(platform)
    readiness, snapshotting = available(capabilities.readiness), available(capabilities.snapshot)
    outputs: dict[str, str] = {}
    failures: list[CommandFailure] = []
    try:
        facts = collect_facts(task, outputs).result
        transceivers = collect_transceivers(task, outputs, failures).result
        extra = (
            *(readiness.commands_for(context.checks) if readiness else ()),
            *(snapshotting.commands if snapshotting else ()),
        )
        collect_outputs(task, extra, outputs, failures)
    finally:
        close_connection(task)
    matrix = context.matrices[platform]
    plan = plan_path(platform, facts.model, facts.version, context.targets[platform], matrix, context.via)
    optics = judge_optics_along(
        plan, facts, transceivers, matrix, context.waivers.get(host.data["customer"], []), host.name, context.today
    )
    state: ReadinessState | Unsupported
    if isinstance(capabilities.readiness, Unsupported):
        state = capabilities.readiness  # every check SKIPPED with the platform's reason
    else:
        state = capabilities.readiness.read(outputs, facts)
    checks = run_readiness(state, plan, context.today, context.checks, context.min_content)
    snapshot = None
    if snapshotting is not None:
        snapshot, unreadable = read_snapshot(snapshotting, outputs, facts, transceivers)
        failures += [
            CommandFailure(p, capabilities.command(p), FailureKind.UNREADABLE, why) for p, why in unreadable.items()
        ]
    findings = [upgrade_path_finding(plan), *optic_findings(optics), *(c.finding() for c in checks)]
    record = record_for(
        host,
        facts=facts,
        optics=optics,
        findings=[*findings, *collection_findings(failures)],
        plan=plan,
        snapshot=snapshot,
    )
    return Result(host=host, result=record)


def read_snapshot(
    snapshotting: Snapshotting, outputs: dict[str, str], facts: Facts, transceivers: list[Transceiver]
) -> tuple[Snapshot, dict[str, str]]:
    """The snapshot of what was read, and {purpose: why} for each of its outputs it could not read (left out:
    its value None). An output the snapshot shares with the facts must be read."""
    own = {p: outputs[p] for p in snapshotting.commands if p in outputs}
    base = {p: text for p, text in outputs.items() if p not in own}
    return read_what_parses(lambda o: snapshotting.read(o, facts, transceivers), base, own)


def run_preupgrade(
    request: RunRequest, via: str | None = None, checks: str | None = None, resume: Path | None = None
) -> RunOutcome:
    """Run the pre-upgrade over the selected devices of the platforms given a target release; `resume`: continue
    that interrupted pre-upgrade instead (its hosts, targets, --via and checks), only its unfinished hosts."""
    resumed = None
    if resume is not None:
        request, resumed = resuming(request, resume, COMMAND)
        via, checks = resumed.saved.options.get("via"), resumed.saved.options.get("checks")
    source = "--checks" if checks else "checks (config.yaml or ESTATE_CHECKS)"
    checks = checks or request.settings.checks
    selected = select_checks(checks, ALL_CHECKS, source=source)
    inputs = prepare(request)
    check_resumed(inputs, resumed)
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
        sheets=lambda result: [
            replacements_sheet(result, inputs.matrices),
            readiness_sheet(result, selected),
            path_sheet(result),
        ],
        go_no_go=True,
        options={"via": via, "checks": checks},
        resumed=resumed,
        context=context,
    )
