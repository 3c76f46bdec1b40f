"""An upgrade run's own sheet (Upgrade: device x hop x step) and its Summary (per site: to upgrade, skipped)."""

from __future__ import annotations

from reports.sheets import CellValue, SheetSpec, host_order
from reports.summary import SITES_HEADERS, SummaryData, run_rows, site_rows, total_row
from tasks.models import RunResult
from tasks.models.upgrade import StepResult, UpgradeStatus

UPGRADE_TITLE = "Upgrade"
UPGRADE_HEADERS = (
    "Device", "Customer", "Site", "Wave", "Hop", "Step", "Command", "Started", "Finished", "Result", "Message",
)  # fmt: skip
TO_UPGRADE, SKIPPED = "To upgrade", "Skipped"
SKIPPED_TITLE = "Skipped devices"
NONE_SKIPPED = "No device is skipped."


def upgrade_sheet(result: RunResult) -> SheetSpec:
    """One row per step of each hop of each device, in wave order within a site; a skipped device is one row
    with its reason. In a dry run Started and Finished stay empty and Result is DRY-RUN."""
    rows: list[tuple[CellValue, ...]] = []
    hosts = host_order(result.hosts)
    order = sorted(hosts, key=lambda h: (h.customer, h.site, h.upgrade.wave or 0 if h.upgrade else 0))
    for host in order:
        upgrade = host.upgrade
        if upgrade is None:  # could not be planned (e.g. an error reading the pre-upgrade)
            continue
        if not upgrade.steps:
            message = upgrade.reason or "nothing to do"
            rows.append((host.name, host.customer, host.site, upgrade.wave, None, None, None, None, None,
                         upgrade.status.value, message))  # fmt: skip
            continue
        for step in upgrade.steps:
            hop = f"{step.hop}: {step.from_version} → {step.to_version}"
            message = step.message if step.result is StepResult.SKIPPED else step.expect
            rows.append((host.name, host.customer, host.site, upgrade.wave, hop, step.kind.value, step.command,
                         step.started, step.finished, step.result.value, message))  # fmt: skip
    return SheetSpec(UPGRADE_TITLE, UPGRADE_HEADERS, rows, wrap_columns=(10,))


def upgrade_summary(result: RunResult) -> SummaryData:
    """The Summary of an upgrade run: the verdict counts per site, then to upgrade and skipped (NO-GO or not
    supported), and under the table every skipped device with its reason."""
    counts: dict[tuple[str, str], list[int]] = {}
    skipped: list[tuple[CellValue, ...]] = []
    for host in host_order(result.hosts):
        site = counts.setdefault((host.customer, host.site), [0, 0])
        if host.upgrade is not None and host.upgrade.status is UpgradeStatus.DRY_RUN:
            site[0] += 1
            continue
        site[1] += 1
        facts = host.facts
        reason = host.upgrade.reason if host.upgrade else f"{host.error_stage}: {host.error}"
        skipped.append((host.name, host.customer, host.site, facts.model if facts else None,
                        facts.version if facts else None, reason))  # fmt: skip
    sites = [(*row, *counts[(str(row[0]), str(row[1]))]) for row in site_rows(result.hosts)]
    total = (*total_row(site_rows(result.hosts)), *(sum(int(r[i] or 0) for r in sites) for i in (-2, -1)))
    return SummaryData(
        sites=sites,
        total=total,
        blockers=skipped,
        unchecked=0,
        run=run_rows(result),
        headers=(*SITES_HEADERS, TO_UPGRADE, SKIPPED),
        blockers_title=SKIPPED_TITLE,
        empty_text=NONE_SKIPPED,
    )
