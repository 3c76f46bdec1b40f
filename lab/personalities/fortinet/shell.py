"""The FortiOS shell: `config global`/`config vdom`/`config system console` modes, `| grep`, the personality.

A unit with `vdoms` in the estate file runs in multi-VDOM mode, as a real one does for a super-admin session
(oxidized's 501E recording; tasks/platforms/fortinet/vdom.py in the framework cites the same sources): the top
level (`fw # `) answers `get system status` and `show` only; the unit-wide commands are answered inside
`config global` (`fw (global) # `), the per-VDOM ones inside `config vdom` / `edit <vdom>` (`fw (<vdom>) # `);
`end` returns to the top level. Anything else is refused with FortiOS's own parse error (`command parse error
before '<word>'` / `Command fail. Return code -61`, the 501E's answer to a command it does not have). Which
commands are unit-wide and which per VDOM, and that the top level refuses both, follows the FortiOS CLI
reference's global and VDOM objects; only the global ones were recorded on a real unit [unverified for the rest].
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass

from lab.personalities.base import (
    Command,
    DeviceView,
    Personality,
    Reply,
    match_command,
)
from lab.personalities.fortinet.hardware import (
    MODELS,
    STATE_KEYS,
    validate_device,
    vdoms_enabled,
)
from lab.personalities.fortinet.readiness import (
    diagnose_hardware_deviceinfo_disk,
    diagnose_sys_ntp_status,
    execute_sensor_list,
    get_system_fortiguard_service_status,
    get_system_ha_status,
    get_system_performance_status,
)
from lab.personalities.fortinet.snapshot import (
    diagnose_sys_session_stat,
    get_router_info_routing_table_all,
    get_system_arp,
    get_system_interface_physical,
    show,
)
from lab.personalities.fortinet.system import get_system_interface_transceiver, get_system_status
from lab.personalities.fortinet.upgrade import CONFIRM_RESTORE, execute_restore_image

# --- the shell ------------------------------------------------------------------------------------------


_UNKNOWN_ACTION = "Unknown action 0"
# FortiOS's answer to a known action with words it cannot parse (oxidized 501E transcript, [src]).
_PARSE_ERROR = "command parse error before '{word}'\nCommand fail. Return code -61"
# The first words FortiOS knows at the top level; any other first word is `Unknown action 0` [unverified].
ACTIONS = frozenset({"config", "get", "show", "diagnose", "execute", "exit", "end", "tree", "fnsysctl", "sudo"})

ShellHandler = Callable[["FortiShell", dict[str, str]], str]


@dataclass(frozen=True)
class ShellCommand:
    """A command that reads or changes the session (config contexts, the console's output mode)."""

    syntax: str
    handler: ShellHandler
    contexts: tuple[str, ...]  # where it is accepted: "" top level, "global", "console", "vdom", "in-vdom"


class FortiShell:
    """One FortiOS CLI session: config contexts (`(global)`, `(console)`), `| grep`, FortiOS errors."""

    def __init__(self, view: DeviceView) -> None:
        self.view = view
        self.contexts: list[str] = []
        # FortiOS ships with `output more`: netmiko switches it to standard (and back at cleanup). Paging
        # itself is not simulated: the lab's session answers whole lines, never a bare space. In a running lab
        # the mode is the unit's (DeviceRuntime.console_output), kept from one session to the next.
        self._output_mode = "more"
        self._pending: dict[str, str] | None = None  # `execute restore image` waiting for its (y/n)

    @property
    def output_mode(self) -> str:
        runtime = self.view.runtime
        return runtime.console_output if runtime is not None else self._output_mode

    def set_output_mode(self, mode: str) -> None:
        if self.view.runtime is not None:
            self.view.runtime.set_console_output(mode)
        else:
            self._output_mode = mode

    def prompt(self) -> str:
        context = f" ({self.contexts[-1].removeprefix(_IN_VDOM)})" if self.contexts else ""
        return f"{self.view.device.name}{context} # "

    def level(self) -> str:
        """Where the session is: "" top level, "global", "console", "vdom" (`config vdom`), "in-vdom"."""
        if not self.contexts:
            return ""
        return "in-vdom" if self.contexts[-1].startswith(_IN_VDOM) else self.contexts[-1]

    def banner(self) -> str:
        return ""

    def handle(self, line: str) -> Reply:
        if self._pending is not None:
            args, self._pending = self._pending, None
            if line.strip().lower() != "y":
                return Reply(text="\n")
            text = execute_restore_image(self.view, args)
            return Reply(text=f"{text}\n\n")
        command, grep = _split_grep(line)
        words = command.split()
        if not words:
            return Reply()
        context = self.level()
        restore = _restore_args(words)
        if restore is not None and context == ("global" if vdoms_enabled(self.view.device) else ""):
            self._pending = restore
            return Reply(text=CONFIRM_RESTORE, prompt=False)
        for shell_command in SHELL_COMMANDS:
            if context in shell_command.contexts and _matches(shell_command.syntax, words):
                text = shell_command.handler(self, {"value": words[-1]})
                return Reply(text=_framed(text, grep), close=shell_command.handler is _exit, setup=True)
        found = match_command(self.commands(), command)
        if found.command is not None:
            text = found.command.handler(self.view, dict(found.args))
            return Reply(text=_framed(text, grep), setup=found.command.setup or grep is not None)
        return Reply(text=_framed(self._error(words, found.error_word), None))

    def refuse(self, line: str) -> str:
        """A command the admin profile lacks: FortiOS' parse error before its second word."""
        return _framed(self._error(line.split(), None), None)

    def commands(self) -> tuple[Command, ...]:
        """The commands answered where the session is: all of them without VDOMs."""
        if not vdoms_enabled(self.view.device):
            return COMMANDS
        level = self.level()
        return tuple(
            c
            for c in COMMANDS
            if c.syntax in _ANY_LEVEL or c.syntax in {"global": GLOBAL, "in-vdom": IN_VDOM}.get(level, ())
        )

    def _error(self, words: list[str], error_word: str | None) -> str:
        if words[0] not in ACTIONS:
            return _UNKNOWN_ACTION
        if error_word is None or error_word == words[0]:
            error_word = words[1] if len(words) > 1 else words[0]
        return "\n" + _PARSE_ERROR.format(word=error_word)


def _restore_args(words: list[str]) -> dict[str, str] | None:
    """``execute restore image tftp FILE SERVER`` / ``... ftp FILE SERVER[:PORT] USER [PASS]``: its arguments."""
    if words[:3] != ["execute", "restore", "image"] or len(words) < 6:
        return None
    source = words[3]
    if (source == "tftp" and len(words) == 6) or (source == "ftp" and len(words) in (7, 8)):
        return {"source": source, "file": words[4], "server": words[5]}
    return None


def _matches(syntax: str, words: list[str]) -> bool:
    tokens = syntax.split()
    return len(tokens) == len(words) and all(
        t.startswith("<") or w in t.split("|") for t, w in zip(tokens, words, strict=True)
    )


def _config_global(shell: FortiShell, args: dict[str, str]) -> str:
    if not vdoms_enabled(shell.view.device):
        return "\n" + _PARSE_ERROR.format(word="global")
    shell.contexts.append("global")
    return ""


def _config_console(shell: FortiShell, args: dict[str, str]) -> str:
    shell.contexts.append("console")
    return ""


def _set_output(shell: FortiShell, args: dict[str, str]) -> str:
    shell.set_output_mode(args["value"])
    return ""


def _config_vdom(shell: FortiShell, args: dict[str, str]) -> str:
    if not vdoms_enabled(shell.view.device):
        return "\n" + _PARSE_ERROR.format(word="vdom")
    shell.contexts.append("vdom")
    return ""


def _edit_vdom(shell: FortiShell, args: dict[str, str]) -> str:
    """`edit <vdom>` in `config vdom` (a real unit would create an unknown one; the lab refuses it)."""
    if args["value"] not in shell.view.device.vdoms:
        return "\n" + _PARSE_ERROR.format(word=args["value"])
    shell.contexts[-1] = _IN_VDOM + args["value"]
    return ""


def _end(shell: FortiShell, args: dict[str, str]) -> str:
    if shell.contexts:
        shell.contexts.pop()
    return ""


def _get_console(shell: FortiShell, args: dict[str, str]) -> str:
    """`get system console` (FortiOS 7.x; field list after the 7.x CLI reference, [unverified])."""
    return "\n".join(
        [
            f"{key:<20}: {value}"
            for key, value in (
                ("output", shell.output_mode),
                ("login", "enable"),
                ("fortiexplorer", "enable"),
                ("log", "disable"),
            )
        ]
    )


def _show_console(shell: FortiShell, args: dict[str, str]) -> str:
    """`show full-configuration system console` (what netmiko reads on FortiOS 6.x)."""
    return f"config system console\n    set output {shell.output_mode}\n    set login enable\nend"


def _exit(shell: FortiShell, args: dict[str, str]) -> str:
    return ""


_IN_VDOM = "vdom:"  # the context of the session inside `edit <vdom>`, followed by its name
_ANYWHERE = ("", "global", "console", "vdom", "in-vdom")
SHELL_COMMANDS: tuple[ShellCommand, ...] = (
    ShellCommand("config global", _config_global, ("",)),
    ShellCommand("config vdom", _config_vdom, ("",)),
    ShellCommand("edit <vdom>", _edit_vdom, ("vdom",)),
    ShellCommand("config system console", _config_console, ("", "global")),
    ShellCommand("set output standard|more", _set_output, ("console",)),
    ShellCommand("end", _end, _ANYWHERE),
    ShellCommand("get system console", _get_console, ("", "global")),
    ShellCommand("show full-configuration system console", _show_console, ("", "global")),
    ShellCommand("exit", _exit, _ANYWHERE),
)

COMMANDS: tuple[Command, ...] = (
    Command("get system status", get_system_status),
    Command("get system interface transceiver", get_system_interface_transceiver),
    Command("get system ha status", get_system_ha_status),
    Command("diagnose hardware deviceinfo disk", diagnose_hardware_deviceinfo_disk),
    Command("diagnose sys ntp status", diagnose_sys_ntp_status),
    Command("get system performance status", get_system_performance_status),
    Command("get system fortiguard-service status", get_system_fortiguard_service_status),
    Command("execute sensor list", execute_sensor_list),
    Command("get system interface physical", get_system_interface_physical),
    Command("get router info routing-table all", get_router_info_routing_table_all),
    Command("get system arp", get_system_arp),
    Command("diagnose sys session stat", diagnose_sys_session_stat),
    Command("show", show),
)
# On a multi-VDOM unit: what every level answers, what only `config global` answers, what only a VDOM answers.
_ANY_LEVEL = frozenset({"get system status", "show"})
GLOBAL = frozenset(
    {
        "get system interface transceiver",
        "get system ha status",
        "diagnose hardware deviceinfo disk",
        "diagnose sys ntp status",
        "get system performance status",
        "get system fortiguard-service status",
        "execute sensor list",
        "get system interface physical",
    }
)
IN_VDOM = frozenset({"get router info routing-table all", "get system arp", "diagnose sys session stat"})


def _split_grep(line: str) -> tuple[str, tuple[str, bool, bool] | None]:
    """`cmd | grep [-i] [-v] word` -> (cmd, (word, ignore case, invert)); no pipe -> (line, None).

    >>> _split_grep("get system status | grep -i version")
    ('get system status', ('version', True, False))
    """
    command, pipe, rest = line.partition("|")
    if not pipe:
        return line.strip(), None
    try:
        words = shlex.split(rest)
    except ValueError:
        words = rest.split()
    if not words or words[0] != "grep":
        return line.strip(), None
    flags = {w for w in words[1:] if w.startswith("-")}
    pattern = " ".join(w for w in words[1:] if not w.startswith("-"))
    return command.strip(), (pattern, "-i" in flags, "-v" in flags)


def _grep(text: str, grep: tuple[str, bool, bool]) -> str:
    pattern, ignore_case, invert = grep
    try:
        regex = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    except re.error:
        regex = re.compile(re.escape(pattern), re.IGNORECASE if ignore_case else 0)
    return "\n".join(line for line in text.split("\n") if bool(regex.search(line)) != invert)


def _framed(text: str, grep: tuple[str, bool, bool] | None) -> str:
    """FortiOS ends every output with a blank line before the prompt (`\\r\\n\\r\\n<prompt>` on the wire)."""
    if grep is not None:
        text = _grep(text, grep)
    return f"{text}\n\n" if text else "\n"


PERSONALITY = Personality(
    platform="fortinet",
    validate_device=validate_device,
    new_shell=FortiShell,
    models=tuple(MODELS),
    state_keys=STATE_KEYS,
    device_fields=frozenset({"vdoms"}),
    extra_kex_algs=("diffie-hellman-group14-sha1",),
)
