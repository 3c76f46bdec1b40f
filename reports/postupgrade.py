"""A post-upgrade's own sheet: Diff, one row per device and compared area or item (from each host's typed diff)."""

from __future__ import annotations

from reports.sheets import CellValue, SheetSpec
from tasks.models import RunResult

DIFF_TITLE = "Diff"
DIFF_HEADERS = ("Device", "Customer", "Site", "Area", "Item", "Before", "After", "Verdict", "Message")


def diff_sheet(result: RunResult) -> SheetSpec:
    """Every DiffRow of every host, in the run's host order; a host without a diff (SKIPPED, ERROR) has none.

    >>> from tasks.models import HostRecord, RunInfo, Verdict
    >>> from tasks.models.diff import DiffRow
    >>> host = HostRecord("fw1", "a", "s", "os", diff=[DiffRow("optics", "e1/1", "OEM SR", None, Verdict.FAIL, "gone")])
    >>> diff_sheet(RunResult(RunInfo("r", "post-upgrade", [], None, ""), [host])).rows[0][3:8]
    ('optics', 'e1/1', 'OEM SR', None, 'FAIL')
    """
    rows: list[tuple[CellValue, ...]] = [
        (host.name, host.customer, host.site, row.area, row.item, row.before, row.after, row.verdict.value, row.message)
        for host in result.hosts
        for row in host.diff
    ]
    return SheetSpec(DIFF_TITLE, DIFF_HEADERS, rows, verdict_columns=(7,), wrap_columns=(8,))
