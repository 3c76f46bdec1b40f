"""PAN-OS snapshot: link state, route / ARP / session counts and the sanitised configuration, as a `Snapshot`."""

from __future__ import annotations

import re
from collections.abc import Mapping

from tasks.errors import ParseError
from tasks.models import Facts, Transceiver
from tasks.models.snapshot import OpticState, Snapshot
from tasks.platforms.paloalto_panos.commands import COMMANDS, DEVICE_TYPE, output_body, strip_session
from tasks.platforms.paloalto_panos.sanitise import sanitise_config
from tasks.platforms.text import first_line, ntc, parse_template


def parse_interfaces(text: str) -> dict[str, str]:
    """Link state per hardware interface from `show interface hardware` (ntc-templates), e.g. `up`, `down`.

    Raises ParseError when the output has no interface table.
    """
    lines = strip_session(text)
    rows = parse_template(DEVICE_TYPE, "show interface hardware", "\n".join(lines) + "\n")
    if not rows and "\n".join(lines).strip():
        raise ParseError(f"show interface hardware: no interface table in {first_line(text)!r}")
    return {row["interface"]: row["state"].split("(")[0] for row in rows}


# --- snapshot counts: show routing route / show arp all / show session info ----------------------------------


_ROUTES_TOTAL_RE = re.compile(r"^\s*total routes shown:\s*(?P<count>\d+)\s*$", re.IGNORECASE | re.MULTILINE)
_ROUTES_HEADER_RE = re.compile(r"^\s*destination\s+nexthop\s+metric\s+flags", re.MULTILINE)


def parse_route_count(text: str) -> int:
    """The number of routes `show routing route` reports: its `total routes shown: N` footer.

    The footer is the firewall's own count over every virtual router; without it (a cut output) the rows
    ntc-templates reads are counted. Raises ParseError when the output has neither footer nor route table.

    >>> parse_route_count("destination  nexthop  metric flags  age  interface  next-AS\\n"
    ...                   "0.0.0.0/0    10.0.0.1  10     A S          ethernet1/1\\ntotal routes shown: 1\\n")
    1
    """
    body = output_body(text)
    totals = _ROUTES_TOTAL_RE.findall(body)
    if totals:
        return sum(int(count) for count in totals)
    if not _ROUTES_HEADER_RE.search(body):
        raise ParseError(f"show routing route: no route table in output starting {first_line(text)!r}")
    return len(ntc(DEVICE_TYPE, COMMANDS["routes"], body, strict=True))


# `show advanced-routing route`: per logical router a header line `destination protocol nexthop distance metric
# flag tag age interface`, one line per route, and a `total route shown: N` footer. PAN's CLI reference documents
# the command; no raw sample was found (tests/fixtures/paloalto_panos/show_advanced-routing_route/).
_ARE_TOTAL_RE = re.compile(r"^\s*total routes? shown:\s*(?P<count>\d+)\s*$", re.IGNORECASE | re.MULTILINE)
_ARE_HEADER_RE = re.compile(r"^\s*destination\s+protocol\s+nexthop\b", re.IGNORECASE | re.MULTILINE)
_ARE_ROW_RE = re.compile(r"^\s*[0-9a-fA-F.:]+/\d{1,3}\s+\S", re.MULTILINE)


def parse_are_route_count(text: str) -> int:
    """The number of routes `show advanced-routing route` reports, summed over its logical routers.

    The `total route shown: N` footers when printed, else the route rows. Raises ParseError when the output
    has neither footer nor route table (e.g. the legacy engine's answer).

    >>> parse_are_route_count("Logical Router: default\\n==========\\n"
    ...                       "destination   protocol  nexthop   distance metric flag  tag  age  interface\\n"
    ...                       "0.0.0.0/0     static    10.0.0.1  10       10     A          1d   ethernet1/1\\n"
    ...                       "10.0.0.0/24   connected           0        0      A          1d   ethernet1/1\\n")
    2
    """
    body = output_body(text)
    totals = _ARE_TOTAL_RE.findall(body)
    if totals:
        return sum(int(count) for count in totals)
    if not _ARE_HEADER_RE.search(body):
        raise ParseError(f"show advanced-routing route: no route table in output starting {first_line(text)!r}")
    return len(_ARE_ROW_RE.findall(body))


def advanced_routing(facts: Facts) -> bool:
    """Whether `show system info` said `advanced-routing: on` (the routes are the ARE's)."""
    return facts.extra.get("advanced-routing", "").strip().lower() == "on"


_ARP_HEADER_RE = re.compile(r"^\s*interface\s+ip address\s+hw address\s+port\s+status\s+ttl", re.MULTILINE)


def parse_arp_count(text: str) -> int:
    """The number of entries `show arp all` lists (the rows ntc-templates reads, incomplete ones included).

    Raises ParseError when the output has no ARP table header.

    >>> parse_arp_count("total ARP entries in table :        1\\n\\n"
    ...                 "interface         ip address      hw address        port              status   ttl\\n"
    ...                 "-----\\nethernet1/1       10.0.0.1        00:1b:17:00:00:01 ethernet1/1         c      600\\n")
    1
    """
    body = output_body(text)
    if not _ARP_HEADER_RE.search(body):
        raise ParseError(f"show arp all: no ARP table header in output starting {first_line(text)!r}")
    return len(ntc(DEVICE_TYPE, COMMANDS["arp"], body, strict=True))


_SESSIONS_ALLOCATED_RE = re.compile(r"^\s*Number of allocated sessions:\s*(?P<count>\d+)", re.MULTILINE)
_SESSIONS_ACTIVE_RE = re.compile(r"^\s*Number of active sessions:\s*(?P<count>\d+)", re.MULTILINE)


def parse_session_count(text: str) -> int:
    """The sessions in use from `show session info`: `Number of allocated sessions`, summed over dataplanes.

    Each dataplane (`target-dp: *.dp0`, ...) prints its own block; a form that prints `Number of active
    sessions` instead is read too. Raises ParseError when neither line is present.

    >>> parse_session_count("target-dp: *.dp0\\nNumber of sessions supported: 196606\\n"
    ...                     "Number of allocated sessions: 1019\\nNumber of active TCP sessions: 374\\n")
    1019
    """
    body = output_body(text)
    counts = _SESSIONS_ALLOCATED_RE.findall(body) or _SESSIONS_ACTIVE_RE.findall(body)
    if not counts:
        raise ParseError(
            f"show session info: no 'Number of allocated sessions' in output starting {first_line(text)!r}"
        )
    return sum(int(count) for count in counts)


def _route_count(text: str, facts: Facts) -> int:
    return parse_are_route_count(text) if advanced_routing(facts) else parse_route_count(text)


def read(outputs: Mapping[str, str], facts: Facts, optics: list[Transceiver]) -> Snapshot:
    """What post-upgrade compares against: version, content (`app-version`), HA state, link state per
    interface, optics per port, route, ARP and session counts, and the running configuration without its
    secrets. A count whose output was not collected is None. The routes are read as the command `routes` was
    sent for this firewall: `show advanced-routing route` when its facts say the ARE is on."""
    app_version = facts.extra.get("app-version")
    return Snapshot(
        version=facts.version,
        content={"app-version": app_version} if app_version else {},
        ha_state=facts.ha_state,
        interfaces=parse_interfaces(outputs["interfaces"]) if "interfaces" in outputs else {},
        optics={t.port: OpticState(t.part, t.vendor, t.serial) for t in optics},
        routes=_route_count(outputs["routes"], facts) if "routes" in outputs else None,
        arp=parse_arp_count(outputs["arp"]) if "arp" in outputs else None,
        sessions=parse_session_count(outputs["sessions"]) if "sessions" in outputs else None,
        config=sanitise_config(outputs["config"]) if "config" in outputs else None,
    )
