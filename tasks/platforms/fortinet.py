"""Fortinet FortiOS (FortiGate): the commands estate sends and pure parsers for what FortiOS prints."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from tasks.checks.readiness import ContentPackage, DiskUsage, HaStatus, License, NtpServer, NtpStatus, Resources, Sensor
from tasks.errors import ParseError
from tasks.models import Facts, Transceiver
from tasks.platforms.text import PEM_PRIVATE_KEY_RE, REMOVED, names_secret, ntc
from tasks.versions import parse_version

DEVICE_TYPE = "fortinet"

COMMANDS: dict[str, str] = {
    "facts": "get system status",
    "transceivers": "get system interface transceiver",
    # pre-upgrade readiness (tasks.checks.readiness; docs/checks.md)
    "ha_status": "get system ha status",
    "disk": "diagnose hardware deviceinfo disk",
    "ntp": "diagnose sys ntp status",
    "performance": "get system performance status",
    "services": "get system fortiguard-service status",
    "sensors": "execute sensor list",
    # the pre-upgrade state snapshot (post-upgrade diffs against it)
    "interfaces": "get system interface physical",
    "routes": "get router info routing-table all",
    "arp": "get system arp",
    "sessions": "diagnose sys session stat",
    "config": "show",
}
# The purposes the readiness checks read ("facts" carries the FortiGuard database versions), in sending order.
# FortiOS has no candidate configuration (changes apply at once) and no job queue: pending_changes and
# running_jobs are SKIPPED for FortiOS (tasks.checks.preupgrade).
READINESS_COMMANDS: tuple[str, ...] = ("facts", "ha_status", "disk", "ntp", "performance", "services", "sensors")
# What the snapshot adds to facts, optics and readiness. `get router info routing-table all` (the active
# routes, one line per prefix) over `... database` (every candidate route, inactive ones too): post-upgrade
# asks whether the same routes are in use. `diagnose sys session stat` over `get system session status`:
# the same count plus the setup rate and drop counters an engineer reads beside it. `show` (the non-default
# configuration, what a configuration backup holds) over `show full-configuration` (every default spelt
# out, many times longer and changing with each release's new defaults).
SNAPSHOT_COMMANDS: tuple[str, ...] = ("interfaces", "routes", "arp", "sessions", "config")
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


# --- readiness: get system ha status -------------------------------------------------------------------------

_HA_MODE_RE = re.compile(r"^Mode:\s*(?P<mode>.+?)\s*$", re.MULTILINE)
# `FG3K100000000000(updated 1 seconds ago): in-sync` under Configuration Status.
_HA_SYNC_RE = re.compile(r"^\s*(?P<serial>[A-Za-z0-9]{6,})\(updated [^)]*\):\s*(?P<sync>[\w-]+)\s*$", re.MULTILINE)
# The vcluster roles: `Primary: FG3K..., HA operating index = 0` (6.4+), `Master: FG200D..., operating cluster
# index = 0` (5.6/6.0). The member lines before them carry a hostname first (`Primary : FW, FGXX..., HA cluster`).
_HA_ROLE_RE = re.compile(
    r"^(?P<role>Primary|Secondary|Master|Slave)\s*:\s*(?P<serial>[A-Za-z0-9]{6,}),\s*(?:HA )?operating", re.MULTILINE
)
_ROLE_NAMES = {"master": "primary", "slave": "secondary"}


def parse_ha_status(text: str, local_serial: str = "") -> HaStatus:
    """Parse `get system ha status`: mode, each member's role and configuration sync.

    The local member is `local_serial` (from get system status) when given, else the primary. The peer
    connection is `up` when the cluster lists a second member, `down` otherwise. The configuration is
    `synchronized` when every member is `in-sync`. FortiOS prints no member's firmware version here, so the
    versions stay None. ntc-templates' template has no configuration-sync fields and rejects the 7.4 member
    list, so this parser reads the text itself.

    >>> ha = parse_ha_status("Mode: Standalone\\nGroup: 0\\n")
    >>> ha.enabled
    False
    """
    lines = strip_session(text, COMMANDS["ha_status"])
    body = "\n".join(lines)
    mode = _HA_MODE_RE.search(body)
    if mode is None:
        raise ParseError(f"get system ha status: no Mode line in output starting {_first_line(text)!r}")
    if mode["mode"].lower() == "standalone":
        return HaStatus(enabled=False, mode="standalone")
    # (serial, role) in the order printed; serials may repeat in anonymised samples, so members are entries.
    members = list(
        dict.fromkeys(
            (m["serial"], _ROLE_NAMES.get(m["role"].lower(), m["role"].lower())) for m in _HA_ROLE_RE.finditer(body)
        )
    )
    syncs = [m["sync"].lower() for m in _HA_SYNC_RE.finditer(body)]
    local = next((i for i, (serial, _) in enumerate(members) if serial == local_serial), 0)
    peer = next((m for i, m in enumerate(members) if i != local), None)
    config_sync = None
    if syncs:
        config_sync = "synchronized" if all(v == "in-sync" for v in syncs) else "not synchronized"
    return HaStatus(
        enabled=True,
        mode=mode["mode"],
        local_state=members[local][1] if members else None,
        peer_state=peer[1] if peer else None,
        peer_connection="up" if peer else "down",
        config_sync=config_sync,
    )


# --- readiness: diagnose hardware deviceinfo disk -----------------------------------------------------------

IMAGE_STORE = "boot disk"  # the DiskUsage key `image_store` returns
_DISK_RE = re.compile(r"^Disk\s+(?P<name>\S+)\s+ref:\s*(?P<ref>\d+)\s+(?P<size>[\d.]+\s*[KMGT]i?B)", re.MULTILINE)
_PARTITION_RE = re.compile(
    r"^\s*partition\s+ref:\s*(?P<ref>\d+)\s+(?P<size>[\d.]+\s*[KMGT]i?B),\s*(?P<free>[\d.]+\s*[KMGT]i?B)\s+free"
    r"\s+mounted:\s*(?P<mounted>[YN])(?:.*?label:\s*(?P<label>\S*))?(?:.*?dev:\s*(?P<dev>\S+))?",
    re.MULTILINE,
)
_SIZE_RE = re.compile(r"^(?P<number>[\d.]+)\s*(?P<unit>[KMGT])i?B$")
_SIZE_MB = {"K": 1 / 1024, "M": 1.0, "G": 1024.0, "T": 1024.0 * 1024}


def size_mb(value: str) -> float:
    """`14.9GiB` -> 15257.6, `247.0MiB` -> 247.0 (binary units, as FortiOS prints them).

    >>> size_mb("1.5GiB"), size_mb("120.0MiB")
    (1536.0, 120.0)
    """
    match = _SIZE_RE.match(value.replace(" ", ""))
    if match is None:
        raise ValueError(f"not a size: {value!r}")
    return round(float(match["number"]) * _SIZE_MB[match["unit"]], 1)


def parse_disk_info(text: str) -> dict[str, DiskUsage]:
    """Parse `diagnose hardware deviceinfo disk` into its partitions, keyed `<disk>/<ref>` (`SYSTEM(boot)/3`).

    `mount` is `Y`/`N` (mounted), `filesystem` the partition's device path or label. The shape is written
    from documentation and knowledge, [unverified] against a device capture.
    """
    lines = strip_session(text, COMMANDS["disk"])
    disk = ""
    found: dict[str, DiskUsage] = {}
    for line in lines:
        head = _DISK_RE.match(line)
        if head:
            disk = head["name"]
            continue
        part = _PARTITION_RE.match(line)
        if part and disk:
            size, free = size_mb(part["size"]), size_mb(part["free"])
            used = max(size - free, 0.0)
            found[f"{disk}/{part['ref']}"] = DiskUsage(
                mount=part["mounted"],
                filesystem=part["dev"] or part["label"] or "",
                size_mb=size,
                used_mb=round(used, 1),
                avail_mb=free,
                use_pct=round(100 * used / size) if size else 0,
            )
    if not found:
        raise ParseError(
            f"diagnose hardware deviceinfo disk: no partition lines in output starting {_first_line(text)!r}"
        )
    return found


def image_store(disks: Mapping[str, DiskUsage]) -> dict[str, DiskUsage]:
    """{IMAGE_STORE: the mounted partition of the boot disk with the most free space} ({} when none).

    Where the image is staged before it is written to the standby boot partition is not documented in the
    sources read; the roomiest mounted boot-disk partition is our stand-in (see docs/checks.md).
    """
    boot = [u for key, u in disks.items() if "(boot)" in key.split("/")[0] and u.mount == "Y"]
    mounted = boot or [u for u in disks.values() if u.mount == "Y"]
    if not mounted:
        return {}
    return {IMAGE_STORE: max(mounted, key=lambda u: u.avail_mb)}


# --- readiness: diagnose sys ntp status ---------------------------------------------------------------------

_NTP_HEAD_RE = re.compile(r"synchronized:\s*(?P<synced>yes|no)\s*,\s*ntpsync:\s*(?P<ntpsync>\w+)", re.IGNORECASE)
_NTP_SERVER_RE = re.compile(
    r"^\s*ipv[46] server\((?P<name>[^)]+)\)\s*(?P<address>\S+)?\s*--\s*(?P<state>\w+)", re.MULTILINE
)


def parse_ntp_status(text: str) -> NtpStatus:
    """Parse `diagnose sys ntp status`: `synchronized: yes, ntpsync: enabled, ...` and one block per server
    (`ipv4 server(ntp1.fortiguard.com) 208.91.115.123 -- reachable(0xff) S:3 T:54 selected`).

    The server marked `selected` (on its line or the next) is the one synchronised to. With ntpsync disabled
    no server counts as configured.

    >>> parse_ntp_status("synchronized: no, ntpsync: disabled, server-mode: disabled").servers
    ()
    """
    lines = strip_session(text, COMMANDS["ntp"])
    body = "\n".join(lines)
    head = _NTP_HEAD_RE.search(body)
    if head is None:
        raise ParseError(f"diagnose sys ntp status: no synchronized line in output starting {_first_line(text)!r}")
    servers: list[NtpServer] = []
    selected: str | None = None
    for match in _NTP_SERVER_RE.finditer(body):
        rest = body[match.end() :].split("\n", 2)
        following = rest[0] + ("\n" + rest[1] if len(rest) > 1 and rest[1].strip() == "selected" else "")
        state = match["state"].lower()
        servers.append(NtpServer(match["name"], state, state == "reachable"))
        if "selected" in following and selected is None:
            selected = match["name"]
    enabled = head["ntpsync"].lower() == "enabled"
    synced = head["synced"].lower() == "yes"
    return NtpStatus(synced=synced, synced_to=selected if synced else None, servers=tuple(servers) if enabled else ())


# --- readiness: get system performance status ----------------------------------------------------------------

_PERF_CPU_RE = re.compile(r"^CPU states:.*?(?P<idle>\d+(?:\.\d+)?)%\s*idle", re.MULTILINE)
_PERF_MEM_RE = re.compile(r"^Memory:\s*(?P<total>\d+)k total,\s*\d+k used \((?P<pct>[\d.]+)%\)", re.MULTILINE)
_PERF_MEM_OLD_RE = re.compile(r"^Memory states:\s*(?P<pct>[\d.]+)% used", re.MULTILINE)


def parse_performance(text: str) -> Resources:
    """Parse `get system performance status`: whole-system CPU (100 - idle of `CPU states`) and memory used.

    FortiOS has no separate management plane: these are the unit's own figures. `Memory: <k> total, <k> used
    (<pct>%)` (FortiOS 6+) or `Memory states: <pct>% used` (older). No load average is printed.

    >>> parse_performance("CPU states: 3% user 1% system 0% nice 96% idle\\nMemory states: 21% used").cpu_pct
    4.0
    """
    body = "\n".join(strip_session(text, COMMANDS["performance"]))
    cpu = _PERF_CPU_RE.search(body)
    mem = _PERF_MEM_RE.search(body) or _PERF_MEM_OLD_RE.search(body)
    if cpu is None or mem is None:
        raise ParseError(
            f"get system performance status: no CPU states or Memory line in output starting {_first_line(text)!r}"
        )
    total = int(mem.groupdict().get("total") or 0) / 1024
    return Resources(
        cpu_pct=round(100.0 - float(cpu["idle"]), 1),
        mem_pct=float(mem["pct"]),
        mem_total_mb=round(total, 1),
        load_average=(0.0, 0.0, 0.0),
    )


# --- readiness: get system fortiguard-service status -------------------------------------------------------

_SERVICE_ROW_RE = re.compile(
    r"^(?P<name>\S.*?)\s+(?P<version>\d+\.\d+)\s+(?P<updated>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d|n/a)\s+"
    r"(?P<method>\S+)\s+(?P<expire>\S+)\s*$"
)


def parse_fortiguard_services(text: str) -> list[License]:
    """Parse `get system fortiguard-service status` (NAME, VERSION, LAST UPDATE, METHOD, EXPIRE) into licences.

    Only services with an expiry date are licences; `n/a` (no contract date) rows are left out. The date
    form in EXPIRE (`YYYY-MM-DD`) is [unverified]: the real sample read shows only `n/a`.
    """
    lines = strip_session(text, COMMANDS["services"])
    if not any(line.split()[:2] == ["NAME", "VERSION"] for line in lines if line.strip()):
        raise ParseError(
            f"get system fortiguard-service status: no NAME VERSION header in output starting {_first_line(text)!r}"
        )
    licences: list[License] = []
    for line in lines:
        row = _SERVICE_ROW_RE.match(line.strip())
        if row is None or row["expire"].lower() == "n/a":
            continue
        try:
            expires = date.fromisoformat(row["expire"])
        except ValueError:
            raise ParseError(f"get system fortiguard-service status: EXPIRE {row['expire']!r} is not a date") from None
        licences.append(License(feature=row["name"], description=row["method"], expires=expires, expired=False))
    return licences


# --- readiness: the FortiGuard databases in get system status ------------------------------------------------

CONTENT_DATABASES = ("IPS-DB", "APP-DB")  # what the content check judges (the Apps & Threats analogue)
_DB_RE = re.compile(r"^(?P<version>\d+\.\d+)\((?P<date>\d{4}-\d\d-\d\d) \d\d:\d\d\)$")


def content_packages(status: Mapping[str, str], names: tuple[str, ...] = CONTENT_DATABASES) -> list[ContentPackage]:
    """The FortiGuard databases `names` from a parsed get system status (`IPS-DB: 6.00741(2015-12-01 02:30)`).

    >>> content_packages({"IPS-DB": "33.00950(2026-01-27 03:16)"})
    [ContentPackage(name='IPS-DB', version='33.00950', updated=datetime.date(2026, 1, 27))]
    """
    packages = []
    for name in names:
        match = _DB_RE.match(status.get(name, ""))
        if match:
            packages.append(ContentPackage(name, match["version"], date.fromisoformat(match["date"])))
    return packages


# --- readiness: execute sensor list -----------------------------------------------------------------------

_SENSOR_RE = re.compile(r"^\s*(?P<slot>\d+)\s+(?P<name>\S.*?)\s+alarm=(?P<alarm>\d+)\s*(?P<rest>.*)$")
_SENSOR_VALUE_RE = re.compile(r"value=(?P<value>\S+)")


def _sensor_section(name: str) -> str:
    """The kind of a sensor by its name: `Fan 1` -> Fan, `PS1 Status` -> Power Supplies, `TD1` -> Sensor."""
    lowered = name.lower()
    if re.match(r"ps\d", lowered) or "psu" in lowered:
        return "Power Supplies"
    if "fan" in lowered:
        return "Fan"
    return "Sensor"


def parse_sensors(text: str) -> list[Sensor]:
    """Parse `execute sensor list`: `  26 Fan 1             alarm=0  value=6600  threshold_status=0` per
    sensor; `alarm=1` is an alarm. Rows `(reading unavailable)` or `(not detected)` keep that as their value.

    An empty output (a VM) is no sensors; other text without a sensor row raises ParseError.

    >>> [(s.description, s.alarm) for s in parse_sensors(" 1 Fan 1   alarm=1  value=0  threshold_status=4")]
    [('Fan 1', True)]
    """
    lines = strip_session(text, COMMANDS["sensors"])
    sensors = []
    for line in lines:
        row = _SENSOR_RE.match(line)
        if row is None:
            continue
        value = _SENSOR_VALUE_RE.search(row["rest"])
        sensors.append(
            Sensor(
                section=_sensor_section(row["name"]),
                slot=row["slot"],
                description=row["name"],
                alarm=row["alarm"] != "0",
                value=value["value"] if value else row["rest"].strip(),
            )
        )
    if not sensors and any(line.strip() for line in lines):
        raise ParseError(f"execute sensor list: no sensor rows in output starting {_first_line(text)!r}")
    return sensors


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
        raise ParseError(f"get system interface physical: no ==[port] blocks in output starting {_first_line(text)!r}")
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
            f"{_first_line(text)!r}"
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
        raise ParseError(f"get system arp: no ARP table header in output starting {_first_line(text)!r}")
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
            f"diagnose sys session stat: no 'misc info: session_count=' in output starting {_first_line(text)!r}"
        )
    return int(match["count"])


# --- show: the configuration sanitiser ---------------------------------------------------------------------

# A `set` key names a secret when one of its `-`-separated words is one of these (`password`, `psksecret`,
# `secondary-key`, `auth-pwd`, `ppk-secret`, `key-string`, `private-key`, ...) or contains one of the substrings.
_SECRET_WORDS = frozenset({"key", "keys", "psk", "pwd", "secret", "psksecret", "passwd", "token"})
_SECRET_SUBSTRINGS = ("password", "passphrase", "secret")
# Keys that read like secrets but hold policy, time or public data.
_NOT_SECRET_KEYS = frozenset({"password-expire", "password-policy", "passwd-policy", "public-key", "keylife"})
# Inside these blocks (the `config` path, space-joined) these keys hold a secret too: a v1/v2c community's
# `name` is its community string.
_SECRET_IN_BLOCK: dict[str, frozenset[str]] = {"system snmp community": frozenset({"name", "community"})}
_SET_RE = re.compile(r"^(?P<indent>\s*)set\s+(?P<key>\S+)(?:\s+(?P<value>.*))?$")
_CONFIG_RE = re.compile(r"^\s*config\s+(?P<path>.+?)\s*$")


def is_secret_key(key: str) -> bool:
    """Whether a FortiOS `set` key names a secret.

    >>> [is_secret_key(k) for k in ("password", "psksecret", "auth-pwd", "secondary-key", "ppk-secret", "hostname")]
    [True, True, True, True, True, False]
    >>> is_secret_key("keylife"), is_secret_key("password-expire"), is_secret_key("keepalive")
    (False, False, False)
    """
    return names_secret(key, _SECRET_WORDS, _SECRET_SUBSTRINGS, _NOT_SECRET_KEYS)


def _quotes_open(value: str) -> bool:
    """Whether `value` leaves a double-quoted string open (FortiOS escapes a quote inside one as `\\"`)."""
    return len(re.findall(r'(?<!\\)"', value.replace("\\\\", ""))) % 2 == 1


def sanitise_config(text: str) -> str:
    """The FortiOS configuration (`show`) with every secret replaced by `<removed>`, its structure kept.

    Masked, on `set` lines: the value of a key that names a secret (`password`, `passwd`, `psksecret`,
    `secret`, `ppk-secret`, `key`, `secondary-key`, `auth-pwd`, `priv-pwd`, `private-key`, `key-string`,
    ...), any value FortiOS stores encrypted (`ENC <base64>`) whatever its key, and a community's `name`
    inside `config system snmp community`; anywhere, PEM private keys. A value quoted over several lines
    (a private key) is masked as one. Pure and idempotent; an echoed command and trailing prompt are dropped.

    >>> print(sanitise_config("config system admin\\n    edit \\"admin\\"\\n        set password ENC SH2abc=\\n"
    ...                       "        set accprofile \\"super_admin\\"\\n    next\\nend"))
    config system admin
        edit "admin"
            set password <removed>
            set accprofile "super_admin"
        next
    end
    """
    lines = strip_session(PEM_PRIVATE_KEY_RE.sub(REMOVED, text), COMMANDS["config"])
    if lines and lines[0].strip() in ("show", "show | grep ."):  # echoed with a filter, or as `show\r\r`
        lines.pop(0)
        while lines and not lines[0].strip():
            lines.pop(0)
    out: list[str] = []
    path: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        block = _CONFIG_RE.match(line)
        if block:
            path.append(block["path"])
            out.append(line)
            continue
        if line.strip() == "end":
            if path:
                path.pop()
            out.append(line)
            continue
        statement = _SET_RE.match(line)
        if statement is None:
            out.append(line)
            continue
        value = statement["value"] or ""
        continued = []
        if _quotes_open(value):  # a value quoted over several lines: take it whole
            while i < len(lines):
                continued.append(lines[i])
                i += 1
                if _quotes_open(continued[-1]):
                    break
        key = statement["key"]
        secret = (
            is_secret_key(key)
            or value.startswith("ENC ")
            or key.lower() in _SECRET_IN_BLOCK.get(path[-1] if path else "", frozenset())
        )
        if secret and value and value != REMOVED:
            out.append(f"{statement['indent']}set {key} {REMOVED}")
        else:
            out += [line, *continued]
    return "\n".join(out)


def parse_config(text: str) -> str:
    """The sanitised `show` output; ParseError when it holds no `config` block (not a FortiOS configuration).

    >>> parse_config("config system global\\n    set hostname \\"fw1\\"\\nend")
    'config system global\\n    set hostname "fw1"\\nend'
    """
    sanitised = sanitise_config(text)
    if not any(_CONFIG_RE.match(line) for line in sanitised.split("\n")):
        raise ParseError(f"show: no config block in output starting {_first_line(text)!r}")
    return sanitised


# --- the pre-upgrade snapshot -------------------------------------------------------------------------------


def snapshot(outputs: Mapping[str, str], facts_: Facts, optics: list[Transceiver]) -> dict[str, Any]:
    """What post-upgrade compares against: version and build, FortiGuard databases, HA role, link state per
    port, optics per port, route, ARP and session counts, and the configuration without its secrets."""
    content = {}
    if "facts" in outputs:
        content = {p.name: p.version for p in content_packages(parse_system_status(outputs["facts"]))}
    return {
        "version": facts_.version,
        "build": facts_.extra.get("build"),
        "content": content,
        "ha_state": facts_.ha_state,
        "interfaces": parse_interfaces(outputs["interfaces"]) if "interfaces" in outputs else {},
        "optics": {t.port: {"part": t.part, "vendor": t.vendor, "serial": t.serial} for t in optics},
        "routes": parse_route_count(outputs["routes"]) if "routes" in outputs else None,
        "arp": parse_arp_count(outputs["arp"]) if "arp" in outputs else None,
        "sessions": parse_session_count(outputs["sessions"]) if "sessions" in outputs else None,
        "config": parse_config(outputs["config"]) if "config" in outputs else None,
    }
