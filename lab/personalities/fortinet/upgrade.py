"""FortiOS firmware upgrade: ``execute restore image tftp|ftp ...`` with its ``(y/n)`` question, then a reboot.

The prompt and progress lines are a real FortiGate-100D console transcript's, with the signature line of 7.x
(shared/reference/research/upgrade-backup-cli.md B.2); the failures are the texts automation waits on there
(`Transfer timed out`, `Command fail. File is not an update file.`). The image's version is read from its file
name (`FGT_60F-v7.4.8.M-build2795-FORTINET.out` -> 7.4.8): the lab has no image to open [lab's assumption].
"""

from __future__ import annotations

import re
import time

from lab.personalities.base import DeviceView
from lab.runtime import DeviceRuntime, Refused

CONFIRM_RESTORE = "This operation will replace the current firmware version!\nDo you want to continue? (y/n)"
_VERSION = re.compile(r"(\d+\.\d+\.\d+)")


def image_version(filename: str) -> str | None:
    """The FortiOS version named in an image file name.

    >>> image_version("FGT_60F-v7.4.8.M-build2795-FORTINET.out"), image_version("image.out")
    ('7.4.8', None)
    """
    found = _VERSION.search(filename)
    return found.group(1) if found else None


def _runtime(view: DeviceView) -> DeviceRuntime:
    if view.runtime is None:
        view.runtime = DeviceRuntime(view.device, reboot_s=view.device.reboot_s)
    return view.runtime


def execute_restore_image(view: DeviceView, args: dict[str, str]) -> str:
    """After the ``y``: fetch from the server, check, write, and go down (the server then drops the session)."""
    source, filename, server = args["source"], args["file"], args["server"]
    version = image_version(filename)
    lines = ["Please wait...", "", f"Connect to {source} server {server} ..."]
    if version is None:
        return "\n".join([*lines, f"Get image from {source} server OK.", "Check image error.",
                          "Command fail. File is not an update file."])  # fmt: skip
    try:
        _runtime(view).restore_image(version, time.time())
    except Refused as exc:
        return "\n".join([*lines, str(exc)])
    return "\n".join(
        [
            *lines,
            "#" * 60,
            f"Get image from {source} server OK.",
            "Verifying the signature of the firmware image.",
            "Checking new firmware integrity ... pass",
            "",
            "Please wait for system to restart.",
            "",
            "",
            "Firmware upgrade in progress ...",
            "Done.",
            "",
            "The system is going down NOW !!",
        ]
    )
