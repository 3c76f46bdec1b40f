"""PAN-OS readiness commands: disk, jobs, licences, pending changes, NTP, resources, environment, software."""

from __future__ import annotations

import math
import re
import time
from datetime import date, datetime, timedelta

from lab.estate import Device, Job, License
from lab.personalities.base import (
    DeviceView,
    device_rng,
)
from lab.personalities.paloalto_panos.hardware import (
    uptime_seconds,
)
from lab.releases import Image, releases


def _df_size(mb: float) -> str:
    """A size as ``df -h`` prints it (rounded up; one decimal below 10).

    >>> _df_size(1200), _df_size(5000), _df_size(12 * 1024), _df_size(700)
    ('1.2G', '4.9G', '12G', '700M')
    """
    if mb < 1024:
        return f"{math.ceil(mb)}M"
    gb = mb / 1024
    return f"{math.ceil(gb * 10) / 10:.1f}G" if gb < 10 else f"{math.ceil(gb)}G"


def _repo_free_mb(device: Device) -> float:
    """Free MB on /opt/panrepo: ``state.disk_free_mb``, else a healthy 8.5-10.5 GB per device (room for
    every image of a four-hop path; the disk check counts them all)."""
    if device.state.disk_free_mb is not None:
        return float(device.state.disk_free_mb)
    return float(device_rng(device, "disk").randint(8700, 10700))


def show_system_disk_space(view: DeviceView, args: dict[str, str]) -> str:
    """``show system disk-space`` (``df -h``); /opt/panrepo free space from ``state.disk_free_mb``."""
    repo_size = 12 * 1024.0
    repo_avail = min(_repo_free_mb(view.device), repo_size)
    repo_used = repo_size - repo_avail
    rows = [
        ("/dev/root", "6.9G", "5.1G", "1.5G", "78%", "/"),
        ("none", "7.8G", "68K", "7.8G", "1%", "/dev"),
        ("/dev/sda5", "16G", "9.0G", "5.9G", "61%", "/opt/pancfg"),
        (
            "/dev/sda6",
            _df_size(repo_size),
            _df_size(repo_used),
            _df_size(repo_avail),
            f"{math.ceil(repo_used / repo_size * 100)}%",
            "/opt/panrepo",
        ),
        ("tmpfs", "7.8G", "1.5G", "6.3G", "20%", "/dev/shm"),
        ("cgroup", "7.8G", "0", "7.8G", "0%", "/cgroup"),
        ("/dev/sda8", "89G", "31G", "54G", "37%", "/opt/panlogs"),
        ("tmpfs", "12M", "44K", "12M", "1%", "/opt/pancfg/mgmt/ssl/private"),
    ]
    header = f"{'Filesystem':<16}{'Size':>4}{'Used':>6}{'Avail':>6}{'Use%':>5} Mounted on"
    body = [f"{fs:<16}{size:>4}{used:>6}{avail:>6}{pct:>5} {mount}" for fs, size, used, avail, pct, mount in rows]
    return "\n".join([header, *body])


# --- readiness state ------------------------------------------------------------------------------------

# Historic jobs every device shows (finished), before the estate's own ``state.jobs``.
_HISTORY: tuple[tuple[str, int], ...] = (("AutoCom", 9), ("FqdnRefresh", 4), ("Downld", 3), ("Install", 3))


def _history(view: DeviceView) -> list[tuple[datetime, int, Job]]:
    """The jobs the device had before the lab started: fixed history, then the estate's ``state.jobs``."""
    now = datetime.now().replace(microsecond=0)
    base = device_rng(view.device, "jobs").randint(100, 4000)
    rows: list[tuple[datetime, int, Job]] = []
    for i, (kind, hours) in enumerate(_HISTORY):
        rows.append((now - timedelta(hours=hours * (len(_HISTORY) - i)), base + i, Job(kind)))
    for i, job in enumerate(view.device.state.jobs):
        rows.append((now - timedelta(minutes=5 * (len(view.device.state.jobs) - i)), base + len(_HISTORY) + i, job))
    return rows


def next_job_id(view: DeviceView) -> int:
    """The id the device gives its next job (after its history)."""
    rows = _history(view)
    return rows[-1][1] + 1 if rows else 1


def _job_row(enqueued: datetime, ident: int, job: Job, completed: str) -> str:
    stamp = enqueued.strftime("%Y/%m/%d %H:%M:%S")
    return f"{stamp:<19}{ident:>12}{job.type:>17}{job.status:>10}{job.result:>7} {completed}  "


def _job_rows(view: DeviceView) -> list[tuple[int, str]]:
    """(id, table row) of every job, oldest first: the history (unless the device rebooted in this lab), then
    the jobs it ran in the lab with their real times and progress."""
    rows: list[tuple[int, str]] = []
    runtime = view.runtime
    if runtime is None or not runtime.fresh_boot:
        for enqueued, ident, job in _history(view):
            if job.status == "FIN":
                completed = (enqueued + timedelta(seconds=17)).strftime("%H:%M:%S")
            else:
                completed = "0%" if job.status == "PEND" else f"{device_rng(view.device, str(ident)).randint(5, 95)}%"
            rows.append((ident, _job_row(enqueued, ident, job, completed)))
    if runtime is not None:
        now = time.time()
        runtime.tick(now)
        for run in runtime.jobs:
            job = run.as_job(now)
            done = datetime.fromtimestamp(run.enqueued + run.duration)
            completed = done.strftime("%H:%M:%S") if job.status == "FIN" else f"{run.progress(now)}%"
            rows.append((run.ident, _job_row(datetime.fromtimestamp(run.enqueued), run.ident, job, completed)))
    return rows


_JOBS_HEADER = ["Enqueued                     ID             Type    Status Result Completed ", "-" * 74]


def show_jobs_all(view: DeviceView, args: dict[str, str]) -> str:
    """``show jobs all`` in the column layout of the real sample (newest first); unfinished jobs show progress."""
    return "\n".join(_JOBS_HEADER + [row for _, row in reversed(_job_rows(view))])


def show_jobs_id(view: DeviceView, args: dict[str, str]) -> str:
    """``show jobs id N``: the same table with the one row (as NetCAT parses it) [unverified: the error text]."""
    rows = [row for ident, row in _job_rows(view) if str(ident) == args["id"]]
    if not rows:
        return f"Server error : job {args['id']} not found"
    return "\n".join(_JOBS_HEADER + rows)


_LICENSE_DESCRIPTIONS = {
    "Threat Prevention": "Threat Prevention",
    "PAN-DB URL Filtering": "Palo Alto Networks URL Filtering License",
    "WildFire License": "WildFire signature feed, integrated WildFire logs, WildFire API",
    "DNS Security": "Palo Alto Networks DNS Security License",
    "GlobalProtect Gateway": "GlobalProtect Gateway License",
    "Premium": "24 x 7 phone support; advanced replacement hardware service",
}


def default_licenses(device: Device, today: date) -> tuple[License, ...]:
    """A realistic licence set valid for years from ``today`` (the device's clock date)."""
    r = device_rng(device, "licenses")
    term = r.randint(700, 1400)
    licences = [License(feature, expires=today + timedelta(days=term)) for feature in _LICENSE_DESCRIPTIONS]
    licences.append(License("GlobalProtect Portal"))  # Never expires, as in the real sample
    return tuple(licences)


def request_license_info(view: DeviceView, args: dict[str, str]) -> str:
    """``request license info`` in the real sample's entry layout; ``state.licenses`` or a healthy default set."""
    today = datetime.now().date()
    d = view.device
    licences = d.state.licenses if d.state.licenses is not None else default_licenses(d, today)
    issued = today - timedelta(days=device_rng(d, "issued").randint(60, 600))
    lines = [f"Current UTC Date: {today:%B %d, %Y}", ""]
    for lic in licences:
        expiry = lic.expiry(today)
        expires = "Never" if expiry is None else f"{expiry:%B %d, %Y}"
        expired = "yes" if expiry is not None and expiry < today else "no"
        lines += [
            "License entry:",
            f"Feature: {lic.feature}",
            f"Description: {_LICENSE_DESCRIPTIONS.get(lic.feature, lic.feature + ' License')}",
            f"Serial: {d.serial}",
            f"Issued: {min(issued, expiry or issued):%B %d, %Y}",
            f"Expires: {expires}",
            f"Expired?: {expired}",
            "",
        ]
    return "\n".join(lines).rstrip("\n")


def check_pending_changes(view: DeviceView, args: dict[str, str]) -> str:
    """``check pending-changes``: ``yes`` when the candidate configuration holds uncommitted changes."""
    return "yes" if view.device.state.pending_changes else "no"


def ntp_servers(device: Device) -> list[str]:
    """The two NTP servers a device is configured with (``show ntp``, ``show config running``)."""
    r = device_rng(device, "ntp")
    return [f"10.{r.randint(1, 250)}.0.{n}" for n in (123, 124)]


def show_ntp(view: DeviceView, args: dict[str, str]) -> str:
    """``show ntp``: synched to the first server, or ``NTP not synched, using local clock`` (all rejected)."""
    servers = ntp_servers(view.device)
    synced = view.device.state.ntp_synced
    lines = ["NTP state:", f"    NTP synched to {servers[0]}" if synced else "    NTP not synched, using local clock"]
    for i, server in enumerate(servers):
        status = ("synched" if i == 0 else "available") if synced else "rejected"
        lines += [f"    NTP server: {server}", f"        status: {status}", "        reachable: yes"]
        lines.append("        authentication-type: none")
    return "\n".join(lines)


def show_system_resources(view: DeviceView, args: dict[str, str]) -> str:
    """``show system resources``: a ``top`` snapshot (procps-ng form) with the state's CPU and memory use."""
    d, r = view.device, device_rng(view.device, "resources")
    cpu = d.state.mgmt_cpu_pct if d.state.mgmt_cpu_pct is not None else float(r.randint(3, 25))
    mem = d.state.mgmt_mem_pct if d.state.mgmt_mem_pct is not None else float(r.randint(40, 70))
    total = 15947.9
    used = round(total * mem / 100, 1)
    cache = round((total - used) * 0.8, 1)
    free = round(total - used - cache, 1)
    us, sy = round(cpu * 0.7, 1), round(cpu * 0.25, 1)
    ni = round(cpu - us - sy, 1)
    idle = round(100 - cpu, 1)
    now = datetime.now()
    days = uptime_seconds(view) // 86400
    load = round(cpu / 25, 2)
    return "\n".join(
        [
            f"top - {now:%H:%M:%S} up {days} days,  3:12,  1 user,  load average: {load:.2f}, {load:.2f}, {load:.2f}",
            "Tasks: 157 total,   1 running, 155 sleeping,   0 stopped,   1 zombie",
            f"%Cpu(s): {us:4.1f} us, {sy:4.1f} sy, {ni:4.1f} ni, {idle:4.1f} id,  0.0 wa,  0.0 hi,  0.0 si,  0.0 st",
            f"MiB Mem : {total:8.1f} total, {free:8.1f} free, {used:8.1f} used, {cache:8.1f} buff/cache",
            f"MiB Swap:   7999.9 total,   7999.9 free,      0.0 used. {total - used:8.1f} avail Mem",
            "",
            "    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND",
            f"   3287 root      20   0 2861540 1.1g  47804 S  {cpu * 0.4:4.1f}   7.1 312:41.07 mgmtsrvr",
            f"   3321 root      20   0 1203420 301m  21520 S  {cpu * 0.2:4.1f}   1.9  98:12.55 logrcvr",
            "      1 root      20   0    2420    656    564 S   0.0   0.0   0:09.12 init",
        ]
    )


def show_system_environmentals(view: DeviceView, args: dict[str, str]) -> str:
    """``show system environmentals``: Thermal, Fan Speed, Power and Power Supplies tables [unverified shape]."""
    env = view.device.state.environment
    temp = 72.0 if env.temp_alarm else 38.5
    fan2 = 0 if env.fan_failed else 5120
    lines = [
        "----------Thermal----------",
        f"{'Slot':<7}{'Description':<42}{'Alarm':<7}{'Degrees C':>10}{'Min C':>9}{'Max C':>9}",
        f"{'1':<7}{'Temperature near Switch [U53]':<42}{'False':<7}{36.0:>10.1f}{5.0:>9.1f}{60.0:>9.1f}",
        f"{'1':<7}{'Temperature near CPU [U4]':<42}{env.temp_alarm!s:<7}{temp:>10.1f}{5.0:>9.1f}{60.0:>9.1f}",
        "",
        "----------Fan Speed----------",
        f"{'Slot':<7}{'Description':<42}{'Alarm':<7}{'RPMs':>10}{'Min RPM':>9}",
        f"{'1':<7}{'Fan #1 RPM':<42}{'False':<7}{5280:>10}{1000:>9}",
        f"{'1':<7}{'Fan #2 RPM':<42}{env.fan_failed!s:<7}{fan2:>10}{1000:>9}",
        "",
        "----------Power----------",
        f"{'Slot':<7}{'Description':<42}{'Alarm':<7}{'Volts':>10}{'Min V':>9}{'Max V':>9}",
        f"{'1':<7}{'Power: 1.0V Power Rail':<42}{'False':<7}{1.01:>10.2f}{0.9:>9.2f}{1.1:>9.2f}",
        f"{'1':<7}{'Power: 3.3V Power Rail':<42}{'False':<7}{3.31:>10.2f}{2.97:>9.2f}{3.63:>9.2f}",
        "",
        "----------Power Supplies----------",
        f"{'Slot':<7}{'Description':<42}{'Alarm':<7}{'Inserted':>10}",
        f"{'1':<7}{'Power Supply #1 (left)':<42}{'False':<7}{'True':>10}",
        f"{'1':<7}{'Power Supply #2 (right)':<42}{env.psu_failed!s:<7}{'True':>10}",
    ]
    return "\n".join(lines)


def _version_key(version: str) -> tuple[int, ...]:
    """Newest-first order of PAN-OS versions: 10.2.4-h4 after 10.2.4, before 10.2.5 (an order, not a fact)."""
    numbers = re.findall(r"\d+", version)
    return tuple(int(n) for n in numbers) + ((0,) if "-h" not in version else ())


def _released(image: Image | None) -> str:
    """The matrix's release date in PAN-OS's form; ``unknown`` (as PAN-OS prints an unknown value) without one."""
    if image is None or image.released is None:
        return "unknown"
    return f"{image.released:%Y/%m/%d}"


def request_system_software_info(view: DeviceView, args: dict[str, str]) -> str:
    """``request system software info``: every image of matrices/paloalto_panos.yaml (the update server's list),
    the running version and ``state.images`` (downloaded), newest first, in the column layout of the real
    ``request content upgrade info`` table [unverified]. Sizes and dates are the matrix's (its size estimate
    where it has no size); the size is blank and the date ``unknown`` where the matrix has neither."""
    d = view.device
    facts = releases("paloalto_panos")
    versions = {*(image.version for image in facts.images), d.version, *d.state.images}
    lines = ["Version               Size              Released on Downloaded  Current", "-" * 73]
    for version in sorted(versions, key=_version_key, reverse=True):
        downloaded = "yes" if version == d.version or version in d.state.images else "no"
        current = "yes" if version == d.version else "no"
        size_mb = facts.size_mb(version)
        size = f"{size_mb}MB" if size_mb is not None else ""
        released = _released(facts.image(version))
        lines.append(f"{version:<18}{size:>9}  {released:>19} {downloaded:>10}  {current:>7}")
    return "\n".join(lines)


def debug_swm_status(view: DeviceView, args: dict[str, str]) -> str:
    """``debug swm status`` in the real sample's layout: the running partition and the previous image."""
    d = view.device
    others = [v for v in d.state.images if v != d.version]
    previous = others[-1] if others else d.version
    rows = [("sysroot0", "RUNNING-ACTIVE", d.version), ("sysroot1", "READY", previous), ("maint", "READY", d.version)]
    lines = ["", f"{'Partition':<18}{'State':<18}Version", "-" * 80]
    lines += [f"{part:<18}{state:<18}{version}" for part, state, version in rows]
    return "\n".join(lines)


def show_clock(view: DeviceView, args: dict[str, str]) -> str:
    """``show clock``."""
    now = datetime.now()
    return f"{now:%a %b %d %H:%M:%S} UTC {now:%Y}"
