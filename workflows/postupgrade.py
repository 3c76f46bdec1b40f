"""Post-upgrade: snapshot each device again and compare it with its pre-upgrade snapshot (the baseline run)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from nornir.core.task import Result, Task

from reports.postupgrade import diff_sheet
from reports.runfolder import read_run, runs_newest_first
from tasks.checks.collection import collection_findings
from tasks.checks.postupgrade import CHECK, Thresholds, compare_snapshots, diff_findings
from tasks.collect import close_connection, collect_facts, collect_outputs, collect_transceivers
from tasks.errors import UsageError
from tasks.models import CommandFailure, FailureKind, Finding, HostRecord, RunResult, Severity, Unsupported, Verdict
from tasks.platforms import get_platform
from workflows.preupgrade import COMMAND as PREUPGRADE
from workflows.preupgrade import read_snapshot
from workflows.processors import record_for
from workflows.run import RunOutcome, RunRequest, execute, prepare

log = logging.getLogger(__name__)

COMMAND = "post-upgrade"
NO_BASELINE = "no baseline snapshot"


@dataclass(frozen=True)
class Baseline:
    """The pre-upgrade run compared against: its folder, and its hosts by name."""

    folder: Path
    result: RunResult
    searched: bool  # found as the newest covering run (not given with --baseline)

    @property
    def hosts(self) -> dict[str, HostRecord]:
        return {host.name: host for host in self.result.hosts}

    def target_for(self, host: HostRecord) -> str | None:
        """The release the baseline planned for `host`: its plan's target, else the run's target for its platform."""
        return host.plan.target if host.plan is not None else self.result.run.target_for(host.platform)


@dataclass(frozen=True)
class PostUpgradeContext:
    """Everything each host's post-upgrade needs besides its connection."""

    baseline: Baseline
    thresholds: Thresholds


def load_baseline(folder: Path) -> Baseline:
    """The pre-upgrade run in `folder`; UsageError (one line, exit 3) when it is missing or another run."""
    if not (folder / "results.json").is_file():
        raise UsageError(f"--baseline {folder}: not a run folder (no results.json in it)")
    result = read_run(folder)
    if result.run.command != PREUPGRADE:
        raise UsageError(f"--baseline {folder}: not a {PREUPGRADE} run folder (its run is {result.run.command!r})")
    return Baseline(folder, result, searched=False)


def find_baseline(output: Path, hosts: Iterable[str]) -> Baseline | None:
    """The newest pre-upgrade run folder under `output` whose hosts include every one of `hosts`; None if none.

    Folders are named `<UTC time>-<command>-<scope>`, so the newest sorts last; unreadable ones are passed over.
    """
    wanted = set(hosts)
    for folder, result in runs_newest_first(output, PREUPGRADE):
        if wanted <= {host.name for host in result.hosts}:
            return Baseline(folder, result, searched=True)
    return None


def _skipped(task: Task, reason: str) -> Result:
    finding = Finding(CHECK, Severity.INFO, Verdict.SKIPPED, reason)
    return Result(host=task.host, result=record_for(task.host, findings=[finding]))


def postupgrade_host(task: Task, context: PostUpgradeContext) -> Result:
    """Collect facts, optics and the platform's snapshot commands; compare the new snapshot with the baseline's.

    SKIPPED without connecting when the platform takes no snapshot or the baseline holds none for the host. As in
    the pre-upgrade, a snapshot command that fails leaves its value None (not compared) and a WARN finding.
    """
    host = task.host
    capabilities = get_platform(host.platform or "")
    if isinstance(capabilities.snapshot, Unsupported):
        return _skipped(task, capabilities.snapshot.reason)
    before = context.baseline.hosts.get(host.name)
    if before is None or before.snapshot is None:
        return _skipped(task, f"{NO_BASELINE} in {context.baseline.folder.name}")
    log.info("compared with baseline %s", context.baseline.folder, extra={"host": host.name})
    snapshotting = capabilities.snapshot
    outputs: dict[str, str] = {}
    failures: list[CommandFailure] = []
    try:
        facts = collect_facts(task, outputs).result
        transceivers = collect_transceivers(task, outputs, failures).result
        collect_outputs(task, snapshotting.commands, outputs, failures)
    finally:
        close_connection(task)
    after, unreadable = read_snapshot(snapshotting, outputs, facts, transceivers)
    failures += [
        CommandFailure(p, capabilities.command(p), FailureKind.UNREADABLE, why) for p, why in unreadable.items()
    ]
    rows = compare_snapshots(before.snapshot, after, context.baseline.target_for(before), context.thresholds)
    findings = [*diff_findings(rows), *collection_findings(failures)]
    record = record_for(host, facts=facts, findings=findings, snapshot=after, diff=rows)
    return Result(host=host, result=record)


def run_postupgrade(request: RunRequest, baseline_dir: Path | None = None) -> tuple[RunOutcome, Baseline]:
    """Run the post-upgrade over the selected devices against `baseline_dir` or the newest covering pre-upgrade."""
    if baseline_dir is not None:
        baseline = load_baseline(baseline_dir)  # before any connection: a bad folder is exit 3, nothing ran
    inputs = prepare(request)
    if baseline_dir is None:
        # Only hosts that take a snapshot need one in the baseline: the others are SKIPPED with their reason.
        hosts = inputs.nornir.inventory.hosts.values()
        names = [h.name for h in hosts if not isinstance(get_platform(h.platform or "").snapshot, Unsupported)]
        found = find_baseline(request.settings.output, names)
        if found is None:
            raise UsageError(
                f"no {PREUPGRADE} run folder under {request.settings.output} covers the {len(names)} selected "
                "hosts that take a snapshot; give one with --baseline RUN_DIR"
            )
        baseline = found
        log.info("baseline: %s, the newest %s run covering the selected hosts", baseline.folder, PREUPGRADE)
    # The run's target is the baseline's, so the Devices sheet and the summary show what was aimed at.
    targets = {p: t for p in inputs.matrices if (t := baseline.result.run.target_for(p)) is not None}
    inputs = replace(inputs, targets=targets)
    context = PostUpgradeContext(baseline, request.settings.post_upgrade)
    outcome = execute(COMMAND, request, inputs, postupgrade_host, sheets=lambda r: [diff_sheet(r)], context=context)
    return outcome, baseline
