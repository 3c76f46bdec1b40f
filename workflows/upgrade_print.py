"""What `estate upgrade` prints: one screen for a dry run (each device's wave and path, or why it is skipped) and
one for an executed run (counts per outcome, then every device that did not reach its target)."""

from __future__ import annotations

from rich.console import Console

from reports.sheets import host_order
from tasks.models import HostRecord
from tasks.models.upgrade import UpgradeStatus
from workflows.report_cli import print_run_folder
from workflows.run import RunOutcome


def short(text: str, width: int = 110) -> str:
    """One screen line: the full text is in the workbook.

    >>> short("x" * 200, 10)
    'xxxxxxxxx…'
    """
    return text if len(text) <= width else text[: width - 1] + "…"


def print_upgrade(outcome: RunOutcome, gate: str, console: Console, limit: int = 40) -> None:
    """One screen: the gate, counts, one line per device (its wave and path, or why it is skipped); the steps
    and their commands are in the workbook's Upgrade sheet."""
    result = outcome.result
    walking = [h for h in host_order(result.hosts) if h.upgrade and h.upgrade.steps]
    skipped = [h for h in host_order(result.hosts) if not (h.upgrade and h.upgrade.steps)]
    target = f" to {result.run.target}" if result.run.target else ""
    if any(h.upgrade.status is not UpgradeStatus.DRY_RUN for h in walking if h.upgrade):
        print_executed(outcome, gate, console, limit)
        return
    console.print(f"[bold]upgrade[/bold] (dry run, nothing changed){target}: {len(result.hosts)} devices")
    console.print(f"gate: {gate}", markup=False)
    console.print(f"[green]to upgrade {len(walking)}[/], [dim]skipped {len(skipped)}[/]")
    for host in (walking + skipped)[:limit]:
        upgrade = host.upgrade
        if upgrade is not None and upgrade.steps and host.plan is not None:
            path = " → ".join(host.plan.path)
            forced = f" ({upgrade.forced})" if upgrade.forced else ""
            line = f"  {host.name}: wave {upgrade.wave}, {path}, {len(upgrade.hops)} hops, {len(upgrade.steps)} steps"
            console.print(line + forced, markup=False)
        else:
            reason = upgrade.reason if upgrade else f"{host.error_stage}: {host.error}"
            console.print(f"  {host.name}: SKIPPED: {short(reason)}", markup=False)
    if len(result.hosts) > limit:
        console.print(f"  … and {len(result.hosts) - limit} more")
    console.print("every step and its command: the Upgrade sheet of report.xlsx")
    print_run_folder(outcome.run_dir, console)


def print_executed(outcome: RunOutcome, gate: str, console: Console, limit: int = 40) -> None:
    """One screen for an executed upgrade: counts per outcome, then each device that did not reach its target."""
    result = outcome.result
    hosts = host_order(result.hosts)
    by_status: dict[str, list[HostRecord]] = {}
    for host in hosts:
        status = host.upgrade.status.value if host.upgrade else "ERROR"
        by_status.setdefault(status, []).append(host)
    target = f" to {result.run.target}" if result.run.target else ""
    console.print(f"[bold]upgrade[/bold] (executed){target}: {len(hosts)} devices")
    console.print(f"gate: {gate}", markup=False)
    counts = ", ".join(f"{status.lower()} {len(members)}" for status, members in sorted(by_status.items()))
    console.print(counts, markup=False)
    shown = [h for h in hosts if not (h.upgrade and h.upgrade.status is UpgradeStatus.UPGRADED)]
    for host in shown[:limit]:
        upgrade = host.upgrade
        reason = upgrade.reason if upgrade else f"{host.error_stage}: {host.error}"
        status = upgrade.status.value if upgrade else "ERROR"
        console.print(f"  {host.name}: {status}: {short(reason)}", markup=False)
    if len(shown) > limit:
        console.print(f"  … and {len(shown) - limit} more")
    console.print("every step, when it ran and what came of it: the Upgrade sheet of report.xlsx")
    print_run_folder(outcome.run_dir, console)
