"""A compliance run's own sheets: `Compliance` (devices by rules, coloured) and `Rule detail` (missing, extra lines)."""

from __future__ import annotations

from reports.sheets import CellValue, SheetSpec, host_order
from reports.text import natural_key
from tasks.models import RunResult, Verdict

COMPLIANCE_TITLE = "Compliance"
DETAIL_TITLE = "Rule detail"
FIRST_COLUMNS = ("Device", "Customer", "Site", "Platform", "Verdict", "Compliant")
DETAIL_HEADERS = (
    "Device", "Customer", "Rule", "Feature", "Kind", "Verdict", "Message", "Missing", "Extra", "Waiver", "Rule file",
)  # fmt: skip
FIRST_RULES = ("software", "optics")  # the compliance results that are not rules of a rule file
NOT_APPLICABLE = "n/a"  # the rule does not cover this device (platform, role, group, site)
MAX_LINES = 200  # lines listed per cell: the full lists are in results.json


def _rule_columns(result: RunResult) -> list[str]:
    """Every rule judged in the run: `software` and `optics` first, then the rules by id."""
    ids = {r.rule for h in result.hosts for r in h.compliance or ()}
    return sorted(ids, key=lambda rule: (FIRST_RULES.index(rule) if rule in FIRST_RULES else 2, natural_key(rule)))


def compliance_sheet(result: RunResult) -> SheetSpec:
    """One row per device, one column per rule: its verdict there (`n/a` where the rule does not apply), the
    device's verdict (rules, software and optics) and how many of its judged rules hold.

    >>> from tasks.models import HostRecord, RunInfo
    >>> from tasks.models.compliance import RuleResult
    >>> h = HostRecord("fw1", "a", "s", "os", compliance=[RuleResult("ntp", "ntp", "required", Verdict.FAIL, "m")])
    >>> sheet = compliance_sheet(RunResult(RunInfo("r", "compliance", [], None, ""), [h]))
    >>> sheet.headers[-1], sheet.rows[0][-1], sheet.rows[0][5]
    ('ntp', 'FAIL', '0/1')
    """
    rules = _rule_columns(result)
    rows: list[tuple[CellValue, ...]] = []
    for host in host_order(result.hosts):
        by_rule = {r.rule: r.verdict.value for r in host.compliance or ()}
        judged = [v for v in by_rule.values() if v != Verdict.SKIPPED.value]
        held = sum(v == Verdict.PASS.value for v in judged)
        score = f"{held}/{len(judged)}" if host.compliance is not None else None
        cells = tuple(by_rule.get(rule, NOT_APPLICABLE) for rule in rules)
        rows.append((host.name, host.customer, host.site, host.platform, host.verdict.value, score, *cells))
    verdicts = (4, *range(len(FIRST_COLUMNS), len(FIRST_COLUMNS) + len(rules)))
    return SheetSpec(COMPLIANCE_TITLE, (*FIRST_COLUMNS, *rules), rows, verdict_columns=verdicts)


def _cell(lines: tuple[str, ...]) -> str:
    shown = "\n".join(lines[:MAX_LINES])
    return shown + (f"\n… {len(lines) - MAX_LINES} more (results.json)" if len(lines) > MAX_LINES else "")


def detail_sheet(result: RunResult) -> SheetSpec:
    """One row per rule result that did not simply pass: its message, missing and extra lines, waiver, rule file."""
    rows: list[tuple[CellValue, ...]] = []
    for host in host_order(result.hosts):
        for r in host.compliance or ():
            if r.verdict is Verdict.PASS and not r.missing and not r.extra:
                continue
            rows.append((
                host.name, host.customer, r.rule, r.feature, r.kind, r.verdict.value, r.message,
                _cell(r.missing), _cell(r.extra), r.waiver, r.origin,
            ))  # fmt: skip
    return SheetSpec(DETAIL_TITLE, DETAIL_HEADERS, rows, verdict_columns=(5,), wrap_columns=(6, 7, 8, 9))


def compliance_sheets(result: RunResult) -> list[SheetSpec]:
    """The sheets a compliance run adds after the standard ones."""
    return [compliance_sheet(result), detail_sheet(result)]
