"""FortiOS readiness: parsers of the pre-upgrade commands and `read`, their outputs as one `ReadinessState`."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from typing import TypeVar

from tasks.checks import readiness as checks
from tasks.errors import ParseError
from tasks.models import Facts, Unsupported
from tasks.models.readiness import (
    Content,
    ContentPackage,
    DiskUsage,
    HaStatus,
    Licences,
    License,
    NotReported,
    NtpServer,
    NtpStatus,
    ReadinessState,
    Resources,
    Sensor,
)
from tasks.platforms.base import reading
from tasks.platforms.fortinet.commands import COMMANDS, strip_session
from tasks.platforms.fortinet.facts import parse_system_status
from tasks.platforms.text import first_line

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
# The member roles FortiOS prints for a healthy cluster (the ha_peer check knows only the common pairs).
HEALTHY_PAIRS = (frozenset({"primary", "secondary"}),)


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
        raise ParseError(f"get system ha status: no Mode line in output starting {first_line(text)!r}")
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
        healthy_pairs=HEALTHY_PAIRS,
    )


# --- readiness: diagnose hardware deviceinfo disk -----------------------------------------------------------

# Where FortiOS keeps a firmware image before it is written to the standby boot partition is not documented in
# the sources read (research/upgrade-backup-cli.md B.1-B.3: the image is fetched, checked, then written to a boot
# partition). Assumed: the boot disk's mounted data partition, the one partition of that disk that is not a
# firmware (`(boot)`) partition. Another disk (a log disk) is never taken for it.
IMAGE_STORE = "the boot disk's data partition, assumed to hold the image before it is written (unverified)"
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
            f"diagnose hardware deviceinfo disk: no partition lines in output starting {first_line(text)!r}"
        )
    return found


def image_store(disks: Mapping[str, DiskUsage]) -> DiskUsage | NotReported:
    """The partition the disk check judges: the mounted data partition of the boot disk (`SYSTEM(boot)`), that is
    one whose device is not a firmware partition (`/dev/sda1(boot)`); its `mount` says what is assumed.

    Partitions of other disks (log disks) are never taken, however roomy. With several mounted data partitions
    on the boot disk, the one with the least free space is taken (the image fits it, or the check says it may
    not). `NotReported` when the boot disk has no mounted data partition.

    >>> boot = DiskUsage("Y", "/dev/sda1(boot)", 247.0, 187.0, 60.0, 76)
    >>> data = DiskUsage("Y", "/dev/sda3", 14540.8, 4540.8, 10000.0, 31)
    >>> image_store({"SYSTEM(boot)/1": boot, "SYSTEM(boot)/3": data}).filesystem
    '/dev/sda3'
    >>> image_store({"SYSTEM(boot)/1": boot}).reason
    'no mounted data partition on the boot disk in diagnose hardware deviceinfo disk'
    """
    data = [
        u
        for key, u in disks.items()
        if "(boot)" in key.split("/")[0] and u.mount == "Y" and not u.filesystem.endswith("(boot)")
    ]
    if not data:
        return NotReported("no mounted data partition on the boot disk in diagnose hardware deviceinfo disk")
    store = min(data, key=lambda u: u.avail_mb)
    return replace(store, mount=f"{store.filesystem or 'partition'} ({IMAGE_STORE})")


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
        raise ParseError(f"diagnose sys ntp status: no synchronized line in output starting {first_line(text)!r}")
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
            f"get system performance status: no CPU states or Memory line in output starting {first_line(text)!r}"
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


def _service_rows(text: str) -> list[tuple[str, str, date | None]]:
    """(NAME, METHOD, EXPIRE) of each `get system fortiguard-service status` row; EXPIRE None for `n/a`."""
    lines = strip_session(text, COMMANDS["services"])
    if not any(line.split()[:2] == ["NAME", "VERSION"] for line in lines if line.strip()):
        raise ParseError(
            f"get system fortiguard-service status: no NAME VERSION header in output starting {first_line(text)!r}"
        )
    rows: list[tuple[str, str, date | None]] = []
    for line in lines:
        row = _SERVICE_ROW_RE.match(line.strip())
        if row is None:
            continue
        expires = None
        if row["expire"].lower() != "n/a":
            try:
                expires = date.fromisoformat(row["expire"])
            except ValueError:
                raise ParseError(
                    f"get system fortiguard-service status: EXPIRE {row['expire']!r} is not a date"
                ) from None
        rows.append((row["name"], row["method"], expires))
    return rows


def parse_fortiguard_services(text: str) -> list[License]:
    """Parse `get system fortiguard-service status` (NAME, VERSION, LAST UPDATE, METHOD, EXPIRE) into licences.

    Only services with an expiry date are licences; `n/a` (no contract date) rows are left out. The date
    form in EXPIRE (`YYYY-MM-DD`) is [unverified]: the real sample read shows only `n/a`.
    """
    return [
        License(feature=name, description=method, expires=expires, expired=False)
        for name, method, expires in _service_rows(text)
        if expires is not None
    ]


def service_contracts(text: str) -> dict[str, date | None]:
    """{service NAME: its EXPIRE} from `get system fortiguard-service status`; None where EXPIRE is `n/a` (the
    300E sample's unit without a contract prints `n/a` on every row).

    >>> service_contracts("NAME VERSION LAST UPDATE METHOD EXPIRE\\n"
    ...                   "Attack Definitions  6.741  2015-12-01 02:30:00  manual    n/a")
    {'Attack Definitions': None}
    """
    return {name: expires for name, _, expires in _service_rows(text)}


# --- readiness: the FortiGuard databases in get system status ------------------------------------------------

CONTENT_DATABASES = ("IPS-DB", "APP-DB")  # what the content check judges (the Apps & Threats analogue)
# The fortiguard-service row that shows each database's contract. In the real 300E samples (tests/fixtures/fortinet)
# IPS-DB 6.00741 of 2015-12-01 in get system status is `Attack Definitions 6.741 2015-12-01` in the service
# status, and `Application Definitions` carries the same factory version: the pairing is read from there.
CONTENT_SERVICES = {"IPS-DB": "Attack Definitions", "APP-DB": "Application Definitions"}
_DB_RE = re.compile(r"^(?P<version>\d+\.\d+)\((?P<date>\d{4}-\d\d-\d\d) \d\d:\d\d\)$")


def content_packages(
    status: Mapping[str, str],
    contracts: Mapping[str, date | None] | None = None,
    names: tuple[str, ...] = CONTENT_DATABASES,
) -> list[ContentPackage]:
    """The FortiGuard databases `names` from a parsed get system status (`IPS-DB: 6.00741(2015-12-01 02:30)`),
    each with the contract of its service (`CONTENT_SERVICES`) from `contracts` (`service_contracts`) when
    that lists the service.

    >>> [(p.name, p.updated, p.licence, p.licence_expires)
    ...  for p in content_packages({"IPS-DB": "33.00950(2026-01-27 03:16)"}, {"Attack Definitions": None})]
    [('IPS-DB', datetime.date(2026, 1, 27), 'Attack Definitions', None)]
    """
    packages = []
    for name in names:
        match = _DB_RE.match(status.get(name, ""))
        if match:
            service = CONTENT_SERVICES.get(name)
            listed = contracts is not None and service in contracts
            packages.append(
                ContentPackage(
                    name,
                    match["version"],
                    date.fromisoformat(match["date"]),
                    licence=service if listed else None,
                    licence_expires=(contracts or {}).get(service or "") if listed else None,
                )
            )
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
        raise ParseError(f"execute sensor list: no sensor rows in output starting {first_line(text)!r}")
    return sensors


# --- the readiness state ------------------------------------------------------------------------------------

T = TypeVar("T")
NO_CANDIDATE = Unsupported("FortiOS has no candidate configuration: changes apply when entered")
NO_JOB_QUEUE = Unsupported("FortiOS has no job queue to read")


# The purposes each readiness check reads (tasks.checks.readiness names the checks): a run sends only these.
NEEDS: dict[str, tuple[str, ...]] = {
    checks.DISK_SPACE: ("disk",),
    checks.HA_PEER: ("ha_status",),
    checks.PENDING_CHANGES: (),
    checks.RUNNING_JOBS: (),
    checks.CONTENT_VERSION: ("facts", "services"),
    checks.LICENSES: ("services",),
    checks.NTP_SYNC: ("ntp",),
    checks.MGMT_RESOURCES: ("performance",),
    checks.ENVIRONMENTALS: ("sensors",),
}


def _read(outputs: Mapping[str, str], purpose: str, parse: Callable[[str], T]) -> T | NotReported:
    return reading(outputs, purpose, COMMANDS[purpose], parse)


def _contracts(outputs: Mapping[str, str]) -> dict[str, date | None] | None:
    """The FortiGuard service contracts, or None when the service status was not read (licences then unknown)."""
    found = _read(outputs, "services", service_contracts)
    return None if isinstance(found, NotReported) else found


def read(outputs: Mapping[str, str], facts: Facts) -> ReadinessState:
    """The outputs of `READINESS_COMMANDS` as one `ReadinessState`, each field read on its own: a command
    not read or an output not FortiOS's makes only its field `NotReported`.

    FortiOS lists no downloaded images (every image on the path counts); the disk is `image_store`'s (the boot
    disk's data partition, an assumption its `mount` states). It publishes no minimum content per release, so the IPS
    and application databases are judged by their age; its licence list holds the FortiGuard service
    contracts, not the support contract itself.
    """
    return ReadinessState(
        disk=_read(outputs, "disk", lambda text: image_store(parse_disk_info(text))),
        images=(),
        ha=_read(outputs, "ha_status", lambda text: parse_ha_status(text, facts.serial)),
        pending_changes=NO_CANDIDATE,
        jobs=NO_JOB_QUEUE,
        content=_read(
            outputs,
            "facts",
            lambda text: Content(
                packages=tuple(content_packages(parse_system_status(text), _contracts(outputs))), by_age=True
            ),
        ),
        licences=_read(
            outputs, "services", lambda text: Licences(tuple(parse_fortiguard_services(text)), support_listed=False)
        ),
        ntp=_read(outputs, "ntp", parse_ntp_status),
        resources=_read(outputs, "performance", parse_performance),
        sensors=_read(outputs, "sensors", lambda text: tuple(parse_sensors(text))),
    )
