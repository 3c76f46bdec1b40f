"""Juniper Junos (EX/QFX switches, SRX firewalls, MX routers): the commands estate sends and pure parsers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tasks.errors import ParseError
from tasks.models import Facts, Transceiver
from tasks.platforms.base import Backup, ConfigForm, Platform, drop_lines
from tasks.platforms.text import first_line, keyword_secret, parse_template, sanitise_lines, session_lines
from tasks.versions import Version, as_int, numbered

DEVICE_TYPE = "juniper_junos"

COMMANDS: dict[str, str] = {
    "version": "show version",
    "hardware": "show chassis hardware",
    "uptime": "show system uptime",
    "config": "show configuration | display set",
}
# `show chassis hardware` gives the chassis serial (facts) and every optic (transceivers): it is in both
# tuples, and the shared collector sends it once when both tasks share their outputs.
FACTS_COMMANDS: tuple[str, ...] = ("version", "hardware", "uptime")
TRANSCEIVER_COMMANDS: tuple[str, ...] = ("hardware",)

PIC_COMMAND = "show chassis pic fpc-slot {fpc} pic-slot {pic}"
PIC_KEY = "pic {fpc}/{pic}"

# `admin@sw1>`, `admin@sw1#`, and the context line Junos prints above the prompt of a virtual-chassis
# member (`{master:0}`), an SRX cluster node (`{primary:node0}`) or a dual-RE router (`{backup}`).
PROMPT_RE = re.compile(r"^[\w.@-]+@[\w.-]+[>#]\s*$")
CONTEXT_RE = re.compile(r"^\{(?P<role>[a-z-]+)(?::(?P<member>[\w-]+))?\}$")
_ECHO_RE = re.compile(r"^(?:[\w.@-]+@[\w.-]+[>#]\s*)?show\s", re.IGNORECASE)


def ha_state_from_prompt(prompt: str) -> str | None:
    """The role in a `{role:member}` context line above the prompt (`master`, `primary`, ...), else None.

    >>> ha_state_from_prompt("{primary:node0}\\nadmin@srx1>"), ha_state_from_prompt("admin@srx1")
    ('primary', None)
    """
    for line in prompt.splitlines():
        match = CONTEXT_RE.match(line.strip())
        if match:
            return match["role"]
    return None


def strip_session(text: str) -> list[str]:
    """The output's lines without an echoed command, context lines, a trailing prompt and surrounding blanks.

    >>> strip_session("admin@sw> show version\\nModel: ex4300-48p\\n\\n{master:0}\\nadmin@sw> ")
    ['Model: ex4300-48p']
    """
    text = "\n".join(line for line in text.splitlines() if not CONTEXT_RE.match(line.strip()))
    return session_lines(text, lambda line: bool(_ECHO_RE.match(line)), lambda line: bool(PROMPT_RE.match(line)))


# --- show version ----------------------------------------------------------------------------------------

# `fpc0:` (virtual-chassis member) or `node1:` (SRX cluster node) heading one member's section.
_SECTION_RE = re.compile(r"^(?P<kind>fpc|node)(?P<member>\d+):$")
_KV_RE = re.compile(r"^(?P<key>Hostname|Model|Junos):\s*(?P<value>\S.*)$")
# Releases before the `Junos:` line (about 15.1) name the release only in package lines:
# `JUNOS Software Release [12.1X46-D40.2]`, `JUNOS EX  Software Suite [13.2X51-D35.3]`, `JUNOS Base OS boot [..]`.
_PACKAGE_RE = re.compile(r"^JUNOS (?:Software Release|.*Software Suite|Base OS boot)\s*\[(?P<version>[^\]]+)\]")


def _parse_ntc_version(text: str) -> dict[str, str]:
    """ntc-templates' `juniper_junos_show_version`: {hostname, model, junos_version} of the first member."""
    try:
        records = parse_template(DEVICE_TYPE, COMMANDS["version"], text)
    except Exception:  # the template rejected the text: our own line parse decides alone
        return {}
    if not records:
        return {}
    record: dict[str, Any] = records[0]
    return {k: str(v) for k, v in record.items() if k in ("hostname", "model", "junos_version") and v}


def parse_version_output(text: str) -> dict[str, Any]:
    """Parse `show version` into {hostname, model, version, members}; the first member's values win.

    `members` lists the `fpcN`/`nodeN` section names of a virtual chassis or cluster ([] for a single box).
    Raises ParseError when no model or no release is found.

    >>> v = parse_version_output("Hostname: sw1\\nModel: ex4300-48p\\nJunos: 22.4R3-S2.11\\n")
    >>> v["hostname"], v["model"], v["version"], v["members"]
    ('sw1', 'ex4300-48p', '22.4R3-S2.11', [])
    """
    lines = strip_session(text)
    found: dict[str, str] = {}
    members: list[str] = []
    for line in lines:
        stripped = line.strip()
        section = _SECTION_RE.match(stripped)
        if section:
            members.append(stripped[:-1])
            continue
        match = _KV_RE.match(stripped)
        if match:
            found.setdefault(match["key"].lower(), match["value"].strip())
            continue
        package = _PACKAGE_RE.match(stripped)
        if package:
            found.setdefault("package", package["version"].strip())
    ntc = _parse_ntc_version("\n".join(lines) + "\n")
    version = found.get("junos") or ntc.get("junos_version") or found.get("package", "")
    result = {
        "hostname": found.get("hostname") or ntc.get("hostname", ""),
        "model": found.get("model") or ntc.get("model", ""),
        "version": version,
        "members": members,
    }
    missing = [key for key in ("model", "version") if not result[key]]
    if missing:
        raise ParseError(f"show version: no {', '.join(missing)} in output starting {first_line(text)!r}")
    return result


# --- show system uptime ----------------------------------------------------------------------------------

_BOOTED_RE = re.compile(r"^System booted:\s*(?P<when>.+?)\s*(?:\((?P<ago>[^)]*?)\s*ago\))?\s*$")


def parse_uptime(text: str) -> str:
    """The uptime in `show system uptime`'s `System booted: ... (22w0d 19:16 ago)` line ('' if absent).

    >>> parse_uptime("System booted: 2021-03-29 13:32:05 MSK (22w0d 19:16 ago)")
    '22w0d 19:16'
    """
    for line in strip_session(text):
        match = _BOOTED_RE.match(line.strip())
        if match:
            return (match["ago"] or "").strip()
    return ""


# --- show chassis hardware --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HardwareXcvr:
    """One `Xcvr` line of `show chassis hardware` with the FPC and PIC it sits under."""

    fpc: int
    pic: int
    port: int
    version: str
    part: str
    serial: str
    description: str


@dataclass(frozen=True)
class Hardware:
    """The parts of `show chassis hardware` estate reads."""

    chassis_serial: str
    chassis_description: str
    xcvrs: tuple[HardwareXcvr, ...]


_HEADER_RE = re.compile(r"^Item\s+Version\s+Part number\s+Serial number\s+Description$")
_ITEM_RE = re.compile(r"^(?P<kind>FPC|PIC|Xcvr)\s+(?P<number>\d+)(?:\s+(?P<rest>.*))?$")
_CHASSIS_RE = re.compile(r"^Chassis\s+(?P<serial>\S+)\s+(?P<description>\S.*)$")
# The part-number column of an optic: a Juniper 740- number, or NON-JNPR for a third-party optic.
_PART_RE = re.compile(r"^(?:\d{3}-\d{6}|NON-JNPR|UNKNOWN)$")


def _xcvr(fpc: int, pic: int, port: int, rest: str) -> HardwareXcvr:
    """An `Xcvr N` line's columns after the item: version (may be blank, `REV`, `REV 01`), part, serial, text."""
    tokens = rest.split()
    index = next((i for i, token in enumerate(tokens) if _PART_RE.match(token)), None)
    if index is None or index + 1 >= len(tokens):
        raise ParseError(f"show chassis hardware: Xcvr {port} under FPC {fpc} PIC {pic}: no part and serial")
    return HardwareXcvr(
        fpc=fpc,
        pic=pic,
        port=port,
        version=" ".join(tokens[:index]),
        part=tokens[index],
        serial=tokens[index + 1],
        description=" ".join(tokens[index + 2 :]),
    )


def parse_hardware(text: str) -> Hardware:
    """Parse `show chassis hardware`: the chassis serial and every `Xcvr` line with its FPC and PIC.

    An empty output is an empty inventory; an output without the `Item Version Part number ...` header is
    not what Junos prints and raises ParseError. MIC lines are skipped: PIC numbers are per FPC.

    >>> hw = parse_hardware("Item  Version  Part number  Serial number  Description\\n"
    ...                     "Chassis  AA01  SRX300\\nFPC 0  BUILTIN  BUILTIN  FPC\\n  PIC 0  6xGE\\n"
    ...                     "    Xcvr 6  REV 01  740-031850  S2001411089  SFP-LX10\\n")
    >>> hw.chassis_serial, [(x.fpc, x.pic, x.port, x.part) for x in hw.xcvrs]
    ('AA01', [(0, 0, 6, '740-031850')])
    """
    lines = [line.strip() for line in strip_session(text)]
    if not lines:
        return Hardware("", "", ())
    if not any(_HEADER_RE.match(line) for line in lines):
        raise ParseError(f"show chassis hardware: no inventory header in output starting {first_line(text)!r}")
    serial = description = ""
    fpc = pic = -1
    xcvrs: list[HardwareXcvr] = []
    for line in lines:
        chassis = _CHASSIS_RE.match(line)
        if chassis and not serial:
            serial, description = chassis["serial"], chassis["description"].strip()
            continue
        item = _ITEM_RE.match(line)
        if item is None:
            continue
        number = int(item["number"])
        if item["kind"] == "FPC":
            fpc, pic = number, -1
        elif item["kind"] == "PIC":
            pic = number
        else:
            xcvrs.append(_xcvr(fpc, pic, number, item["rest"] or ""))
    return Hardware(serial, description, tuple(xcvrs))


def port_prefix(description: str) -> str:
    """The interface prefix Junos gives a port by the optic's speed: ge (1G), xe (10G), et (25G and up).

    >>> port_prefix("SFP-LX10"), port_prefix("SFP+-10G-SR"), port_prefix("QSFP28-100G-CU1M")
    ('ge', 'xe', 'et')
    """
    d = description.upper()
    if d.startswith(("QSFP", "CFP")) or any(s in d for s in ("SFP28", "25G", "40G", "50G", "100G", "400G")):
        return "et"
    if d.startswith(("SFP+", "XFP")) or "10G" in d:
        return "xe"
    return "ge"


def port_name(xcvr: HardwareXcvr) -> str:
    """`xe-0/1/3` from FPC 0, PIC 1, Xcvr 3 of an SFP+ optic.

    >>> port_name(HardwareXcvr(0, 1, 3, "REV 01", "740-021308", "X", "SFP+-10G-SR"))
    'xe-0/1/3'
    """
    return f"{port_prefix(xcvr.description)}-{xcvr.fpc}/{xcvr.pic}/{xcvr.port}"


def _revision(version: str) -> str:
    """`REV 01` -> `01`; a bare `REV` or a stray character is no revision."""
    value = re.sub(r"^(?:REV|Rev)\b", "", version).strip()
    return value if re.fullmatch(r"[\w.]+", value) else ""


# --- show chassis pic fpc-slot N pic-slot M ----------------------------------------------------------------

_PIC_TITLE_RE = re.compile(r"^FPC slot (?P<fpc>\d+), PIC slot (?P<pic>\d+) information:$")
# `  0    100GBASE LR4      SM    FINISAR CORP.      FTLC1121RDNL-J3   1310 nm  1.5`: the cable type and the
# vendor may hold single spaces; columns are parted by two or more.
_PIC_PORT_RE = re.compile(
    r"^(?P<port>\d+)\s+(?P<cable>\S+(?: \S+)*)\s{2,}(?P<fiber>\S+)\s+(?P<vendor>\S+(?: \S+)*)\s{2,}"
    r"(?P<part>\S+)\s+(?P<wavelength>\d+ nm|n/a)(?:\s+(?P<firmware>\S+))?$"
)


def parse_pic(text: str) -> dict[int, dict[str, str]]:
    """Parse `show chassis pic fpc-slot N pic-slot M` into {port: {cable, fiber, vendor, vendor_part, ...}}.

    Raises ParseError when the output has no `FPC slot N, PIC slot M information:` title.

    >>> pic = parse_pic("FPC slot 0, PIC slot 1 information:\\n  Port Cable type  Fiber type ...\\n"
    ...                 "  1    10GBASE LR        SM    AVAGO              AFCT-739ASMZ-JU1  1310 nm  0.0\\n")
    >>> pic[1]["vendor"], pic[1]["vendor_part"]
    ('AVAGO', 'AFCT-739ASMZ-JU1')
    """
    lines = [line.strip() for line in strip_session(text)]
    if not any(_PIC_TITLE_RE.match(line) for line in lines):
        raise ParseError(f"show chassis pic: no 'FPC slot N, PIC slot M' title in output starting {first_line(text)!r}")
    ports: dict[int, dict[str, str]] = {}
    for line in lines:
        match = _PIC_PORT_RE.match(line)
        if match:
            ports[int(match["port"])] = {
                "cable": match["cable"],
                "fiber": match["fiber"],
                "vendor": match["vendor"].strip(),
                "vendor_part": match["part"],
                "wavelength": match["wavelength"],
                "firmware": match["firmware"] or "",
            }
    return ports


# --- the contract ------------------------------------------------------------------------------------------


def transceiver_followups(outputs: Mapping[str, str]) -> dict[str, str]:
    """One `show chassis pic fpc-slot N pic-slot M` per PIC that holds an optic, for the vendor names.

    >>> hw = "Item Version Part number Serial number Description\\nFPC 1\\n  PIC 2\\n    Xcvr 0 NON-JNPR S1 SFP-T\\n"
    >>> transceiver_followups({"hardware": hw})
    {'pic 1/2': 'show chassis pic fpc-slot 1 pic-slot 2'}
    """
    pics = sorted({(x.fpc, x.pic) for x in parse_hardware(outputs["hardware"]).xcvrs if x.fpc >= 0 and x.pic >= 0})
    return {PIC_KEY.format(fpc=f, pic=p): PIC_COMMAND.format(fpc=f, pic=p) for f, p in pics}


def transceivers(outputs: Mapping[str, str]) -> list[Transceiver]:
    """The optics of `show chassis hardware`, with vendor names from the PIC outputs when given.

    `part` is the part-number column of `show chassis hardware` (a Juniper 740- number, or `NON-JNPR` for a
    third-party optic): what the matrix matches on. `type` is the description column (`SFP+-10G-SR`),
    `vendor` the PIC output's `Xcvr vendor` ('' when no PIC output was given).
    """
    hardware = parse_hardware(outputs["hardware"])
    pics: dict[tuple[int, int], dict[int, dict[str, str]]] = {}
    for fpc, pic in {(x.fpc, x.pic) for x in hardware.xcvrs}:
        text = outputs.get(PIC_KEY.format(fpc=fpc, pic=pic))
        if text is not None:
            pics[(fpc, pic)] = parse_pic(text)
    result = []
    for x in hardware.xcvrs:
        row = pics.get((x.fpc, x.pic), {}).get(x.port, {})
        result.append(
            Transceiver(
                port=port_name(x),
                type=x.description,
                vendor=row.get("vendor", ""),
                part=x.part,
                serial=x.serial,
                revision=_revision(x.version),
            )
        )
    return result


def _ha_from_members(members: list[str]) -> str | None:
    """Without the prompt's context line, a multi-member `show version` says only that the box is clustered."""
    if any(m.startswith("node") for m in members):
        return "cluster"
    return "virtual-chassis" if len(members) > 1 else None


def facts(outputs: Mapping[str, str], prompt: str = "") -> Facts:
    """Facts from `show version`, `show chassis hardware` (serial) and `show system uptime` (all optional
    but `version`).

    `model` is upper-cased (Junos prints `ex4300-48p`; the raw value is in extra `model-reported`). The HA
    state is the role of the prompt's context line (`{primary:node0}`) when the prompt carries it, else
    `cluster`/`virtual-chassis` when `show version` lists several members, else None.

    >>> f = facts({"version": "Hostname: sw1\\nModel: ex4300-48p\\nJunos: 22.4R3-S2.11\\n"})
    >>> f.hostname, f.model, f.version, f.ha_state
    ('sw1', 'EX4300-48P', '22.4R3-S2.11', None)
    """
    if "version" not in outputs:
        raise ValueError(f"facts outputs lack the 'version' purpose: got {sorted(outputs)}")
    info = parse_version_output(outputs["version"])
    try:
        parse_junos(info["version"])
    except ValueError as exc:
        raise ParseError(f"show version: {exc}") from None
    serial, extra = "", {"model-reported": info["model"]}
    if "hardware" in outputs:
        hardware = parse_hardware(outputs["hardware"])
        serial = hardware.chassis_serial
        if hardware.chassis_description:
            extra["chassis-description"] = hardware.chassis_description
    if info["members"]:
        extra["members"] = ",".join(info["members"])
    return Facts(
        hostname=info["hostname"],
        model=info["model"].upper(),
        serial=serial,
        version=info["version"],
        uptime=parse_uptime(outputs["uptime"]) if "uptime" in outputs else "",
        ha_state=ha_state_from_prompt(prompt) or _ha_from_members(info["members"]),
        extra=extra,
    )


# --- version scheme -------------------------------------------------------------------------------------

# Junos `21.4R3-S5.4`, `23.2R1.13`, `18.4R2-S5`, `15.1X49-D200.5`, or a release `21.4`.
_JUNOS_RE = re.compile(
    r"(?P<major>\d+)\.(?P<minor>\d+)(?:(?P<type>[RXF])(?P<patch>\d+)(?:-[SD](?P<service>\d+))?(?:\.(?P<build>\d+))?)?"
)


def parse_junos(text: str) -> Version:
    """Juniper Junos: `21.4R3-S5.4`, `23.2R1.13`, `15.1X49-D200.5`, or a release `21.4`.

    The key is (major, minor, release, service release, build).

    >>> parse_junos("21.4R3-S5.4").key, parse_junos("21.4R3-S5.4") > parse_junos("21.4R3.13")
    ((21, 4, 3, 5, 4), True)
    """
    return numbered(
        text,
        DEVICE_TYPE,
        _JUNOS_RE,
        "X.YRn[-Sm][.b]",
        lambda m: (int(m["major"]), int(m["minor"]), as_int(m["patch"]), as_int(m["service"]), as_int(m["build"])),
    )


# How Junos refuses a command: the start of a line of its answer (after the caret line), from scrapli's Junos
# `FAILED_WHEN_CONTAINS` (scrapli/driver/core/juniper_junos/base_driver.py): `unknown command.`,
# `syntax error, expecting <command>.`, `No valid completions`; and `error: ...` lines (Junos' own errors).
ERROR_MARKERS: tuple[str, ...] = ("unknown command", "syntax error", "No valid completions", "error:")

# --- show configuration | display set: the backup ------------------------------------------------------

# `## Last commit: <time> by <user>` changes on every commit, even one that changes nothing; dropped.
VOLATILE = (re.compile(r"^## Last (?:commit|changed):"),)
# Secrets: what Junos itself tags `## SECRET-DATA`, and by keyword (Oxidized's junos `remove_secret`,
# lib/oxidized/model/junos.rb @ 687ed42): `encrypted-password`, `secret`, `authentication-key`,
# `simple-password`, MD5 authentication `key`s, IKE `pre-shared-key ascii-text|hexadecimal`, SNMP community
# names, SSH public keys.
# A value: quoted, or a word up to the `;` that ends a statement in the brace form.
_VALUE = r'(?P<secret>"[^"]*"|[^\s";]+)'
SECRETS = (
    keyword_secret(r"\b(?:encrypted-password|secret|authentication-key|simple-password)\s+", _VALUE),
    keyword_secret(r"\bpre-shared-key\s+(?:ascii-text|hexadecimal)\s+", _VALUE),
    keyword_secret(r"^\s*set snmp community\s+", _VALUE),
    keyword_secret(r"\bmd5\s+\d+\s+key\s+", _VALUE),  # OSPF/IS-IS/BGP `authentication md5 N key "$9$..."`
    keyword_secret(r"\bssh-(?:rsa|dss|ecdsa|ed25519)\s+", _VALUE),
    keyword_secret(r"^(?:.*\s)?", r'(?P<secret>"[^"]*"|[^\s";]+)(?=;?\s*## SECRET-DATA)'),
)


def sanitise_config(text: str) -> str:
    """`show configuration | display set` without session framing, every secret removed (`SECRETS`).

    >>> print(sanitise_config('set system root-authentication encrypted-password "$6$abc" ## SECRET-DATA'))
    set system root-authentication encrypted-password <removed> ## SECRET-DATA
    >>> sanitise_config('set snmp community "n0c ro" authorization read-only')
    'set snmp community <removed> authorization read-only'
    """
    return sanitise_lines(strip_session(text), SECRETS)


def strip_volatile(text: str) -> str:
    """The sanitised configuration without `## Last commit` (`VOLATILE`).

    >>> strip_volatile("## Last commit: 2024-12-06 11:41:05 UTC by root\\nset version 22.4R3-S2.11")
    'set version 22.4R3-S2.11'
    """
    return drop_lines(text, VOLATILE)


# Compliance reads the configuration in Junos' own `set` form (`show configuration | display set`), as
# netutils' JunosConfigParser expects it: every statement is already one line with its whole path.
_SET_COMMANDS = ("set ", "deactivate ", "activate ", "delete ", "protect ")


def display_set_lines(text: str) -> list[str]:
    """`show configuration | display set` as its statements (the `## Last commit` comment and blanks left out).

    >>> display_set_lines("## Last commit: 2024-01-01\\nset system ntp server 10.0.0.1\\n\\n{master:0}\\n")
    ['set system ntp server 10.0.0.1']
    """
    return [line.strip() for line in text.splitlines() if line.strip().startswith(_SET_COMMANDS)]


COMPLIANCE = ConfigForm(COMMANDS["config"], display_set_lines, "Junos display set lines as they are")

PLATFORM = Platform(
    device_type=DEVICE_TYPE,
    os_name="Junos",
    vendor="Juniper",
    commands=COMMANDS,
    facts_commands=FACTS_COMMANDS,
    transceiver_commands=TRANSCEIVER_COMMANDS,
    parse_facts=facts,
    parse_transceivers=transceivers,
    parse_version=parse_junos,
    transceiver_followups=transceiver_followups,
    error_markers=ERROR_MARKERS,
    sanitise_config=sanitise_config,
    backup=Backup("config", strip_volatile),
    compliance=COMPLIANCE,
)
