"""The onboarding workbook's own sheets: each row of the customer's list and what became of it, what blocks the
first upgrade, and what differs from what estate knew (docs/onboarding.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reports.sheets import CellValue, SheetSpec, host_order
from tasks.models import HostRecord, RunResult, Severity, Verdict

ONBOARDING_SHEET = "Onboarding"
BLOCKERS_SHEET = "Upgrade blockers"
CHANGES_SHEET = "Changes"


@dataclass(frozen=True)
class ListEntry:
    """One row of the customer's list and what onboarding made of it.

    `platform_from` is `list` (the row named it) or `detected` (netmiko's SSHDetect); `inventory` is `added`,
    `already there` or `left out` (with `reason`: unreachable, login refused, not recognised, ...).
    """

    row: int
    name: str
    address: str
    port: int
    site: str
    role: str
    platform: str
    platform_from: str
    inventory: str
    reason: str = ""


@dataclass(frozen=True)
class ChangeRow:
    """Something that differs from what estate knew: `what` says which kind (the list against hosts.yaml, a
    device gone from the list, a fact that changed since it was recorded)."""

    device: str
    what: str
    field: str
    before: str
    now: str


def onboarding_sheet(entries: Sequence[ListEntry], hosts: Mapping[str, HostRecord]) -> SheetSpec:
    """Every row of the list, in its order, with what the baseline found on the device (model, serial, release,
    optics) and its verdict; a device left out has its reason and an ERROR verdict.

    >>> entry = ListEntry(2, "fw1", "192.0.2.1", 22, "lon1", "edge-fw", "", "", "left out", "unreachable: refused")
    >>> onboarding_sheet([entry], {}).rows[0][-1]
    'ERROR'
    """
    rows: list[tuple[CellValue, ...]] = []
    for e in entries:
        host = hosts.get(e.name)
        facts = host.facts if host is not None else None
        optics = host.optics if host is not None else []
        third_party = sum(1 for o in optics if not o.oem)
        verdict = host.verdict.value if host is not None else Verdict.ERROR.value
        if e.inventory == "left out":
            verdict = Verdict.ERROR.value
        rows.append(
            (
                e.row,
                e.name,
                e.address,
                e.port,
                e.site,
                e.role,
                e.platform or None,
                e.platform_from or None,
                e.inventory,
                facts.model if facts else None,
                facts.serial if facts else None,
                facts.version if facts else None,
                len(optics) if host is not None else None,
                third_party if host is not None else None,
                e.reason or (f"{host.error_stage}: {host.error}" if host is not None and host.error else None),
                verdict,
            )
        )
    return SheetSpec(
        ONBOARDING_SHEET,
        (
            "Row",
            "Device",
            "Address",
            "Port",
            "Site",
            "Role",
            "Platform",
            "Platform from",
            "Inventory",
            "Model",
            "Serial",
            "Release",
            "Optics",
            "Third-party optics",
            "Reason",
            "Verdict",
        ),
        rows,
        verdict_columns=(15,),
        wrap_columns=(14,),
    )


def blockers_sheet(result: RunResult, targets: str | None, why_none: str = "") -> SheetSpec:
    """What keeps each device from its first upgrade: one row per blocker the pre-upgrade found (FAIL with
    blocker severity), one GO row for a device with none. Without a pre-upgrade there is no upgrade to judge: one
    row says why (`why_none`, or how to get this sheet).

    >>> from tasks.models import RunInfo
    >>> blockers_sheet(RunResult(RunInfo("r", "onboard", [], None, ""), []), None).rows[0][0]
    '(no pre-upgrade)'
    """
    headers = ("Device", "Site", "Platform", "Release", "Target", "Decision", "Check", "Blocker")
    if not targets:
        note = why_none or "give --target (as for estate pre-upgrade) to see what blocks the first upgrade"
        return SheetSpec(BLOCKERS_SHEET, headers, [("(no pre-upgrade)", None, None, None, None, None, None, note)])
    rows: list[tuple[CellValue, ...]] = []
    for host in host_order(result.hosts):
        release = host.facts.version if host.facts else None
        target = result.run.target_for(host.platform)
        if host.status == "error":
            rows.append((host.name, host.site, host.platform, release, target, "ERROR", host.error_stage, host.error))
            continue
        blockers = [f for f in host.findings if f.verdict is Verdict.FAIL and f.severity is Severity.BLOCKER]
        if not blockers:
            rows.append((host.name, host.site, host.platform, release, target, "GO", None, None))
        for finding in blockers:
            rows.append((host.name, host.site, host.platform, release, target, "NO-GO", finding.check, finding.message))
    return SheetSpec(BLOCKERS_SHEET, headers, rows, wrap_columns=(7,))


def changes_sheet(changes: Sequence[ChangeRow]) -> SheetSpec:
    """What differs from what estate knew, or one row saying nothing does."""
    headers = ("Device", "What", "Field", "Before", "Now")
    rows: list[tuple[CellValue, ...]] = [(c.device, c.what, c.field, c.before, c.now) for c in changes]
    if not rows:
        rows = [("(none)", "nothing differs from the inventory and the facts recorded before", None, None, None)]
    return SheetSpec(CHANGES_SHEET, headers, rows, wrap_columns=(1,))
