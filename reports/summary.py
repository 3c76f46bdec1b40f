"""The Summary sheet's content as data: verdicts per customer and site, upgrade blockers, and the run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reports.actions import blocker_action
from reports.sheets import CellValue, host_order, target_for
from tasks.checks.decision import RunDecision, decide_run
from tasks.matrix import Matrix
from tasks.models import Finding, HostRecord, RunResult, Severity, Verdict
from tasks.platforms import get_platform

# SKIPPED (nothing applied to the device) is its own column, last, so the columns before it keep their places.
SITES_HEADERS = ("Customer", "Site", "Devices", "PASS", "WARN", "FAIL", "ERROR", "SKIPPED")
DECISION_HEADER = "Decision"  # a pre-upgrade run's GO / NO-GO per site
BLOCKERS_HEADERS = ("Device", "Customer", "Site", "Model", "Version", "Reason")
BLOCKERS_TITLE = "Upgrade blockers"
NO_GO_TITLE = "NO-GO devices"
NO_BLOCKERS = "No device blocks the upgrade."
RUN_TITLE = "Run"
TOTAL_LABEL = "Total"
SUMMARY_VERDICTS = (Verdict.PASS, Verdict.WARN, Verdict.FAIL, Verdict.ERROR, Verdict.SKIPPED)


@dataclass(frozen=True)
class SummaryData:
    """Everything the Summary sheet shows, top to bottom."""

    sites: list[tuple[CellValue, ...]]
    total: tuple[CellValue, ...]
    blockers: list[tuple[CellValue, ...]]
    unchecked: int
    run: list[tuple[str, CellValue]]
    headers: tuple[str, ...] = SITES_HEADERS
    blockers_title: str = BLOCKERS_TITLE
    empty_text: str = NO_BLOCKERS  # the line under the blockers' header when there are none


def summary_data(
    result: RunResult, go_no_go: bool = False, matrices: Mapping[str, Matrix] | None = None
) -> SummaryData:
    """Build the Summary content of `result`.

    With `go_no_go` (a pre-upgrade run) each site and the total get the GO / NO-GO of
    `tasks.checks.decision`, and the block under the table lists every NO-GO device with its first reason;
    otherwise it lists the devices with an upgrade blocker. A reason is action first (`reports.actions`:
    the optics to replace, and the known issue's title from `matrices` when given).
    """
    sites = site_rows(result.hosts)
    total = total_row(sites)
    if not go_no_go:
        return SummaryData(
            sites=sites,
            total=total,
            blockers=blocker_rows(result.hosts, matrices),
            unchecked=sum(1 for h in result.hosts if h.status == "error"),
            run=run_rows(result),
        )
    decided = decide_run(host_order(result.hosts))
    by_site = {(site.customer, site.site): site.decision.value for site in decided.sites}
    return SummaryData(
        sites=[(*row, by_site[(str(row[0]), str(row[1]))]) for row in sites],
        total=(*total, decided.decision.value),
        blockers=no_go_rows(result.hosts, decided, matrices),
        unchecked=0,  # unchecked devices are NO-GO rows themselves
        run=run_rows(result),
        headers=(*SITES_HEADERS, DECISION_HEADER),
        blockers_title=NO_GO_TITLE,
    )


def no_go_rows(
    hosts: Sequence[HostRecord], decided: RunDecision, matrices: Mapping[str, Matrix] | None = None
) -> list[tuple[CellValue, ...]]:
    """Every NO-GO device with its model, version and first reason (action first), in the order of `decided`."""
    by_name = {host.name: host for host in hosts}
    rows: list[tuple[CellValue, ...]] = []
    for device in decided.no_go:
        host = by_name[device.name]
        facts = host.facts
        model, version = (facts.model, facts.version) if facts else (None, None)
        check = device.reason.split(": ", 1)[0]
        reason = blocker_action(host, check, device.reason, matrices)
        rows.append((device.name, device.customer, device.site, model, version, reason))
    return rows


def site_rows(hosts: Sequence[HostRecord]) -> list[tuple[CellValue, ...]]:
    """One row per customer and site: devices, then devices per verdict (each device in its own verdict's column,
    as the Run block counts them)."""
    groups: dict[tuple[str, str], list[HostRecord]] = {}
    for host in host_order(hosts):
        groups.setdefault((host.customer, host.site), []).append(host)
    rows: list[tuple[CellValue, ...]] = []
    for (customer, site), members in groups.items():
        verdicts = [h.verdict for h in members]
        rows.append((customer, site, len(members), *(verdicts.count(v) for v in SUMMARY_VERDICTS)))
    return rows


def total_row(sites: Sequence[tuple[CellValue, ...]]) -> tuple[CellValue, ...]:
    """The grand total under the site rows."""
    sums = [sum(int(row[i] or 0) for row in sites) for i in range(2, len(SITES_HEADERS))]
    return (TOTAL_LABEL, "", *sums)


def first_blocker(host: HostRecord) -> Finding | None:
    """The host's first FAIL finding of severity blocker, if any."""
    return next((f for f in host.findings if f.verdict is Verdict.FAIL and f.severity is Severity.BLOCKER), None)


def blocker_rows(
    hosts: Sequence[HostRecord], matrices: Mapping[str, Matrix] | None = None
) -> list[tuple[CellValue, ...]]:
    """Every device that blocks the upgrade, with its first blocker (action first: `reports.actions`)."""
    rows: list[tuple[CellValue, ...]] = []
    for host in host_order(hosts):
        finding = first_blocker(host)
        if finding is not None:
            facts = host.facts
            model = facts.model if facts else None
            version = facts.version if facts else None
            reason = blocker_action(host, finding.check, finding.message, matrices)
            rows.append((host.name, host.customer, host.site, model, version, reason))
    return rows


def run_targets(result: RunResult) -> list[str]:
    """The target release of each platform of the run's devices, named by its OS (`PAN-OS 10.2.4-h4`); the run's
    own target text when it has no device."""
    if not result.hosts:
        return [result.run.target] if result.run.target else []
    targets = {(host.platform, target_for(result.run, host)) for host in result.hosts}
    return sorted(f"{os_name(platform)} {target}" for platform, target in targets if target)


def os_name(platform: str) -> str:
    """The OS as engineers write it (`PAN-OS`), or the device_type of a platform this process does not know."""
    try:
        return get_platform(platform).os_name
    except ValueError:
        return platform


def run_rows(result: RunResult) -> list[tuple[str, CellValue]]:
    """The key/value lines that say what was run, when, and what came out."""
    run = result.run
    counts = result.counts()
    rows: list[tuple[str, CellValue]] = [
        ("Run id", run.id),
        ("Command", run.command),
        ("Target", ", ".join(run_targets(result)) or "none"),
        ("Customers", ", ".join(run.customers) or "all"),
        ("Started", run.started),
        ("Finished", run.finished),
        ("Devices selected", len(result.hosts)),
        ("Devices checked", sum(1 for h in result.hosts if h.status != "error")),
    ]
    rows += [(verdict.value, counts[verdict.value]) for verdict in Verdict]
    if run.shard:
        rows.append(("Shard", run.shard))
    if run.estate_version:
        rows.append(("estate version", run.estate_version))
    return rows
