"""The `collection` check: supplementary commands that gave nothing to read, as WARN findings.

A device whose facts and optics were read is checked; what a failed supplementary command would have told
(an optic's vendor name, a readiness value, a snapshot counter) is unknown, and one WARN finding per command
names it and the device's answer. Commands not sent because the session was lost before them are named
together in one finding.
"""

from __future__ import annotations

from collections.abc import Sequence

from tasks.models import CommandFailure, FailureKind, Finding, Severity, Verdict

COLLECTION = "collection"

_WHAT = {
    FailureKind.REFUSED: "refused by the device",
    FailureKind.FAILED: "failed",
    FailureKind.UNREADABLE: "output not understood",
}


def collection_findings(failures: Sequence[CommandFailure]) -> list[Finding]:
    """One WARN finding per failed command, and one for the commands not sent after a session failure.

    >>> f = collection_findings([CommandFailure("pic 0/1", "show chassis pic fpc-slot 0 pic-slot 1",
    ...                                         FailureKind.REFUSED, "syntax error, expecting <command>.")])
    >>> f[0].check, f[0].verdict.value, f[0].message
    ('collection', 'WARN', "'show chassis pic fpc-slot 0 pic-slot 1' refused by the device: syntax error, \
expecting <command>.; what it reads is unknown")
    """
    findings = [
        Finding(
            COLLECTION,
            Severity.WARNING,
            Verdict.WARN,
            f"{f.command!r} {_WHAT[f.kind]}: {f.answer}; what it reads is unknown",
        )
        for f in failures
        if f.kind is not FailureKind.NOT_SENT
    ]
    skipped = [f for f in failures if f.kind is FailureKind.NOT_SENT]
    if skipped:
        names = ", ".join(repr(f.command) for f in skipped)
        findings.append(
            Finding(
                COLLECTION,
                Severity.WARNING,
                Verdict.WARN,
                f"not sent, {skipped[0].answer}: {names}; what they read is unknown",
            )
        )
    return findings
