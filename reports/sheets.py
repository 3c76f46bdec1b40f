"""The workbook's tables as data: `SheetSpec`, and the Devices, Transceivers, Findings and Errors sheets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

from reports.text import natural_key
from tasks.models import HostRecord, RunInfo, RunResult, Verdict

CellValue = str | int | float | bool | None
Row = Sequence[CellValue | Enum]  # enums (Verdict, Severity, Support) are written as their value

DEVICES_HEADERS = (
    "Device", "Customer", "Site", "Platform", "Model", "Serial", "Version", "Target", "Verdict", "Findings",
)  # fmt: skip
TRANSCEIVERS_HEADERS = (
    "Device", "Customer", "Site", "Port", "Type", "Vendor", "Part number", "Serial", "OEM", "Supported",
    "Verdict", "Reason",
)  # fmt: skip
FINDINGS_HEADERS = ("Device", "Check", "Severity", "Verdict", "Message")
ERRORS_HEADERS = ("Device", "Stage", "Error")
_ATTENTION = frozenset({Verdict.WARN, Verdict.FAIL, Verdict.ERROR})
_INVALID_TITLE_CHARS = frozenset("[]:*?/\\")


@dataclass(frozen=True)
class SheetSpec:
    """One table sheet: row 1 is `headers`, then `rows`; how it is styled is the writer's business.

    `verdict_columns` are 0-based indexes whose cells are coloured by verdict; `wrap_columns` hold long text
    that wraps once the column reaches its width cap; `widths` overrides the computed width of a column;
    `notes` puts a comment on a cell, keyed by (0-based row of `rows`, 0-based column).
    """

    title: str
    headers: tuple[str, ...]
    rows: Sequence[Row]
    verdict_columns: tuple[int, ...] = ()
    wrap_columns: tuple[int, ...] = ()
    widths: Mapping[int, float] = field(default_factory=dict)
    notes: Mapping[tuple[int, int], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.title or len(self.title) > 31 or _INVALID_TITLE_CHARS & set(self.title):
            raise ValueError(f"sheet title {self.title!r}: Excel wants 1-31 characters and none of []:*?/\\")
        width = len(self.headers)
        for index in (*self.verdict_columns, *self.wrap_columns, *self.widths):
            if not 0 <= index < width:
                raise ValueError(f"sheet {self.title!r}: column index {index} outside its {width} headers")
        for number, row in enumerate(self.rows, start=2):
            if len(row) != width:
                raise ValueError(f"sheet {self.title!r}: row {number} has {len(row)} cells, headers {width}")


def capped_widths(headers: Sequence[str], rows: Sequence[Row], caps: Mapping[int, int]) -> dict[int, float]:
    """`SheetSpec.widths` for columns of long text that wrap at a narrower cap than the writer's: each column of
    `caps` (0-based) as wide as its longest text, at most its cap.

    >>> capped_widths(("Hops",), [("a" * 50,)], {0: 36})
    {0: 36.0}
    """
    widths: dict[int, float] = {}
    for column, cap in caps.items():
        longest = max([len(headers[column]) + 4, *(len(str(row[column] or "")) + 2 for row in rows)])
        widths[column] = float(min(cap, longest))
    return widths


def target_for(run: RunInfo, host: HostRecord) -> str | None:
    """The release `host` was judged against (the run's `--target` for the host's platform)."""
    return run.target_for(host.platform)


def host_order(hosts: Sequence[HostRecord]) -> list[HostRecord]:
    """Hosts sorted by customer, site and device name (numbers in names by value)."""
    return sorted(hosts, key=lambda h: (natural_key(h.customer), natural_key(h.site), natural_key(h.name)))


def attention_count(host: HostRecord) -> int:
    """The Devices sheet's `Findings`: how many findings need attention (WARN, FAIL or ERROR)."""
    return sum(1 for f in host.findings if f.verdict in _ATTENTION)


def devices_sheet(result: RunResult) -> SheetSpec:
    """One row per device with its facts, the target release and its verdict."""
    rows: list[Row] = []
    for h in host_order(result.hosts):
        facts = h.facts
        rows.append((
            h.name, h.customer, h.site, h.platform,
            facts.model if facts else None, facts.serial if facts else None, facts.version if facts else None,
            target_for(result.run, h), h.verdict, attention_count(h),
        ))  # fmt: skip
    return SheetSpec("Devices", DEVICES_HEADERS, rows, verdict_columns=(8,))


def transceivers_sheet(result: RunResult) -> SheetSpec:
    """One row per optic, ports in natural order within a device."""
    rows: list[Row] = []
    for h in host_order(result.hosts):
        for o in sorted(h.optics, key=lambda o: natural_key(o.transceiver.port)):
            t = o.transceiver
            rows.append((
                h.name, h.customer, h.site, t.port, t.type, t.vendor, t.part, t.serial,
                "yes" if o.oem else "no", o.supported, o.verdict, o.reason,
            ))  # fmt: skip
    return SheetSpec("Transceivers", TRANSCEIVERS_HEADERS, rows, verdict_columns=(10,), wrap_columns=(11,))


def findings_sheet(result: RunResult) -> SheetSpec:
    """Every finding of every device (PASS included: it is the audit trail), in the order the checks ran."""
    rows: list[Row] = [
        (h.name, f.check, f.severity, f.verdict, f.message) for h in host_order(result.hosts) for f in h.findings
    ]
    return SheetSpec("Findings", FINDINGS_HEADERS, rows, verdict_columns=(3,), wrap_columns=(4,))


def errors_sheet(result: RunResult) -> SheetSpec:
    """One row per device that could not be checked, with the stage that failed."""
    rows: list[Row] = [(h.name, h.error_stage, h.error) for h in host_order(result.hosts) if h.status == "error"]
    return SheetSpec("Errors", ERRORS_HEADERS, rows, wrap_columns=(2,))


def standard_sheets(result: RunResult) -> list[SheetSpec]:
    """The four table sheets every run has after Summary, in their contract order."""
    return [devices_sheet(result), transceivers_sheet(result), findings_sheet(result), errors_sheet(result)]
