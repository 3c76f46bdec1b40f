"""A backup run's own sheet: Backup, one row per device (its file, lines added / removed, the commit)."""

from __future__ import annotations

from reports.sheets import CellValue, SheetSpec, host_order
from tasks.models import RunResult

BACKUP_TITLE = "Backup"
BACKUP_HEADERS = ("Device", "Customer", "Site", "File", "Status", "Lines added", "Lines removed", "Commit", "Verdict")
SHORT_COMMIT = 12  # characters of a commit hash shown (git's own short form is at least 7)


def backup_sheet(result: RunResult) -> SheetSpec:
    """Every host with a backup, in the run's host order; the commit is empty when the file did not change.

    >>> from tasks.models import HostRecord, RunInfo
    >>> from tasks.models.backup import BackupStatus, DeviceBackup
    >>> row = DeviceBackup(BackupStatus.CHANGED, "lon1/sw1.cfg", 3, 1, "0a1b2c3d4e5f6a7b")
    >>> host = HostRecord("sw1", "acme", "lon1", "os", backup=row)
    >>> backup_sheet(RunResult(RunInfo("r", "backup", [], None, ""), [host])).rows[0]
    ('sw1', 'acme', 'lon1', 'lon1/sw1.cfg', 'changed', 3, 1, '0a1b2c3d4e5f', 'PASS')
    """
    rows: list[tuple[CellValue, ...]] = []
    for host in host_order(result.hosts):
        backup = host.backup
        if backup is None:
            continue
        rows.append(
            (
                host.name,
                host.customer,
                host.site,
                backup.file,
                backup.status.value,
                backup.added,
                backup.removed,
                backup.commit[:SHORT_COMMIT] or None,
                host.verdict.value,
            )
        )
    return SheetSpec(BACKUP_TITLE, BACKUP_HEADERS, rows, verdict_columns=(8,))
