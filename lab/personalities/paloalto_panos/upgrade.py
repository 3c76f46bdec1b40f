"""PAN-OS software upgrade commands: download, install, restart, chassis-ready, delete, HA suspend/functional.

Reply texts are the real ones where the research notes quote them (shared/reference/research/upgrade-backup-cli.md
A.1-A.4: `Download job enqueued with jobid N`, the install reply, `The system is going down for reboot NOW!`,
`Successfully changed HA state to ...`); refusals are `Server error : ...` lines as PAN-OS prints its errors
[unverified wording of each reason]. The state they change is the device's ``lab.runtime.DeviceRuntime``.
"""

from __future__ import annotations

import time

from lab.personalities.base import DeviceView
from lab.personalities.paloalto_panos.readiness import next_job_id
from lab.releases import releases
from lab.runtime import DeviceRuntime, Refused

CONFIRM_RESTART = "Executing this command will disconnect the current session. Do you want to continue? (y or n)"
CONFIRM_INSTALL = "Executing this command will install a new version of software. Do you want to continue? (y or n)"


def runtime(view: DeviceView) -> DeviceRuntime:
    """The device's runtime (a view made outside a running lab gets its own), job ids after its history."""
    if view.runtime is None:
        view.runtime = DeviceRuntime(view.device, reboot_s=view.device.reboot_s)
    if view.runtime.next_job == 0:
        view.runtime.next_job = next_job_id(view)
    return view.runtime


def request_system_software_download(view: DeviceView, args: dict[str, str]) -> str:
    """``request system software download version X``: ``Download job enqueued with jobid N``."""
    version = args["version"]
    known = {image.version for image in releases("paloalto_panos").images}
    if known and version not in known:
        return f"Server error : Image {version} is not available on the update server"
    try:
        job = runtime(view).download(version, time.time())
    except Refused as exc:
        return str(exc)
    return f"Download job enqueued with jobid {job.ident}"


def request_system_software_install(view: DeviceView, args: dict[str, str]) -> str:
    """``request system software install version X`` (after its confirmation): the install job, or why not."""
    try:
        job = runtime(view).install(args["version"], time.time())
    except Refused as exc:
        return str(exc)
    return (
        f"Software install job enqueued with jobid {job.ident}. Run 'show jobs id {job.ident}' to monitor its"
        " status. Please reboot the device after the installation is done."
    )


def request_restart_system(view: DeviceView, args: dict[str, str]) -> str:
    """``request restart system`` (after its confirmation): the broadcast; the server then drops every session."""
    runtime(view).restart(time.time())
    return "\nBroadcast message from root (Mon):\n\nThe system is going down for reboot NOW!"


def show_chassis_ready(view: DeviceView, args: dict[str, str]) -> str:
    """``show chassis-ready``: ``no`` while the AutoCom job of a fresh boot runs, else ``yes``."""
    return "yes" if runtime(view).chassis_ready(time.time()) else "no"


def delete_software_version(view: DeviceView, args: dict[str, str]) -> str:
    """``delete software version X`` [unverified reply wording]."""
    try:
        runtime(view).delete_image(args["version"])
    except Refused as exc:
        return str(exc)
    return f"Successfully deleted software version {args['version']}"


def request_high_availability_state(view: DeviceView, args: dict[str, str]) -> str:
    """``request high-availability state suspend|functional``."""
    if args["state"] not in ("suspend", "functional"):
        return "Invalid syntax."
    try:
        state = runtime(view).set_ha(args["state"])
    except Refused as exc:
        return str(exc)
    return f"Successfully changed HA state to {state}"
