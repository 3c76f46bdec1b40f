"""FortiOS snapshot: link state, route / ARP / session counts and the sanitised configuration, as a `Snapshot`."""

from __future__ import annotations

import re
from collections.abc import Mapping

from tasks.errors import ParseError
from tasks.models import Facts, Transceiver
from tasks.models.snapshot import OpticState, Snapshot
from tasks.platforms.fortinet.commands import COMMANDS, DEVICE_TYPE, strip_session
from tasks.platforms.fortinet.facts import parse_system_status
from tasks.platforms.fortinet.readiness import content_packages
from tasks.platforms.fortinet.sanitise import parse_config
from tasks.platforms.text import first_line, ntc

# --- the pre-upgrade snapshot: get system interface physical ----------------------------------------------

_PHYSICAL_PORT_RE = re.compile(r"^\s*==\s*\[(?P<name>[^\]]+)\]\s*$", re.MULTILINE)


def parse_interfaces(text: str) -> dict[str, str]:
    """Link state per physical port from `get system interface physical` (ntc-templates), e.g. `up`, `down`.

    The `== [onboard]` group heading is not a port. An empty output is no ports; text without any
    `==[port]` block raises ParseError.

    >>> parse_interfaces("== [onboard]\\n\\t==[port1]\\n\\t\\tmode: static\\n\\t\\tip: 0.0.0.0 0.0.0.0\\n"
    ...                  "\\t\\tipv6: ::/0\\n\\t\\tstatus: down\\n\\t\\tspeed: n/a\\n")
    {'port1': 'down'}
    """
    body = "\n".join(strip_session(text, COMMANDS["interfaces"]))
    if not body.strip():
        return {}
    if not any(m["name"] != "onboard" for m in _PHYSICAL_PORT_RE.finditer(body)):
        raise ParseError(f"get system interface physical: no ==[port] blocks in output starting {first_line(text)!r}")
    rows = ntc(DEVICE_TYPE, COMMANDS["interfaces"], body + "\n", strict=True)
    return {row["name"]: row["status"] for row in rows}


# --- snapshot counts: get router info routing-table all / get system arp / diagnose sys session stat ----------

# `S*      0.0.0.0/0 [10/0] via ...`, `O E2    10.80.130.0/24 [110/20] ...`, `C       10.1.1.0/24 is directly ...`:
# a route code (with its `*` and OSPF/IS-IS sub-type) then the prefix. An ECMP next hop continues on a line
# of its own that starts with blanks and is not another route.
_ROUTE_RE = re.compile(
    r"^(?:[KCSRBOiV]\*?|[KCSRBOiV]\*?\s?(?:IA|N1|N2|E1|E2|L1|L2|ia))\s+\d{1,3}(?:\.\d{1,3}){3}/\d{1,2}\s"
)
_ROUTE_CODES_RE = re.compile(r"^(?:Codes:|Routing table for VRF=)", re.MULTILINE)


def parse_route_count(text: str) -> int:
    """The number of routes (prefixes) `get router info routing-table all` lists, over every VRF.

    FortiOS prints no total; each route is one line starting with its code, and an ECMP route's further next
    hops follow on indented lines, which are not counted. Raises ParseError when the output has neither the
    `Codes:` legend nor a `Routing table for VRF=` heading.

    >>> parse_route_count("Codes: K - kernel, C - connected, S - static\\n\\nRouting table for VRF=0\\n"
    ...                   "S*      0.0.0.0/0 [10/0] via 192.0.2.1, wan1\\n"
    ...                   "                  [10/0] via 192.0.2.9, wan2\\n"
    ...                   "C       192.0.2.0/28 is directly connected, wan1\\n")
    2
    """
    body = "\n".join(strip_session(text, COMMANDS["routes"]))
    if not _ROUTE_CODES_RE.search(body):
        raise ParseError(
            f"get router info routing-table all: no Codes legend or routing table in output starting "
            f"{first_line(text)!r}"
        )
    return sum(1 for line in body.split("\n") if _ROUTE_RE.match(line))


_ARP_HEADER_RE = re.compile(r"^Address\s+Age\(min\)\s+Hardware Addr\s+Interface\s*$", re.MULTILINE)


def parse_arp_count(text: str) -> int:
    """The number of entries `get system arp` lists (the rows ntc-templates reads).

    Raises ParseError when the output has no `Address Age(min) Hardware Addr Interface` header.

    >>> parse_arp_count("Address           Age(min)   Hardware Addr      Interface\\n"
    ...                 "192.0.2.1         0          00:09:0f:09:00:01 wan1\\n")
    1
    """
    body = "\n".join(strip_session(text, COMMANDS["arp"]))
    if not _ARP_HEADER_RE.search(body):
        raise ParseError(f"get system arp: no ARP table header in output starting {first_line(text)!r}")
    return len(ntc(DEVICE_TYPE, COMMANDS["arp"], body + "\n", strict=True))


_SESSION_COUNT_RE = re.compile(r"^misc info:\s+session_count=(?P<count>\d+)\b", re.MULTILINE)


def parse_session_count(text: str) -> int:
    """The sessions in the table from `diagnose sys session stat`: `misc info: session_count=N ...`.

    On a FortiGate without VDOMs that is the whole unit; with VDOMs it is the VDOM the command runs in.
    Raises ParseError when the line is missing.

    >>> parse_session_count("misc info:       session_count=30 setup_rate=0 exp_count=0 clash=0\\n")
    30
    """
    body = "\n".join(line.strip() for line in strip_session(text, COMMANDS["sessions"]))
    match = _SESSION_COUNT_RE.search(body)
    if match is None:
        raise ParseError(
            f"diagnose sys session stat: no 'misc info: session_count=' in output starting {first_line(text)!r}"
        )
    return int(match["count"])


# --- the pre-upgrade snapshot -------------------------------------------------------------------------------


def read(outputs: Mapping[str, str], facts: Facts, optics: list[Transceiver]) -> Snapshot:
    """What post-upgrade compares against: version and build, FortiGuard databases, HA role, link state per
    port, optics per port, route, ARP and session counts, and the configuration without its secrets."""
    content = {}
    if "facts" in outputs:
        content = {p.name: p.version for p in content_packages(parse_system_status(outputs["facts"]))}
    return Snapshot(
        version=facts.version,
        build=facts.extra.get("build"),
        content=content,
        ha_state=facts.ha_state,
        interfaces=parse_interfaces(outputs["interfaces"]) if "interfaces" in outputs else {},
        optics={t.port: OpticState(t.part, t.vendor, t.serial) for t in optics},
        routes=parse_route_count(outputs["routes"]) if "routes" in outputs else None,
        arp=parse_arp_count(outputs["arp"]) if "arp" in outputs else None,
        sessions=parse_session_count(outputs["sessions"]) if "sessions" in outputs else None,
        config=parse_config(outputs["config"]) if "config" in outputs else None,
    )
