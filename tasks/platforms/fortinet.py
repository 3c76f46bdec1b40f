"""Fortinet FortiOS (FortiGate): the commands estate sends and pure parsers for what FortiOS prints."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tasks.errors import ParseError
from tasks.models import Facts, Transceiver
from tasks.versions import parse_version

DEVICE_TYPE = "fortinet"

COMMANDS: dict[str, str] = {
    "facts": "get system status",
    "transceivers": "get system interface transceiver",
}
# `get system status` carries the model, version, serial, hostname and HA mode in one round trip.
FACTS_COMMANDS: tuple[str, ...] = ("facts",)
TRANSCEIVER_COMMANDS: tuple[str, ...] = ("transceivers",)

# `Firewall-1 # `, `OXI-FW121 (global) # `, `fw $ `: a prompt on a trailing line or before an echoed command.
PROMPT_RE = re.compile(r"^[\w.-]+(?: \([\w.-]+\))? [#$]")
# `--More-- ` then `\r         \r` (the erase sequence) when a sample was captured with paging on.
_MORE_RE = re.compile(r"--More--\s?\r? *\r")
_KV_RE = re.compile(r"^(?P<key>[A-Za-z][\w ./()-]*?)\s*:\s*(?P<value>.*)$")
_VERSION_RE = re.compile(
    r"^(?P<model>\S+) v(?P<version>\d+\.\d+\.\d+),build(?P<build>\d+),(?P<date>\d+)(?: \((?P<maturity>[^)]*)\))?"
)
_REQUIRED_STATUS = ("Version", "Hostname")

# ntc-templates field -> the label FortiOS prints.
_NTC_TO_FORTIOS = {
    "hostname": "Hostname",
    "version": "Version",
    "serial_number": "Serial-Number",
    "current_ha_mode": "Current HA mode",
    "cluster_uptime": "Cluster uptime",
    "branch_point": "Branch point",
    "operation_mode": "Operation Mode",
    "virtual_domain_configuration": "Virtual domain configuration",
    "log_hard_disk": "Log hard disk",
    "system_part_number": "System Part-Number",
    "bios_version": "BIOS version",
    "last_reboot_reason": "Last reboot reason",
    "release_version_information": "Release Version Information",
}

# `get system status` labels copied into Facts.extra (lower-cased, spaces as '-') when present.
EXTRA_FIELDS: tuple[str, ...] = (
    "Operation Mode",
    "Virtual domain configuration",
    "Current HA mode",
    "Log hard disk",
    "System Part-Number",
    "BIOS version",
    "Branch point",
    "Release Version Information",
    "Last reboot reason",
)


def _first_line(text: str) -> str:
    """The first non-blank line, shortened, for error messages."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:60]
    return ""


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
    if lines and PROMPT_RE.match(lines[-1].strip()) and not _KV_RE.match(lines[-1].strip()):
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


# --- get system status -----------------------------------------------------------------------------------


def _parse_key_values(lines: list[str]) -> dict[str, str]:
    """`Label: value` lines as a dict (first occurrence wins); lines of another shape are ignored."""
    result: dict[str, str] = {}
    for line in lines:
        match = _KV_RE.match(line.strip())
        if match:
            result.setdefault(match["key"].strip(), match["value"].strip())
    return result


def _parse_ntc(text: str) -> dict[str, str]:
    """ntc-templates' parse of `get system status`, renamed to FortiOS labels ({} when the template fails).

    The template errors on lines it does not know (e.g. `Proxy-IPS-DB:` on 7.4.7), so the key/value parse
    stays the base and the template only confirms or fills its fields.
    """
    from ntc_templates.parse import parse_output

    try:
        records = parse_output(platform=DEVICE_TYPE, command=COMMANDS["facts"], data=text)
    except Exception:  # the template rejected the text: the key/value parse decides alone
        return {}
    if not records:
        return {}
    record: dict[str, Any] = records[0]
    return {_NTC_TO_FORTIOS[k]: str(v) for k, v in record.items() if k in _NTC_TO_FORTIOS and v not in (None, "")}


def parse_system_status(text: str) -> dict[str, str]:
    """Parse `get system status` into {label: value} keyed by the labels FortiOS prints, plus the parts of
    the Version line: `model`, `version` (X.Y.Z), `build`, `build-date`, `maturity`.

    Raises ParseError when Version or Hostname is missing or the Version line is not FortiOS's.

    >>> s = parse_system_status("Version: FortiGate-60F v7.4.8,build2795,250523 (GA.M)\\nHostname: fw1\\n")
    >>> s["model"], s["version"], s["build"], s["maturity"]
    ('FortiGate-60F', '7.4.8', '2795', 'GA.M')
    """
    lines = strip_session(text, COMMANDS["facts"])
    result = _parse_key_values(lines)
    result.update(_parse_ntc("\n".join(lines) + "\n"))
    missing = [key for key in _REQUIRED_STATUS if not result.get(key)]
    if missing:
        raise ParseError(f"get system status: no {', '.join(missing)} line in output starting {_first_line(text)!r}")
    match = _VERSION_RE.match(result["Version"])
    if match is None:
        raise ParseError(f"get system status: not a FortiOS Version line: {result['Version']!r}")
    result.update(
        model=match["model"],
        version=match["version"],
        build=match["build"],
        **{"build-date": match["date"]},
        maturity=match["maturity"] or "",
    )
    return result


def ha_state(mode: str) -> str | None:
    """The HA role from `Current HA mode`: None when standalone, else the role after the comma.

    >>> ha_state("standalone"), ha_state("a-p, primary"), ha_state("a-a, secondary")
    (None, 'primary', 'secondary')
    """
    mode = mode.strip()
    if not mode or mode.lower() == "standalone":
        return None
    return mode.rsplit(",", 1)[-1].strip() or mode


def facts(outputs: Mapping[str, str], prompt: str = "") -> Facts:
    """Facts from `get system status` ({purpose: output}); the prompt adds nothing on FortiOS.

    `version` is X.Y.Z (the build and its date go to `extra`); uptime is the cluster uptime, printed only
    in HA (`get system status` has no device uptime).

    >>> text = "Version: FortiGate-601F v7.4.8,build2795,250523 (GA.M)\\nHostname: fw1\\nCurrent HA mode: a-p, primary"
    >>> f = facts({"facts": text})
    >>> f.model, f.version, f.ha_state, f.extra["build"]
    ('FortiGate-601F', '7.4.8', 'primary', '2795')
    """
    if "facts" not in outputs:
        raise ValueError(f"facts outputs lack the 'facts' purpose: got {sorted(outputs)}")
    status = parse_system_status(outputs["facts"])
    try:
        parse_version(status["version"], DEVICE_TYPE)
    except ValueError as exc:
        raise ParseError(f"get system status: {exc}") from None
    extra = {key.lower().replace(" ", "-"): status[key] for key in EXTRA_FIELDS if status.get(key)}
    extra.update({key: status[key] for key in ("build", "build-date", "maturity") if status.get(key)})
    return Facts(
        hostname=status["Hostname"],
        model=status["model"],
        serial=status.get("Serial-Number", ""),
        version=status["version"],
        uptime=status.get("Cluster uptime", ""),
        ha_state=ha_state(status.get("Current HA mode", "")),
        extra=extra,
    )


# --- get system interface transceiver ----------------------------------------------------------------------

# `Interface x1 - SFP/SFP+/SFP28, 10GBASE-SR` or `Interface port9 - Transceiver is not detected.`
_INTERFACE_RE = re.compile(r"^Interface (?P<port>\S+) - (?P<rest>.+)$")
_FIELD_RE = re.compile(r"^\s+(?P<label>Vendor Name|Part No\.|Serial No\.|Revision|Rev\.?)\s*:\s*(?P<value>.*)$")
_FIELD_NAMES = {"Vendor Name": "vendor", "Part No.": "part", "Serial No.": "serial", "Revision": "revision"}
_NOT_DETECTED = "Transceiver is not detected"


def _optic_type(rest: str) -> str:
    """`SFP/SFP+/SFP28, 10GBASE-LR` -> `10GBASE-LR`; without a comma, the whole description.

    >>> _optic_type("QSFP+/QSFP28, 100G CWDM4"), _optic_type("SFP")
    ('100G CWDM4', 'SFP')
    """
    form, comma, kind = rest.partition(",")
    return kind.strip() if comma and kind.strip() else form.strip()


def parse_transceivers(text: str) -> list[Transceiver]:
    """Parse `get system interface transceiver` into the detected optics, in the order FortiOS prints them.

    `part` is `Part No.` (the EEPROM vendor part number, e.g. `FTLX8574D3BCLFTN`), which the matrix matches
    on; `vendor` is `Vendor Name` stripped of its padding. Empty cages and the DOM tables are skipped. An
    empty output is no optics; an output without any `Interface <port> - ...` line raises ParseError.

    >>> out = "Interface wan1 - SFP/SFP+/SFP28, 10GBASE-SR\\n  Vendor Name  :   FORTINET  \\n  Part No.  :  X1"
    >>> [(t.port, t.type, t.vendor, t.part) for t in parse_transceivers(out)]
    [('wan1', '10GBASE-SR', 'FORTINET', 'X1')]
    """
    lines = strip_session(text, COMMANDS["transceivers"])
    if not lines:
        return []
    found: list[dict[str, str]] = []
    seen_interface = False
    current: dict[str, str] | None = None
    for line in lines:
        interface = _INTERFACE_RE.match(line)
        if interface:
            seen_interface = True
            current = None
            if not interface["rest"].startswith(_NOT_DETECTED):
                current = {"port": interface["port"], "type": _optic_type(interface["rest"])}
                found.append(current)
            continue
        field = _FIELD_RE.match(line)
        if field and current is not None:
            current.setdefault(_FIELD_NAMES.get(field["label"], "revision"), field["value"].strip())
        elif not line.strip():
            current = None  # the blank line before the DOM tables ends the last block
    if not seen_interface:
        raise ParseError(
            f"get system interface transceiver: no Interface lines in output starting {_first_line(text)!r}"
        )
    return [
        Transceiver(
            port=row["port"],
            type=row["type"],
            vendor=row.get("vendor", ""),
            part=row.get("part", ""),
            serial=row.get("serial", ""),
            revision=row.get("revision", ""),
        )
        for row in found
    ]


def transceiver_followups(outputs: Mapping[str, str]) -> dict[str, str]:
    """FortiOS prints every optic in one output: no per-port command follows."""
    return {}


def transceivers(outputs: Mapping[str, str]) -> list[Transceiver]:
    """The optics in the outputs of `TRANSCEIVER_COMMANDS` ({purpose: output})."""
    return parse_transceivers(outputs["transceivers"])
