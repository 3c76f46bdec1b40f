"""FortiOS in multi-VDOM mode: which of estate's commands run in `config global`, which in a VDOM.

A FortiGate with virtual domains (`get system status`: `Virtual domain configuration: multiple`, or
`split-task`) answers a super-admin session at its top level only with what spans the unit: `get system status`,
`show` (the whole configuration, `config vdom` and `config global` blocks), `config global`, `config vdom`. The
unit-wide commands are answered inside `config global` (prompt `fw (global) # `), the per-VDOM ones inside
`config vdom` / `edit <vdom>` (prompt `fw (<vdom>) # `); `end` returns to the top level.

Sources:
- oxidized's recording of a multi-VDOM FortiGate-501E on 7.4.8 (shared/reference/cli/fortinet/
  session_transcript__oxidized_FortiGate-501E_vdomHAdown.yaml): `get system status` at the top level, then
  `config global`, `get system ha status`, `get hardware status`, `get system interface transceiver`, `end`,
  then `show` at the top level;
- netmiko's `fortinet` driver (netmiko/fortinet/fortinet_ssh.py, 4.x) reads the same status line and enters
  `config global` to read and set `system console`;
- FortiOS CLI reference: `system interface`, `system ntp`, `system ha` and FortiGuard are global objects;
  routes, the ARP table and the session table belong to a VDOM. The other global purposes below (disk,
  performance, sensors: hardware of the unit) follow from that; no recording of them on a multi-VDOM unit was
  found [unverified];
- `upgrade` (`execute restore image`, not a read): Fortinet's own test harness sends `config global` before it
  (shared/reference/research/upgrade-backup-cli.md B.2).

The per-VDOM counts (routes, ARP, sessions) are read in the VDOM `get system status` names as the current one
(the management VDOM, `root` on the 501E): the snapshot compares that VDOM before and after the upgrade.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from tasks.platforms.base import Context

# The purposes answered inside `config global` on a multi-VDOM unit.
GLOBAL_PURPOSES: frozenset[str] = frozenset(
    {"transceivers", "ha_status", "disk", "ntp", "performance", "services", "sensors", "interfaces", "upgrade"}
)
# The purposes answered inside one VDOM.
VDOM_PURPOSES: frozenset[str] = frozenset({"routes", "arp", "sessions"})
# What FortiOS prints when a command cannot be run where it is sent (oxidized 501E transcript).
FAILED_WHEN: tuple[str, ...] = ("Command fail.", "Unknown action")

GLOBAL = Context("config global", enter=("config global",), leave=("end",), failed_when=FAILED_WHEN)

_MODE_RE = re.compile(r"^Virtual domain configuration:\s*(?P<mode>\S+)", re.MULTILINE)
_CURRENT_RE = re.compile(r"^Current virtual domain:\s*(?P<vdom>\S+)", re.MULTILINE)
# `disable` (no VDOMs) or, on 5.x/6.0, `disable`/`enable`; 6.2 and later `multiple` or `split-task`.
_MULTI = ("enable", "multiple", "split-task")


def multi_vdom(status: str) -> bool:
    """Whether `get system status` says the unit runs virtual domains.

    >>> multi_vdom("Virtual domain configuration: multiple\\r"), multi_vdom("Virtual domain configuration: disable")
    (True, False)
    """
    match = _MODE_RE.search(status)
    return match is not None and match["mode"].strip().lower() in _MULTI


def vdom_context(vdom: str) -> Context:
    """The context of one VDOM: `config vdom`, `edit <vdom>`; `end` leaves it."""
    return Context(f"VDOM {vdom}", enter=("config vdom", f"edit {vdom}"), leave=("end",), failed_when=FAILED_WHEN)


def contexts(outputs: Mapping[str, str]) -> dict[str, Context]:
    """{purpose: context} for a unit whose `get system status` (`outputs["facts"]`) says multi-VDOM; else {}.

    >>> status = "Current virtual domain: root\\nVirtual domain configuration: multiple\\n"
    >>> found = contexts({"facts": status})
    >>> found["transceivers"].enter, found["routes"].enter, "facts" in found, "config" in found
    (('config global',), ('config vdom', 'edit root'), False, False)
    >>> contexts({"facts": "Virtual domain configuration: disable"})
    {}
    """
    status = outputs.get("facts", "")
    if not multi_vdom(status):
        return {}
    current = _CURRENT_RE.search(status)
    vdom = vdom_context(current["vdom"].strip() if current else "root")
    return {**{p: GLOBAL for p in GLOBAL_PURPOSES}, **{p: vdom for p in VDOM_PURPOSES}}
