"""FortiOS facts and optics: `get system status` and `get system interface transceiver`."""

from __future__ import annotations

import re
from collections.abc import Mapping

from tasks.errors import ParseError
from tasks.models import Facts, Transceiver
from tasks.platforms.fortinet.commands import COMMANDS, DEVICE_TYPE, KV_RE, strip_session
from tasks.platforms.fortinet.version import parse_fortios
from tasks.platforms.text import first_line, key_values, ntc

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


# --- get system status -----------------------------------------------------------------------------------


def parse_system_status(text: str) -> dict[str, str]:
    """Parse `get system status` into {label: value} keyed by the labels FortiOS prints, plus the parts of
    the Version line: `model`, `version` (X.Y.Z), `build`, `build-date`, `maturity`.

    Raises ParseError when Version or Hostname is missing or the Version line is not FortiOS's.

    >>> s = parse_system_status("Version: FortiGate-60F v7.4.8,build2795,250523 (GA.M)\\nHostname: fw1\\n")
    >>> s["model"], s["version"], s["build"], s["maturity"]
    ('FortiGate-60F', '7.4.8', '2795', 'GA.M')
    """
    lines = strip_session(text, COMMANDS["facts"])
    result = key_values(lines, KV_RE)
    # The template errors on lines it does not know (e.g. `Proxy-IPS-DB:` on 7.4.7), so the key/value parse
    # stays the base and the template only confirms or fills its fields.
    records = ntc(DEVICE_TYPE, COMMANDS["facts"], "\n".join(lines) + "\n")
    result.update(
        {
            _NTC_TO_FORTIOS[k]: str(v)
            for k, v in (records or [{}])[0].items()
            if k in _NTC_TO_FORTIOS and v not in (None, "")
        }
    )
    missing = [key for key in _REQUIRED_STATUS if not result.get(key)]
    if missing:
        raise ParseError(f"get system status: no {', '.join(missing)} line in output starting {first_line(text)!r}")
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


def read_facts(outputs: Mapping[str, str], prompt: str = "") -> Facts:
    """Facts from `get system status` ({purpose: output}); the prompt adds nothing on FortiOS.

    `version` is X.Y.Z (the build and its date go to `extra`); uptime is the cluster uptime, printed only
    in HA (`get system status` has no device uptime).

    >>> text = "Version: FortiGate-601F v7.4.8,build2795,250523 (GA.M)\\nHostname: fw1\\nCurrent HA mode: a-p, primary"
    >>> f = read_facts({"facts": text})
    >>> f.model, f.version, f.ha_state, f.extra["build"]
    ('FortiGate-601F', '7.4.8', 'primary', '2795')
    """
    if "facts" not in outputs:
        raise ValueError(f"facts outputs lack the 'facts' purpose: got {sorted(outputs)}")
    status = parse_system_status(outputs["facts"])
    try:
        parse_fortios(status["version"])
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
            f"get system interface transceiver: no Interface lines in output starting {first_line(text)!r}"
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


def read_transceivers(outputs: Mapping[str, str]) -> list[Transceiver]:
    """The optics in the outputs of `TRANSCEIVER_COMMANDS` ({purpose: output})."""
    return parse_transceivers(outputs["transceivers"])
