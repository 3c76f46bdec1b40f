"""Post-upgrade comparison, pure: a device's snapshot after the upgrade against its pre-upgrade one, as DiffRows.

The rules (README "Post-upgrade"), each area a constant:
- release: FAIL when a target is known and the device does not run it; else PASS (info when it changed).
- interfaces: a port up before and not up after FAIL; a port gone FAIL; down -> up PASS (info).
- optics: an optic missing from its port FAIL; part or serial changed WARN; a new optic PASS (info).
- ha: HA lost, or a state that is not functional (suspended, non-functional, ...) FAIL; a functional member whose
  role changed (active -> passive) PASSes with the change named: an upgrade fails over to the peer, and without
  preemption the roles stay swapped (fail back when the design needs the old roles).
- routes, arp, sessions: a fall beyond the `Thresholds` percentages WARN / FAIL; None on either side PASS (info,
  not compared).
- config: running-configuration lines added / removed (sanitised text as line sets, volatile lines ignored) WARN.
An area without a difference gives one PASS row (item ""), so every area is on the Diff sheet.

>>> from tasks.models.snapshot import Snapshot
>>> before = Snapshot("10.1.9", interfaces={"e1": "up"}, routes=100)
>>> rows = compare_snapshots(before, Snapshot("10.2.4", interfaces={"e1": "down"}, routes=90), "10.2.4")
>>> [(r.area, r.item, r.verdict.value) for r in rows if r.verdict.value != "PASS"]
[('interfaces', 'e1', 'FAIL'), ('routes', '', 'WARN')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasks.models import Finding, Severity, Verdict
from tasks.models.diff import DiffRow
from tasks.models.snapshot import OpticState, Snapshot

RELEASE, INTERFACES, OPTICS, HA, ROUTES, ARP, SESSIONS, CONFIG = (
    "release", "interfaces", "optics", "ha", "routes", "arp", "sessions", "config",
)  # fmt: skip
AREAS = (RELEASE, INTERFACES, OPTICS, HA, ROUTES, ARP, SESSIONS, CONFIG)
UP = "up"
# HA states in which a member does not carry or cannot take over traffic.
UNHEALTHY_HA = frozenset({"suspended", "non-functional", "initial", "tentative", "unknown"})
# Configuration lines that change without anyone changing the configuration: version and build stamps,
# a configuration's own revision counters and timestamps.
VOLATILE = (
    re.compile(r"^#(config-version|conf_file_ver|buildno|global_vdom)="),
    re.compile(r"^\s*(set uuid|set last-modified|last-modified|set timestamp)\b"),
    re.compile(r"^\s*(! Last configuration change|! NVRAM config last updated|## Last commit:|Building configuration)"),
)


@dataclass(frozen=True)
class Thresholds:
    """How far (percent of the count before) routes, ARP entries and sessions may fall: WARN above `*_warn`,
    FAIL above `*_fail` (100 = never FAIL: a count cannot fall by more than all of it)."""

    routes_warn: float = 5.0
    routes_fail: float = 20.0
    arp_warn: float = 20.0
    arp_fail: float = 100.0
    sessions_warn: float = 50.0
    sessions_fail: float = 100.0

    def for_area(self, area: str) -> tuple[float, float]:
        """(warn, fail) of `area`; ValueError for an area without a count.

        >>> Thresholds().for_area("routes")
        (5.0, 20.0)
        """
        if area not in (ROUTES, ARP, SESSIONS):
            raise ValueError(f"no thresholds for area {area!r}")
        warn, fail = getattr(self, f"{area}_warn"), getattr(self, f"{area}_fail")
        return float(warn), float(fail)


def compare_snapshots(
    before: Snapshot, after: Snapshot, target: str | None, thresholds: Thresholds | None = None
) -> list[DiffRow]:
    """Every DiffRow of the device, in AREAS order (see the module docstring for the rules)."""
    thresholds = thresholds or Thresholds()
    rows = [release_row(before.version, after.version, target)]
    rows += _or_unchanged(INTERFACES, interface_rows(before.interfaces, after.interfaces), _links(after.interfaces))
    rows += _or_unchanged(OPTICS, optic_rows(before.optics, after.optics), f"{len(after.optics)} optics")
    rows.append(ha_row(before.ha_state, after.ha_state))
    for area in (ROUTES, ARP, SESSIONS):
        rows.append(count_row(area, getattr(before, area), getattr(after, area), *thresholds.for_area(area)))
    rows.append(config_row(before.config, after.config))
    return rows


def release_row(before: str, after: str, target: str | None) -> DiffRow:
    """FAIL when `target` is known and not what runs after; PASS otherwise.

    >>> release_row("10.1.9", "10.1.9", "10.2.4-h4").message
    'release not reached: runs 10.1.9, target 10.2.4-h4'
    >>> release_row("10.1.9", "10.2.4-h4", "10.2.4-h4").verdict.value
    'PASS'
    """
    if target is not None and after != target:
        return DiffRow(RELEASE, "", before, after, Verdict.FAIL, f"release not reached: runs {after}, target {target}")
    if target is None:
        message = "no target known: not judged" if before == after else "release changed, no target known"
    else:
        message = f"target {target} reached"
    return DiffRow(RELEASE, "", before, after, Verdict.PASS, message)


def interface_rows(before: dict[str, str], after: dict[str, str]) -> list[DiffRow]:
    """A row per port whose link changed or that is gone.

    >>> rows = interface_rows({"a": "up", "b": "down", "c": "up"}, {"a": "down", "b": "up"})
    >>> [(r.item, r.verdict.value) for r in rows]
    [('a', 'FAIL'), ('b', 'PASS'), ('c', 'FAIL')]
    """
    rows = []
    for port in sorted(before.keys() | after.keys()):
        old, new = before.get(port), after.get(port)
        if old == new:
            continue
        if new is None:
            rows.append(DiffRow(INTERFACES, port, old, None, Verdict.FAIL, f"interface {port} is gone"))
        elif old is None:
            rows.append(DiffRow(INTERFACES, port, None, new, Verdict.PASS, f"new interface {port} ({new})"))
        elif old == UP:
            rows.append(DiffRow(INTERFACES, port, old, new, Verdict.FAIL, f"interface {port} went {old} -> {new}"))
        else:
            verdict = Verdict.PASS if new == UP else Verdict.WARN
            rows.append(DiffRow(INTERFACES, port, old, new, verdict, f"interface {port} went {old} -> {new}"))
    return rows


def _optic_text(optic: OpticState | None) -> str | None:
    return None if optic is None else f"{optic.vendor} {optic.part} {optic.serial}".strip()


def optic_rows(before: dict[str, OpticState], after: dict[str, OpticState]) -> list[DiffRow]:
    """A row per port whose optic is missing (FAIL), changed (WARN) or new (PASS, info).

    >>> old = {"p1": OpticState("SR", "OEM", "S1"), "p2": OpticState("LR", "OEM", "S2")}
    >>> [(r.item, r.verdict.value) for r in optic_rows(old, {"p1": OpticState("SR", "OEM", "S9")})]
    [('p1', 'WARN'), ('p2', 'FAIL')]
    """
    rows = []
    for port in sorted(before.keys() | after.keys()):
        old, new = before.get(port), after.get(port)
        text_old, text_new = _optic_text(old), _optic_text(new)
        if old == new:
            continue
        if new is None:
            rows.append(DiffRow(OPTICS, port, text_old, None, Verdict.FAIL, f"optic missing from port {port}"))
        elif old is None:
            rows.append(DiffRow(OPTICS, port, None, text_new, Verdict.PASS, f"new optic in port {port}"))
        else:
            what = [name for name in ("part", "serial", "vendor") if getattr(old, name) != getattr(new, name)]
            message = f"optic in port {port}: {', '.join(what)} changed"
            rows.append(DiffRow(OPTICS, port, text_old, text_new, Verdict.WARN, message))
    return rows


def ha_row(before: str | None, after: str | None) -> DiffRow:
    """FAIL when HA is lost, appears, or is not functional after; PASS otherwise (None = no HA), naming a role that
    changed (the upgrade failed over to the peer and, without preemption, the roles stay swapped).

    >>> ha_row("active", "passive").message
    'HA role changed: active -> passive (a failover, as an upgrade makes; preemption off: fail back if needed)'
    >>> ha_row("active", "passive").verdict.value, ha_row("passive", "passive").verdict.value
    ('PASS', 'PASS')
    >>> ha_row("suspended", "suspended").message, ha_row("active", None).verdict.value
    ('HA state suspended: not functional', 'FAIL')
    """
    if after is not None and after.lower() in UNHEALTHY_HA:
        return DiffRow(HA, "", before, after, Verdict.FAIL, f"HA state {after}: not functional")
    if (before is None) != (after is None):
        return DiffRow(HA, "", before, after, Verdict.FAIL, f"HA state changed: {before} -> {after}")
    if before != after:
        why = "a failover, as an upgrade makes; preemption off: fail back if needed"
        return DiffRow(HA, "", before, after, Verdict.PASS, f"HA role changed: {before} -> {after} ({why})")
    return DiffRow(HA, "", before, after, Verdict.PASS, "no HA" if after is None else "HA state unchanged")


def count_row(area: str, before: int | None, after: int | None, warn: float, fail: float) -> DiffRow:
    """WARN when the count fell by more than `warn` percent, FAIL by more than `fail`; None: not compared.

    >>> count_row("routes", 100, 79, 5, 20).verdict.value, count_row("routes", 100, 95, 5, 20).verdict.value
    ('FAIL', 'PASS')
    >>> count_row("arp", None, 5, 20, 100).message
    'arp: not compared (not read before)'
    """
    old, new = (None if before is None else str(before)), (None if after is None else str(after))
    if before is None or after is None:
        side = "before" if before is None else "after"
        return DiffRow(area, "", old, new, Verdict.PASS, f"{area}: not compared (not read {side})")
    fall = 0.0 if before == 0 else max(0.0, (before - after) * 100.0 / before)
    if fall > fail:
        verdict, limit = Verdict.FAIL, fail
    elif fall > warn:
        verdict, limit = Verdict.WARN, warn
    else:
        return DiffRow(area, "", old, new, Verdict.PASS, f"{area}: {before} -> {after}")
    return DiffRow(area, "", old, new, verdict, f"{area} fell {fall:.0f}% ({before} -> {after}), more than {limit:g}%")


def config_lines(config: str) -> set[str]:
    """The configuration's meaningful lines: stripped of trailing blanks, empty and volatile lines left out.

    >>> sorted(config_lines("#config-version=FGT-7.2.6\\nset hostname a\\n\\n    set uuid 12\\n"))
    ['set hostname a']
    """
    lines = (line.rstrip() for line in config.splitlines())
    return {line for line in lines if line.strip() and not any(p.search(line) for p in VOLATILE)}


def config_row(before: str | None, after: str | None) -> DiffRow:
    """WARN with the counts when lines were added or removed; PASS when equal or not read on one side.

    >>> config_row("a\\nb", "a\\nc").message
    'running config changed: 1 lines added, 1 removed (e.g. + c, - b)'
    """
    if before is None or after is None:
        return DiffRow(CONFIG, "", None, None, Verdict.PASS, "config: not compared (not read on one side)")
    old, new = config_lines(before), config_lines(after)
    added, removed = sorted(new - old), sorted(old - new)
    counts = f"{len(old)} lines", f"{len(new)} lines"
    if not added and not removed:
        return DiffRow(CONFIG, "", *counts, Verdict.PASS, "running config unchanged")
    examples = [*(f"+ {line.strip()}" for line in added[:1]), *(f"- {line.strip()}" for line in removed[:1])]
    message = f"running config changed: {len(added)} lines added, {len(removed)} removed (e.g. {', '.join(examples)})"
    return DiffRow(CONFIG, "", *counts, Verdict.WARN, message)


def _links(interfaces: dict[str, str]) -> str:
    up = sum(1 for state in interfaces.values() if state == UP)
    return f"{up} up / {len(interfaces) - up} not up"


def _or_unchanged(area: str, rows: list[DiffRow], summary: str) -> list[DiffRow]:
    """`rows`, or one PASS row saying the area is unchanged."""
    return rows or [DiffRow(area, "", summary, summary, Verdict.PASS, f"{area} unchanged")]


CHECK = "post_upgrade"
_SEVERITY = {Verdict.FAIL: Severity.BLOCKER, Verdict.WARN: Severity.WARNING}


def diff_findings(rows: list[DiffRow]) -> list[Finding]:
    """One `post_upgrade` finding per row that is not PASS (`area item: message`); one PASS finding when all are.

    >>> [f.verdict.value for f in diff_findings([release_row("1", "2", "2")])]
    ['PASS']
    """
    findings = [
        Finding(CHECK, _SEVERITY.get(row.verdict, Severity.INFO), row.verdict, f"{row.area}: {row.message}")
        for row in rows
        if row.verdict is not Verdict.PASS
    ]
    areas = sorted({row.area for row in rows}, key=lambda a: AREAS.index(a) if a in AREAS else len(AREAS))
    return findings or [Finding(CHECK, Severity.INFO, Verdict.PASS, f"as before the upgrade: {', '.join(areas)}")]
