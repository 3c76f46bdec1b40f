"""Arista EOS: the commands estate sends and pure parsers for what EOS prints."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from netutils.config.parser import EOSConfigParser

from tasks.errors import ParseError
from tasks.models import Facts, Transceiver
from tasks.platforms.base import Backup, Platform, drop_lines
from tasks.platforms.config_lines import indented_form
from tasks.platforms.text import KEYWORD_SECRETS, first_line, keyword_secret, ntc, sanitise_lines, session_lines
from tasks.versions import Version, as_int, numbered

DEVICE_TYPE = "arista_eos"

COMMANDS: dict[str, str] = {
    "facts": "show version",
    "hostname": "show hostname",
    "inventory": "show inventory",
    "transceiver_hardware": "show interfaces transceiver hardware",
    "config": "show running-config",
}
# `show version` has no hostname and the prompt may differ from it (`eos-spine1#` on host `spine1` in the
# ntc-templates sample), so `show hostname` is read too. MLAG is not an HA pair of one device: ha_state is None.
FACTS_COMMANDS: tuple[str, ...] = ("facts", "hostname")
# `show inventory` names vendor, part, serial and revision per transceiver slot (`1`, `49`); the hardware
# view gives the interface name EOS uses (`Et1`, `Et49/1`) and the media type (`10GBASE-SR`).
TRANSCEIVER_COMMANDS: tuple[str, ...] = ("inventory", "transceiver_hardware")

# `spine1>`, `spine1#`, `spine1(config-if-Et1)#`, `spine1(s1)#`: a prompt line, alone or before an echo.
PROMPT_RE = re.compile(r"^[\w.-]+(?:\([\w./-]+\))*[>#]")
_ECHO_RE = re.compile(r"^(?:[\w.-]+(?:\([\w./-]+\))*[>#])?\s*sh(?:ow)?\s")
_KV_RE = re.compile(r"^(?P<key>[A-Za-z][\w ()./-]*?):[ \t]*(?P<value>.*)$")
_MODEL_RE = re.compile(r"^Arista\s+(?P<model>\S+)")
_SLOTS_RE = re.compile(r"^\s*System has \d+ (?:\S+ )?transceiver slots?\s*$")
_SECTION_RE = re.compile(r"^\s*System (?:has|information)\b", re.IGNORECASE)
_SLOT_RE = re.compile(r"^\d+(?:/\d+)*$")
_COLUMNS = ("Port", "Manufacturer", "Model", "Serial Number", "Rev")

# `show version` labels copied into Facts.extra (EOS label -> extra key) when present.
EXTRA_FIELDS: dict[str, str] = {
    "Hardware version": "hardware-version",
    "System MAC address": "system-mac",
    "Software image version": "image",
    "Architecture": "architecture",
    "Internal build version": "internal-build-version",
    "Image optimization": "image-optimization",
}


def strip_session(text: str) -> list[str]:
    """The output's lines without an echoed command line, a trailing prompt line and surrounding blanks.

    >>> strip_session("sw1#show hostname\\nHostname: sw1\\nsw1#")
    ['Hostname: sw1']
    """
    return session_lines(text, lambda line: bool(_ECHO_RE.match(line)), lambda line: bool(PROMPT_RE.fullmatch(line)))


def _ntc(command: str, text: str) -> list[dict[str, Any]]:
    """ntc-templates' records for `command` (see tasks.platforms.text.ntc)."""
    return ntc(DEVICE_TYPE, command, text, strict=True)


def interface_name(name: str) -> str:
    """EOS' full interface name for a short one.

    >>> interface_name("Et49/1"), interface_name("Ethernet2"), interface_name("Ma1")
    ('Ethernet49/1', 'Ethernet2', 'Management1')
    """
    for short, full in (("Et", "Ethernet"), ("Ma", "Management")):
        match = re.fullmatch(rf"{short}[a-z]*(?P<rest>\d.*)", name)
        if match:
            return f"{full}{match['rest']}"
    return name


# --- show version / show hostname -----------------------------------------------------------------------


def _key_values(lines: list[str]) -> dict[str, str]:
    """`Label: value` lines as a dict (values stripped); the first line `Arista <model>` as `model`."""
    result: dict[str, str] = {}
    for line in lines:
        model = _MODEL_RE.match(line.strip())
        if model and "model" not in result:
            result["model"] = model["model"]
            continue
        match = _KV_RE.match(line.strip())
        if match:
            result.setdefault(match["key"].strip(), match["value"].strip())
    return result


def parse_show_version(text: str) -> dict[str, str]:
    """Parse `show version` into {model, serial, image, uptime} plus every `Label: value` line.

    The core fields come from ntc-templates' `arista_eos_show_version`; a label/value parse backs it up
    when a newer EOS adds a line the template does not know. Raises ParseError without model or image.

    >>> v = parse_show_version("Arista DCS-7050SX3-48YC8\\nSerial number: JPE1\\nSoftware image version: 4.29.2F\\n")
    >>> v["model"], v["serial"], v["image"]
    ('DCS-7050SX3-48YC8', 'JPE1', '4.29.2F')
    """
    lines = strip_session(text)
    result = _key_values(lines)
    result["serial"] = result.get("Serial number", "")
    result["image"] = result.get("Software image version", "")
    result["uptime"] = result.get("Uptime", "")
    try:
        records = _ntc(COMMANDS["facts"], "\n".join(lines) + "\n")
    except ParseError:
        records = []
    if records:
        names = {"model": "model", "serial": "serial_number", "image": "image", "uptime": "uptime"}
        result.update({key: str(records[0][name]).strip() for key, name in names.items() if records[0].get(name)})
    missing = [key for key in ("model", "image") if not result.get(key)]
    if missing:
        raise ParseError(f"show version: no {', '.join(missing)} in output starting {first_line(text)!r}")
    return result


def eos_version(image: str) -> str:
    """The EOS version in a `Software image version` value (cEOS adds a build and `(engineering build)`).

    >>> eos_version("4.29.2F"), eos_version("4.31.6M-39953990.4316M (engineering build)")
    ('4.29.2F', '4.31.6M')
    """
    first = image.split()[0] if image.split() else image
    for candidate in (first, first.split("-")[0]):
        try:
            return parse_eos(candidate).text
        except ValueError:
            continue
    raise ParseError(f"show version: {image!r} is not an EOS version")


def parse_show_hostname(text: str) -> str:
    """The hostname in `show hostname` (ParseError when there is none).

    >>> parse_show_hostname("Hostname: spine1\\nFQDN:     spine1.company.com\\n")
    'spine1'
    """
    lines = strip_session(text)
    hostname = _key_values(lines).get("Hostname", "")
    if not hostname:
        raise ParseError(f"show hostname: no Hostname line in output starting {first_line(text)!r}")
    return hostname


def hostname_from_prompt(prompt: str) -> str:
    """The hostname part of an EOS prompt.

    >>> hostname_from_prompt("leaf1(config)#"), hostname_from_prompt("leaf1")
    ('leaf1', 'leaf1')
    """
    return re.sub(r"(?:\([\w./-]+\))*[>#]?\s*$", "", prompt.strip())


def facts(outputs: Mapping[str, str], prompt: str = "") -> Facts:
    """Facts from the outputs of `FACTS_COMMANDS` ({purpose: output}) and the session's prompt.

    The hostname comes from `show hostname` when given, else from the prompt. `version` is the EOS version
    (`4.29.2F`); the full image string is in `extra["image"]`.

    >>> f = facts({"facts": "Arista DCS-7280SR3-48YC8\\nSoftware image version: 4.30.4M\\n"}, prompt="dc1-sw1#")
    >>> f.hostname, f.model, f.version, f.ha_state
    ('dc1-sw1', 'DCS-7280SR3-48YC8', '4.30.4M', None)
    """
    if "facts" not in outputs:
        raise ValueError(f"facts outputs lack the 'facts' purpose: got {sorted(outputs)}")
    info = parse_show_version(outputs["facts"])
    hostname = parse_show_hostname(outputs["hostname"]) if "hostname" in outputs else hostname_from_prompt(prompt)
    extra = {key: info[label] for label, key in EXTRA_FIELDS.items() if info.get(label)}
    return Facts(
        hostname=hostname,
        model=info["model"],
        serial=info["serial"],
        version=eos_version(info["image"]),
        uptime=info["uptime"],
        ha_state=None,
        extra=extra,
    )


# --- show inventory ---------------------------------------------------------------------------------------


def _slots_section(lines: list[str]) -> list[str]:
    """The lines under `System has N transceiver slots`, up to the next `System ...` heading."""
    for i, line in enumerate(lines):
        if _SLOTS_RE.match(line):
            section: list[str] = []
            for row in lines[i + 1 :]:
                if _SECTION_RE.match(row):
                    break
                section.append(row)
            return section
    return []


def _column_starts(header: str, dashes: str) -> list[int] | None:
    """Where each column starts when the header names sit over their dash groups (real EOS alignment).

    The ntc-templates samples were published with collapsed whitespace: then None.

    >>> _column_starts("  Port Manufacturer     Model            Serial Number    Rev",
    ...                "  ---- ---------------- ---------------- ---------------- ----")
    [2, 7, 24, 41, 58]
    >>> _column_starts(" Port Manufacturer Model Serial Number Rev", " ---- ---------------- ---- ---- ----") is None
    True
    """
    starts = [m.start() for m in re.finditer(r"-+", dashes)]
    names: list[int] = []
    for name in _COLUMNS:
        found = header.find(name, names[-1] + 1 if names else 0)
        if found < 0:
            return None
        names.append(found)
    return starts if names == starts else None


def _row_by_columns(row: str, starts: list[int]) -> list[str]:
    """The cells of an aligned row (each column runs to the start of the next)."""
    bounds = [*starts[1:], max(len(row), starts[-1]) + 1]
    return [row[start:end].strip() for start, end in zip(starts, bounds, strict=True)]


def _row_by_tokens(row: str) -> list[str]:
    """The cells of a collapsed row: port, manufacturer (may hold spaces), model, serial, rev.

    >>> _row_by_tokens(" 24 Arista Networks QSFP-100G-LR4-AR XN59CEB7032 A4")
    ['24', 'Arista Networks', 'QSFP-100G-LR4-AR', 'XN59CEB7032', 'A4']
    """
    tokens = row.split()
    if len(tokens) >= 5:
        return [tokens[0], " ".join(tokens[1:-3]), *tokens[-3:]]
    if len(tokens) == 4:
        return [*tokens, ""]
    raise ParseError(f"show inventory: transceiver row {row.strip()!r} has too few columns")


def parse_inventory(text: str) -> list[dict[str, str]]:
    """The transceiver rows of `show inventory`: {slot, vendor, part, serial, revision}, empty slots left out.

    Reads EOS' real column alignment when the header sits over its dashes, else (the ntc-templates samples,
    whitespace collapsed) splits on words from the right. Our own parser: ntc-templates' template mis-assigns
    the cells of a row whose Rev is blank. No transceiver section = no optics; an empty output = no optics.

    >>> rows = parse_inventory("System information\\nSystem has 2 transceiver slots\\n"
    ...     " Port Manufacturer Model Serial Number Rev\\n ---- --- --- --- ---\\n"
    ...     " 1 Arista Networks SFP-10G-SR XCW1225FD753 0002\\n 2 Not Present\\n")
    >>> [(r["slot"], r["vendor"], r["part"]) for r in rows]
    [('1', 'Arista Networks', 'SFP-10G-SR')]
    """
    lines = strip_session(text)
    if not lines:
        return []
    if not any(_SECTION_RE.match(line) for line in lines):
        raise ParseError(f"show inventory: no 'System ...' heading in output starting {first_line(text)!r}")
    section = [line for line in _slots_section(lines) if line.strip()]
    header = next((line for line in section if line.split()[:2] == ["Port", "Manufacturer"]), None)
    dashes = next((line for line in section if set(line.strip()) <= {"-", " "}), None)
    if header is None or dashes is None:
        return []
    starts = _column_starts(header, dashes)
    rows: list[dict[str, str]] = []
    for line in section[section.index(dashes) + 1 :]:
        if line.split()[1:3] == ["Not", "Present"]:
            continue
        cells = _row_by_columns(line, starts) if starts else _row_by_tokens(line)
        if not _SLOT_RE.match(cells[0]):
            raise ParseError(f"show inventory: {cells[0]!r} is not a transceiver slot in row {line.strip()!r}")
        rows.append(dict(zip(("slot", "vendor", "part", "serial", "revision"), cells, strict=True)))
    return rows


# --- show interfaces transceiver hardware -----------------------------------------------------------------


def parse_transceiver_hardware(text: str) -> dict[str, dict[str, str]]:
    """`show interfaces transceiver hardware` (ntc-templates) as {full interface name: {media_type, ...}}.

    Interfaces whose module is not detected are left out. An empty output is {}.

    >>> parse_transceiver_hardware("Name: Et49/1\\nMedia type: 100GBASE-SR4\\n\\n")["Ethernet49/1"]["media_type"]
    '100GBASE-SR4'
    """
    lines = strip_session(text)
    if not lines:
        return {}
    result: dict[str, dict[str, str]] = {}
    for record in _ntc(COMMANDS["transceiver_hardware"], "\n".join(lines) + "\n"):
        if "not" in str(record.get("module_presence", "")).lower():
            continue
        media = str(record.get("media_type") or record.get("detected_media_type") or "").strip()
        result[interface_name(str(record["name"]))] = {
            "media_type": media,
            "max_module_power": str(record.get("max_module_power", "")),
            "wavelength": str(record.get("wavelength", "")),
        }
    return result


# --- transceivers -----------------------------------------------------------------------------------------


def port_for_slot(slot: str, interfaces: Mapping[str, Any]) -> str:
    """The interface of a transceiver slot: `EthernetN` (SFP), or `EthernetN/1` when only lane 1 exists (QSFP).

    >>> port_for_slot("49", {"Ethernet49/1": {}}), port_for_slot("1", {}), port_for_slot("2", {"Ethernet2": {}})
    ('Ethernet49/1', 'Ethernet1', 'Ethernet2')
    """
    for name in (f"Ethernet{slot}", f"Ethernet{slot}/1"):
        if name in interfaces:
            return name
    return f"Ethernet{slot}"


def transceiver_followups(outputs: Mapping[str, str]) -> dict[str, str]:
    """EOS prints every optic in the first two outputs: no per-port command follows."""
    return {}


def transceivers(outputs: Mapping[str, str]) -> list[Transceiver]:
    """The optics in `show inventory`, named and typed from `show interfaces transceiver hardware` if given.

    `part` (what the matrix matches on) is the inventory's Model column, e.g. `SFP-10G-SR`; `vendor` is its
    Manufacturer column (`Arista Networks` on Arista optics); `type` is the hardware view's media type.
    """
    hardware = parse_transceiver_hardware(outputs.get("transceiver_hardware", ""))
    found: list[Transceiver] = []
    for row in parse_inventory(outputs["inventory"]):
        port = port_for_slot(row["slot"], hardware)
        found.append(
            Transceiver(
                port=port,
                type=hardware.get(port, {}).get("media_type", ""),
                vendor=row["vendor"],
                part=row["part"],
                serial=row["serial"],
                revision=row["revision"],
            )
        )
    return found


# --- version scheme -------------------------------------------------------------------------------------

_EOS_RE = re.compile(r"(?P<major>\d+)\.(?P<minor>\d+)(?:\.(?P<patch>\d+)(?P<train>[A-Z]*)(?:-(?P<extra>[\d.]+))?)?")


def parse_eos(text: str) -> Version:
    """Arista EOS: `4.29.2F`, `4.30.4M`, `4.28.3M-28.1` or a train `4.29`; F/M do not order.

    >>> parse_eos("4.29.2F").key, parse_eos("4.30.1M") > parse_eos("4.29.9F")
    ((4, 29, 2), True)
    """
    return numbered(
        text,
        DEVICE_TYPE,
        _EOS_RE,
        "X.Y.Z[F|M]",
        lambda m: (int(m["major"]), int(m["minor"]), as_int(m["patch"])),
    )


# How EOS refuses a command: the start of a line of its answer, scrapli's EOS `FAILED_WHEN_CONTAINS`
# (scrapli/driver/core/arista_eos/base_driver.py): `% Invalid input (at token N: 'word')`, `% Incomplete command`.
ERROR_MARKERS: tuple[str, ...] = (
    "% Invalid input",
    "% Incomplete command",
    "% Ambiguous command",
    "% Unavailable command",
    "% Error",
)

# --- show running-config: the backup ----------------------------------------------------------------------

# `! Time:` changes on every read (Oxidized's eos model filters it on the box: `show running-config | no-more |
# exclude ! Time:`, lib/oxidized/model/eos.rb @ 687ed42); `! device: NAME (MODEL, EOS-x)` changes on an upgrade
# only and is kept. Besides the shared keyword secrets, EOS prints the licence key of `service
# unsupported-transceiver NAME KEY` (Oxidized's eos `remove_secret`).
VOLATILE = (re.compile(r"^! Time:"),)
SECRETS = (*KEYWORD_SECRETS, keyword_secret(r"^\s*service unsupported-transceiver \S+\s+"))


def sanitise_config(text: str) -> str:
    """`show running-config` without session framing, every secret removed (`SECRETS`).

    >>> print(sanitise_config("snmp-server host 10.1.2.3 version 1 string123\\n"
    ...                       "service unsupported-transceiver acme 9f1c2b"))
    snmp-server host 10.1.2.3 version 1 <removed>
    service unsupported-transceiver acme <removed>
    """
    return sanitise_lines(strip_session(text), SECRETS)


def strip_volatile(text: str) -> str:
    """The sanitised configuration without the lines that change on every read (`VOLATILE`).

    >>> strip_volatile("! device: sw1 (DCS-7050SX3-48YC8, EOS-4.29.2F)\\n! Time: Mon Dec  1 14:37:04 2025\\n!")
    '! device: sw1 (DCS-7050SX3-48YC8, EOS-4.29.2F)\\n!'
    """
    return drop_lines(text, VOLATILE)


# Compliance reads `show running-config` in netutils' EOSConfigParser nesting (tasks.platforms.config_lines).
COMPLIANCE = indented_form(EOSConfigParser, strip_session, COMMANDS["config"])

PLATFORM = Platform(
    device_type=DEVICE_TYPE,
    os_name="EOS",
    vendor="Arista",
    commands=COMMANDS,
    facts_commands=FACTS_COMMANDS,
    transceiver_commands=TRANSCEIVER_COMMANDS,
    parse_facts=facts,
    parse_transceivers=transceivers,
    parse_version=parse_eos,
    transceiver_followups=transceiver_followups,
    error_markers=ERROR_MARKERS,
    sanitise_config=sanitise_config,
    backup=Backup("config", strip_volatile),
    compliance=COMPLIANCE,
)
