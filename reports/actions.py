"""The Summary's blocker reasons, action first: what to do on which port and part, then why in a few words.

"replace ethernet1/13 AFBR-5710PZ (AVAGO, third-party): firewall with non-OEM optics boot-loops after installing
PAN-OS 10.2.0 (field report)". The why is the known issue's title and source from the platform's matrix (the
optic's reason names the issue as `[ID]`); without the matrix, the first clause of the optic's reason. Any other
reason is kept, cut to MAX_REASON characters; the full text of every finding is on the Findings sheet.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from tasks.checks.optics import KNOWN_ISSUE, OPTIC_SUPPORT
from tasks.matrix import KnownIssue, Matrix, SourceKind
from tasks.models import HostRecord, OpticVerdict, Verdict

OPTIC_CHECKS = frozenset({OPTIC_SUPPORT, KNOWN_ISSUE})
MAX_REASON = 140
_ISSUE_ID = re.compile(r"\[([^\]\s]+)\]")
_PREFIXES = (re.compile(r"^at hop [^:]*: "), re.compile(r"^(?:blocker|warning) for target [^:]*: "))
_SOURCE = {SourceKind.FIELD_REPORT: "field report", SourceKind.VENDOR_DOC: "vendor document", SourceKind.BUG: "bug"}


def blocker_action(host: HostRecord, check: str, text: str, matrices: Mapping[str, Matrix] | None = None) -> str:
    """The Summary's reason for `host`, whose first blocking finding is of `check`: the optics to replace when
    it is an optic check and some optic FAILs, else `text` shortened.

    >>> from tasks.models import Support, Transceiver
    >>> optic = OpticVerdict(Transceiver("eth1", "10GBASE-SR", "FS", "X-1"), False, Support.NO, Verdict.FAIL,
    ...                      "blocker for target 10.2.4: boot loop from 10.2 [ISSUE-1]; works today")
    >>> host = HostRecord("fw1", "acme", "lon1", "os", optics=[optic])
    >>> blocker_action(host, "known_issue", "eth1: X-1 (FS): ...")
    'replace eth1 X-1 (FS, third-party): boot loop from 10.2'
    >>> blocker_action(host, "disk_space", "disk_space: only 10 MB free")
    'disk_space: only 10 MB free'
    """
    failing = [o for o in host.optics if o.verdict is Verdict.FAIL]
    if check not in OPTIC_CHECKS or not failing:
        return shorten(text)
    first = failing[0]
    more = len(failing) - 1
    what = f"replace {_optic(first)}"
    if more:
        what += f" and {more} more optic{'s' if more > 1 else ''}"
    matrix = (matrices or {}).get(host.platform)
    return f"{what}: {_why(first, matrix)}"


def shorten(text: str, limit: int = MAX_REASON) -> str:
    """`text` cut at a word to at most `limit` characters, with an ellipsis when cut.

    >>> shorten("a b c d", 5)
    'a b…'
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(",;:") + "…"


def _optic(optic: OpticVerdict) -> str:
    t = optic.transceiver
    kind = "third-party" if not optic.oem else "vendor's own"
    vendor = f"{t.vendor}, " if t.vendor else ""
    return f"{t.port} {t.part or '(no part number)'} ({vendor}{kind})"


def _why(optic: OpticVerdict, matrix: Matrix | None) -> str:
    issue = _issue(optic, matrix)
    if issue is not None:
        return shorten(f"{issue.title[:1].lower()}{issue.title[1:]} ({_source(issue)})", MAX_REASON - 40)
    clause = optic.reason.split("; ")[0]
    for prefix in _PREFIXES:
        clause = prefix.sub("", clause)
    clause = _ISSUE_ID.split(clause)[0].strip()
    return shorten(clause, MAX_REASON - 40)


def _issue(optic: OpticVerdict, matrix: Matrix | None) -> KnownIssue | None:
    """The blocker known issue the optic's reason names first, when the matrix has it."""
    if matrix is None:
        return None
    by_id = {issue.id: issue for issue in matrix.known_issues}
    return next((by_id[i] for i in _ISSUE_ID.findall(optic.reason) if i in by_id), None)


def _source(issue: KnownIssue) -> str:
    kind = _SOURCE.get(issue.source.kind, issue.source.kind.value)
    if issue.source.kind is SourceKind.BUG and issue.source.bug_id:
        kind = f"bug {issue.source.bug_id}"
    return kind if issue.from_release in issue.title else f"{kind}, from {issue.from_release}"
