"""Optic checks: each transceiver judged against the matrix, the customer's waivers and a target release."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from tasks.matrix import Condition, IssueSeverity, KnownIssue, Matrix, Optic, Waiver
from tasks.models import Finding, OpticVerdict, Severity, Support, Transceiver, Verdict, worst
from tasks.platforms import get_platform
from tasks.versions import Version, is_at_least, is_at_most, is_before, parse_version

OPTIC_SUPPORT = "optic_support"
KNOWN_ISSUE = "known_issue"


# Each condition a known issue can state, as a test on (transceiver, is-OEM).
_CONDITIONS: dict[Condition, Callable[[Transceiver, bool], bool]] = {
    Condition.NON_OEM_OPTIC: lambda transceiver, oem: not oem,
    Condition.ANY_OPTIC: lambda transceiver, oem: True,
}


def _in_range(entry: Optic, version: Version) -> bool:
    """Whether `version` lies within the entry's from_release/until_release (until inclusive)."""
    scheme = version.scheme
    if entry.from_release and not is_at_least(version, entry.from_release, scheme):
        return False
    return not (entry.until_release and not is_at_most(version, entry.until_release, scheme))


def _vendor(platform: str) -> str:
    """The name reasons give the platform's vendor ("not on PAN's supported list"); "the vendor" when the
    platform is not registered."""
    try:
        return get_platform(platform).vendor
    except ValueError:
        return "the vendor"


def _range_text(entry: Optic) -> str:
    if entry.from_release and entry.until_release:
        return f"from {entry.from_release} until {entry.until_release}"
    if entry.from_release:
        return f"from {entry.from_release}"
    return f"until {entry.until_release}" if entry.until_release else "on every release"


def _support(model: str, versions: Sequence[Version], transceiver: Transceiver, matrix: Matrix) -> tuple[bool, str]:
    """(fits, why): whether a matrix entry lists the part for this model on every given release."""
    entries = matrix.optics_for(transceiver.part)
    if not entries:
        return False, "part not in the matrix"
    for_model = [e for e in entries if e.fits(model)]
    if not for_model:
        models = ", ".join(sorted({g for e in entries for g in e.models}))
        return False, f"listed for {models}, not for {model}"
    for entry in for_model:
        if all(_in_range(entry, v) for v in versions):
            caveat = "" if entry.verified else " (unverified matrix entry)"
            return True, f"{entry.part} listed for {model}{caveat}"
    releases = " and ".join(v.text for v in versions)
    return False, f"listed for {model} only {_range_text(for_model[0])}, not {releases}"


def _issue_applies(issue: KnownIssue, target: Version, model: str, transceiver: Transceiver, oem: bool) -> bool:
    """Target at or after from_release and before fixed_in, model matches and the condition holds."""
    scheme = target.scheme
    if not is_at_least(target, issue.from_release, scheme):
        return False
    if issue.fixed_in and not is_before(target, issue.fixed_in, scheme):
        return False
    return (
        issue.fits(model)
        and issue.concerns(transceiver.part, transceiver.type, transceiver.port)
        and _CONDITIONS[issue.condition](transceiver, oem)
    )


def judge_optic(
    model: str,
    version: str,
    transceiver: Transceiver,
    matrix: Matrix,
    waivers: Sequence[Waiver],
    device: str,
    target: str | None,
    today: date,
) -> OpticVerdict:
    """Judge one optic. See `judge_optics` for the rules.

    Raises ValueError naming the value when `version` or `target` is not a version of the matrix's platform.
    """
    scheme = matrix.platform
    running = parse_version(version, scheme)
    goal = parse_version(target, scheme) if target is not None else None
    oem = matrix.is_oem(transceiver.vendor, transceiver.part)
    covering = [w for w in waivers if w.is_active(today) and w.covers(device, transceiver)]
    fits, why = _support(model, [running] if goal is None else [running, goal], transceiver, matrix)

    vendor = _vendor(matrix.platform)
    if not oem and matrix.is_coded(transceiver.part):
        # A third-party optic coded with the vendor's part number (a "compatible" optic) is not the vendor's.
        fits, why = False, f"third-party optic ({transceiver.vendor or 'no vendor name'}) coded as {transceiver.part}"
    if fits:
        supported, base, reason = Support.YES, Verdict.PASS, f"supported: {why}"
    elif covering:
        supported, base, reason = Support.WAIVED, Verdict.WARN, f"waived by {covering[0].describe()}"
    elif not oem and matrix.is_coded(transceiver.part):
        supported, base, reason = Support.NO, Verdict.WARN, f"works today; {why}, not {vendor}'s own optic"
    elif oem and matrix.optics_for(transceiver.part):
        supported, base = Support.NO, Verdict.WARN
        reason = f"OEM part {transceiver.part} is not on {vendor}'s supported list for this device: {why}"
    elif oem:
        supported, base = Support.NO, Verdict.WARN
        reason = (
            f"works today; OEM optic (vendor-name {transceiver.vendor}) but part "
            f"{transceiver.part or '(none reported)'} is not in the matrix"
        )
    else:
        supported, base = Support.NO, Verdict.WARN
        reason = f"works today, not on {vendor}'s supported list" + (
            f": {why}" if matrix.optics_for(transceiver.part) else ""
        )

    verdicts, reasons, applied, decisive = [base], [], [], False
    if goal is not None:
        for issue in matrix.known_issues:
            if not _issue_applies(issue, goal, model, transceiver, oem):
                continue
            applied.append(issue.id)
            local = " (local lesson learned)" if issue.local else ""
            accepting = next((w for w in covering if issue.id in w.known_issues), None)
            if accepting is not None:
                verdicts.append(Verdict.WARN)
                reasons.append(
                    f"known issue {issue.id}{local} for target {goal.text} accepted by {accepting.describe()}"
                )
                continue
            verdict = Verdict.FAIL if issue.severity is IssueSeverity.BLOCKER else Verdict.WARN
            verdicts.append(verdict)
            reasons.append(f"{issue.severity.value} for target {goal.text}: {issue.message} [{issue.id}]{local}")
            decisive = decisive or verdict.rank >= base.rank
    final = worst(verdicts)
    # Blockers first, then warnings, then the support reason.
    ordered = [*sorted(reasons, key=lambda r: not r.startswith(IssueSeverity.BLOCKER.value)), reason]
    return OpticVerdict(
        transceiver=transceiver,
        oem=oem,
        supported=supported,
        verdict=final,
        reason="; ".join(ordered),
        check=KNOWN_ISSUE if decisive and final is not Verdict.PASS else OPTIC_SUPPORT,
        issue_ids=tuple(applied),
    )


def judge_optics(
    model: str,
    version: str,
    transceivers: Sequence[Transceiver],
    matrix: Matrix,
    waivers: Sequence[Waiver],
    device: str,
    target: str | None,
    today: date,
) -> list[OpticVerdict]:
    """Judge every optic of one device.

    Rules:
    - OEM: as the matrix's OEM rule says (`OemRule`): where the OS prints a vendor name it decides; a
      third-party vendor name with a vendor part number (listed in the matrix or shaped like a coded part) is
      a coded optic, third-party ("third-party optic (FS) coded as PAN-SFP-PLUS-SR"), unless the matrix lists
      that exact pairing as genuine. The part decides only where the OS prints no vendor name.
    - Supported `yes` when a matrix entry lists the part for the model on the running release (and on
      `target`, when given): PASS. `waived` when an unexpired waiver covers the part or the device(+port):
      WARN naming the waiver. Otherwise `no`: WARN ("works today, not on PAN's supported list", or an OEM
      part not listed for this model or release).
    - With `target`, each known issue whose range holds the target (from_release <= target < fixed_in),
      whose models match and whose condition holds makes the optic FAIL (blocker) or WARN (warning), unless
      a covering waiver lists the issue's id (then WARN). Without `target` no known issue is evaluated.
    """
    return [judge_optic(model, version, t, matrix, waivers, device, target, today) for t in transceivers]


_SEVERITY = {
    Verdict.FAIL: Severity.BLOCKER,
    Verdict.ERROR: Severity.BLOCKER,
    Verdict.WARN: Severity.WARNING,
    Verdict.PASS: Severity.INFO,
    Verdict.SKIPPED: Severity.INFO,
}


def optic_findings(verdicts: Sequence[OpticVerdict], target: str | None = None) -> list[Finding]:
    """One finding per optic that did not PASS; one PASS finding when all passed; SKIPPED when none.

    >>> optic_findings([])[0].verdict.value
    'SKIPPED'
    """
    if not verdicts:
        return [Finding(OPTIC_SUPPORT, Severity.INFO, Verdict.SKIPPED, "no pluggable optics found")]
    failing = [v for v in verdicts if v.verdict not in (Verdict.PASS, Verdict.SKIPPED)]
    if not failing:
        count = len(verdicts)
        message = f"{count} optic{'s' if count != 1 else ''}, all supported"
        if target:
            message += f"; no known issue applies for target {target}"
        return [Finding(OPTIC_SUPPORT, Severity.INFO, Verdict.PASS, message)]
    findings = []
    for v in failing:
        t = v.transceiver
        part = t.part or "(no part number)"
        vendor = f" ({t.vendor})" if t.vendor else ""
        findings.append(Finding(v.check, _SEVERITY[v.verdict], v.verdict, f"{t.port}: {part}{vendor}: {v.reason}"))
    return findings
