"""`estate upgrade`: the gate (GO devices of a pre-upgrade run), the steps of each hop, the order per site.

Without `--execute` it is a dry run: it contacts no device, works from the pre-upgrade's typed plans, and
writes per device and hop the exact steps it would take, with the wave each device would go in. With
`--execute` the same plan is walked (`workflows.upgrade_execute`); `--resume RUN_DIR` continues an executed run.

The gate: `--from-run DIR` (refused when it is not a pre-upgrade run folder, is older than
`upgrade.max_preupgrade_age_h`, has another target or does not cover the selection), else the newest pre-upgrade
run folder under the output folder that covers the selected hosts with the same targets and is young enough,
else a fresh pre-upgrade run first. NO-GO devices and devices whose platform cannot be upgraded are SKIPPED
with their reason; `--force` lets NO-GO devices through (and skips their known-issue re-check), with a warning.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from nornir.core.inventory import Host
from nornir.core.task import Result, Task

from reports.runfolder import age_hours, read_run, runs_newest_first
from reports.upgrade import upgrade_sheet, upgrade_summary
from tasks.checks.decision import Decision, decide_device
from tasks.checks.upgrade_steps import SERVING_STATES, WaveDevice, image_sources, upgrade_steps, upgrade_waves
from tasks.errors import UsageError
from tasks.models import Finding, HostRecord, RunResult, Severity, Unsupported, Verdict
from tasks.models.plan import ARROW
from tasks.models.upgrade import DeviceUpgrade, ImageServer, StepKind, StepResult, UpgradeStatus
from tasks.platforms import get_platform
from workflows.processors import record_for
from workflows.run import RunOutcome, RunRequest, execute, prepare
from workflows.upgrade_execute import execute_upgrade, resume_upgrade

log = logging.getLogger(__name__)

COMMAND = "upgrade"
PREUPGRADE = "pre-upgrade"
FORCED = "--force: known-issue re-check skipped"
FORCED_PAST = "--force: gate skipped ({reason}); known-issue re-check skipped"


@dataclass(frozen=True)
class UpgradeOptions:
    """The upgrade's own flags besides the selection and the targets."""

    from_run: Path | None = None
    max_per_site: int = 1
    force: bool = False
    execute: bool = False
    resume: Path | None = None


@dataclass(frozen=True)
class Gate:
    """The pre-upgrade run the upgrade starts from, and how it was chosen (one line for the log and terminal)."""

    result: RunResult
    run_dir: Path
    how: str


def other_target(result: RunResult, targets: Mapping[str, str]) -> str | None:
    """`platform: its target there` for the first platform whose target differs from `targets`, else None."""
    for platform, target in sorted(targets.items()):
        theirs = result.run.target_for(platform)
        if theirs != target:
            return f"{platform}: {theirs or 'none'}"
    return None


def uncovered(result: RunResult, names: Iterable[str]) -> list[str]:
    """The names not in the run, in the order given."""
    present = {host.name for host in result.hosts}
    return [name for name in names if name not in present]


def check_from_run(
    run_dir: Path, result: RunResult, names: list[str], targets: Mapping[str, str], now: datetime, max_age_h: float
) -> None:
    """UsageError (one line) unless `result` is a pre-upgrade run of `targets`, young enough, covering `names`."""
    where = f"--from-run {run_dir}"
    if result.run.command != PREUPGRADE:
        raise UsageError(f"{where}: not a {PREUPGRADE} run folder (its command: {result.run.command})")
    age = age_hours(result, now)
    if age > max_age_h:
        limit = f"upgrade.max_preupgrade_age_h ({max_age_h:g} h)"
        raise UsageError(f"{where}: {age:.1f} h old, older than {limit}; run pre-upgrade again")
    differs = other_target(result, targets)
    if differs:
        wanted = ", ".join(f"{p}: {t}" for p, t in sorted(targets.items()))
        raise UsageError(f"{where}: another target ({differs}); this upgrade targets {wanted}")
    missing = uncovered(result, names)
    if missing:
        raise UsageError(f"{where}: does not cover {len(missing)} selected devices, e.g. {missing[0]}")


def find_preupgrade(
    out_dir: Path, names: list[str], targets: Mapping[str, str], now: datetime, max_age_h: float
) -> tuple[Path, RunResult] | None:
    """The newest pre-upgrade run folder under `out_dir` covering `names` with `targets`, when it is younger than
    `max_age_h`; None otherwise (a folder that cannot be read is passed over)."""
    for folder, result in runs_newest_first(out_dir, PREUPGRADE):
        if other_target(result, targets) or uncovered(result, names):
            continue
        age = age_hours(result, now)
        if age > max_age_h:
            log.info("newest covering pre-upgrade run %s is %.1f h old (limit %g h)", folder, age, max_age_h)
            return None
        return folder, result
    return None


def choose_gate(request: RunRequest, names: list[str], targets: Mapping[str, str], options: UpgradeOptions) -> Gate:
    """The pre-upgrade run to start from: `--from-run`, the newest fitting one, else a fresh pre-upgrade now."""
    now = datetime.now(timezone.utc)
    max_age = request.settings.max_preupgrade_age_h
    if options.from_run is not None:
        result = read_run(options.from_run)
        check_from_run(options.from_run, result, names, targets, now, max_age)
        return Gate(result, options.from_run, f"pre-upgrade run {options.from_run} (--from-run)")
    found = find_preupgrade(request.settings.output, names, targets, now, max_age)
    if found is not None:
        folder, result = found
        return Gate(result, folder, f"pre-upgrade run {folder} ({age_hours(result, now):.1f} h old)")
    from workflows.preupgrade import run_preupgrade

    log.warning("no pre-upgrade run younger than %g h covers the selection: running one now", max_age)
    outcome = run_preupgrade(request)
    return Gate(outcome.result, outcome.run_dir, f"fresh pre-upgrade run {outcome.run_dir}")


def plan_device(
    pre: HostRecord, force: bool, execute: bool = False, image_server: ImageServer | None = None
) -> DeviceUpgrade:
    """What the upgrade does with one device (wave not yet set): its steps, or SKIPPED with the first reason.

    With `execute` the device is PLANNED and its steps PENDING (the walk fills them in); else a DRY-RUN.
    `image_server`: its customer's, named in the steps that fetch an image (placeholders without one)."""
    driver = get_platform(pre.platform).upgrade
    if isinstance(driver, Unsupported):
        return DeviceUpgrade(UpgradeStatus.SKIPPED, reason=driver.reason)
    decision = decide_device(pre)
    forced = ""
    if decision.decision is Decision.NO_GO:
        if not force or pre.plan is None:
            return DeviceUpgrade(UpgradeStatus.SKIPPED, reason=f"NO-GO: {decision.reason}")
        forced = FORCED_PAST.format(reason=f"NO-GO: {decision.reason}")
    elif force:
        forced = FORCED
    plan = pre.plan
    if plan is None:
        return DeviceUpgrade(UpgradeStatus.SKIPPED, reason="no upgrade plan in the pre-upgrade run")
    if not plan.hops:
        return DeviceUpgrade(UpgradeStatus.SKIPPED, reason=f"already on {plan.target}")
    serving = pre.facts is not None and str(pre.facts.ha_state).lower() in SERVING_STATES
    model = pre.facts.model if pre.facts is not None else plan.model
    steps = upgrade_steps(plan, driver, serving=serving, sources=image_sources(image_server, driver, model))
    if execute:
        steps = tuple(replace(s, result=StepResult.PENDING) for s in steps)
    if force:
        skipped = "not re-checked: --force"
        steps = tuple(
            replace(s, result=StepResult.SKIPPED, message=skipped) if s.kind is StepKind.RECHECK else s for s in steps
        )
    status = UpgradeStatus.PLANNED if execute else UpgradeStatus.DRY_RUN
    return DeviceUpgrade(status, steps=steps, forced=forced)


def upgrade_findings(upgrade: DeviceUpgrade) -> list[Finding]:
    """One finding per hop (a JUnit testcase per device x hop), a WARN naming what --force skipped, or one
    SKIPPED finding with the reason."""
    if upgrade.status is UpgradeStatus.SKIPPED:
        return [Finding(COMMAND, Severity.INFO, Verdict.SKIPPED, upgrade.reason)]
    findings = [Finding("force", Severity.WARNING, Verdict.WARN, upgrade.forced)] if upgrade.forced else []
    for hop in upgrade.hops:
        steps = [s for s in upgrade.steps if s.hop == hop]
        name = f"hop {hop}: {steps[0].from_version} {ARROW} {steps[0].to_version}"
        kinds = ", ".join(dict.fromkeys(s.kind.value for s in steps))
        message = f"dry run, wave {upgrade.wave}: {len(steps)} steps ({kinds})"
        findings.append(Finding(name, Severity.INFO, Verdict.PASS, message))
    return findings


def plan_upgrade(
    hosts: Iterable[Host],
    gate: RunResult,
    options: UpgradeOptions,
    image_servers: Callable[[str], ImageServer | None] = lambda customer: None,
) -> dict[str, HostRecord]:
    """{host: its upgrade record}: facts and plan from the pre-upgrade, its steps, and its wave in its site.

    `image_servers`: a customer's image server (`Settings.image_server_for`)."""
    by_name = {host.name: host for host in gate.hosts}
    planned: dict[str, tuple[HostRecord, DeviceUpgrade]] = {}
    for host in hosts:
        pre = by_name[host.name]
        server = image_servers(pre.customer)
        planned[host.name] = (pre, plan_device(pre, options.force, options.execute, server))
    walking = [
        WaveDevice(name, pre.customer, pre.site, pre.facts.ha_state if pre.facts else None)
        for name, (pre, upgrade) in planned.items()
        if upgrade.status in (UpgradeStatus.DRY_RUN, UpgradeStatus.PLANNED)
    ]
    waves = upgrade_waves(walking, options.max_per_site)
    records: dict[str, HostRecord] = {}
    for host in hosts:
        pre, upgrade = planned[host.name]
        upgrade = replace(upgrade, wave=waves.get(host.name))
        records[host.name] = record_for(
            host, facts=pre.facts, plan=pre.plan, upgrade=upgrade, findings=upgrade_findings(upgrade)
        )
    return records


def check_options(options: UpgradeOptions) -> None:
    """UsageError for a bad `--max-per-site`, or `--resume` with flags the resumed run takes from its folder."""
    if options.resume is not None and (options.from_run is not None or options.force):
        raise UsageError("--resume: continues the run as it was planned; --from-run and --force do not apply")
    if options.resume is not None and not options.resume.is_dir():
        raise UsageError(f"--resume {options.resume}: not a run folder")
    if options.max_per_site < 1:
        raise UsageError(f"--max-per-site: must be at least 1, got {options.max_per_site}")


def force_warnings(records: Mapping[str, HostRecord]) -> list[str]:
    """What `--force` skipped: the devices the gate would have skipped (each with its reason), and the
    known-issue re-check of every forced device."""
    upgrades = {name: r.upgrade for name, r in sorted(records.items()) if r.upgrade and r.upgrade.forced}
    if not upgrades:
        return []
    past = [f"{name} ({u.forced})" for name, u in upgrades.items() if u.forced != FORCED]
    lines = (
        [f"--force: the gate would have skipped {len(past)} devices, shown anyway: {'; '.join(past)}"] if past else []
    )
    lines.append(f"{FORCED} for {len(upgrades)} devices: {', '.join(upgrades)}")
    return lines


def dry_run_host(task: Task, records: Mapping[str, HostRecord]) -> Result:
    """The dry run of one host: its planned record, unchanged. No connection is opened."""
    return Result(host=task.host, result=records[task.host.name])


def run_upgrade(request: RunRequest, options: UpgradeOptions) -> tuple[RunOutcome, str]:
    """An upgrade over the selected devices: gate, steps, waves, run folder; the devices are changed only with
    `--execute` (or `--resume`). The outcome, and how the gate was chosen (one line)."""
    check_options(options)
    # An executed upgrade waits for jobs and reboots under bounds of its own (upgrade.job_timeout_s, ...).
    request = replace(request, settings=replace(request.settings, host_timeout_s=0.0))
    if options.resume is not None:
        return resume_upgrade(request, options.resume)
    inputs = prepare(request)
    if not inputs.targets:
        raise UsageError("--target: give the release to upgrade to (a bare version or PLATFORM=VERSION)")
    untargeted = sorted(set(inputs.matrices) - set(inputs.targets))
    if untargeted:
        log.warning("devices left out, no target release for their platform: %s", ", ".join(untargeted))
        nornir = inputs.nornir.filter(filter_func=lambda host: host.platform in inputs.targets)
        inputs = replace(inputs, nornir=nornir, matrices={p: inputs.matrices[p] for p in inputs.targets})
    hosts = list(inputs.nornir.inventory.hosts.values())
    gate = choose_gate(request, [h.name for h in hosts], inputs.targets, options)
    records = plan_upgrade(hosts, gate.result, options, request.settings.image_server_for)
    notes = [(logging.WARNING, line) for line in force_warnings(records)]
    if options.execute:
        notes.insert(0, (logging.INFO, f"gate: {gate.how}"))
        return execute_upgrade(request, inputs, gate.how, records, notes), gate.how
    notes.insert(0, (logging.INFO, f"dry run: no device is contacted; gate: {gate.how}"))
    outcome = execute(
        COMMAND,
        request,
        inputs,
        dry_run_host,
        sheets=lambda result: [upgrade_sheet(result)],
        summary=upgrade_summary,
        notes=notes,
        single_process=True,  # no device is contacted: nothing to spread, every record already made here
        records=records,
    )
    return outcome, gate.how
