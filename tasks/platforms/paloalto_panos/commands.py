"""PAN-OS: the commands estate sends, and the session framing (echo, prompt) taken off their output."""

from __future__ import annotations

import re
from collections.abc import Mapping

from tasks.platforms.text import session_lines

DEVICE_TYPE = "paloalto_panos"

COMMANDS: dict[str, str] = {
    "facts": "show system info",
    "transceivers": "show system state filter sys.s*.p*.phy",
    "ha": "show high-availability state",
    # pre-upgrade readiness (tasks.checks.readiness; docs/checks.md)
    "ha_all": "show high-availability all",
    "jobs": "show jobs all",
    "licenses": "request license info",
    "pending": "check pending-changes",
    "ntp": "show ntp",
    "resources": "show system resources",
    "environmentals": "show system environmentals",
    "disk": "show system disk-space",
    "software": "request system software info",
    "swm": "debug swm status",
    # the pre-upgrade state snapshot (post-upgrade diffs against it)
    "interfaces": "show interface hardware",
    "routes": "show routing route",
    "arp": "show arp all",
    "sessions": "show session info",
    "config": "show config running",
}
SNAPSHOT_COMMANDS: tuple[str, ...] = ("interfaces", "routes", "arp", "sessions", "config")
# With the Advanced Routing Engine on (`show system info`: `advanced-routing: on`, PAN-OS 10.2 and later) the
# routes are in the logical routers `show advanced-routing route` prints; `show routing route` reads the legacy
# engine's virtual routers (PAN-OS CLI reference; pan-os-upgrade-assurance reads `are_routes` the same way).
ADVANCED_ROUTES = "show advanced-routing route"
_ADVANCED_ROUTING_RE = re.compile(r"^\s*advanced-routing:\s*on\s*$", re.MULTILINE)


def command_variants(outputs: Mapping[str, str]) -> dict[str, str]:
    """{"routes": `show advanced-routing route`} when `show system info` says the ARE is on; else {}.

    >>> command_variants({"facts": "multi-vsys: off\\nadvanced-routing: on\\n"})
    {'routes': 'show advanced-routing route'}
    >>> command_variants({"facts": "advanced-routing: off\\n"})
    {}
    """
    return {"routes": ADVANCED_ROUTES} if _ADVANCED_ROUTING_RE.search(outputs.get("facts", "")) else {}


# The purposes whose outputs `facts()` reads, in the order they are sent. The HA state is read from the
# prompt, which PAN-OS prints as `admin@fw01(active)>` on a firewall in an HA pair: one round trip less per
# device. `facts()` also takes the `ha` output when a workflow needs the peer's details.
FACTS_COMMANDS: tuple[str, ...] = ("facts",)
TRANSCEIVER_COMMANDS: tuple[str, ...] = ("transceivers",)

# How PAN-OS refuses a command: the start of a line of its answer, `Unknown command: <word>` and
# `Invalid syntax.` (the lab's, as PAN-OS prints them [unverified: no PAN-OS error sample in
# shared/reference/cli]), and `Server error` (an operational command the management server failed).
ERROR_MARKERS: tuple[str, ...] = ("Unknown command:", "Invalid syntax.", "Server error")
# The purposes the readiness checks read (with "facts" for the content version), in the order they are sent.
READINESS_COMMANDS: tuple[str, ...] = (
    "facts",
    "ha_all",
    "jobs",
    "licenses",
    "pending",
    "ntp",
    "resources",
    "environmentals",
    "disk",
    "software",
)

# `admin@fw01>`, `admin@fw01(active)>`, `admin@fw01#`: the prompt on an echoed command or a trailing line.
PROMPT_RE = re.compile(r"^[\w.@-]+@[\w.-]+(?:\([\w-]+\))?[>#]")


def strip_session(text: str) -> list[str]:
    """The output's lines without an echoed command line, a trailing prompt line and surrounding blanks.

    >>> strip_session("admin@fw> show system info\\n\\nhostname: fw\\n\\nadmin@fw> ")
    ['hostname: fw']
    """
    return session_lines(text, lambda line: bool(PROMPT_RE.match(line)), lambda line: bool(PROMPT_RE.match(line)))


def output_body(text: str) -> str:
    """The output without echo, prompt and surrounding blank lines, newline-terminated (for templates)."""
    lines = strip_session(text)
    return "\n".join(lines) + "\n" if lines else ""
