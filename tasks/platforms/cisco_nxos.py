"""Cisco NX-OS (Nexus): the commands estate sends and pure parsers for what NX-OS prints."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from netutils.config.parser import NXOSConfigParser

from tasks.errors import ParseError
from tasks.models import Facts, Transceiver
from tasks.platforms.base import Backup, Platform, drop_lines
from tasks.platforms.config_lines import indented_form
from tasks.platforms.text import KEYWORD_SECRETS, first_line, ntc, sanitise_lines, session_lines
from tasks.versions import Version, as_int, letter_number, numbered

DEVICE_TYPE = "cisco_nxos"

# Exactly as ntc-templates' index matches them (`cisco_nxos_show_version`, `..._show_interface_transceiver`).
COMMANDS: dict[str, str] = {
    "facts": "show version",
    "transceivers": "show interface transceiver",
    "config": "show running-config",
}
# HA (vPC role) would need `show vpc`, one more round trip per device: ha_state stays None for now.
FACTS_COMMANDS: tuple[str, ...] = ("facts",)
TRANSCEIVER_COMMANDS: tuple[str, ...] = ("transceivers",)

# `switch#`, `TEST-12345# show version`, `leaf01(config)#`: a prompt line, possibly with the echoed command.
PROMPT_RE = re.compile(r"^[A-Za-z0-9][\w.:-]*(?:\([\w-]+\))?#(?:\s.*)?$")

# `show version` fields (ntc-templates names) copied into Facts.extra when present.
EXTRA_FIELDS: tuple[str, ...] = ("bios", "boot_image", "last_reboot_reason", "chassis")

_VERSION_RE = re.compile(r"^\s*(?:NXOS|system):\s+version\s+(?P<version>\S+)", re.MULTILINE)
_CHASSIS_RE = re.compile(r"^\s*cisco (?P<chassis>Nexus.*?Chassis)", re.MULTILINE)
_FAMILY_RE = re.compile(r"^Nexus\s?(?P<family>\d+)\s*(?P<pid>C[\w-]*\d[\w-]*)?")
_HOSTNAME_RE = re.compile(r"^\s*Device name:\s*(?P<value>\S+)", re.MULTILINE)
_SERIAL_RE = re.compile(r"^\s*Processor Board ID\s+(?P<value>\S+)", re.MULTILINE)
_UPTIME_RE = re.compile(r"^\s*Kernel uptime is\s+(?P<value>.+?)\s*$", re.MULTILINE)

# A port's block starts at column 0: `Ethernet1/48`, `Ethernet1/1/2`, `fc1/48 sfp is present`.
_PORT_RE = re.compile(r"^(?P<port>[A-Za-z][\w-]*\d+(?:/\d+)+)(?:\s+sfp is\s+(?P<sfp>.*?))?\s*$")
# An indented `key is value` line; `type is` may have no value (seen on an Arista optic in a Nexus).
_FIELD_RE = re.compile(r"^\s+(?P<key>\S.*?)\s+is(?:\s+(?P<value>.*?))?\s*$")


def strip_session(text: str) -> list[str]:
    """The output's lines without an echoed command/prompt line at either end and surrounding blanks.

    >>> strip_session("\\rsw1# show version\\r\\n\\r\\nSoftware\\r\\n\\rsw1# ")
    ['Software']
    """
    return session_lines(text, lambda line: bool(PROMPT_RE.match(line)), lambda line: bool(PROMPT_RE.match(line)))


def _ntc(command: str, text: str) -> list[dict[str, Any]]:
    """ntc-templates' records for `command` (see tasks.platforms.text.ntc)."""
    return ntc(DEVICE_TYPE, command, text, strict=False)


# --- show version -------------------------------------------------------------------------------------


def model_from_chassis(chassis: str) -> str:
    """The chassis PID from the `cisco ... Chassis` text of `show version`.

    NX-OS prints the family and the PID without its `N9K-` prefix; the N5K prints no PID at all, so its
    model lacks the orderable suffix (`UP`, `P`) that only `show inventory` shows.

    >>> model_from_chassis("Nexus9000 C93180YC-FX3 Chassis"), model_from_chassis("Nexus 5596 Chassis")
    ('N9K-C93180YC-FX3', 'N5K-C5596')
    >>> model_from_chassis("Nexus7000 C7009 (9 Slot) Chassis")
    'N7K-C7009'
    """
    match = _FAMILY_RE.match(chassis.strip())
    if match is None:
        return chassis.strip()
    family = match["family"]
    pid = match["pid"] or f"C{family}"
    return f"N{family[0]}K-{pid}"


def clean_version(text: str) -> str:
    """`10.4(5) [Maintenance Release]` -> `10.4(5)`.

    >>> clean_version("10.4(5) [Maintenance Release]")
    '10.4(5)'
    """
    return text.split("[")[0].strip()


def _own_version_fields(text: str) -> dict[str, str]:
    """The fields our own regexes find in `show version` (fallback and additions to ntc-templates)."""
    found: dict[str, str] = {}
    for key, regex in (
        ("os", _VERSION_RE),
        ("hostname", _HOSTNAME_RE),
        ("serial", _SERIAL_RE),
        ("uptime", _UPTIME_RE),
        ("chassis", _CHASSIS_RE),
    ):
        match = regex.search(text)
        if match:
            found[key] = match.group(1).strip()
    return found


def parse_show_version(text: str) -> dict[str, str]:
    """Parse `show version` into ntc-templates' field names plus `chassis`, `model` and a clean `os`.

    Raises ParseError when the NX-OS version, the device name or the chassis line is missing.

    >>> v = parse_show_version("  NXOS: version 10.4(5)\\n  cisco Nexus9000 C9336C-FX2 Chassis\\n"
    ...                        "  Device name: spine1\\n")
    >>> v["os"], v["model"], v["hostname"]
    ('10.4(5)', 'N9K-C9336C-FX2', 'spine1')
    """
    cleaned = "\n".join(strip_session(text)) + "\n"
    result = _own_version_fields(cleaned)
    for record in _ntc(COMMANDS["facts"], cleaned)[:1]:
        result.update({k: str(v).strip() for k, v in record.items() if v not in (None, "")})
    missing = [
        name
        for key, name in (("os", "NXOS version"), ("hostname", "Device name"), ("chassis", "Chassis"))
        if not result.get(key)
    ]
    if missing:
        raise ParseError(f"show version: no {', '.join(missing)} line in output starting {first_line(text)!r}")
    result["os"] = clean_version(result["os"])
    result["model"] = model_from_chassis(result["chassis"])
    return result


# --- show interface transceiver -----------------------------------------------------------------------


def _blocks(lines: list[str]) -> list[tuple[str, str, dict[str, str]]]:
    """(port, header status, {lower-case key: value}) per port block, in output order."""
    blocks: list[tuple[str, str, dict[str, str]]] = []
    for line in lines:
        header = _PORT_RE.match(line)
        if header:
            blocks.append((header["port"], (header["sfp"] or "").strip(), {}))
            continue
        field = _FIELD_RE.match(line)
        if field and blocks:
            blocks[-1][2].setdefault(field["key"].strip().lower(), (field["value"] or "").strip())
    return blocks


def _present(header_status: str, fields: Mapping[str, str]) -> bool:
    """`transceiver is present` (Ethernet) or `sfp is present` (FC ports on a Nexus 5000)."""
    return (fields.get("transceiver") or header_status).lower() == "present"


def _transceiver(port: str, fields: Mapping[str, str], ntc: Mapping[str, Any]) -> Transceiver:
    """One optic; our scan first, ntc-templates' record for what the scan lacks.

    ntc-templates 9.3's template keeps one word of multi-word values (`Arista Networks` -> `Arista`,
    `WDM QSFP+-40G-SR` -> `WDM`) and has no revision field, so it cannot decide alone.
    """

    def pick(ntc_key: str, *keys: str) -> str:
        value = next((fields[k] for k in keys if fields.get(k)), "")
        return value or str(ntc.get(ntc_key) or "").strip()

    vendor_part = pick("part_number", "part number", "manufacturer's part number")
    # The part the matrix matches on: the Cisco product id (PID) a Cisco-coded optic reports, else the
    # vendor's own part number (third-party optics print no `cisco product id` line).
    product_id = pick("product_id", "cisco product id")
    return Transceiver(
        port=port,
        type=pick("type", "type"),
        vendor=pick("manufacturer", "name"),
        part=product_id or vendor_part,
        serial=pick("serial", "serial number"),
        revision=fields.get("revision", ""),
    )


def parse_transceivers(text: str) -> list[Transceiver]:
    """Parse `show interface transceiver` into the present optics, in output order.

    An empty output is no optics; an output without any port block is not NX-OS output (ParseError).

    >>> out = ("Ethernet1/1\\n    transceiver is present\\n    type is 10Gbase-SR\\n    name is CISCO-AVAGO\\n"
    ...        "    part number is SFBR-709DMZ-CS2\\n    revision is G2.3\\n    serial number is AVD1\\n"
    ...        "    cisco product id is SFP-10G-SR\\nEthernet1/2\\n    transceiver is not present\\n")
    >>> [(t.port, t.vendor, t.part, t.revision) for t in parse_transceivers(out)]
    [('Ethernet1/1', 'CISCO-AVAGO', 'SFP-10G-SR', 'G2.3')]
    """
    lines = strip_session(text)
    if not any(line.strip() for line in lines):
        return []
    blocks = _blocks(lines)
    if not blocks:
        raise ParseError(f"show interface transceiver: no port block in output starting {first_line(text)!r}")
    by_port = {str(r.get("interface", "")): r for r in _ntc(COMMANDS["transceivers"], "\n".join(lines) + "\n")}
    return [
        _transceiver(port, fields, by_port.get(port, {})) for port, status, fields in blocks if _present(status, fields)
    ]


def transceiver_followups(outputs: Mapping[str, str]) -> dict[str, str]:
    """NX-OS prints every optic in one output: no per-port command follows."""
    return {}


def transceivers(outputs: Mapping[str, str]) -> list[Transceiver]:
    """The optics in the outputs of `TRANSCEIVER_COMMANDS` ({purpose: output})."""
    return parse_transceivers(outputs["transceivers"])


# --- facts ---------------------------------------------------------------------------------------------


def facts(outputs: Mapping[str, str], prompt: str = "") -> Facts:
    """Facts from the outputs of `FACTS_COMMANDS` ({purpose: output}); ha_state is None (no vPC read).

    >>> f = facts({"facts": "  NXOS: version 9.3(10)\\n  cisco Nexus9000 C93180YC-FX3 Chassis\\n"
    ...                     "  Device name: leaf1\\n"})
    >>> f.hostname, f.model, f.version, f.ha_state
    ('leaf1', 'N9K-C93180YC-FX3', '9.3(10)', None)
    """
    if "facts" not in outputs:
        raise ValueError(f"facts outputs lack the 'facts' purpose: got {sorted(outputs)}")
    info = parse_show_version(outputs["facts"])
    try:
        parse_nxos(info["os"])
    except ValueError as exc:
        raise ParseError(f"show version: {exc}") from None
    return Facts(
        hostname=info["hostname"],
        model=info["model"],
        serial=info.get("serial", ""),
        version=info["os"],
        uptime=info.get("uptime", ""),
        ha_state=None,
        extra={key: info[key] for key in EXTRA_FIELDS if info.get(key)},
    )


# --- version scheme -------------------------------------------------------------------------------------

# NX-OS `10.4(5)`, `9.3(10)`, `7.3(13)N1(1)`, `10.2(3)F`, or `9.3.10`.
_NXOS_RE = re.compile(
    r"(?P<major>\d+)\.(?P<minor>\d+)(?:(?:\((?P<patch>\d+)(?P<letter>[a-z])?\)(?P<suffix>[A-Z]*)(?:(?P<sub>\d+)(?:\((?P<subpatch>\d+)\))?)?)"
    r"|(?:\.(?P<dotpatch>\d+)))?"
)


def parse_nxos(text: str) -> Version:
    """Cisco NX-OS: `10.4(5)`, `9.3(10)`, `7.3(13)N1(1)`, `10.2(3)F`, `9.3.10`, or a release `10.4`.

    >>> parse_nxos("10.4(5)").key, parse_nxos("9.3.10") == parse_nxos("9.3(10)")
    ((10, 4, 5, 0, 0, 0), True)
    >>> parse_nxos("9.3(7a)") > parse_nxos("9.3(7)")
    True
    """
    return numbered(
        text,
        DEVICE_TYPE,
        _NXOS_RE,
        "X.Y(Z), X.Y(Z)SuffixN(M) or X.Y.Z",
        lambda m: (
            int(m["major"]),
            int(m["minor"]),
            as_int(m["patch"] or m["dotpatch"]),
            letter_number(m["letter"]),
            as_int(m["sub"]),
            as_int(m["subpatch"]),
        ),
        patch=("patch", "dotpatch"),
    )


# How NX-OS refuses a command: the start of a line of its answer. `% Invalid command at '^' marker.` and
# `% Incomplete command at '^' marker.` as the lab prints them [unverified: no NX-OS error sample in
# shared/reference/cli], and the IOS family's answers (scrapli's IOS-XE `FAILED_WHEN_CONTAINS`).
ERROR_MARKERS: tuple[str, ...] = (
    "% Invalid command at",
    "% Invalid input detected",
    "% Incomplete command",
    "% Ambiguous command",
)

# --- show running-config: the backup ----------------------------------------------------------------------

# `!Time:` changes on every read; `!Running configuration last done at:` only when the configuration changes, and
# is kept (as Oxidized keeps it). Sources: Oxidized's nxos model (lib/oxidized/model/nxos.rb @ 687ed42) and its
# C93180YC-FX3 recording (shared/reference/cli/cisco_nxos/session_transcript__oxidized_C93180YC-FX3J_10.4.5.yaml).
VOLATILE = (re.compile(r"^!Time:"),)


def sanitise_config(text: str) -> str:
    """`show running-config` without session framing, every secret removed (`tasks.platforms.text.KEYWORD_SECRETS`).

    >>> print(sanitise_config("snmp-server user admin network-admin auth md5 0xAB12 priv aes-128 0xCD34 localizedkey"))
    snmp-server user admin network-admin auth md5 <removed> priv aes-128 <removed> localizedkey
    """
    lines = strip_session(text)
    if lines and lines[0].strip() == COMMANDS["config"]:  # the echo, when the session left it in
        lines = strip_session("\n".join(lines[1:]))
    return sanitise_lines(lines, KEYWORD_SECRETS)


def strip_volatile(text: str) -> str:
    """The sanitised configuration without the lines that change on every read (`VOLATILE`).

    >>> strip_volatile("!Command: show running-config\\n!Time: Mon Dec  1 14:37:04 2025\\nhostname sw1")
    '!Command: show running-config\\nhostname sw1'
    """
    return drop_lines(text, VOLATILE)


# Compliance reads `show running-config` in netutils' NXOSConfigParser nesting (tasks.platforms.config_lines).
COMPLIANCE = indented_form(NXOSConfigParser, strip_session, COMMANDS["config"])

PLATFORM = Platform(
    device_type=DEVICE_TYPE,
    os_name="NX-OS",
    vendor="Cisco",
    commands=COMMANDS,
    facts_commands=FACTS_COMMANDS,
    transceiver_commands=TRANSCEIVER_COMMANDS,
    parse_facts=facts,
    parse_transceivers=transceivers,
    parse_version=parse_nxos,
    transceiver_followups=transceiver_followups,
    error_markers=ERROR_MARKERS,
    sanitise_config=sanitise_config,
    backup=Backup("config", strip_volatile),
    compliance=COMPLIANCE,
)
