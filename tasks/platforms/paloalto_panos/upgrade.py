"""PAN-OS upgrade steps as data: the CLI of a software download, install, reboot and clean-up.

From the research notes (upgrade-backup-cli.md A.1-A.4): downloads and installs are jobs polled with
`show jobs id N` until FIN (the reboot is gated on the install job's FIN OK); `request system software install`
and `request restart system` ask for a y/n confirmation; after the boot the device is ready when
`show chassis-ready` says yes and the AutoCom job is FIN OK; `show system info` then names the running release.
"""

from __future__ import annotations

from tasks.models.upgrade import StepKind
from tasks.platforms.base import StepCommand, UpgradeDriver
from tasks.platforms.paloalto_panos.commands import COMMANDS

_DOWNLOAD = (
    StepCommand("request system software download version {version}", "Download job enqueued with jobid N"),
    StepCommand("show jobs id N", "Downld job FIN OK (polled, bounded)"),
)

DRIVER = UpgradeDriver(
    steps={
        StepKind.DOWNLOAD_BASE: _DOWNLOAD,
        StepKind.DOWNLOAD: _DOWNLOAD,
        StepKind.INSTALL: (
            StepCommand("request system software install version {version}", "answer y; install job enqueued, jobid N"),
            StepCommand("show jobs id N", "SWInstall job FIN OK (polled, bounded)"),
        ),
        StepKind.RECHECK: (StepCommand(COMMANDS["transceivers"], "no known issue of {version} applies to the optics"),),
        StepKind.REBOOT: (StepCommand("request restart system", "answer y; the session drops"),),
        StepKind.WAIT: (
            StepCommand("show chassis-ready", "gone away, then yes (bounded, with backoff)"),
            StepCommand("show jobs all", "AutoCom job FIN OK"),
        ),
        StepKind.VERIFY: (StepCommand(COMMANDS["facts"], "sw-version: {version}"),),
        StepKind.DELETE: (StepCommand("delete software version {version}", "image removed"),),
    },
)
