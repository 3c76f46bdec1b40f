"""What to buy: the supported parts that replace each blocking or unsupported optic, per customer and site.

`replacement_rows` is pure: a run's typed results and the platforms' matrices in, purchase lines out (the
workbook's `Replacements` sheet and the HTML report show the same lines). An optic needs replacing when it FAILs
(a blocker known issue: the story's third-party SFP on the way to PAN-OS 10.2) or is not supported (`Support.NO`);
a waived optic that does not FAIL stays. Its replacements are the matrix's parts for the device's model whose
type has the optic's form factor, speed and medium (`optic_kind`: `10GBASE-SR`, NX-OS's `SFP-10G-SR` and
Junos' `SFP+-10G-SR` are the same kind), listed for the device's releases (running, each hop of a pre-upgrade's
path, the target), and not hit themselves by a blocker known issue on that model and port. Suggested first: a
part not at end of sale, then one the matrix read in a source (`src`), then the matrix's order. Nothing is
invented: a kind the matrix has no part for is a line that says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from reports.sheets import Row, SheetSpec, capped_widths, host_order
from reports.text import natural_key
from tasks.matrix import Condition, IssueSeverity, KnownIssue, Matrix, Optic
from tasks.models import HostRecord, OpticVerdict, RunResult, Support, Verdict
from tasks.versions import is_at_least, is_at_most, is_before

REPLACEMENTS_TITLE = "Replacements"
REPLACEMENTS_HEADERS = (
    "Customer", "Site", "Quantity", "Part to buy", "Description", "Also fits", "Optic type", "Model", "Verdict",
    "Replaces", "Note",
)  # fmt: skip
NONE_KNOWN = "(none known)"
MAX_LISTED = 40  # optics named in one Replaces cell; the Transceivers sheet has them all

# Form factors that a type names and that no speed implies; the others follow from the speed.
_OWN_FORMS = ("QSFP-DD", "QDD", "CFP2", "CFP4", "CFP", "OSFP", "XFP")
_FORM_OF_SPEED = {"100M": "SFP", "1G": "SFP", "10G": "SFP+", "25G": "SFP28", "40G": "QSFP+", "100G": "QSFP28"}
_FORM_WORDS = re.compile(r"\b(?:QSFP-DD|QSFP28|QSFP\+|QSFP|SFP28|SFP\+|SFP|QDD|CFP2|CFP4|CFP|OSFP|XFP)(?=[-\s]|$)")
_BASE_SPEED = re.compile(r"(\d+)(G?)B(?:ASE)?(?![A-Z0-9])|(\d+)(G?)BASE")
_SPEED = re.compile(r"(?<![\dA-Z])H?(\d+)G(?:B)?(?![A-Z0-9])")
_LENGTH = re.compile(r"(\d+(?:\.\d+)?)\s?M(?![A-Z])")
_CABLE = re.compile(r"^(?:DAC|CU|CR\d*|TWINAX)")


@dataclass(frozen=True)
class OpticKind:
    """What a port takes: form factor, speed and medium (`SR`, `LR4`, `SR-BIDI`, `DAC`, `AOC`), and a cable's
    length in metres when the type names one."""

    form: str
    speed: str
    medium: str
    length: str = ""

    def fits(self, other: OpticKind) -> bool:
        """Whether a part of kind `other` replaces one of this kind: same form, speed and medium; cables of the
        same length when both name one."""
        same = (self.form, self.speed, self.medium) == (other.form, other.speed, other.medium)
        return same and (not self.length or not other.length or self.length == other.length)


def optic_kind(text: str) -> OpticKind | None:
    """The kind of an optic type as a device or a matrix writes it; None when the text names no speed or form.

    >>> optic_kind("10GBASE-SR") == optic_kind("SFP+-10G-SR") == optic_kind("10Gbase-SR")
    True
    >>> optic_kind("QSFP-40G-SR-BD") == optic_kind("40GBASE-SR-BiDi"), optic_kind("1000BASE-SX").form
    (True, 'SFP')
    >>> optic_kind("SFP-H25GB-CU2M").fits(optic_kind("25G SFP28 DAC 2m")), optic_kind("10GBASE-CU 1m").length
    (True, '1')
    >>> optic_kind("10000B-SR") == optic_kind("SFP-10GBase-SR"), optic_kind("1000BaseSX SFP") == optic_kind("1000B-SX")
    (True, True)
    >>> optic_kind("SFP-LX10"), optic_kind("CFP2-100G-LR4").form, optic_kind("cable")
    (OpticKind(form='SFP', speed='1G', medium='LX10', length=''), 'CFP2', None)
    """
    upper = " ".join(text.strip().upper().split())
    own = next((form for form in _OWN_FORMS if upper.startswith(form)), None)
    base = _BASE_SPEED.search(upper)
    if base is not None:
        digits, giga = (base.group(1), base.group(2)) if base.group(1) else (base.group(3), base.group(4))
        number = int(digits)
        speed = f"{digits}G" if giga else (f"{number // 1000}G" if number >= 1000 else f"{number}M")
        rest = upper[base.end() :]
    else:
        match = _SPEED.search(upper)
        if match is None and not _FORM_WORDS.match(upper):
            return None
        speed = f"{match.group(1)}G" if match else "1G"  # a bare SFP type (Junos `SFP-T`) is 1G
        rest = upper[match.end() :] if match else _FORM_WORDS.sub(" ", upper, count=1)
    words = [w for w in re.split(r"[-\s_]+", _FORM_WORDS.sub(" ", rest)) if w]
    medium = "-".join("BIDI" if w == "BD" else w for w in words)
    length = ""
    found = _LENGTH.search(medium.replace("-", " "))
    if _CABLE.match(medium) or "DAC" in words or medium.startswith("AOC") or "AOC" in words:
        length = found.group(1) if found else ""
        medium = "AOC" if "AOC" in medium else "DAC"
    if not medium:
        return None
    return OpticKind(own or _FORM_OF_SPEED.get(speed, ""), speed, medium, length)


@dataclass(frozen=True)
class ReplacementRow:
    """One purchase line: at a customer's site, `quantity` optics of one kind in one model need replacing by one
    of `parts` (the first is the suggestion; empty when the matrix knows none)."""

    customer: str
    site: str
    platform: str
    model: str
    optic_type: str
    parts: tuple[str, ...]
    description: str
    quantity: int
    verdict: Verdict
    replaces: tuple[str, ...]
    note: str

    @property
    def suggestion(self) -> str | None:
        """The part to buy, or None when no supported part is known."""
        return self.parts[0] if self.parts else None


def needs_replacing(optic: OpticVerdict) -> bool:
    """Whether an optic blocks the upgrade (FAIL) or is not supported where it sits (a waiver keeps it)."""
    return optic.verdict is Verdict.FAIL or optic.supported is Support.NO


def replacement_rows(result: RunResult, matrices: Mapping[str, Matrix]) -> list[ReplacementRow]:
    """Every purchase line of `result`: per customer, site, model and optic kind, the parts that replace the
    optics that need replacing (`needs_replacing`), with their count. Hosts not checked are left out."""
    groups: dict[tuple[str, ...], list[tuple[HostRecord, OpticVerdict, str]]] = {}
    found: dict[tuple[str, ...], tuple[tuple[Optic, ...], str]] = {}
    for host in host_order(result.hosts):
        if host.status != "ok" or host.facts is None:
            continue
        matrix = matrices.get(host.platform)
        for optic in sorted(host.optics, key=lambda o: natural_key(o.transceiver.port)):
            if not needs_replacing(optic):
                continue
            parts, note = _candidates(host, optic, matrix, result)
            names = tuple(p.part for p in parts)
            key = (host.customer, host.site, host.platform, host.facts.model, _kind_text(optic), *names, note)
            groups.setdefault(key, []).append((host, optic, optic.transceiver.type))
            found[key] = (parts, note)
    rows = [_row(key, members, *found[key]) for key, members in groups.items()]
    return sorted(rows, key=lambda r: (natural_key(r.customer), natural_key(r.site), r.suggestion is None,
                                       r.suggestion or "", natural_key(r.model), r.optic_type))  # fmt: skip


def part_totals(rows: Iterable[ReplacementRow]) -> dict[tuple[str, str], int]:
    """How many of each suggested part each customer needs: {(customer, part): count}.

    >>> row = ReplacementRow("acme", "lon1", "os", "M", "10GBASE-SR", ("P-1",), "", 2, Verdict.FAIL, (), "")
    >>> part_totals([row, row])
    {('acme', 'P-1'): 4}
    """
    totals: dict[tuple[str, str], int] = {}
    for row in rows:
        if row.suggestion is not None:
            totals[(row.customer, row.suggestion)] = totals.get((row.customer, row.suggestion), 0) + row.quantity
    return totals


def replacements_sheet(result: RunResult, matrices: Mapping[str, Matrix]) -> SheetSpec:
    """The `Replacements` sheet: one row per purchase line of `replacement_rows`."""
    rows: list[Row] = []
    for line in replacement_rows(result, matrices):
        rows.append((
            line.customer, line.site, line.quantity, line.suggestion or NONE_KNOWN, line.description or None,
            ", ".join(line.parts[1:]) or None, line.optic_type, line.model, line.verdict,
            _listed(line.replaces), line.note or None,
        ))  # fmt: skip
    widths = capped_widths(REPLACEMENTS_HEADERS, rows, {4: 32, 9: 48, 10: 36})  # wrapped: prints readably
    return SheetSpec(
        REPLACEMENTS_TITLE, REPLACEMENTS_HEADERS, rows, verdict_columns=(8,), wrap_columns=(4, 9, 10), widths=widths
    )


def _listed(items: Sequence[str]) -> str:
    shown = "; ".join(items[:MAX_LISTED])
    more = len(items) - MAX_LISTED
    return shown + (f"; … {more} more (Transceivers sheet)" if more > 0 else "")


def _kind_text(optic: OpticVerdict) -> str:
    kind = optic_kind(optic.transceiver.type)
    return repr(kind) if kind else optic.transceiver.type.strip().upper()


def _row(
    key: tuple[str, ...], members: list[tuple[HostRecord, OpticVerdict, str]], parts: tuple[Optic, ...], note: str
) -> ReplacementRow:
    customer, site, platform, model = key[:4]
    blocking = any(optic.verdict is Verdict.FAIL for _, optic, _ in members)
    replaces = tuple(
        f"{host.name} {o.transceiver.port} {o.transceiver.part or '(no part)'}"
        + (f" ({o.transceiver.vendor})" if o.transceiver.vendor else "")
        for host, o, _ in members
    )
    types = sorted({optic_type for _, _, optic_type in members})
    return ReplacementRow(
        customer=customer,
        site=site,
        platform=platform,
        model=model,
        optic_type=", ".join(types),
        parts=tuple(dict.fromkeys(p.part for p in parts)),
        description=parts[0].description if parts else "",
        quantity=len(members),
        verdict=Verdict.FAIL if blocking else Verdict.WARN,
        replaces=replaces,
        note=note,
    )


def _candidates(
    host: HostRecord, optic: OpticVerdict, matrix: Matrix | None, result: RunResult
) -> tuple[tuple[Optic, ...], str]:
    """The matrix entries that replace `optic` on `host`, best first, and a note (what the list rests on)."""
    transceiver = optic.transceiver
    model = host.facts.model if host.facts else ""
    if matrix is None:
        return (), f"no matrix loaded for {host.platform}"
    kind = optic_kind(transceiver.type)
    if kind is None:  # the part may be one the matrix lists, with a type it can read
        listed = [optic_kind(o.type) for o in matrix.optics_for(transceiver.part)]
        kind = next((k for k in listed if k is not None), None)
    if kind is None:
        return (), f"optic type {transceiver.type!r} not understood: no supported part can be matched"
    versions = _versions(host, result)
    scheme = matrix.platform
    fitting = [o for o in matrix.optics if o.fits(model) and _kind_fits(kind, o) and _listed_for(o, versions, scheme)]
    held = {o.part: issue for o in fitting if (issue := _blocked_by(o, model, transceiver.port, versions, matrix))}
    usable = [o for o in fitting if o.part not in held]
    best: dict[str, Optic] = {}
    for entry in sorted(usable, key=lambda o: (o.end_of_sale is not None, not o.verified)):
        best.setdefault(entry.part, entry)
    parts = tuple(best.values())
    notes = [f"{part} left out: known issue {issue.id}" for part, issue in sorted(held.items())]
    if not parts:
        what = transceiver.type or "this type"
        notes.insert(0, f"no supported {what} part for {model} in matrices/{matrix.platform}.yaml")
    else:
        first = parts[0]
        if not first.verified:
            notes.insert(0, f"{first.part}: unverified matrix entry")
        notes += [f"{o.part}: end of sale {o.end_of_sale}" for o in parts if o.end_of_sale is not None]
    return parts, "; ".join(notes)


def _kind_fits(kind: OpticKind, entry: Optic) -> bool:
    other = optic_kind(entry.type)
    return other is not None and kind.fits(other)


def _versions(host: HostRecord, result: RunResult) -> list[str]:
    """The releases a replacement must be listed for: the running one, each hop of the plan, the target."""
    versions = [host.facts.version] if host.facts else []
    if host.plan is not None:
        versions += list(host.plan.path[1:])
    target = result.run.target_for(host.platform)
    if target:
        versions.append(target)
    return list(dict.fromkeys(versions))


def _listed_for(entry: Optic, versions: Sequence[str], scheme: str) -> bool:
    """Whether the entry's release range holds every version (a version that does not parse is not judged)."""
    for version in versions:
        try:
            if entry.from_release and not is_at_least(version, entry.from_release, scheme):
                return False
            if entry.until_release and not is_at_most(version, entry.until_release, scheme):
                return False
        except ValueError:
            continue
    return True


def _blocked_by(entry: Optic, model: str, port: str, versions: Sequence[str], matrix: Matrix) -> KnownIssue | None:
    """A blocker known issue that hits the vendor's own `entry` on `model` and `port` at one of `versions`."""
    for issue in matrix.known_issues:
        if issue.severity is not IssueSeverity.BLOCKER or issue.condition is not Condition.ANY_OPTIC:
            continue
        if not (issue.fits(model) and issue.concerns(entry.part, entry.type, port)):
            continue
        for version in versions:
            try:
                started = is_at_least(version, issue.from_release, matrix.platform)
                fixed = issue.fixed_in is not None and not is_before(version, issue.fixed_in, matrix.platform)
            except ValueError:
                continue
            if started and not fixed:
                return issue
    return None
