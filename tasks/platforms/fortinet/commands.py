"""FortiOS: the commands estate sends, and the session framing (paging, echo, prompt) taken off their output."""

from __future__ import annotations

import re

DEVICE_TYPE = "fortinet"

COMMANDS: dict[str, str] = {
    "facts": "get system status",
    "transceivers": "get system interface transceiver",
    # pre-upgrade readiness (tasks.checks.readiness; docs/checks.md)
    "ha_status": "get system ha status",
    "disk": "diagnose hardware deviceinfo disk",
    "ntp": "diagnose sys ntp status",
    "performance": "get system performance status",
    "services": "get system fortiguard-service status",
    "sensors": "execute sensor list",
    # the pre-upgrade state snapshot (post-upgrade diffs against it)
    "interfaces": "get system interface physical",
    "routes": "get router info routing-table all",
    "arp": "get system arp",
    "sessions": "diagnose sys session stat",
    "config": "show",
}
# The purposes the readiness checks read ("facts" carries the FortiGuard database versions), in sending order.
# FortiOS has no candidate configuration (changes apply at once) and no job queue: pending_changes and
# running_jobs are Unsupported in its ReadinessState (SKIPPED with the reason; readiness.read).
READINESS_COMMANDS: tuple[str, ...] = ("facts", "ha_status", "disk", "ntp", "performance", "services", "sensors")
# What the snapshot adds to facts, optics and readiness. `get router info routing-table all` (the active
# routes, one line per prefix) over `... database` (every candidate route, inactive ones too): post-upgrade
# asks whether the same routes are in use. `diagnose sys session stat` over `get system session status`:
# the same count plus the setup rate and drop counters an engineer reads beside it. `show` (the non-default
# configuration, what a configuration backup holds) over `show full-configuration` (every default spelt
# out, many times longer and changing with each release's new defaults).
SNAPSHOT_COMMANDS: tuple[str, ...] = ("interfaces", "routes", "arp", "sessions", "config")
# `get system status` carries the model, version, serial, hostname and HA mode in one round trip.
FACTS_COMMANDS: tuple[str, ...] = ("facts",)
TRANSCEIVER_COMMANDS: tuple[str, ...] = ("transceivers",)

# How FortiOS refuses a command: the start of a line of its answer. `command parse error before 'psu'` then
# `Command fail. Return code -61` is in shared/reference/cli/fortinet (diagnose_hardware_deviceinfo_psu); an
# unknown first word is `Unknown action 0`.
ERROR_MARKERS: tuple[str, ...] = ("command parse error", "Command fail.", "Unknown action")

# `Firewall-1 # `, `OXI-FW121 (global) # `, `fw $ `: a prompt on a trailing line or before an echoed command.
PROMPT_RE = re.compile(r"^[\w.-]+(?: \([\w.-]+\))? [#$]")
# `--More-- ` then `\r         \r` (the erase sequence) when a sample was captured with paging on.
_MORE_RE = re.compile(r"--More--\s?\r? *\r")
# `Label: value`, the shape of most FortiOS `get` output lines.
KV_RE = re.compile(r"^(?P<key>[A-Za-z][\w ./()-]*?)\s*:\s*(?P<value>.*)$")


def strip_session(text: str, command: str = "") -> list[str]:
    """The output's lines without paging marks, CRs, the echoed command, the trailing prompt and blanks.

    >>> strip_session("get system status\\r\\r\\nHostname: fw\\r\\n\\r\\nfw # ", "get system status")
    ['Hostname: fw']
    """
    text = _MORE_RE.sub("", text)
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    if (
        lines
        and command
        and lines[0].strip().endswith(command)
        and (lines[0].strip() == command or PROMPT_RE.match(lines[0].strip()))
    ):
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and PROMPT_RE.match(lines[-1].strip()) and not KV_RE.match(lines[-1].strip()):
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines
