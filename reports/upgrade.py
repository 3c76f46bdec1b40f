"""An upgrade run's own sheet (Upgrade: device x hop x step) and its Summary (per site: what came of the devices)."""

from __future__ import annotations

from reports.sheets import CellValue, SheetSpec, host_order
from reports.summary import SITES_HEADERS, SummaryData, run_rows, site_rows, total_row
from tasks.models import HostRecord, RunResult
from tasks.models.upgrade import StepResult, UpgradeStatus

UPGRADE_TITLE = "Upgrade"
UPGRADE_HEADERS = (
    "Device", "Customer", "Site", "Wave", "Hop", "Step", "Command", "Started", "Finished", "Result", "Message",
)  # fmt: skip
TO_UPGRADE, SKIPPED = "To upgrade", "Skipped"
SKIPPED_TITLE = "Skipped devices"
NONE_SKIPPED = "No device is skipped."
# An executed run (--execute, --resume): what came of each device instead of what would be done.
UPGRADED, FAILED, NOT_REACHED = "Upgraded", "Failed", "Not reached"
EXECUTED_HEADERS = (UPGRADED, SKIPPED, FAILED, NOT_REACHED)
FAILED_SKIPPED_TITLE = "Failed and skipped devices"
NONE_FAILED_SKIPPED = "No device failed or is skipped."
_EXECUTED = (UpgradeStatus.PLANNED, UpgradeStatus.UPGRADED, UpgradeStatus.FAILED, UpgradeStatus.NOT_REACHED)
_TAKEN = (StepResult.OK, StepResult.FAILED, StepResult.SKIPPED)  # steps whose own message says what came of them


def executed(result: RunResult) -> bool:
    """Whether the run walked devices (`--execute`, `--resume`) rather than showing a dry run: some device has
    an executed run's status. A run whose devices were all skipped reads as a dry run (nothing differs)."""
    return any(h.upgrade is not None and h.upgrade.status in _EXECUTED for h in result.hosts)


def upgrade_sheet(result: RunResult) -> SheetSpec:
    """One row per step of each hop of each device, in wave order within a site; a skipped device is one row
    with its reason. In a dry run Started and Finished stay empty and Result is DRY-RUN; in an executed run
    they say when each step ran and what came of it. Message: the step's own message when it was taken or
    skipped, else what ends it (`expect`)."""
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
            message = step.message if step.result in _TAKEN and step.message else step.expect
            rows.append((host.name, host.customer, host.site, upgrade.wave, hop, step.kind.value, step.command,
                         step.started, step.finished, step.result.value, message))  # fmt: skip
    return SheetSpec(UPGRADE_TITLE, UPGRADE_HEADERS, rows, wrap_columns=(10,))


def _device_row(host: HostRecord, reason: str) -> tuple[CellValue, ...]:
    facts = host.facts
    return host.name, host.customer, host.site, facts.model if facts else None, facts.version if facts else None, reason


def _skip_reason(host: HostRecord) -> str:
    return host.upgrade.reason if host.upgrade else f"{host.error_stage}: {host.error}"


def _summary(result: RunResult, headers: tuple[str, ...], column_of: dict[str, int]) -> list[tuple[CellValue, ...]]:
    """The site rows with one count column per header, each host counted in the column `column_of` names."""
    counts: dict[tuple[str, str], list[int]] = {}
    for host in host_order(result.hosts):
        counts.setdefault((host.customer, host.site), [0] * len(headers))[column_of[host.name]] += 1
    return [(*row, *counts[(str(row[0]), str(row[1]))]) for row in site_rows(result.hosts)]


def _executed_column(host: HostRecord) -> int:
    """The executed Summary's column of `host`: upgraded, skipped, failed or not reached (0 to 3)."""
    upgrade = host.upgrade
    if upgrade is None:  # no record of a walk: failed when the device's task failed, else never planned
        return 2 if host.error else 1
    status = upgrade.status
    if status is UpgradeStatus.UPGRADED:
        return 0
    if status is UpgradeStatus.FAILED:
        return 2
    if status in (UpgradeStatus.NOT_REACHED, UpgradeStatus.PLANNED):  # PLANNED: the run ended before it
        return 3
    return 1


def upgrade_summary(result: RunResult) -> SummaryData:
    """The Summary of an upgrade run: the verdict counts per site, then for a dry run To upgrade and Skipped
    (NO-GO, not supported, already on the target) with every skipped device and its reason under the table; for
    an executed run Upgraded, Skipped, Failed and Not reached, with every failed device (the hop, step and
    reason) and then every skipped one under the table."""
    hosts = host_order(result.hosts)
    if executed(result):
        headers: tuple[str, ...] = EXECUTED_HEADERS
        column_of = {host.name: _executed_column(host) for host in hosts}
        failed = [_device_row(h, f"FAILED: {_failed_reason(h)}") for h in hosts if column_of[h.name] == 2]
        skipped = [_device_row(h, f"SKIPPED: {_skip_reason(h)}") for h in hosts if column_of[h.name] == 1]
        listed, title, empty = [*failed, *skipped], FAILED_SKIPPED_TITLE, NONE_FAILED_SKIPPED
    else:
        headers = (TO_UPGRADE, SKIPPED)
        column_of = {h.name: 0 if h.upgrade and h.upgrade.status is UpgradeStatus.DRY_RUN else 1 for h in hosts}
        listed = [_device_row(h, _skip_reason(h)) for h in hosts if column_of[h.name] == 1]
        title, empty = SKIPPED_TITLE, NONE_SKIPPED
    sites = _summary(result, headers, column_of)
    extra = range(len(SITES_HEADERS), len(SITES_HEADERS) + len(headers))
    total = (*total_row(site_rows(result.hosts)), *(sum(int(r[i] or 0) for r in sites) for i in extra))
    return SummaryData(
        sites=sites,
        total=total,
        blockers=listed,
        unchecked=0,
        run=run_rows(result),
        headers=(*SITES_HEADERS, *headers),
        blockers_title=title,
        empty_text=empty,
    )


def _failed_reason(host: HostRecord) -> str:
    """Where and why the device failed: the hop, step and message (the walk's reason), or the task's error."""
    if host.upgrade is not None and host.upgrade.reason:
        return host.upgrade.reason
    return f"{host.error_stage}: {host.error}" if host.error else "failed"
