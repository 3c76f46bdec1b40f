"""A compliance rule over a configuration's lines (the platform's line form): pure, table-tested.

`required`: every `match` regex must match at least one line (the patterns that match none are `missing`).
`forbidden`: no line may match any `match` regex (the lines that do are `extra`).
`golden`: the configuration's lines matching `section` are compared, as sets (order is not judged), with the
rendered template's lines: template lines absent from the device are `missing`, section lines the template
does not have are `extra`. A rule that does not hold is FAIL, or WARN for `severity: warn`; an active waiver
makes a FAIL a WARN and says so.

>>> from tasks.compliance.rules import Rule
>>> rule = Rule(id="no-telnet", feature="mgmt", kind="forbidden", match=[r"^line vty .* > transport input .*telnet"])
>>> result = evaluate(rule, ["line vty 0 4", "line vty 0 4 > transport input telnet ssh"])
>>> result.verdict.value, result.extra
('FAIL', ('line vty 0 4 > transport input telnet ssh',))
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tasks.compliance.rules import Kind, Rule, RuleSeverity, RuleWaiver
from tasks.models import Finding, Verdict, worst
from tasks.models.compliance import RuleResult


def _not_met(rule: Rule) -> Verdict:
    return Verdict.WARN if rule.severity is RuleSeverity.WARN else Verdict.FAIL


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def required(rule: Rule, lines: Sequence[str]) -> RuleResult:
    """Each pattern of `rule.match` must match some line; `missing` lists the patterns that match none."""
    missing = tuple(p for p in rule.match if not any(re.search(p, line) for line in lines))
    if missing:
        message = f"no line matches {', '.join(f'/{p}/' for p in missing)}"
        return _result(rule, _not_met(rule), message, missing=missing)
    return _result(rule, Verdict.PASS, f"present ({_plural(len(rule.match), 'pattern')} matched)")


def forbidden(rule: Rule, lines: Sequence[str]) -> RuleResult:
    """No line may match a pattern of `rule.match`; `extra` lists the lines that do."""
    patterns = [re.compile(p) for p in rule.match]
    extra = tuple(line for line in lines if any(p.search(line) for p in patterns))
    if extra:
        return _result(rule, _not_met(rule), f"{_plural(len(extra), 'forbidden line')} present", extra=extra)
    return _result(rule, Verdict.PASS, "absent")


def golden(rule: Rule, lines: Sequence[str], intended: Sequence[str]) -> RuleResult:
    """The lines matching `rule.section` against the rendered template's `intended` lines, as sets."""
    section = re.compile(rule.section or "")
    actual = [line for line in lines if section.search(line)]
    have, want = set(actual), {line for line in intended if line.strip()}
    missing = tuple(line for line in dict.fromkeys(intended) if line.strip() and line not in have)
    extra = tuple(line for line in dict.fromkeys(actual) if line not in want)
    if missing or extra:
        message = f"differs from the golden section: {_plural(len(missing), 'line')} missing, {len(extra)} extra"
        return _result(rule, _not_met(rule), message, missing=missing, extra=extra)
    return _result(rule, Verdict.PASS, f"matches the golden section ({_plural(len(want), 'line')})")


def evaluate(rule: Rule, lines: Sequence[str], intended: Sequence[str] | None = None) -> RuleResult:
    """`rule` over `lines`; a golden rule needs `intended` (its rendered template in the same line form).

    >>> from tasks.compliance.rules import Rule
    >>> evaluate(Rule(id="g", feature="ntp", kind="golden", template="t", section="^ntp "), ["ntp server 1"])
    Traceback (most recent call last):
    ...
    ValueError: golden rule 'g' needs its rendered template
    """
    if rule.kind is Kind.REQUIRED:
        return required(rule, lines)
    if rule.kind is Kind.FORBIDDEN:
        return forbidden(rule, lines)
    if intended is None:
        raise ValueError(f"golden rule {rule.id!r} needs its rendered template")
    return golden(rule, lines, intended)


def skipped(rule: Rule, reason: str) -> RuleResult:
    """A rule that could not be judged on this device (its template needs data the inventory lacks)."""
    return _result(rule, Verdict.SKIPPED, reason)


def waive(result: RuleResult, waiver: RuleWaiver | None, expired: RuleWaiver | None = None) -> RuleResult:
    """A FAIL under an active `waiver` becomes WARN naming it; an `expired` one is only mentioned.

    >>> from datetime import date
    >>> w = RuleWaiver(rule="r", reason="legacy NMS", approved_by="cab", expires=date(2030, 1, 1))
    >>> out = waive(RuleResult("r", "snmp", "forbidden", Verdict.FAIL, "1 forbidden line present"), w)
    >>> out.verdict.value, out.waiver
    ('WARN', 'waived for every device: legacy NMS (approved by cab, expires 2030-01-01)')
    """
    if result.verdict is not Verdict.FAIL:
        return result
    if waiver is not None:
        text = waiver.describe()
        return RuleResult(**{**result.__dict__, "verdict": Verdict.WARN, "waiver": text})
    if expired is not None:
        return RuleResult(**{**result.__dict__, "message": f"{result.message}; waiver expired {expired.expires}"})
    return result


def _result(
    rule: Rule, verdict: Verdict, message: str, missing: tuple[str, ...] = (), extra: tuple[str, ...] = ()
) -> RuleResult:
    return RuleResult(rule.id, rule.feature, rule.kind.value, verdict, message, missing, extra)


OPTICS = "optics"


def optics_result(findings: Sequence[Finding]) -> RuleResult:
    """The optics' findings (as the audit judges them) as one compliance result: the worst verdict, and each
    optic that is not supported as an extra line.

    >>> from tasks.models import Severity
    >>> ok = Finding("optic_support", Severity.INFO, Verdict.PASS, "2 optics, all supported")
    >>> optics_result([ok]).verdict.value, optics_result([ok]).message
    ('PASS', '2 optics, all supported')
    >>> bad = Finding("optic_support", Severity.BLOCKER, Verdict.FAIL, "ethernet1/2: FS SFP-10GLR-31 not supported")
    >>> optics_result([bad]).extra
    ('ethernet1/2: FS SFP-10GLR-31 not supported',)
    """
    if not findings:
        return RuleResult(OPTICS, OPTICS, OPTICS, Verdict.SKIPPED, "no optics read")
    verdict = worst((f.verdict for f in findings), default=Verdict.SKIPPED)
    bad = tuple(f.message for f in findings if f.verdict not in (Verdict.PASS, Verdict.SKIPPED))
    message = f"{_plural(len(bad), 'optic finding')}" if bad else findings[0].message
    return RuleResult(OPTICS, OPTICS, OPTICS, verdict, message, extra=bad)
