"""Compliance: each device's configuration against the rules of its platform and customer, its software against
end of life and the customer's approved releases, and its optics as the audit judges them."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import jinja2
from nornir.core.task import Result, Task
from rich.console import Console

from reports.compliance import compliance_sheets
from reports.html import write_html
from reports.runfolder import REPORT_HTML, REPORT_XLSX
from reports.sheets import host_order
from reports.trend import add_trend_sheet
from tasks.checks.collection import collection_findings
from tasks.checks.optics import judge_optics, optic_findings
from tasks.collect import close_connection, collect_command, collect_facts, collect_transceivers
from tasks.compliance.evaluate import evaluate, optics_result, skipped, waive
from tasks.compliance.render import render_golden
from tasks.compliance.rules import Kind, LoadedRule, RuleBook, RuleSeverity, load_rules
from tasks.compliance.standards import STANDARDS_FILE, Standards, load_standards, software_result
from tasks.matrix import Matrix, Waiver
from tasks.models import CommandFailure, Finding, RunResult, Severity, Unsupported, Verdict
from tasks.models.compliance import RuleResult
from tasks.models.history import Comparison
from tasks.platforms import get_platform
from tasks.platforms.base import ConfigForm, Platform
from workflows.compliance_source import BackedUp, newest_backups
from workflows.history.compare import compare, findings_of
from workflows.history.record import open_history
from workflows.processors import record_for
from workflows.run import RunOutcome, RunRequest, execute, prepare
from workflows.selection import Selection
from workflows.settings import Settings

log = logging.getLogger(__name__)

COMMAND = "compliance"
CONFIG_KEY = "config"
CONFIG_CHECK = "config_rules"
RULE_CHECK = "rule:"  # a rule's finding is `rule:<id>`
NOT_SHOWN = "(line not shown: no configuration sanitiser for this OS)"


@dataclass(frozen=True)
class ComplianceContext:
    """What every host's compliance needs besides its connection."""

    rules: RuleBook
    matrices: dict[str, Matrix]
    waivers: dict[str, list[Waiver]]
    standards: dict[str, Standards]
    today: date
    # {device: its newest backup young enough to be judged instead of its running configuration read now}
    backups: Mapping[str, BackedUp] = field(default_factory=dict)


def _lines(platform: Platform, form: ConfigForm, text: str) -> tuple[list[str], bool]:
    """The configuration in the platform's line form, sanitised first when the platform can (and whether it was)."""
    if isinstance(platform.sanitise_config, Unsupported):
        return form.lines(text), False
    return form.lines(platform.sanitise_config(text)), True


def _judge(task: Task, loaded: LoadedRule, lines: list[str], form: ConfigForm) -> RuleResult:
    rule = loaded.rule
    if rule.kind is not Kind.GOLDEN:
        return evaluate(rule, lines)
    rendered = render_golden(task, loaded)
    if isinstance(rendered, jinja2.TemplateError):
        return skipped(rule, f"golden template {rule.template} not rendered for this host: {rendered}")
    return evaluate(rule, lines, form.lines(rendered))


def _finding(result: RuleResult, severity: RuleSeverity | None = None) -> Finding:
    level = Severity.WARNING if severity is RuleSeverity.WARN else Severity.BLOCKER
    if result.verdict in (Verdict.PASS, Verdict.SKIPPED):
        level = Severity.INFO
    message = f"{result.message} ({result.waiver})" if result.waiver else result.message
    return Finding(f"{RULE_CHECK}{result.rule}", level, result.verdict, message)


def _masked(result: RuleResult, sanitised: bool) -> RuleResult:
    """Without a sanitiser a forbidden line may hold a secret (`snmp-server community <string>`): not shown."""
    if sanitised or not result.extra:
        return result
    return RuleResult(**{**result.__dict__, "extra": tuple(NOT_SHOWN for _ in result.extra)})


def config_results(task: Task, context: ComplianceContext, form: ConfigForm, text: str) -> list[RuleResult]:
    """Every rule of the host's platform and customer that covers it, judged on its configuration `text`."""
    host = task.host
    platform = get_platform(host.platform or "")
    lines, sanitised = _lines(platform, form, text)
    customer = host.data["customer"]
    groups = [g.name for g in host.groups]
    results: list[RuleResult] = []
    for loaded in context.rules.rules_for(platform.device_type, customer):
        if not loaded.rule.applies_to.covers(host.data.get("role", ""), groups, host.data["site"]):
            continue
        result = _judge(task, loaded, lines, form)
        waiver = context.rules.waiver_for(customer, loaded.id, host.name, context.today)
        expired = context.rules.expired_waiver(customer, loaded.id, host.name, context.today)
        result = waive(_masked(result, sanitised), waiver, expired)
        results.append(RuleResult(**{**result.__dict__, "origin": loaded.origin}))
    return results


def _same_command(platform: Platform, form: ConfigForm) -> bool:
    """Whether the platform's backup holds the output of the command compliance reads."""
    backup = platform.backup
    return not isinstance(backup, Unsupported) and platform.commands.get(backup.command) == form.command


def compliance_host(task: Task, context: ComplianceContext) -> Result:
    """Collect facts, optics and the configuration; judge the rules, the software and the optics.

    The configuration is essential (without it nothing is judged: an ERROR row); a platform without a line form
    for rules has its configuration rules SKIPPED with the reason, its software and optics still judged.
    """
    host = task.host
    platform = get_platform(host.platform or "")
    form = platform.compliance
    outputs: dict[str, str] = {}
    failures: list[CommandFailure] = []
    text: str | None = None
    try:
        facts = collect_facts(task, outputs).result
        transceivers = collect_transceivers(task, outputs, failures).result
        backed_up = context.backups.get(host.name)
        if not isinstance(form, Unsupported) and backed_up is not None and _same_command(platform, form):
            text = backed_up.path.read_text(encoding="utf-8")
            log.info(
                "configuration from backup run %s (%.1f h old): %s", backed_up.run, backed_up.age_h, backed_up.path
            )
        elif not isinstance(form, Unsupported):
            text = collect_command(task, CONFIG_KEY, form.command, outputs).result
    finally:
        close_connection(task)
    customer = host.data["customer"]
    matrix = context.matrices[platform.device_type]
    software = software_result(facts.version, platform.device_type, matrix, context.standards[customer], context.today)
    results = [software]
    findings = [_finding(software)]
    if isinstance(form, Unsupported) or text is None:
        reason = form.reason if isinstance(form, Unsupported) else "no configuration"
        findings.append(Finding(CONFIG_CHECK, Severity.INFO, Verdict.SKIPPED, reason))
    else:
        judged = config_results(task, context, form, text)
        severities = {r.id: r.rule.severity for r in context.rules.rules_for(platform.device_type, customer)}
        results += judged
        findings += [_finding(r, severities.get(r.rule)) for r in judged]
        log.info("%d rules judged, %d not met", len(judged), sum(r.verdict is not Verdict.PASS for r in judged))
    optics = judge_optics(
        model=facts.model,
        version=facts.version,
        transceivers=transceivers,
        matrix=matrix,
        waivers=context.waivers.get(customer, []),
        device=host.name,
        target=None,
        today=context.today,
    )
    optic_rows = optic_findings(optics)
    findings += [*optic_rows, *collection_findings(failures)]
    results.insert(1, optics_result(optic_rows))
    record = record_for(host, facts=facts, optics=optics, findings=findings, compliance=results)
    return Result(host=host, result=record)


def run_compliance(
    request: RunRequest, rules_dir: Path | None = None
) -> tuple[RunOutcome, dict[str, Comparison] | None]:
    """Load and check the rules and standards (a bad file is exit 3, nothing run), judge every device, then add
    the Trend sheet from the history: the outcome, and each customer's changes since its previous run."""
    inputs = prepare(request)
    hosts = list(inputs.nornir.inventory.hosts.values())
    platforms = sorted({h.platform or "" for h in hosts})
    customers = sorted({h.data["customer"] for h in hosts})
    folder = rules_dir or request.settings.compliance_rules
    book = load_rules(folder, platforms, request.settings.inventory, customers)
    standards = {c: load_standards(request.settings.inventory / c / STANDARDS_FILE) for c in customers}
    max_age = request.settings.compliance_max_backup_age_h
    backups = newest_backups(request.settings.output, [h.name for h in hosts], datetime.now(timezone.utc), max_age)
    context = ComplianceContext(book, inputs.matrices, inputs.waivers, standards, inputs.today, backups)
    counts = ", ".join(f"{p} {len(book.shipped.get(p, []))}" for p in platforms)
    notes = [(logging.INFO, f"rules from {folder} ({counts}); customer files: {len(book.customers)}")]
    runs = ", ".join(sorted({b.run for b in backups.values()}))
    source = (
        f"configuration of {len(backups)} of {len(hosts)} devices from backups younger than {max_age:g} h ({runs})"
        if backups
        else f"configuration read from every device (no backup younger than {max_age:g} h)"
    )
    notes.append((logging.INFO, source))
    for platform in platforms:
        form = get_platform(platform).compliance
        how = (
            form.reason
            if isinstance(form, Unsupported)
            else f"{form.command!r}: {(form.note.strip().splitlines() or ['its line form'])[0]}"
        )
        notes.append((logging.INFO, f"{platform} configuration: {how}"))
    outcome = execute(COMMAND, request, inputs, compliance_host, sheets=compliance_sheets, notes=notes, context=context)
    return outcome, add_trend(outcome, request.settings)


def add_trend(outcome: RunOutcome, settings: Settings) -> dict[str, Comparison] | None:
    """The `Trend` sheet in the run's report.xlsx (docs/history.md): each customer's compliance percentage over
    its recorded runs, and its findings new, fixed and still failing since its previous compliance run; the same
    percentages as a chart in report.html (written again with it). Returns those comparisons (a customer without
    a previous run has none); None when the history is off or cannot be read (a WARNING: the run folder stands)."""
    from workflows.history.store import HistoryError

    result = outcome.result
    customers = result.run.customers
    try:
        with open_history(settings) as store:
            changes = {
                c: compare(store.previous_findings(c, COMMAND, exclude_run=result.run.id), findings_of(result, c))
                for c in customers
                if store.previous_run(c, COMMAND, exclude_run=result.run.id) is not None
            }
            trend = store.compliance_trend(customers)
    except HistoryError as exc:
        log.warning("%s: no Trend sheet", exc)
        return None
    add_trend_sheet(outcome.run_dir / REPORT_XLSX, trend, changes)
    write_html(result, outcome.run_dir / REPORT_HTML, compliance_sheets(result), trend=trend)
    return changes


def summary_lines(result: RunResult, examples: int = 5) -> list[str]:
    """The terminal's account of a compliance run: the rules failing on most devices, then the first
    non-compliant devices with their failing rules, then the first devices that could not be checked.

    >>> from tasks.models import HostRecord, RunInfo
    >>> fail = RuleResult("ntp-servers", "ntp", "required", Verdict.FAIL, "m")
    >>> host = HostRecord("fw1", "a", "s", "os", findings=[Finding("rule:ntp-servers", Severity.BLOCKER,
    ...                   Verdict.FAIL, "m")], compliance=[fail])
    >>> summary_lines(RunResult(RunInfo("r", "compliance", [], None, ""), [host]))
    ['failing most: ntp-servers (1 devices)', '1 devices are not compliant, e.g.:', '  fw1: ntp-servers']
    """
    failing = Counter(r.rule for h in result.hosts for r in h.compliance or () if r.verdict is Verdict.FAIL)
    lines = []
    if failing:
        lines.append("failing most: " + ", ".join(f"{rule} ({n} devices)" for rule, n in failing.most_common(6)))
    bad = [h for h in host_order(result.hosts) if h.verdict is Verdict.FAIL]
    if bad:
        lines.append(f"{len(bad)} devices are not compliant, e.g.:")
        for host in bad[:examples]:
            rules = [r.rule for r in host.compliance or () if r.verdict is Verdict.FAIL]
            optics = [
                f.check for f in host.findings if f.verdict is Verdict.FAIL and not f.check.startswith(RULE_CHECK)
            ]
            lines.append(f"  {host.name}: {', '.join([*rules, *optics])}")
    errors = [h for h in host_order(result.hosts) if h.status == "error"]
    if errors:
        lines.append(f"{len(errors)} devices could not be checked, e.g.:")
        lines += [f"  {h.name}: {h.error_stage}: {h.error}" for h in errors[:examples]]
    return lines


def trend_lines(changes: dict[str, Comparison] | None, customers: list[str]) -> list[str]:
    """One line per customer: its failing findings new, fixed and still failing since its previous run.

    >>> for line in trend_lines({"acme": Comparison()}, ["acme", "beta"]):
    ...     print(line)
    acme since its previous compliance run: 0 new, 0 fixed, 0 still failing
    beta: its first recorded compliance run
    """
    if changes is None:
        return ["no Trend sheet: the history is off or could not be read (run.log)"]
    return [
        f"{customer} since its previous compliance run: {len(c.new)} new, {len(c.fixed)} fixed, "
        f"{len(c.still_failing)} still failing"
        if (c := changes.get(customer)) is not None
        else f"{customer}: its first recorded compliance run"
        for customer in sorted(customers)
    ]


def cli_compliance(rules: Path | None, settings: Settings, selection: Selection, console: Console) -> int:
    """`estate compliance`: run it and print one screen (counts, the rules failing most, the first devices not
    compliant and not checked, the changes since each customer's previous run, the run folder); §5's exit code."""
    from reports.summary import SUMMARY_VERDICTS
    from workflows.cli import VERDICT_STYLE
    from workflows.report_cli import print_run_folder

    outcome, changes = run_compliance(RunRequest(settings=settings, selection=selection, progress=True), rules)
    counts = outcome.result.counts()
    console.print(f"[bold]compliance[/bold]: {len(outcome.result.hosts)} devices checked")
    console.print("  ".join(f"[{VERDICT_STYLE[v.value]}]{v.value} {counts[v.value]}[/]" for v in SUMMARY_VERDICTS))
    for line in [*summary_lines(outcome.result), *trend_lines(changes, outcome.result.run.customers)[:5]]:
        console.print(line, markup=False, highlight=False)
    console.print("every rule per device: the Compliance, Rule detail and Trend sheets of report.xlsx")
    print_run_folder(outcome.run_dir, console)
    return outcome.exit_code
