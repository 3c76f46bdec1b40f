"""FortiOS upgrade steps as data: `execute restore image` fetches the image, writes it and reboots.

From the research notes (upgrade-backup-cli.md B.1-B.3): every `(y/n)` is answered `y`; on multi-VDOM units the
command runs in `config global`; after the reboot `get system status` names the running release (and build).
The image server comes from config.yaml (per customer overridable) when the step is executed.
"""

from __future__ import annotations

from tasks.models.upgrade import StepKind
from tasks.platforms.base import StepCommand, UpgradeDriver
from tasks.platforms.fortinet.commands import COMMANDS

DRIVER = UpgradeDriver(
    steps={
        StepKind.RECHECK: (StepCommand(COMMANDS["transceivers"], "no known issue of {version} applies to the optics"),),
        StepKind.INSTALL: (
            StepCommand(
                "execute restore image tftp {image} {server}",
                "answer every (y/n) with y; image verified and written; the unit reboots",
            ),
        ),
        StepKind.WAIT: (StepCommand(COMMANDS["facts"], "gone away, then answers again (bounded, with backoff)"),),
        StepKind.VERIFY: (StepCommand(COMMANDS["facts"], "Version: v{version}"),),
    },
    install_reboots=True,
    note="multi-VDOM units: sent in config global",
)
