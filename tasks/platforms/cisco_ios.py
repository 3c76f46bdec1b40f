"""Cisco IOS and IOS-XE: the commands estate sends and pure parsers for what IOS prints."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from netutils.config.parser import IOSConfigParser

from tasks.errors import ParseError
from tasks.models import Facts, Transceiver
from tasks.platforms.base import Backup, Platform, drop_lines
from tasks.platforms.config_lines import indented_form
from tasks.platforms.text import KEYWORD_SECRETS, first_line, ntc, sanitise_lines, session_lines
from tasks.versions import Version, as_int, letter_number, numbered

DEVICE_TYPE = "cisco_ios"

# Sent exactly as written: ntc-templates' index matches `sh[[ow]] ver[[sion]]` and `sh[[ow]] inv[[entory]]`.
COMMANDS: dict[str, str] = {
    "facts": "show version",
    "transceivers": "show inventory",
    "config": "show running-config",
}
FACTS_COMMANDS: tuple[str, ...] = ("facts",)
TRANSCEIVER_COMMANDS: tuple[str, ...] = ("transceivers",)

# `show idprom interface <port>` is sent once per optic found in `show inventory`; its output is keyed so.
IDPROM_KEY = "idprom {port}"
IDPROM_COMMAND = "show idprom interface {port}"

# What `show inventory` prints as PID for an optic without Cisco's own EEPROM data (third-party).
THIRD_PARTY_PID = "Unspecified"

# `Switch#`, `Switch>`, `Switch(config)#`: a prompt on an echoed command line or as the trailing line.
PROMPT_RE = re.compile(r"^[\w.:/-]+(?:\([\w-]+\))?[>#]")
# An inventory NAME that is a port: `TenGigabitEthernet1/1/1`, `HundredGigE1/0/49`, `Transceiver Te1/4`
# (classic IOS), or the ASR1000 form `subslot 0/0 transceiver 0` (kept as printed).
_PORT_NAME_RE = re.compile(r"^(?:Transceiver\s+)?(?P<port>[A-Za-z][A-Za-z-]*\d+(?:/\d+)+(?:\.\d+)?)$")
_SUBSLOT_RE = re.compile(r"^subslot \d+/\d+ transceiver \d+$")
# Stack cables (`StackPort1/1` on a 3850) have port-like names but are not optics.
_NOT_OPTIC_RE = re.compile(r"^Stack", re.IGNORECASE)
# The serial as printed: ntc-templates' SN value stops at a '-' (`DTS2232A211-A` -> `DTS2232A211`).
_PID_SN_RE = re.compile(r"^PID:.*SN:[ \t]*(?P<sn>\S*)[ \t]*$", re.MULTILINE)
_IDPROM_LINE_RE = re.compile(r"^\s*(?P<key>[^=]+?)\s*=\s?(?P<value>.*)$")
_IDPROM_HEAD_RE = re.compile(r"^IDPROM for transceiver\s*(?P<port>\S*):\s*$")

_UPTIME_RE = re.compile(r"^(?P<host>\S+) uptime is (?P<uptime>.+)$", re.MULTILINE)
_XE_VERSION_RE = re.compile(r"^Cisco IOS XE Software, Version (?P<v>\S+)", re.MULTILINE)
_IOS_VERSION_RE = re.compile(r"^Cisco IOS Software.*?Version (?P<v>[^\s,]+)", re.MULTILINE)
_SWITCH_ROW_RE = re.compile(r"^\*?\s+\d+\s+\d+\s+\S+\s+(?P<v>\S+)\s+\S+", re.MULTILINE)
_MODEL_RE = re.compile(r"^Model [Nn]umber\s*: (?P<v>\S+)", re.MULTILINE)
_SERIAL_RE = re.compile(r"^(?:System [Ss]erial [Nn]umber\s*:|Processor board ID) (?P<v>\S+)", re.MULTILINE)

# ntc-templates `cisco_ios_show_version` fields copied into Facts.extra when present.
EXTRA_FIELDS: tuple[str, ...] = ("running_image", "config_register", "reload_reason", "rommon", "restarted")


def strip_session(text: str) -> list[str]:
    """The output's lines without an echoed command line, a trailing prompt line and surrounding blanks.

    >>> strip_session("sw1#show version\\nCisco IOS Software\\n\\nsw1#")
    ['Cisco IOS Software']
    """
    return session_lines(
        text,
        lambda line: bool(PROMPT_RE.match(line)) or line in COMMANDS.values(),
        lambda line: bool(PROMPT_RE.fullmatch(line)),
    )


def _ntc(command: str, text: str) -> list[dict[str, Any]]:
    """ntc-templates' records for `command` (see tasks.platforms.text.ntc)."""
    return ntc(DEVICE_TYPE, command, text, strict=False)


# --- show version ------------------------------------------------------------------------------------------


def _first(values: Any) -> str:
    """The first item of an ntc list field (or the field itself), stripped.

    >>> _first(["C9300-24P", "C9300-24P"]), _first(""), _first([])
    ('C9300-24P', '', '')
    """
    if isinstance(values, list):
        return str(values[0]).strip() if values else ""
    return str(values or "").strip()


def _is_ios_version(text: str) -> bool:
    """Whether `text` is a version estate can compare (`17.9.4a`, `15.2(7)E3`).

    >>> _is_ios_version("17.9.4a"), _is_ios_version("03.06.05E"), _is_ios_version("")
    (True, False, False)
    """
    try:
        parse_ios(text)
    except ValueError:
        return False
    return True


def _version(record: Mapping[str, Any], text: str) -> str:
    """The running version: ntc's, else the IOS-XE banner, else the IOS banner, else the switch table's.

    Experimental builds print a build tag in the banner; the switch table still gives the release.
    """
    candidates = [str(record.get("version") or "")]
    for pattern in (_XE_VERSION_RE, _IOS_VERSION_RE, _SWITCH_ROW_RE):
        candidates += [m["v"] for m in pattern.finditer(text)]
    for candidate in candidates:
        if _is_ios_version(candidate.strip()):
            return candidate.strip()
    seen = ", ".join(repr(c) for c in dict.fromkeys(c for c in candidates if c)) or "none"
    raise ParseError(f"show version: no IOS/IOS-XE version estate can compare (seen: {seen})")


def _search(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    return match["v"] if match else ""


def parse_version_output(text: str) -> dict[str, Any]:
    """Parse `show version` into {hostname, version, model, serial, uptime, members, extra fields}.

    ntc-templates' `cisco_ios_show_version` gives the fields; regexes fill what it leaves empty. `members`
    is the number of switches listed (a stack or StackWise Virtual lists several). Raises ParseError when
    the hostname, model or a comparable version is missing.

    >>> v = parse_version_output("Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version "
    ...     "15.2(7)E3, RELEASE SOFTWARE (fc3)\\nsw1 uptime is 1 day, 2 hours\\nModel number : WS-C2960X-24TS-L")
    >>> v["hostname"], v["version"], v["model"], v["members"]
    ('sw1', '15.2(7)E3', 'WS-C2960X-24TS-L', 1)
    """
    lines = strip_session(text)
    cleaned = "\n".join(lines) + "\n"
    if not _UPTIME_RE.search(cleaned) and not _IOS_VERSION_RE.search(cleaned) and not _XE_VERSION_RE.search(cleaned):
        raise ParseError(f"show version: not IOS show version output, starting {first_line(text)!r}")
    records = _ntc(COMMANDS["facts"], cleaned)
    record: dict[str, Any] = records[0] if records else {}
    uptime = _UPTIME_RE.search(cleaned)
    hardware = record.get("hardware") or []
    result: dict[str, Any] = {
        "hostname": str(record.get("hostname") or "").strip() or (uptime["host"] if uptime else ""),
        "version": _version(record, cleaned),
        "model": _first(hardware) or _search(_MODEL_RE, cleaned),
        "serial": _first(record.get("serial")) or _search(_SERIAL_RE, cleaned),
        "uptime": str(record.get("uptime") or "").strip() or (uptime["uptime"].strip() if uptime else ""),
        "members": max(len(hardware) if isinstance(hardware, list) else 1, 1),
    }
    for key in EXTRA_FIELDS:
        value = _first(record.get(key))
        if value:
            result[key] = value
    missing = [key for key in ("hostname", "model") if not result[key]]
    if missing:
        raise ParseError(f"show version: no {', '.join(missing)} in output starting {first_line(text)!r}")
    return result


def facts(outputs: Mapping[str, str], prompt: str = "") -> Facts:
    """Facts from the `show version` output ({"facts": output}).

    ha_state is `stack` when show version lists more than one switch (a stack or StackWise Virtual),
    else None; `extra["members"]` says how many.

    >>> out = "Cisco IOS XE Software, Version 17.09.04a\\nsw1 uptime is 3 weeks\\nModel Number : C9300-48P"
    >>> f = facts({"facts": out})
    >>> f.hostname, f.model, f.version, f.ha_state
    ('sw1', 'C9300-48P', '17.09.04a', None)
    """
    if "facts" not in outputs:
        raise ValueError(f"facts outputs lack the 'facts' purpose: got {sorted(outputs)}")
    info = parse_version_output(outputs["facts"])
    extra = {key: str(info[key]) for key in EXTRA_FIELDS if info.get(key)}
    if info["members"] > 1:
        extra["members"] = str(info["members"])
    return Facts(
        hostname=info["hostname"],
        model=info["model"],
        serial=info["serial"],
        version=info["version"],
        uptime=info["uptime"],
        ha_state="stack" if info["members"] > 1 else None,
        extra=extra,
    )


# --- show inventory ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InventoryOptic:
    """One `show inventory` entry that is a pluggable optic."""

    port: str
    descr: str
    pid: str
    vid: str
    sn: str


def optic_port(name: str) -> str | None:
    """The port an inventory NAME stands for, or None when the entry is not a port's optic.

    >>> optic_port("TenGigabitEthernet1/1/1"), optic_port("Transceiver Te1/4"), optic_port("Switch 1")
    ('TenGigabitEthernet1/1/1', 'Te1/4', None)
    >>> optic_port("subslot 0/0 transceiver 2"), optic_port("StackPort1/1")
    ('subslot 0/0 transceiver 2', None)
    """
    name = name.strip()
    if _NOT_OPTIC_RE.match(name):
        return None
    match = _PORT_NAME_RE.match(name)
    if match:
        return match["port"]
    return name if _SUBSLOT_RE.match(name) else None


def parse_inventory(text: str) -> list[InventoryOptic]:
    """The optics in `show inventory`: entries whose NAME is a port, in the order printed.

    Empty output is no optics; output without any `NAME:` entry raises ParseError.

    >>> inv = 'NAME: "Te1/1/1", DESCR: "SFP-10GBase-SR"\\nPID: SFP-10G-SR        , VID: V03  , SN: AVD1\\n'
    >>> [(o.port, o.pid, o.vid) for o in parse_inventory(inv)]
    [('Te1/1/1', 'SFP-10G-SR', 'V03')]
    """
    lines = strip_session(text)
    if not lines:
        return []
    cleaned = "\n".join(lines) + "\n"
    if "NAME:" not in cleaned:
        raise ParseError(f"show inventory: no NAME: entries in output starting {first_line(text)!r}")
    records = _ntc(COMMANDS["transceivers"], cleaned)
    if not records:
        raise ParseError(f"show inventory: ntc-templates found no entries in output starting {first_line(text)!r}")
    serials = [m["sn"] for m in _PID_SN_RE.finditer(cleaned)]
    if len(serials) != len(records):
        serials = [str(record.get("sn", "")) for record in records]
    optics = []
    for record, serial in zip(records, serials, strict=True):
        port = optic_port(str(record.get("name", "")))
        if port is None:
            continue
        optics.append(
            InventoryOptic(
                port=port,
                descr=str(record.get("descr", "")).strip(),
                pid=str(record.get("pid", "")).strip(),
                vid=str(record.get("vid", "")).strip(),
                sn=serial.strip(),
            )
        )
    return optics


# --- show idprom interface <port> --------------------------------------------------------------------------


def parse_idprom(text: str) -> dict[str, str]:
    """Parse `show idprom interface <port>` into {field: value} (values stripped of EEPROM padding).

    The port from the `IDPROM for transceiver <port>:` header is under `port`. Empty output is {};
    output without any `key = value` line raises ParseError.

    >>> parse_idprom("IDPROM for transceiver Gi1/0/2:\\n  Vendor Name      = CISCO-ACCELINK  \\n")
    {'port': 'Gi1/0/2', 'Vendor Name': 'CISCO-ACCELINK'}
    """
    lines = strip_session(text)
    if not lines:
        return {}
    result: dict[str, str] = {}
    for line in lines:
        head = _IDPROM_HEAD_RE.match(line.strip())
        if head:
            result["port"] = head["port"]
            continue
        match = _IDPROM_LINE_RE.match(line)
        if match:
            result.setdefault(match["key"].strip().rstrip(":").strip(), match["value"].strip())
    if len(result) <= ("port" in result):
        raise ParseError(f"show idprom interface: no 'key = value' lines in output starting {first_line(text)!r}")
    return result


# --- transceivers ------------------------------------------------------------------------------------------


def transceiver_followups(outputs: Mapping[str, str]) -> dict[str, str]:
    """One `show idprom interface <port>` per optic that sits in an interface (it tells the vendor name).

    >>> inv = 'NAME: "GigabitEthernet1/1/1", DESCR: "1000BaseSX SFP"\\nPID: Unspecified , VID:    , SN: A1\\n'
    >>> transceiver_followups({"transceivers": inv})
    {'idprom GigabitEthernet1/1/1': 'show idprom interface GigabitEthernet1/1/1'}
    """
    return {
        IDPROM_KEY.format(port=optic.port): IDPROM_COMMAND.format(port=optic.port)
        for optic in parse_inventory(outputs["transceivers"])
        if " " not in optic.port
    }


def _part(optic: InventoryOptic, idprom: Mapping[str, str]) -> str:
    """The part the matrix matches on: the Cisco PID from show inventory when it prints one, else the
    vendor part number from the idprom (`Vendor Part Number`, else its `Product Identifier (PID)`), else
    what show inventory printed (`Unspecified`, which the matrix's OEM rule marks third-party)."""
    if optic.pid and optic.pid.upper() != THIRD_PARTY_PID.upper():
        return optic.pid
    for key in ("Vendor Part Number", "Product Identifier (PID)"):
        if idprom.get(key):
            return idprom[key]
    return optic.pid


def transceivers(outputs: Mapping[str, str]) -> list[Transceiver]:
    """The optics in `show inventory`, with vendor name and (third-party) part from each port's idprom.

    >>> inv = 'NAME: "Te1/1/1", DESCR: "SFP-10GBase-SR"\\nPID: Unspecified       , VID:      , SN: F1\\n'
    >>> idp = "IDPROM for transceiver Te1/1/1:\\n  Product Identifier (PID) = FTLX8571D3BCL\\n"
    >>> idp += "  Vendor Name = FINISAR CORP.   \\n"
    >>> t = transceivers({"transceivers": inv, "idprom Te1/1/1": idp})[0]
    >>> t.port, t.vendor, t.part, t.serial
    ('Te1/1/1', 'FINISAR CORP.', 'FTLX8571D3BCL', 'F1')
    """
    found = []
    for optic in parse_inventory(outputs["transceivers"]):
        idprom = parse_idprom(outputs.get(IDPROM_KEY.format(port=optic.port), ""))
        found.append(
            Transceiver(
                port=optic.port,
                type=optic.descr,
                vendor=idprom.get("Vendor Name", ""),
                part=_part(optic, idprom),
                serial=optic.sn or idprom.get("Serial Number (SN)", ""),
                revision=optic.vid or idprom.get("Vendor Revision", ""),
            )
        )
    return found


# --- version scheme -------------------------------------------------------------------------------------

# IOS-XE `17.9.4a` / `17.09.04a` / `16.12.04`, classic IOS `15.2(7)E3` / `12.2(55)SE12`.
_IOS_RE = re.compile(
    r"(?P<major>\d+)\.(?P<minor>\d+)"
    r"(?:(?:\.(?P<patch>\d+)(?P<rebuild>[a-z])?)|(?:\((?P<maint>\d+)\)(?P<train>[A-Z]*)(?P<trainrel>\d*)[a-z]?))?"
)


def parse_ios(text: str) -> Version:
    """Cisco IOS and IOS-XE: `17.9.4a`, `17.09.04a`, `16.12.04`, `15.2(7)E3`, or a train `17.9`.

    >>> parse_ios("17.09.04a") == parse_ios("17.9.4a"), parse_ios("17.9.4a") > parse_ios("17.9.4")
    (True, True)
    >>> parse_ios("15.2(7)E3").key, parse_ios("15.2(7)E3").feature_release
    ((15, 2, 7, 0, 3), '15.2')
    """
    return numbered(
        text,
        DEVICE_TYPE,
        _IOS_RE,
        "X.Y.Z[a] or X.Y(Z)TrainN",
        lambda m: (
            int(m["major"]),
            int(m["minor"]),
            as_int(m["patch"] or m["maint"]),
            letter_number(m["rebuild"]),
            as_int(m["trainrel"]),
        ),
        patch=("patch", "maint"),
    )


# How IOS refuses a command: the start of a line of its answer. `% Invalid input detected at '^' marker.` is in
# the session transcripts of shared/reference/cli/cisco_ios; the list is scrapli's IOS-XE `FAILED_WHEN_CONTAINS`
# (scrapli/driver/core/cisco_iosxe/base_driver.py). A command the account's privilege level lacks is invalid input.
ERROR_MARKERS: tuple[str, ...] = (
    "% Invalid input detected",
    "% Incomplete command",
    "% Ambiguous command",
    "% Unknown command",
)

# --- show running-config: the backup ----------------------------------------------------------------------

# Lines that change without a configuration change: the banner and byte count IOS prints first, the times of the
# last change and of the last `write memory`, and `ntp clock-period` (the clock's drift, rewritten by NTP).
# Sources: Oxidized's ios model (lib/oxidized/model/ios.rb @ 687ed42: drops `Current configuration :`,
# `ntp clock-period`, the "Last configuration change" line) and its C9200L recording
# (shared/reference/cli/cisco_ios/session_transcript__oxidized_C9200L-24P-4G_17.09.04a.yaml).
VOLATILE = (
    re.compile(r"^Building configuration\.\.\."),
    re.compile(r"^Current configuration\s*:"),
    re.compile(r"^! (?:Last configuration change at|NVRAM config last updated at|No configuration change since)"),
    re.compile(r"^\s*ntp clock-period\s"),
)


def sanitise_config(text: str) -> str:
    """`show running-config` without session framing, every secret removed (`tasks.platforms.text.KEYWORD_SECRETS`).

    >>> print(sanitise_config(" client 10.10.20.20 server-key 7 AAAAAAAAAABBBBBBBBBB\\nenable secret 9 $9$xxx"))
     client 10.10.20.20 server-key 7 <removed>
    enable secret 9 <removed>
    """
    return sanitise_lines(strip_session(text), KEYWORD_SECRETS)


def strip_volatile(text: str) -> str:
    """The sanitised configuration without the lines that change on their own (`VOLATILE`).

    >>> strip_volatile("Building configuration...\\n\\nCurrent configuration : 20546 bytes\\n!\\n"
    ...                "ntp clock-period 36\\nend")
    '!\\nend'
    """
    return drop_lines(text, VOLATILE)


# Compliance reads `show running-config` in netutils' IOSConfigParser nesting (tasks.platforms.config_lines).
COMPLIANCE = indented_form(IOSConfigParser, strip_session, COMMANDS["config"])

PLATFORM = Platform(
    device_type=DEVICE_TYPE,
    os_name="IOS",
    aliases=("cisco_xe",),  # netmiko's name for IOS-XE, which this platform reads
    vendor="Cisco",
    commands=COMMANDS,
    facts_commands=FACTS_COMMANDS,
    transceiver_commands=TRANSCEIVER_COMMANDS,
    parse_facts=facts,
    parse_transceivers=transceivers,
    parse_version=parse_ios,
    transceiver_followups=transceiver_followups,
    error_markers=ERROR_MARKERS,
    sanitise_config=sanitise_config,
    backup=Backup("config", strip_volatile),
    compliance=COMPLIANCE,
)
