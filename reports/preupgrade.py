"""A pre-upgrade's own sheets: Readiness (device x check) and Upgrade path (from each host's typed plan)."""

from __future__ import annotations

from collections.abc import Sequence

from reports.sheets import CellValue, SheetSpec, capped_widths
from tasks.models import RunResult, Verdict
from tasks.models.plan import ARROW

READINESS_TITLE = "Readiness"
PATH_TITLE = "Upgrade path"
READINESS_FIRST = ("Device", "Customer", "Site", "Platform")  # then one column per check
PATH_HEADERS = (
    "Device", "Customer", "Site", "Model", "Current", "Target", "Hops", "Images to download", "Download MB",
    "Reboots", "Est. minutes", "Verdict", "Reason",
)  # fmt: skip


def checks_of(result: RunResult, available: Sequence[str]) -> tuple[str, ...]:
    """The readiness checks `result` ran, in the order of `available`: those some host has a finding of.

    What a merged run shows as Readiness columns (its shards do not record the `--checks` they were given).

    >>> from tasks.models import Finding, HostRecord, RunInfo, Severity
    >>> host = HostRecord("fw1", "a", "s", "os", findings=[Finding("ntp", Severity.INFO, Verdict.PASS, "ok")])
    >>> checks_of(RunResult(RunInfo("r", "pre-upgrade", [], None, ""), [host]), ["disk", "ntp"])
    ('ntp',)
    """
    found = {f.check for host in result.hosts for f in host.findings}
    return tuple(check for check in available if check in found)


def readiness_sheet(result: RunResult, checks: Sequence[str]) -> SheetSpec:
    """Device x check, each cell the check's verdict with its reason as the cell's comment (and on Findings)."""
    headers = (*READINESS_FIRST, *checks)
    first = len(READINESS_FIRST)
    rows = []
    notes: dict[tuple[int, int], str] = {}
    for row, host in enumerate(result.hosts):
        by_check = {f.check: f for f in host.findings}
        cells = []
        for column, check in enumerate(checks, start=first):
            finding = by_check.get(check)
            if finding is None:
                cells.append(Verdict.ERROR.value if host.status == "error" else "")
                continue
            cells.append(finding.verdict.value)
            notes[(row, column)] = finding.message
        rows.append((host.name, host.customer, host.site, host.platform, *cells))
    columns = tuple(range(first, first + len(checks)))
    return SheetSpec(READINESS_TITLE, headers, rows, verdict_columns=columns, notes=notes)


def path_sheet(result: RunResult) -> SheetSpec:
    """One row per device: its path, what it downloads, reboots and the estimated duration."""
    rows: list[tuple[CellValue, ...]] = []
    for host in result.hosts:
        plan = host.plan
        facts = host.facts
        model, current = (facts.model, facts.version) if facts else (None, None)
        unchecked = f"{host.error_stage}: {host.error}" if host.status == "error" else None
        if plan is None:
            target = result.run.target_for(host.platform)
            rows.append((host.name, host.customer, host.site, model, current, target, *(None,) * 5,
                         Verdict.ERROR.value, unchecked))  # fmt: skip
            continue
        rows.append(
            (
                host.name,
                host.customer,
                host.site,
                model,
                current,
                plan.path[-1],
                f" {ARROW} ".join(plan.path[1:]),
                ", ".join(d.version for d in plan.downloads) or None,
                plan.download_mb,
                plan.reboots,
                plan.minutes,
                plan.verdict.value,
                plan.reason or unchecked,
            )
        )
    widths = capped_widths(PATH_HEADERS, rows, {6: 36, 7: 36, 12: 48})  # paths and images wrap: prints readably
    return SheetSpec(PATH_TITLE, PATH_HEADERS, rows, verdict_columns=(11,), wrap_columns=(6, 7, 12), widths=widths)
