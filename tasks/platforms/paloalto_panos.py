"""Palo Alto PAN-OS: the commands estate sends and pure parsers for what PAN-OS prints."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from tasks.checks.readiness import (
    DiskUsage,
    HaStatus,
    Job,
    License,
    NtpServer,
    NtpStatus,
    Resources,
    Sensor,
    SoftwareImage,
)
from tasks.errors import ParseError
from tasks.models import Facts, Transceiver
from tasks.platforms.text import PEM_PRIVATE_KEY_RE, REMOVED, first_line, names_secret, session_lines
from tasks.versions import parse_panos

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
# The purposes whose outputs `facts()` reads, in the order they are sent. The HA state is read from the
# prompt, which PAN-OS prints as `admin@fw01(active)>` on a firewall in an HA pair: one round trip less per
# device. `facts()` also takes the `ha` output when a workflow needs the peer's details.
FACTS_COMMANDS: tuple[str, ...] = ("facts",)
TRANSCEIVER_COMMANDS: tuple[str, ...] = ("transceivers",)
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
_PROMPT_HA_RE = re.compile(r"\((?P<state>[\w-]+)\)[>#]?\s*$")


def ha_state_from_prompt(prompt: str) -> str | None:
    """The HA state PAN-OS shows in the prompt of a firewall in an HA pair, else None.

    >>> ha_state_from_prompt("admin@fw01(passive)>"), ha_state_from_prompt("admin@fw01")
    ('passive', None)
    """
    match = _PROMPT_HA_RE.search(prompt.strip())
    return match["state"] if match else None


# Fields of `show system info` copied into Facts.extra when present.
EXTRA_FIELDS: tuple[str, ...] = (
    "family",
    "platform-family",
    "app-version",
    "av-version",
    "threat-version",
    "wildfire-version",
    "url-filtering-version",
    "global-protect-client-package-version",
    "logdb-version",
    "vm-license",
    "vm-mode",
    "multi-vsys",
    "operational-mode",
    "ip-address",
)
_REQUIRED_INFO = ("hostname", "model", "sw-version")

# ntc-templates field name -> the name PAN-OS prints (the template renames a few).
_NTC_TO_PANOS = {
    "ip_address": "ip-address",
    "gateway": "default-gateway",
    "mac_address": "mac-address",
    "vm_license": "vm-license",
    "vm_mode": "vm-mode",
    "os": "sw-version",
    "platform_family": "platform-family",
    "vpn_disable_mode": "vpn-disable-mode",
    "multi_vsys": "multi-vsys",
    "operational_mode": "operational-mode",
}

_KV_RE = re.compile(r"^(?P<key>[A-Za-z][\w.-]*):[ \t]*(?P<value>.*)$")
_PHY_KEY_RE = re.compile(r"^sys\.s(?P<slot>\d+)\.p(?P<port>\d+)\.phy$")
_STATE_LINE_RE = re.compile(r"^(?P<key>[A-Za-z][\w-]*(?:\.[\w-]+)+):\s*(?P<value>.*)$")
# A scalar value ends at the comma that is followed by the next quoted key or by the closing brace.
_VALUE_END_RE = re.compile(r",\s*(?='[^']*'\s*:|\})")
_HA_DISABLED_RE = re.compile(r"^\s*HA not enabled\.?\s*$", re.IGNORECASE | re.MULTILINE)


def strip_session(text: str) -> list[str]:
    """The output's lines without an echoed command line, a trailing prompt line and surrounding blanks.

    >>> strip_session("admin@fw> show system info\\n\\nhostname: fw\\n\\nadmin@fw> ")
    ['hostname: fw']
    """
    return session_lines(text, lambda line: bool(PROMPT_RE.match(line)), lambda line: bool(PROMPT_RE.match(line)))


# --- show system info -------------------------------------------------------------------------------


def _parse_key_values(lines: list[str]) -> dict[str, str]:
    """`key: value` lines as a dict (values stripped); lines of another shape are ignored."""
    result: dict[str, str] = {}
    for line in lines:
        match = _KV_RE.match(line.strip())
        if match:
            result.setdefault(match["key"], match["value"].strip())
    return result


def _parse_ntc(text: str) -> dict[str, str]:
    """The ntc-templates parse of `show system info`, renamed to PAN-OS field names ({} when it fails)."""
    from ntc_templates.parse import parse_output

    try:
        records = parse_output(platform=DEVICE_TYPE, command=COMMANDS["facts"], data=text)
    except Exception:  # the template rejected the text: the key/value parse decides alone
        return {}
    if not records:
        return {}
    record: dict[str, Any] = records[0]
    return {_NTC_TO_PANOS.get(k, k): str(v) for k, v in record.items() if v not in (None, "")}


def parse_system_info(text: str) -> dict[str, str]:
    """Parse `show system info` into {field: value}, keyed by the names PAN-OS prints (`sw-version`, ...).

    ntc-templates' template gives the core fields; a key/value parse adds the ones the template drops
    (`app-version`, `threat-version`, ...). Raises ParseError when hostname, model or sw-version is missing.

    >>> info = parse_system_info("hostname: fw1\\nmodel: PA-3220\\nserial: 0132\\nsw-version: 10.2.4-h4\\n")
    >>> info["sw-version"]
    '10.2.4-h4'
    """
    lines = strip_session(text)
    cleaned = "\n".join(lines) + "\n"
    result = _parse_key_values(lines)
    result.update(_parse_ntc(cleaned))
    missing = [key for key in _REQUIRED_INFO if not result.get(key)]
    if missing:
        raise ParseError(f"show system info: no {', '.join(missing)} line in output starting {first_line(text)!r}")
    return result


# --- show high-availability state / all --------------------------------------------------------------


def parse_ha_state(text: str) -> dict[str, Any]:
    """Parse `show high-availability state` (or `... all`) into the local and peer state.

    Returns {enabled, mode, local_state, peer_state, peer_connection, state_sync}; values are None when
    not printed, and `HA not enabled` gives enabled False with every state None.

    >>> parse_ha_state("HA not enabled")["local_state"] is None
    True
    """
    result: dict[str, Any] = {
        "enabled": False,
        "mode": None,
        "local_state": None,
        "peer_state": None,
        "peer_connection": None,
        "state_sync": None,
    }
    lines = strip_session(text)
    if not lines or _HA_DISABLED_RE.search("\n".join(lines)):
        return result
    section = ""
    section_indent = -1
    seen_local = False
    for raw in lines:
        stripped = raw.strip()
        indent = len(raw) - len(raw.lstrip())
        if stripped in ("Local Information:", "Peer Information:"):
            section = "local" if stripped.startswith("Local") else "peer"
            section_indent = indent
            seen_local = seen_local or section == "local"
            continue
        if section and indent <= section_indent:
            section = ""  # a sibling block (e.g. Link Monitoring Information) ends the section
        key, sep, value = stripped.partition(":")
        if not sep:
            continue
        key, value = key.strip(), value.strip()
        if not section and key == "Mode" and result["mode"] is None:
            result["mode"] = value
        elif section == "local" and key == "State" and result["local_state"] is None:
            result["local_state"] = value.split()[0] if value else None
        elif section == "local" and key == "State Synchronization" and result["state_sync"] is None:
            result["state_sync"] = value.split(";")[0].strip() or None
        elif section == "peer" and key == "State" and result["peer_state"] is None:
            result["peer_state"] = value.split()[0] if value else None
        elif section == "peer" and key == "Connection status" and result["peer_connection"] is None:
            result["peer_connection"] = value or None
    if not seen_local or result["local_state"] is None:
        raise ParseError(f"show high-availability: no local State in output starting {first_line(text)!r}")
    result["enabled"] = True
    return result


# --- show system state filter sys.s*.p*.phy ------------------------------------------------------------


def _parse_object(text: str, pos: int, where: str) -> tuple[dict[str, Any], int]:
    """Parse `{ 'key': value, 'key': { ... }, }` starting at `pos`; returns the dict and the next position."""

    def fail(reason: str) -> ParseError:
        return ParseError(f"show system state: {where}: {reason} at column {pos + 1}")

    def skip_ws(i: int) -> int:
        while i < len(text) and text[i].isspace():
            i += 1
        return i

    pos = skip_ws(pos)
    if pos >= len(text) or text[pos] != "{":
        raise fail("expected '{'")
    pos += 1
    result: dict[str, Any] = {}
    while True:
        pos = skip_ws(pos)
        if pos >= len(text):
            raise fail("unterminated '{'")
        if text[pos] == "}":
            return result, pos + 1
        if text[pos] != "'":
            raise fail("expected a quoted key")
        end = text.find("'", pos + 1)
        if end < 0:
            raise fail("unterminated key")
        key = text[pos + 1 : end]
        pos = skip_ws(end + 1)
        if pos >= len(text) or text[pos] != ":":
            raise fail(f"expected ':' after {key!r}")
        pos = skip_ws(pos + 1)
        if pos < len(text) and text[pos] == "{":
            value, pos = _parse_object(text, pos, where)
            result[key] = value
            pos = skip_ws(pos)
            if pos < len(text) and text[pos] == ",":
                pos += 1
            continue
        match = _VALUE_END_RE.search(text, pos)
        if match is None:
            raise fail(f"unterminated value of {key!r}")
        result[key] = text[pos : match.start()].strip()
        pos = match.end()


def parse_system_state(text: str) -> dict[str, dict[str, Any]]:
    """Parse the single-line `show system state` form into {key: value} for every `sys.sN.pM.phy` key.

    Values are nested dicts of stripped strings. Other keys (`local.*`, ...) are ignored. An empty output
    is {}; an output without any `sys.` line is not PAN-OS state output and raises ParseError.

    >>> parse_system_state("sys.s1.p1.phy: { 'media': CAT5, 'type': Ethernet, }")
    {'sys.s1.p1.phy': {'media': 'CAT5', 'type': 'Ethernet'}}
    """
    lines = [line for line in strip_session(text) if line.strip()]
    if not lines:
        return {}
    result: dict[str, dict[str, Any]] = {}
    seen_sys = False
    for line in lines:
        match = _STATE_LINE_RE.match(line.strip())
        if match is None:
            continue
        key = match["key"]
        seen_sys = seen_sys or key.startswith("sys.")
        if not _PHY_KEY_RE.match(key):
            continue
        value, end = _parse_object(match["value"], 0, key)
        if match["value"][end:].strip():
            raise ParseError(f"show system state: {key}: unexpected text after the closing brace")
        result[key] = value
    if not seen_sys:
        raise ParseError(f"show system state: no sys.* lines in output starting {first_line(text)!r}")
    return result


def _port_name(key: str) -> str:
    """`sys.s1.p17.phy` -> `ethernet1/17`."""
    match = _PHY_KEY_RE.match(key)
    if match is None:
        raise ValueError(f"not a sys.sN.pM.phy key: {key!r}")
    return f"ethernet{match['slot']}/{match['port']}"


def _optic_type(sfp: Mapping[str, Any], media: str) -> str:
    """The `transceiver` code (e.g. `10000B-SR`) when it reads as one word, else the port's media.

    Some modules report a list of compliance codes there instead (`S dist,SN,M5` on the PR #111 QSFP),
    which is not a type name, so the media (`QSFP-Plus-Fiber`) is used.
    """
    code = str(sfp.get("transceiver", "")).strip()
    if code and not re.search(r"[\s,]", code):
        return code
    return media


def transceivers_from_state(state: Mapping[str, Mapping[str, Any]]) -> list[Transceiver]:
    """Transceivers from parsed phy state: ports with an `sfp` block that names a module, sorted by port."""
    found: list[tuple[tuple[int, int], Transceiver]] = []
    for key, phy in state.items():
        sfp = phy.get("sfp")
        if not isinstance(sfp, Mapping):
            continue  # copper port: no pluggable module
        vendor = str(sfp.get("vendor-name", "")).strip()
        part = str(sfp.get("vendor-part-number", "")).strip()
        if not vendor and not part and not sfp.get("identifier"):
            continue  # an empty cage
        match = _PHY_KEY_RE.match(key)
        if match is None:
            continue  # not a port's phy state
        transceiver = Transceiver(
            port=_port_name(key),
            type=_optic_type(sfp, str(phy.get("media", "")).strip()),
            vendor=vendor,
            part=part,
            serial=str(sfp.get("vendor-serial-number", "")).strip(),
            revision=str(sfp.get("vendor-part-rev", "")).strip(),
        )
        found.append(((int(match["slot"]), int(match["port"])), transceiver))
    return [t for _, t in sorted(found, key=lambda item: item[0])]


def parse_transceivers(text: str) -> list[Transceiver]:
    """Parse `show system state filter sys.s*.p*.phy` into the pluggable optics, one per port.

    >>> line = ("sys.s1.p17.phy: { 'media': SFP-Plus-Fiber, 'sfp': { 'transceiver': 10000B-SR, "
    ...         "'vendor-name': OEM             , 'vendor-part-number': PAN-SFP-PLUS-SR , }, }")
    >>> [(t.port, t.type, t.vendor, t.part) for t in parse_transceivers(line)]
    [('ethernet1/17', '10000B-SR', 'OEM', 'PAN-SFP-PLUS-SR')]
    """
    return transceivers_from_state(parse_system_state(text))


def transceiver_followups(outputs: Mapping[str, str]) -> dict[str, str]:
    """PAN-OS prints every optic in one output: no per-port command follows."""
    return {}


def transceivers(outputs: Mapping[str, str]) -> list[Transceiver]:
    """The optics in the outputs of `TRANSCEIVER_COMMANDS` ({purpose: output})."""
    return parse_transceivers(outputs["transceivers"])


def media_by_port(text: str) -> dict[str, str]:
    """The `media` of every phy port (`SFP-Plus-Fiber`, `QSFP-Plus-Fiber`, `CAT5`), keyed by port name.

    >>> media_by_port("sys.s1.p1.phy: { 'media': CAT5, 'type': Ethernet, }")
    {'ethernet1/1': 'CAT5'}
    """
    return {_port_name(key): str(phy.get("media", "")).strip() for key, phy in parse_system_state(text).items()}


# --- facts ---------------------------------------------------------------------------------------------


def facts(outputs: Mapping[str, str], prompt: str = "") -> Facts:
    """Facts from the outputs of `FACTS_COMMANDS` ({purpose: output}) and the session's prompt.

    The HA state comes from the `ha` output (`show high-availability state`) when given, else from the
    prompt. Raises ParseError when an output is not what PAN-OS prints or sw-version is not a PAN-OS version.

    >>> info = "hostname: fw1\\nmodel: PA-3220\\nserial: 0132\\nsw-version: 10.2.4-h4\\n"
    >>> f = facts({"facts": info}, prompt="admin@fw1(active)")
    >>> f.hostname, f.model, f.version, f.ha_state
    ('fw1', 'PA-3220', '10.2.4-h4', 'active')
    """
    if "facts" not in outputs:
        raise ValueError(f"facts outputs lack the 'facts' purpose: got {sorted(outputs)}")
    system_info, ha = outputs["facts"], outputs.get("ha")
    info = parse_system_info(system_info)
    try:
        parse_panos(info["sw-version"])
    except ValueError as exc:
        raise ParseError(f"show system info: {exc}") from None
    extra = {key: info[key] for key in EXTRA_FIELDS if info.get(key)}
    ha_state = ha_state_from_prompt(prompt)
    if ha is not None:
        state = parse_ha_state(ha)
        ha_state = state["local_state"]
        for key in ("peer_state", "peer_connection", "state_sync"):
            if state[key]:
                extra[f"ha-{key.replace('_', '-')}"] = state[key]
    return Facts(
        hostname=info["hostname"],
        model=info["model"],
        serial=info.get("serial", ""),
        version=info["sw-version"],
        uptime=info.get("uptime", ""),
        ha_state=ha_state,
        extra=extra,
    )


# --- readiness: shared helpers -----------------------------------------------------------------------------


def _ntc(purpose: str, text: str) -> list[dict[str, Any]]:
    """ntc-templates' records for the command of `purpose`; ParseError (one line) when the template rejects it."""
    from ntc_templates.parse import parse_output

    command = COMMANDS[purpose]
    try:
        records: list[dict[str, Any]] = parse_output(platform=DEVICE_TYPE, command=command, data=text)
    except Exception as exc:  # textfsm's errors carry the offending line; keep one line of it
        reason = str(exc).strip().splitlines()[-1][:80] if str(exc).strip() else type(exc).__name__
        raise ParseError(f"{command}: template rejected the output: {reason}") from None
    return records


def _body(text: str) -> str:
    """The output without echo, prompt and surrounding blank lines, newline-terminated (for templates)."""
    lines = strip_session(text)
    return "\n".join(lines) + "\n" if lines else ""


# --- show jobs all ------------------------------------------------------------------------------------------


def parse_jobs(text: str) -> list[Job]:
    """Parse `show jobs all` (ntc-templates) into jobs, newest first as printed.

    An empty output is no jobs; an output without the `Enqueued` header is a ParseError.

    >>> jobs = parse_jobs("Enqueued  ID  Type  Status Result Completed\\n---\\n"
    ...                   "2024/05/01 10:00:00   7   Downld   ACT   PEND  45%\\n")
    >>> [(j.id, j.type, j.status, j.result) for j in jobs]
    [(7, 'Downld', 'ACT', 'PEND')]
    """
    body = _body(text)
    if not body.strip():
        return []
    if not re.search(r"^\s*Enqueued\s+.*\bID\b", body, re.MULTILINE):
        raise ParseError(f"show jobs all: no job table header in output starting {first_line(text)!r}")
    return [
        Job(
            id=int(row["id"]),
            type=row["type"],
            status=row["status"],
            result=row["result"],
            enqueued=row["enqueued"],
            completed=row["completed"],
        )
        for row in _ntc("jobs", body)
    ]


# --- request license info ---------------------------------------------------------------------------------


def _license_date(value: str, where: str) -> date | None:
    """`March 08, 2023` -> date; `Never` -> None.

    >>> _license_date("March 08, 2023", "x"), _license_date("Never", "x")
    (datetime.date(2023, 3, 8), None)
    """
    if value.strip().lower() == "never":
        return None
    try:
        return datetime.strptime(value.strip(), "%B %d, %Y").date()
    except ValueError:
        raise ParseError(f"request license info: {where}: not a date: {value.strip()!r}") from None


def parse_licenses(text: str) -> list[License]:
    """Parse `request license info` (ntc-templates) into licences, in the order printed."""
    body = _body(text)
    if not re.search(r"^License entry:", body, re.MULTILINE):
        raise ParseError(f"request license info: no 'License entry:' in output starting {first_line(text)!r}")
    return [
        License(
            feature=row["feature"].strip(),
            description=row["description"].strip(),
            expires=_license_date(row["expires"], row["feature"].strip()),
            expired=row["expired"] == "yes",
        )
        for row in _ntc("licenses", body)
        if row["feature"]
    ]


# --- check pending-changes --------------------------------------------------------------------------------


def parse_pending_changes(text: str) -> bool:
    """`check pending-changes` prints `yes` when the candidate configuration holds uncommitted changes.

    >>> parse_pending_changes("\\nyes\\n\\n"), parse_pending_changes("no")
    (True, False)
    """
    lines = [line.strip().lower() for line in strip_session(text) if line.strip()]
    if lines in (["yes"], ["no"]):
        return lines[0] == "yes"
    raise ParseError(f"check pending-changes: expected yes or no, got output starting {first_line(text)!r}")


# --- show ntp ---------------------------------------------------------------------------------------------


_NTP_SYNCED_RE = re.compile(r"NTP synched to (?:server:\s*)?(?P<server>\S+)", re.IGNORECASE)


def parse_ntp(text: str) -> NtpStatus:
    """Parse `show ntp`: `NTP synched to <server>` or `NTP not synched, using local clock`, then each server.

    >>> parse_ntp("NTP state:\\n    NTP synched to 10.0.0.1\\n").synced_to
    '10.0.0.1'
    """
    lines = [line.strip() for line in strip_session(text) if line.strip()]
    joined = "\n".join(lines)
    if not lines or not lines[0].startswith("NTP state"):
        raise ParseError(f"show ntp: no 'NTP state:' in output starting {first_line(text)!r}")
    synced = _NTP_SYNCED_RE.search(joined)
    if synced is None and not re.search(r"not synch?ed|local clock", joined, re.IGNORECASE):
        raise ParseError(f"show ntp: neither synched nor not synched in output starting {first_line(text)!r}")
    servers: list[NtpServer] = []
    current: dict[str, str] = {}

    def flush() -> None:
        if current.get("address"):
            reachable = current.get("reachable", "no").lower() == "yes"
            servers.append(NtpServer(current["address"], current.get("status", "unknown"), reachable))

    for line in lines[1:]:
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "ntp server":
            flush()
            current = {"address": value}
        elif key in ("status", "reachable") and current:
            current[key] = value
    flush()
    return NtpStatus(synced=synced is not None, synced_to=synced["server"] if synced else None, servers=tuple(servers))


# --- show system resources (top) --------------------------------------------------------------------------


_LOAD_RE = re.compile(r"load average:\s*([\d.]+),\s*([\d.]+),\s*([\d.]+)")
# `%Cpu(s):  4.2 us, ... 93.8 id,` (procps-ng) or `Cpu(s): 28.5%us, ... 11.7%id,` (older procps)
_IDLE_RE = re.compile(r"Cpu\(s\):.*?([\d.]+)\s*%?\s*id", re.IGNORECASE)
_MEM_NEW_RE = re.compile(
    r"^(?P<unit>[KMG]iB) Mem\s*:\s*(?P<total>[\d.]+) total,\s*(?P<free>[\d.]+) free,\s*(?P<used>[\d.]+) used",
    re.MULTILINE,
)
_MEM_OLD_RE = re.compile(
    r"^Mem:\s*(?P<total>\d+)k total,\s*(?P<used>\d+)k used,\s*(?P<free>\d+)k free,\s*(?P<buffers>\d+)k buffers",
    re.MULTILINE,
)
_CACHED_OLD_RE = re.compile(r"^Swap:.*?(?P<cached>\d+)k cached", re.MULTILINE)
_UNIT_MB = {"KiB": 1 / 1024, "MiB": 1.0, "GiB": 1024.0}


def parse_resources(text: str) -> Resources:
    """Parse `show system resources` (a `top` snapshot) into management-plane CPU and memory use.

    CPU busy = 100 - idle. Memory used = `used` / `total` in the procps-ng form (`MiB Mem :`, where used
    excludes buffers and cache) and (used - buffers - cached) / total in the older `Mem: ...k` form.

    >>> r = parse_resources("top - 10:00:00 up 1 day,  load average: 0.1, 0.2, 0.3\\n"
    ...     "%Cpu(s):  5.0 us,  2.0 sy,  0.0 ni, 93.0 id,  0.0 wa\\n"
    ...     "MiB Mem :  16000.0 total,   1000.0 free,   8000.0 used,   7000.0 buff/cache\\n")
    >>> r.cpu_pct, r.mem_pct
    (7.0, 50.0)
    """
    body = "\n".join(line.strip() for line in strip_session(text))
    idle = _IDLE_RE.search(body)
    load = _LOAD_RE.search(body)
    if idle is None or load is None:
        raise ParseError(f"show system resources: no top header in output starting {first_line(text)!r}")
    new, old = _MEM_NEW_RE.search(body), _MEM_OLD_RE.search(body)
    if new is not None:
        scale = _UNIT_MB[new["unit"]]
        total, used = float(new["total"]) * scale, float(new["used"]) * scale
    elif old is not None:
        cached = _CACHED_OLD_RE.search(body)
        total = int(old["total"]) / 1024
        used = (int(old["used"]) - int(old["buffers"]) - (int(cached["cached"]) if cached else 0)) / 1024
    else:
        raise ParseError(f"show system resources: no memory line in output starting {first_line(text)!r}")
    if total <= 0:
        raise ParseError("show system resources: total memory is 0")
    return Resources(
        cpu_pct=round(100.0 - float(idle[1]), 1),
        mem_pct=round(100.0 * used / total, 1),
        mem_total_mb=round(total, 1),
        load_average=(float(load[1]), float(load[2]), float(load[3])),
    )


# --- show system environmentals ---------------------------------------------------------------------------


_ENV_SECTION_RE = re.compile(r"^-+\s*(?P<name>[A-Za-z][\w ]*?)\s*-+$")
_ENV_ROW_RE = re.compile(r"^(?P<slot>\S+)\s+(?P<desc>.+?)\s+(?P<alarm>True|False)\s*(?P<value>\S*)", re.IGNORECASE)


def parse_environmentals(text: str) -> list[Sensor]:
    """Parse `show system environmentals`: `----Thermal----`-style sections of `Slot Description Alarm ...` rows.

    >>> s = parse_environmentals("----------Fan Speed----------\\nSlot   Description   Alarm    RPMs\\n"
    ...                          "1      Fan #1 RPM    True     0\\n")
    >>> [(x.section, x.description, x.alarm, x.value) for x in s]
    [('Fan Speed', 'Fan #1 RPM', True, '0')]
    """
    lines = [line.strip() for line in strip_session(text) if line.strip()]
    section = ""
    sensors: list[Sensor] = []
    for line in lines:
        header = _ENV_SECTION_RE.match(line)
        if header:
            section = header["name"]
            continue
        if line.lower().startswith("slot"):
            continue
        row = _ENV_ROW_RE.match(line)
        if row and section:
            alarm = row["alarm"].lower() == "true"
            sensors.append(Sensor(section, row["slot"], row["desc"].strip(), alarm, row["value"]))
    if lines and not section:
        raise ParseError(f"show system environmentals: no section header in output starting {first_line(text)!r}")
    return sensors


# --- show system disk-space -------------------------------------------------------------------------------


_DF_UNITS = {"": 1 / 1024 / 1024, "K": 1 / 1024, "M": 1.0, "G": 1024.0, "T": 1024.0 * 1024}


def df_size_mb(value: str) -> float:
    """A `df -h` size in MB (`5.9G` -> 6041.6, `68K`, `12M`, `0`).

    >>> df_size_mb("5.9G"), df_size_mb("512M"), df_size_mb("0")
    (6041.6, 512.0, 0.0)
    """
    match = re.fullmatch(r"([\d.]+)([KMGT]?)", value.strip())
    if match is None:
        raise ValueError(f"not a df -h size: {value!r}")
    return round(float(match[1]) * _DF_UNITS[match[2]], 1)


def parse_disk_space(text: str) -> dict[str, DiskUsage]:
    """Parse `show system disk-space` (`df -h`) into {mount point: usage in MB}.

    >>> d = parse_disk_space("Filesystem Size Used Avail Use% Mounted on\\n/dev/sda6 7.9G 6.8G 1.1G 86% /opt/panrepo")
    >>> d["/opt/panrepo"].avail_mb
    1126.4
    """
    lines = strip_session(text)
    if not lines or not lines[0].split()[:1] == ["Filesystem"]:
        raise ParseError(f"show system disk-space: no df header in output starting {first_line(text)!r}")
    result: dict[str, DiskUsage] = {}
    for line in lines[1:]:
        fields = line.split()
        if len(fields) < 6:
            continue
        filesystem, size, used, avail, pct = fields[:5]
        mount = " ".join(fields[5:])
        try:
            result[mount] = DiskUsage(
                mount, filesystem, df_size_mb(size), df_size_mb(used), df_size_mb(avail), int(pct.rstrip("%"))
            )
        except ValueError as exc:
            raise ParseError(f"show system disk-space: {mount}: {exc}") from None
    return result


# --- request system software info -------------------------------------------------------------------------


_SOFTWARE_ROW_RE = re.compile(
    r"^(?P<version>\d+\.\d+\.\d+(?:-[\w.]+)?)\s+(?P<size>\d+)\s*MB\s+(?P<released>.+?)\s+"
    r"(?P<downloaded>yes|no)\s+(?P<current>yes|no)\s*$",
    re.IGNORECASE,
)


def parse_software_info(text: str) -> list[SoftwareImage]:
    """Parse `request system software info`: `Version Size Released on Downloaded Current` rows.

    >>> row = "10.2.4-h4                509MB  2023/05/10 18:32:48         no       no"
    >>> parse_software_info("Version Size Released on Downloaded Current\\n-----\\n" + row)[0].size_mb
    509
    """
    lines = strip_session(text)
    if not lines or not lines[0].strip().startswith("Version"):
        raise ParseError(f"request system software info: no header in output starting {first_line(text)!r}")
    images: list[SoftwareImage] = []
    for line in lines[1:]:
        match = _SOFTWARE_ROW_RE.match(line.strip())
        if match:
            images.append(
                SoftwareImage(
                    version=match["version"],
                    size_mb=int(match["size"]),
                    released=match["released"],
                    downloaded=match["downloaded"].lower() == "yes",
                    current=match["current"].lower() == "yes",
                )
            )
    return images


# --- debug swm status -------------------------------------------------------------------------------------


def parse_swm_status(text: str) -> list[dict[str, str]]:
    """Parse `debug swm status` (ntc-templates): [{partition, state, version}] (sysroot0/1, maint)."""
    body = _body(text)
    if not re.search(r"^Partition\s+State\s+Version", body, re.MULTILINE):
        raise ParseError(f"debug swm status: no partition table in output starting {first_line(text)!r}")
    return [{"partition": row["part"], "state": row["state"], "version": row["version"]} for row in _ntc("swm", body)]


# --- show high-availability all ---------------------------------------------------------------------------


def parse_ha_all(text: str) -> HaStatus:
    """Parse `show high-availability all` (or `state`) into an HaStatus.

    ntc-templates' template records neither the peer's state nor the build releases, so the sections are
    walked here: `parse_ha_state` for the states, plus each side's `Build Release`, the local
    `Software Version` compatibility and `Running Configuration` under `Configuration Synchronization`.

    >>> parse_ha_all("HA not enabled.").enabled
    False
    """
    base = parse_ha_state(text)
    if not base["enabled"]:
        return HaStatus(enabled=False)
    found: dict[str, str] = {}
    section, section_indent = "", -1
    for raw in strip_session(text):
        stripped = raw.strip()
        indent = len(raw) - len(raw.lstrip())
        if stripped in ("Local Information:", "Peer Information:", "Configuration Synchronization:"):
            section, section_indent = stripped.split()[0].lower(), indent
            continue
        if section and indent <= section_indent:
            section = ""
        key, sep, value = stripped.partition(":")
        if not sep or not section:
            continue
        name = {
            ("local", "Build Release"): "local_version",
            ("peer", "Build Release"): "peer_version",
            ("local", "Software Version"): "software_compatibility",
            ("configuration", "Running Configuration"): "config_sync",
        }.get((section, key.strip()))
        if name and name not in found and value.strip():
            found[name] = value.strip()
    return HaStatus(
        enabled=True,
        mode=base["mode"],
        local_state=base["local_state"],
        peer_state=base["peer_state"],
        peer_connection=base["peer_connection"],
        state_sync=base["state_sync"],
        **found,
    )


def parse_interfaces(text: str) -> dict[str, str]:
    """Link state per hardware interface from `show interface hardware` (ntc-templates), e.g. `up`, `down`.

    Raises ParseError when the output has no interface table.
    """
    from ntc_templates.parse import parse_output

    lines = strip_session(text)
    rows = parse_output(platform=DEVICE_TYPE, command="show interface hardware", data="\n".join(lines) + "\n")
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
    body = _body(text)
    totals = _ROUTES_TOTAL_RE.findall(body)
    if totals:
        return sum(int(count) for count in totals)
    if not _ROUTES_HEADER_RE.search(body):
        raise ParseError(f"show routing route: no route table in output starting {first_line(text)!r}")
    return len(_ntc("routes", body))


_ARP_HEADER_RE = re.compile(r"^\s*interface\s+ip address\s+hw address\s+port\s+status\s+ttl", re.MULTILINE)


def parse_arp_count(text: str) -> int:
    """The number of entries `show arp all` lists (the rows ntc-templates reads, incomplete ones included).

    Raises ParseError when the output has no ARP table header.

    >>> parse_arp_count("total ARP entries in table :        1\\n\\n"
    ...                 "interface         ip address      hw address        port              status   ttl\\n"
    ...                 "-----\\nethernet1/1       10.0.0.1        00:1b:17:00:00:01 ethernet1/1         c      600\\n")
    1
    """
    body = _body(text)
    if not _ARP_HEADER_RE.search(body):
        raise ParseError(f"show arp all: no ARP table header in output starting {first_line(text)!r}")
    return len(_ntc("arp", body))


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
    body = _body(text)
    counts = _SESSIONS_ALLOCATED_RE.findall(body) or _SESSIONS_ACTIVE_RE.findall(body)
    if not counts:
        raise ParseError(
            f"show session info: no 'Number of allocated sessions' in output starting {first_line(text)!r}"
        )
    return sum(int(count) for count in counts)


# --- show config running: the sanitiser ------------------------------------------------------------------


# A configuration key names a secret when one of its `-`/`_`-separated words is one of these, or contains
# one of the substrings (`phash`, `snmp-community-string`, `authpwd`, `pre-shared-key`, `private-key`, ...).
_SECRET_WORDS = frozenset({"key", "keys", "psk", "apikey"})
_SECRET_SUBSTRINGS = ("secret", "password", "passwd", "pwd", "passphrase", "hash", "community", "token")
# Keys that read like secrets but hold policy or public data: a password policy, a certificate's name hashes.
_NOT_SECRET_KEYS = frozenset(
    {"password-complexity", "password-profile", "password-change", "subject-hash", "issuer-hash"}
)
# Values PAN-OS never prints in clear whatever their key: its encrypted blobs and crypt(3) hashes.
_BLOB_RE = re.compile(r"-AQ==[A-Za-z0-9+/=]*|\$(?:1|2[aby]?|5|6)\$[^\s;\"'<]+")
_XML_SECRET_RE = re.compile(r"<(?P<tag>[\w-]+)(?P<attrs>[^>]*)>(?P<value>[^<]*)</(?P=tag)>")
_BLOCK_OPEN_RE = re.compile(r"^(?P<indent>\s*)(?P<key>\"[^\"]*\"|[^\s{};\[\]\"]+)\s*\{\s*$")
_STATEMENT_RE = re.compile(
    r"^(?P<indent>\s*)(?P<key>\"[^\"]*\"|[^\s{};\[\]\"]+)(?P<sep>\s+)(?P<value>.*?)(?P<end>;?)\s*$"
)


def is_secret_key(key: str) -> bool:
    """Whether a configuration key names a secret (see `_SECRET_WORDS` and `_SECRET_SUBSTRINGS`).

    >>> [is_secret_key(k) for k in ("phash", "pre-shared-key", "snmp-community-string", "hostname", "keystone")]
    [True, True, True, False, False]
    >>> is_secret_key("password-complexity"), is_secret_key("api-key")
    (False, True)
    """
    return names_secret(key, _SECRET_WORDS, _SECRET_SUBSTRINGS, _NOT_SECRET_KEYS)


def _mask_set_line(line: str) -> str:
    """`set ... <secret key> <value...>` -> `set ... <secret key> <removed>` (the first secret key decides)."""
    words = line.split()
    for i, word in enumerate(words[1:-1], start=1):
        if is_secret_key(word):
            indent = line[: len(line) - len(line.lstrip())]
            return indent + " ".join([*words[: i + 1], REMOVED])
    return line


def _mask_xml(line: str) -> str:
    """`<phash>...</phash>` -> `<phash><removed></phash>` for every secret-named element on the line."""

    def repl(match: re.Match[str]) -> str:
        if is_secret_key(match["tag"]) and match["value"].strip():
            return f"<{match['tag']}{match['attrs']}>{REMOVED}</{match['tag']}>"
        return match[0]

    return _XML_SECRET_RE.sub(repl, line)


def _open_quote(value: str) -> bool:
    """Whether a value opens a double-quoted string that does not close on its line."""
    return value.count('"') % 2 == 1


def sanitise_config(text: str) -> str:
    """The configuration text with every secret replaced by `<removed>`, its structure kept.

    Reads the brace format of `show config running` (`config { ... }`), the `set` format and XML elements.
    Masked: the value of every key that names a secret (`phash`, `password`, `pre-shared-key`/`key`,
    `snmp-community-string`, `secret`, `private-key`, `authpwd`, any key with secret/password/key/community/
    hash in it) and everything inside a block so named; anywhere, PEM private keys, PAN-OS `-AQ==` blobs and
    crypt hashes (`$1$`, `$5$`, `$6$`). A value quoted over several lines is masked as one. Pure and
    idempotent; an echoed command and trailing prompt are dropped.

    >>> print(sanitise_config("config {\\n  mgt-config {\\n    users {\\n      admin {\\n"
    ...                       "        phash $5$abc$xyz;\\n      }\\n    }\\n  }\\n}"))
    config {
      mgt-config {
        users {
          admin {
            phash <removed>;
          }
        }
      }
    }
    >>> sanitise_config("set deviceconfig system snmp-setting access-setting version v2c snmp-community-string s3cr3t")
    'set deviceconfig system snmp-setting access-setting version v2c snmp-community-string <removed>'
    """
    lines = strip_session(PEM_PRIVATE_KEY_RE.sub(REMOVED, text))
    out: list[str] = []
    secret_depth: list[bool] = []  # per open block: whether it or an enclosing block names a secret
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        stripped = line.strip()
        inside_secret = bool(secret_depth) and secret_depth[-1]
        if stripped.startswith("set "):
            out.append(_BLOB_RE.sub(REMOVED, _mask_set_line(line)))
            continue
        if stripped.startswith("<"):
            out.append(_BLOB_RE.sub(REMOVED, _mask_xml(line)))
            continue
        if stripped == "}" or stripped == "};":
            if secret_depth:
                secret_depth.pop()
            out.append(line)
            continue
        block = _BLOCK_OPEN_RE.match(line)
        if block:
            secret_depth.append(inside_secret or is_secret_key(block["key"]))
            out.append(line)
            continue
        statement = _STATEMENT_RE.match(line)
        if statement and (inside_secret or is_secret_key(statement["key"])):
            value = statement["value"]
            # a value quoted over several lines, or a list over several lines, ends where its quote/bracket does
            if _open_quote(value):
                while i < len(lines) and not _open_quote(lines[i]):
                    i += 1
                i += 1
            elif value.startswith("[") and "]" not in value:
                while i < len(lines) and "]" not in lines[i]:
                    i += 1
                i += 1
            out.append(f"{statement['indent']}{statement['key']} {REMOVED};")
            continue
        if inside_secret and stripped and stripped not in ("{", "}"):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}{REMOVED};")
            continue
        out.append(_BLOB_RE.sub(REMOVED, line))
    return "\n".join(out)


def snapshot(outputs: Mapping[str, str], facts_: Facts, optics: list[Transceiver]) -> dict[str, Any]:
    """What post-upgrade compares against: version, content, HA state, link state per interface, optics per
    port, route, ARP and session counts, and the running configuration without its secrets."""
    return {
        "version": facts_.version,
        "content": facts_.extra.get("app-version"),
        "ha_state": facts_.ha_state,
        "interfaces": parse_interfaces(outputs["interfaces"]) if "interfaces" in outputs else {},
        "optics": {t.port: {"part": t.part, "vendor": t.vendor, "serial": t.serial} for t in optics},
        "routes": parse_route_count(outputs["routes"]) if "routes" in outputs else None,
        "arp": parse_arp_count(outputs["arp"]) if "arp" in outputs else None,
        "sessions": parse_session_count(outputs["sessions"]) if "sessions" in outputs else None,
        "config": sanitise_config(outputs["config"]) if "config" in outputs else None,
    }
