"""The PAN-OS shell: the command table, the prompt and the personality."""

from __future__ import annotations

from lab.personalities.base import (
    Command,
    DeviceView,
    Handler,
    Personality,
    Reply,
    match_command,
    nothing,
)
from lab.personalities.paloalto_panos.hardware import (
    MODELS,
    STATE_KEYS,
    validate_device,
)
from lab.personalities.paloalto_panos.readiness import (
    check_pending_changes,
    debug_swm_status,
    request_license_info,
    request_system_software_info,
    show_clock,
    show_jobs_all,
    show_jobs_id,
    show_ntp,
    show_system_disk_space,
    show_system_environmentals,
    show_system_resources,
)
from lab.personalities.paloalto_panos.snapshot import (
    show_advanced_routing_route,
    show_arp_all,
    show_config_running,
    show_routing_route,
    show_session_info,
)
from lab.personalities.paloalto_panos.system import (
    show_high_availability_all,
    show_high_availability_state,
    show_interface_hardware,
    show_system_info,
    show_system_state,
    show_system_state_filter,
)
from lab.personalities.paloalto_panos.upgrade import (
    CONFIRM_INSTALL,
    CONFIRM_RESTART,
    delete_software_version,
    request_high_availability_state,
    request_restart_system,
    request_system_software_download,
    request_system_software_install,
    show_chassis_ready,
)

COMMANDS: tuple[Command, ...] = (
    Command("set cli scripting-mode on|off", nothing, setup=True),
    Command("set cli terminal width <n>", nothing, setup=True),
    Command("set cli terminal height <n>", nothing, setup=True),
    Command("set cli pager on|off", nothing, setup=True),
    Command("set cli config-output-format default|xml|set|json", nothing, setup=True),
    Command("set cli confirmation-prompt on|off", nothing),
    Command("show system info", show_system_info),
    Command("show system state", show_system_state),
    Command("show system state filter <pattern>", show_system_state_filter),
    Command("show system disk-space", show_system_disk_space),
    Command("show interface hardware", show_interface_hardware),
    Command("show high-availability state", show_high_availability_state),
    Command("show high-availability all", show_high_availability_all),
    Command("show jobs all", show_jobs_all),
    Command("request license info", request_license_info),
    Command("check pending-changes", check_pending_changes),
    Command("show ntp", show_ntp),
    Command("show system resources", show_system_resources),
    Command("show system environmentals", show_system_environmentals),
    Command("request system software info", request_system_software_info),
    Command("request system software check", request_system_software_info),
    Command("request system software download version <version>", request_system_software_download),
    Command("request system software install version <version>", request_system_software_install),
    Command("request restart system", request_restart_system),
    Command("show jobs id <id>", show_jobs_id),
    Command("show chassis-ready", show_chassis_ready),
    Command("delete software version <version>", delete_software_version),
    Command("request high-availability state <state>", request_high_availability_state),
    Command("debug swm status", debug_swm_status),
    Command("show clock", show_clock),
    Command("show routing route", show_routing_route),
    Command("show advanced-routing route", show_advanced_routing_route),
    Command("show arp all", show_arp_all),
    Command("show session info", show_session_info),
    Command("show config running", show_config_running),
    Command("exit|quit", nothing, close=True),
)


# --- the shell ------------------------------------------------------------------------------------------


class PanosShell:
    """One PAN-OS CLI session. netmiko's first ``show system info`` counts as session preparation.

    Install and restart ask ``(y or n)`` first (unless ``set cli confirmation-prompt off``); the next line
    answers: ``y`` runs the command, anything else cancels it.
    """

    def __init__(self, view: DeviceView) -> None:
        self.view = view
        self._prepared = False
        self._confirm = True
        self._pending: tuple[Command, dict[str, str]] | None = None

    def prompt(self) -> str:
        ha = self.view.device.ha
        state = f"({ha.state})" if ha is not None else ""
        return f"{self.view.username}@{self.view.device.name}{state}> "

    def banner(self) -> str:
        return "\nNumber of failed attempts since last successful login: 0\n\n\n"

    def handle(self, line: str) -> Reply:
        if self._pending is not None:
            command, args = self._pending
            self._pending = None
            if line.strip().lower() not in ("y", "yes"):
                return Reply(text="")
            return self._run(command, args)
        found = match_command(COMMANDS, line)
        if found.command is None:
            text = f"Unknown command: {found.error_word}" if found.error_word else "Invalid syntax."
            return Reply(text=_framed(text))
        command = found.command
        if command.syntax.startswith("set cli confirmation-prompt"):
            self._confirm = line.split()[-1] == "on"
            return Reply(text="")
        question = _CONFIRM.get(command.handler)
        if question is not None and self._confirm:
            self._pending = (command, dict(found.args))
            return Reply(text=f"\n{question}", prompt=False)
        return self._run(command, dict(found.args))

    def _run(self, command: Command, args: dict[str, str]) -> Reply:
        setup = command.setup or (command.handler is show_system_info and not self._prepared)
        if command.handler is show_system_info:
            self._prepared = True
        text = command.handler(self.view, args)
        return Reply(text=_framed(text) if text else "", close=command.close, setup=setup)

    def refuse(self, line: str) -> str:
        """A command the admin role lacks is hidden: PAN-OS calls its second word unknown."""
        words = line.split()
        return _framed(f"Unknown command: {words[min(1, len(words) - 1)]}")


_CONFIRM: dict[Handler, str] = {
    request_restart_system: CONFIRM_RESTART,
    request_system_software_install: CONFIRM_INSTALL,
}


def _framed(text: str) -> str:
    """PAN-OS prints a blank line before and after a command's output."""
    return f"\n{text}\n\n"


# What a PAN-OS 10.2 management interface offers (nmap ssh2-enum-algos against a firewall after its upgrade from
# 10.1 to 10.2, 2024-01-10: http://thewayeye.net/posts/panos-ssh-issue/). No post-quantum hybrid (mlkem768x25519,
# sntrup761x25519) among them, so a client negotiates curve25519 as it would with the device. The same capture
# shows an ssh-rsa host key only; the lab keeps one ed25519 key per lab for all platforms.
KEX_ALGS = (
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group14-sha256",
    "diffie-hellman-group14-sha1",
)

PERSONALITY = Personality(
    platform="paloalto_panos",
    validate_device=validate_device,
    new_shell=PanosShell,
    models=tuple(MODELS),
    state_keys=STATE_KEYS,
    kex_algs=KEX_ALGS,
)
