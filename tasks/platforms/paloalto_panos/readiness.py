"""PAN-OS readiness: parsers of the pre-upgrade commands and `read`, their outputs as one `ReadinessState`."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import TypeVar

from tasks.checks import readiness as checks
from tasks.errors import ParseError
from tasks.models import Facts
from tasks.models.readiness import (
    Content,
    DiskUsage,
    HaStatus,
    Job,
    Licences,
    License,
    NotReported,
    NtpServer,
    NtpStatus,
    ReadinessState,
    Resources,
    Sensor,
    SoftwareImage,
)
from tasks.platforms.base import reading
from tasks.platforms.paloalto_panos.commands import COMMANDS, DEVICE_TYPE, output_body, strip_session
from tasks.platforms.paloalto_panos.facts import parse_ha_state
from tasks.platforms.text import first_line, ntc

T = TypeVar("T")

# --- show jobs all ------------------------------------------------------------------------------------------


def parse_jobs(text: str) -> list[Job]:
    """Parse `show jobs all` (ntc-templates) into jobs, newest first as printed.

    An empty output is no jobs; an output without the `Enqueued` header is a ParseError.

    >>> jobs = parse_jobs("Enqueued  ID  Type  Status Result Completed\\n---\\n"
    ...                   "2024/05/01 10:00:00   7   Downld   ACT   PEND  45%\\n")
    >>> [(j.id, j.type, j.status, j.result) for j in jobs]
    [(7, 'Downld', 'ACT', 'PEND')]
    """
    body = output_body(text)
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
        for row in ntc(DEVICE_TYPE, COMMANDS["jobs"], body, strict=True)
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
    body = output_body(text)
    if not re.search(r"^License entry:", body, re.MULTILINE):
        raise ParseError(f"request license info: no 'License entry:' in output starting {first_line(text)!r}")
    return [
        License(
            feature=row["feature"].strip(),
            description=row["description"].strip(),
            expires=_license_date(row["expires"], row["feature"].strip()),
            expired=row["expired"] == "yes",
        )
        for row in ntc(DEVICE_TYPE, COMMANDS["licenses"], body, strict=True)
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


# `show system resources` prints one `top` frame. top computes the CPU line from the ticks between two
# refreshes; its first frame has no earlier refresh, so its CPU line is the average since boot (procps top).
SINCE_BOOT = "average since boot: show system resources prints one top frame, not a current reading"


def parse_resources(text: str) -> Resources:
    """Parse `show system resources` (a `top` snapshot) into management-plane CPU and memory use.

    CPU busy = 100 - idle, read from the last frame printed: with two or more frames (top's later refreshes)
    that is a current reading; a single frame (what the command prints) is the average since boot, which
    `cpu_basis` says. Memory used = `used` / `total` in the procps-ng
    form (`MiB Mem :`, where used excludes buffers and cache) and (used - buffers - cached) / total in the older
    `Mem: ...k` form.

    >>> r = parse_resources("top - 10:00:00 up 1 day,  load average: 0.1, 0.2, 0.3\\n"
    ...     "%Cpu(s):  5.0 us,  2.0 sy,  0.0 ni, 93.0 id,  0.0 wa\\n"
    ...     "MiB Mem :  16000.0 total,   1000.0 free,   8000.0 used,   7000.0 buff/cache\\n")
    >>> r.cpu_pct, r.mem_pct, r.cpu_basis == SINCE_BOOT
    (7.0, 50.0, True)
    """
    body = "\n".join(line.strip() for line in strip_session(text))
    frames = len(_IDLE_RE.findall(body))
    last = body[body.rfind("top -") :] if frames > 1 else body  # the last frame, header to its task list
    idle = _IDLE_RE.search(last)
    load = _LOAD_RE.search(last)
    if idle is None or load is None:
        raise ParseError(f"show system resources: no top header in output starting {first_line(text)!r}")
    new, old = _MEM_NEW_RE.search(last), _MEM_OLD_RE.search(last)
    if new is not None:
        scale = _UNIT_MB[new["unit"]]
        total, used = float(new["total"]) * scale, float(new["used"]) * scale
    elif old is not None:
        cached = _CACHED_OLD_RE.search(last)
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
        cpu_basis="" if frames > 1 else SINCE_BOOT,
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
    body = output_body(text)
    if not re.search(r"^Partition\s+State\s+Version", body, re.MULTILINE):
        raise ParseError(f"debug swm status: no partition table in output starting {first_line(text)!r}")
    return [
        {"partition": row["part"], "state": row["state"], "version": row["version"]}
        for row in ntc(DEVICE_TYPE, COMMANDS["swm"], body, strict=True)
    ]


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
        local_version=found.get("local_version"),
        peer_version=found.get("peer_version"),
        config_sync=found.get("config_sync"),
        software_compatibility=found.get("software_compatibility"),
    )


# --- the readiness state ------------------------------------------------------------------------------------

DISK_MOUNT = "/opt/panrepo"  # where PAN-OS stores software images (the disk_space check judges it)


def _disk(outputs: Mapping[str, str]) -> DiskUsage | NotReported:
    """The `/opt/panrepo` filesystem; NotReported when the disk table lacks it, or when the image list
    (what is already downloaded, so not counted again) was not read."""
    software = _read(outputs, "software", parse_software_info)
    if isinstance(software, NotReported):
        return NotReported(f"images already downloaded unknown: {software.reason}")
    disks = _read(outputs, "disk", parse_disk_space)
    if isinstance(disks, NotReported):
        return disks
    return disks.get(DISK_MOUNT) or NotReported(f"{DISK_MOUNT} not in the disk-space output")


def _read(outputs: Mapping[str, str], purpose: str, parse: Callable[[str], T]) -> T | NotReported:
    return reading(outputs, purpose, COMMANDS[purpose], parse)


def _tuple(parse: Callable[[str], list[T]]) -> Callable[[str], tuple[T, ...]]:
    return lambda text: tuple(parse(text))


# The purposes each readiness check reads (tasks.checks.readiness names the checks): a run sends only these.
NEEDS: dict[str, tuple[str, ...]] = {
    checks.DISK_SPACE: ("disk", "software"),
    checks.HA_PEER: ("ha_all",),
    checks.PENDING_CHANGES: ("pending",),
    checks.RUNNING_JOBS: ("jobs",),
    checks.CONTENT_VERSION: ("facts",),
    checks.LICENSES: ("licenses",),
    checks.NTP_SYNC: ("ntp",),
    checks.MGMT_RESOURCES: ("resources",),
    checks.ENVIRONMENTALS: ("environmentals",),
}


def read(outputs: Mapping[str, str], facts: Facts) -> ReadinessState:
    """The outputs of `READINESS_COMMANDS` as one `ReadinessState`, each field read on its own: a command
    not read or an output not PAN-OS's makes only its field `NotReported`.

    The content version is the `app-version` of `show system info` (already in `facts`); the disk is the
    `/opt/panrepo` filesystem, `NotReported` when the disk-space table does not list it.
    """
    software = _read(outputs, "software", parse_software_info)
    licences = _read(outputs, "licenses", parse_licenses)
    return ReadinessState(
        disk=_disk(outputs),
        images=() if isinstance(software, NotReported) else tuple(software),
        ha=_read(outputs, "ha_all", parse_ha_all),
        pending_changes=_read(outputs, "pending", parse_pending_changes),
        jobs=_read(outputs, "jobs", _tuple(parse_jobs)),
        content=Content(version=facts.extra.get("app-version")),
        licences=licences if isinstance(licences, NotReported) else Licences(tuple(licences)),
        ntp=_read(outputs, "ntp", parse_ntp),
        resources=_read(outputs, "resources", parse_resources),
        sensors=_read(outputs, "environmentals", _tuple(parse_environmentals)),
    )
