"""Where compliance reads a device's configuration: its newest backup when that is young enough, else the device.

The newest backup run folder (`*-backup-*` under the output folder, newest first) that read the device
(`host.backup` changed or unchanged) gives the file in the customer's repository and the time it was read: the
run's start. Younger than `compliance.max_backup_age_h`: compliance judges that file (already sanitised, its
volatile lines gone: the rules do not look at those) instead of asking the device for its configuration again.
The device is still read for its release and optics. A backup taken with another command than the one compliance
reads is not used.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reports.runfolder import age_hours, runs_newest_first
from tasks.models.backup import BackupStatus

log = logging.getLogger(__name__)

BACKUP = "backup"


@dataclass(frozen=True)
class BackedUp:
    """A device's configuration as its newest backup holds it: the file, the run, how old it is (hours)."""

    path: Path
    run: str
    age_h: float


def newest_backups(out_dir: Path, names: Iterable[str], now: datetime, max_age_h: float) -> dict[str, BackedUp]:
    """{device: its newest backup younger than `max_age_h`} for the devices of `names` that have one."""
    wanted, found = set(names), {}
    for _, result in runs_newest_first(out_dir, BACKUP):
        age = age_hours(result, now)
        if age > max_age_h:
            break  # the folders are newest first: every later one is older still
        for host in result.hosts:
            backup = host.backup
            if host.name not in wanted or host.name in found or backup is None:
                continue
            path = Path(backup.repository) / backup.file
            if backup.status is not BackupStatus.FAILED and path.is_file():
                found[host.name] = BackedUp(path, result.run.id, age)
    return found
