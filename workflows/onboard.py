"""`estate onboard`: a new customer's device list turned into an inventory estate trusts, and a baseline that
shows on day one what will block the first upgrade (docs/onboarding.md).

1. The list (CSV or XLSX) is read and checked first: every bad row is one line, and nothing is written while any
   row is bad (tasks.onboard.source).
2. Rows without a platform are detected with netmiko's SSHDetect and the customer's credentials; a device that
   cannot be reached, refuses the login or is not recognised is left out of the inventory with its reason (an
   inventory host needs a platform, and a re-run tries it again), and is an ERROR row in the report.
3. `inventory/<customer>/hosts.yaml` and `groups.yaml` are written through the loader's own schema, merged with
   what is there (workflows.onboard_inventory): new devices added, devices gone from the list reported and kept,
   hand edits and comments kept. `--dry-run` stops here and prints the files instead.
4. The baseline, each its own run folder: the first backup, compliance (facts, optics as the audit judges them,
   configuration rules, software), and with `--target` a pre-upgrade. The devices' model and serial go into
   hosts.yaml, so the next onboarding reports a swapped unit.
5. The onboarding run folder: the usual report.xlsx (with the Onboarding, Upgrade blockers and Changes sheets),
   results.json, junit.xml and run.log, each device's record combined from the baseline runs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console

from reports.excel import write_workbook
from reports.html import write_html
from reports.json_report import write_results_json
from reports.junit import write_junit
from reports.onboard import ChangeRow, ListEntry, blockers_sheet, changes_sheet, onboarding_sheet
from reports.runfolder import REPORT_HTML, REPORT_XLSX, make_run_dir, run_id
from tasks.errors import UsageError
from tasks.hostkeys import KNOWN_HOSTS, TOFU
from tasks.matrix import load_matrix
from tasks.models import Finding, HostRecord, RunInfo, RunResult
from tasks.names import NAME_RULE, is_name
from tasks.onboard.detect import Detection, detect_all
from tasks.onboard.source import SourceRow, read_source
from tasks.platforms import PLATFORMS
from workflows.history.record import record_run
from workflows.inventory import credentials_for
from workflows.logs import run_log
from workflows.onboard_inventory import InventoryPlan, Member, plan_inventory, record_facts, write_plan
from workflows.report_cli import print_run_folder
from workflows.run import EXIT_OK, RunOutcome, RunRequest, exit_code, parse_targets
from workflows.selection import Selection
from workflows.settings import Settings

log = logging.getLogger(__name__)

COMMAND = "onboard"
LEFT_OUT = "left out"


@dataclass(frozen=True)
class OnboardRequest:
    """What the engineer asked for: the customer, its list, an optional target release per platform."""

    settings: Settings
    customer: str
    source: Path
    sheet: str | None = None
    targets: tuple[str, ...] = ()
    dry_run: bool = False


@dataclass(frozen=True)
class Baseline:
    """The baseline's run folders, by command."""

    backup: RunOutcome | None = None
    compliance: RunOutcome | None = None
    preupgrade: RunOutcome | None = None

    def outcomes(self) -> list[RunOutcome]:
        return [o for o in (self.backup, self.compliance, self.preupgrade) if o is not None]


def check_request(request: OnboardRequest) -> dict[str, str]:
    """The customer's name and the targets, checked before the list is read; the targets as {platform: version}."""
    if not is_name(request.customer):
        raise UsageError(f"--customer {request.customer!r}: {NAME_RULE}")
    if request.customer == "all":
        raise UsageError("--customer: onboarding is for one customer, not 'all'")
    matrices = {p: load_matrix(p, request.settings.matrices) for p in sorted(PLATFORMS)}
    return parse_targets(request.targets, matrices)


def _entries(rows: Sequence[SourceRow], detected: Mapping[int, Detection], known: set[str]) -> list[ListEntry]:
    entries = []
    for row in rows:
        found = detected[row.row]
        platform = found.platform or ""
        how = ("list" if row.platform else "detected") if platform else ""
        status = LEFT_OUT if not platform else ("already there" if row.name in known else "added")
        entries.append(
            ListEntry(row.row, row.name, row.address, row.port, row.site, row.role, platform, how, status, found.reason)
        )
    return entries


def _known_hosts(inventory: Path, customer: str) -> set[str]:
    from tasks.yamlfile import read_yaml

    path = inventory / customer / "hosts.yaml"
    if not path.exists():
        return set()
    data = read_yaml(path).data
    return set(data) if isinstance(data, dict) else set()


def detect_platforms(request: OnboardRequest, rows: Sequence[SourceRow], console: Console) -> dict[int, Detection]:
    """{row number: detection}: SSHDetect on every row without a platform, with the customer's credentials; for
    the others only whether their SSH port answers."""
    username, password = credentials_for(request.customer, os.environ)
    settings = request.settings
    missing = sum(1 for row in rows if row.platform is None)
    console.print(f"onboard: {len(rows)} devices, detecting the platform of {missing} (netmiko SSHDetect)")
    found = detect_all(
        [(row.address, row.port, row.platform) for row in rows],
        username,
        password,
        connect_timeout=settings.connect_timeout,
        command_timeout=settings.command_timeout,
        workers=settings.workers,
        max_logins=settings.max_concurrent_logins,
        known_hosts=settings.inventory / request.customer / KNOWN_HOSTS,
    )
    return {row.row: detection for row, detection in zip(rows, found, strict=True)}


def print_plan(plan: InventoryPlan, entries: Sequence[ListEntry], console: Console) -> None:
    """What onboarding writes (the whole text of every file a dry run would write) and what it leaves out."""
    for path, text in plan.files.items():
        console.print(f"--- {path}", markup=False, highlight=False)
        console.print(text.rstrip("\n"), markup=False, highlight=False)
    _print_counts(plan, entries, console)


def _print_counts(plan: InventoryPlan, entries: Sequence[ListEntry], console: Console) -> None:
    console.print(
        f"onboard {plan.customer}: {len(plan.added)} added, {len(plan.kept)} already there, "
        f"{len(plan.missing)} in the inventory but not in the list (kept), {len(plan.changed)} differences, "
        f"{sum(1 for e in entries if e.inventory == LEFT_OUT)} left out",
        markup=False,
    )
    for entry in entries:
        if entry.inventory == LEFT_OUT:
            console.print(f"  left out: {entry.name} ({entry.address}:{entry.port}): {entry.reason}", markup=False)
    for name in plan.missing:
        console.print(f"  not in the list: {name} (kept in hosts.yaml)", markup=False)
    for change in plan.changed:
        console.print(
            f"  differs: {change.device} {change.field}: inventory {change.inventory!r}, list {change.source!r}",
            markup=False,
        )


def run_baseline(settings: Settings, customer: str, targets: Mapping[str, str], console: Console) -> Baseline:
    """The first backup, compliance and (with targets) a pre-upgrade of the customer's devices."""
    from workflows.backup import run_backup
    from workflows.compliance import run_compliance
    from workflows.preupgrade import run_preupgrade

    selection = Selection(customers=(customer,))
    settings = settings.override(host_keys=TOFU)  # onboarding trusts the new devices: their keys are recorded
    request = RunRequest(settings=settings, selection=selection, progress=True)
    backup = run_backup(request)
    console.print(f"onboard: first backup: {backup.run_dir}", markup=False, highlight=False)
    compliance, _ = run_compliance(request)
    console.print(f"onboard: compliance: {compliance.run_dir}", markup=False, highlight=False)
    preupgrade = None
    platforms = {h.platform for h in compliance.result.hosts}
    wanted = tuple(f"{p}={v}" for p, v in sorted(targets.items()) if p in platforms)
    if wanted:
        preupgrade = run_preupgrade(replace(request, targets=wanted))
        console.print(f"onboard: pre-upgrade: {preupgrade.run_dir}", markup=False, highlight=False)
    return Baseline(backup, compliance, preupgrade)


def _worse(a: Finding, b: Finding) -> Finding:
    return b if b.verdict.rank > a.verdict.rank else a


def combine(baseline: Baseline) -> list[HostRecord]:
    """Each device's record from the baseline runs: compliance's facts, findings and rule results; the
    pre-upgrade's optics (judged against the target), plan and findings (the worse of two findings of one
    check); the backup; the first error any run met."""
    records: dict[str, HostRecord] = {}
    for outcome in baseline.outcomes():
        for host in outcome.result.hosts:
            record = records.get(host.name)
            if record is None:
                records[host.name] = replace(host, findings=list(host.findings))
                continue
            findings = {f.check: f for f in record.findings}
            for finding in host.findings:
                findings[finding.check] = (
                    _worse(findings[finding.check], finding) if finding.check in findings else finding
                )
            record.findings = list(findings.values())
            record.facts = record.facts or host.facts
            if host.plan is not None and host.optics:  # the pre-upgrade judged them against the target
                record.optics = host.optics
            record.optics = record.optics or host.optics
            record.plan = record.plan or host.plan
            record.snapshot = record.snapshot or host.snapshot
            record.backup = record.backup or host.backup
            record.compliance = record.compliance if record.compliance is not None else host.compliance
            if record.status != "error" and host.status == "error":
                record.status, record.error_stage, record.error = "error", host.error_stage, host.error
    return list(records.values())


def _left_out(customer: str, entries: Sequence[ListEntry]) -> list[HostRecord]:
    return [
        HostRecord(
            e.name,
            customer,
            e.site,
            e.platform or "unknown",
            role=e.role,
            status="error",
            error_stage="detect",
            error=e.reason,
        )
        for e in entries
        if e.inventory == LEFT_OUT
    ]


def _changes(plan: InventoryPlan, facts: Sequence[ChangeRow]) -> list[ChangeRow]:
    rows = [
        ChangeRow(c.device, "the list differs from hosts.yaml", c.field, c.inventory, c.source) for c in plan.changed
    ]
    rows += [ChangeRow(name, "in hosts.yaml, not in the list (kept)", "", "", "") for name in plan.missing]
    return rows + list(facts)


def _target_text(targets: Mapping[str, str]) -> str | None:
    return ",".join(f"{p}={v}" for p, v in sorted(targets.items())) or None


def write_onboarding(
    request: OnboardRequest,
    targets: Mapping[str, str],
    entries: Sequence[ListEntry],
    plan: InventoryPlan,
    baseline: Baseline,
    fact_changes: Sequence[ChangeRow],
    started: datetime,
) -> RunOutcome:
    """The onboarding run folder: report.xlsx (standard sheets, then Onboarding, Upgrade blockers, Changes),
    results.json, junit.xml and run.log; recorded in the run history like every run."""
    settings = request.settings
    run_dir = make_run_dir(settings.output, run_id(started, COMMAND, [request.customer]))
    with run_log(run_dir / "run.log", run_dir.name):
        log.info("onboard %s from %s: %d rows", request.customer, request.source, len(entries))
        for outcome in baseline.outcomes():
            log.info("baseline %s: %s (exit %d)", outcome.result.run.command, outcome.run_dir, outcome.exit_code)
        for entry in entries:
            if entry.inventory == LEFT_OUT:
                log.warning("left out %s (%s:%d): %s", entry.name, entry.address, entry.port, entry.reason)
        info = RunInfo(
            id=run_dir.name,
            command=COMMAND,
            customers=[request.customer],
            target=_target_text(targets),
            started=started.isoformat(timespec="seconds"),
            finished=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        )
        hosts = sorted([*combine(baseline), *_left_out(request.customer, entries)], key=lambda h: (h.site, h.name))
        result = RunResult(run=info, hosts=hosts)
        by_name = {h.name: h for h in hosts}
        if baseline.preupgrade is not None:
            blockers = blockers_sheet(RunResult(info, baseline.preupgrade.result.hosts), info.target)
        else:
            why = "no device of the customer runs a platform given a --target" if targets else ""
            blockers = blockers_sheet(result, None, why)
        sheets = [
            onboarding_sheet(entries, by_name),
            blockers,
            changes_sheet(_changes(plan, fact_changes)),
        ]
        write_results_json(result, run_dir / "results.json")
        write_junit(result, run_dir / "junit.xml")
        write_workbook(result, run_dir / REPORT_XLSX, sheets)
        write_html(result, run_dir / REPORT_HTML, sheets)
        record_run(settings, result, run_dir)
        log.info("finished: %s", result.counts())
    return RunOutcome(result=result, run_dir=run_dir, exit_code=exit_code(result))


def _fact_changes(settings: Settings, customer: str, compliance: RunOutcome | None) -> list[ChangeRow]:
    if compliance is None:
        return []
    facts = {
        h.name: {"model": h.facts.model, "serial": h.facts.serial}
        for h in compliance.result.hosts
        if h.facts is not None
    }
    changes = record_facts(settings.inventory, customer, facts)
    return [
        ChangeRow(c.device, "a fact changed since it was recorded", c.field, c.inventory, c.source) for c in changes
    ]


def run_onboard(request: OnboardRequest, console: Console) -> int:
    """Onboard one customer; §5's exit code (3 for a bad list or flag, with nothing written)."""
    started = datetime.now(timezone.utc)
    targets = check_request(request)
    rows = read_source(request.source, request.sheet)
    credentials_for(request.customer, os.environ)  # missing credentials are reported before any connection
    detected = detect_platforms(request, rows, console)
    known = _known_hosts(request.settings.inventory, request.customer)
    entries = _entries(rows, detected, known)
    members = [
        Member(e.name, e.address, e.port, e.site, e.role, e.platform) for e in entries if e.inventory != LEFT_OUT
    ]
    if members or known:
        plan = plan_inventory(request.settings.inventory, request.customer, members, request.source.name)
    else:  # no device of a new customer could be onboarded: no inventory to write, the reasons to report
        plan = InventoryPlan(request.customer, (), (), (), (), {})
        console.print(f"onboard {request.customer}: no device could be onboarded; nothing written to the inventory")
    if request.dry_run:
        print_plan(plan, entries, console)
        console.print("dry run: nothing written")
        return EXIT_OK
    if plan.files:
        write_plan(request.settings.inventory, plan)
        console.print(f"onboard: inventory written under {request.settings.inventory / request.customer}", markup=False)
    _print_counts(plan, entries, console)
    baseline = Baseline()
    if plan.added or plan.kept or plan.missing:
        baseline = run_baseline(request.settings, request.customer, targets, console)
    fact_changes = _fact_changes(request.settings, request.customer, baseline.compliance)
    outcome = write_onboarding(request, targets, entries, plan, baseline, fact_changes, started)
    counts = outcome.result.counts()
    console.print(
        f"[bold]onboard[/bold] {request.customer}: {len(outcome.result.hosts)} devices, "
        + ", ".join(f"{v} {n}" for v, n in counts.items() if n)
    )
    console.print("per device: the Onboarding, Upgrade blockers and Changes sheets of report.xlsx")
    print_run_folder(outcome.run_dir, console)
    return outcome.exit_code
