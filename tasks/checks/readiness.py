"""Pre-upgrade readiness checks: pure functions from parsed device state to a named verdict and a reason.

Each check is named by a constant (the names pan-os-upgrade-assurance's readiness checks use where one
exists) and returns a `CheckResult(name, verdict, reason)`. What they read is `tasks.models.readiness`,
built from command output by each platform's readiness capability; nothing here knows a platform.
`tasks.checks.preupgrade.run_readiness` runs them over a `ReadinessState`. docs/checks.md lists each
platform's commands and failure conditions.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from tasks.models import Finding, Severity, Verdict
from tasks.models.readiness import (
    Content,
    ContentPackage,
    DiskUsage,
    HaStatus,
    Job,
    License,
    NotReported,
    NtpStatus,
    Resources,
    Sensor,
    SoftwareImage,
)

DISK_SPACE = "disk_space"
HA_PEER = "ha_peer"
PENDING_CHANGES = "pending_changes"
RUNNING_JOBS = "running_jobs"
CONTENT_VERSION = "content_version"
LICENSES = "licenses"
NTP_SYNC = "ntp_sync"
MGMT_RESOURCES = "mgmt_resources"
ENVIRONMENTALS = "environmentals"

ALL_CHECKS: tuple[str, ...] = (
    DISK_SPACE,
    HA_PEER,
    PENDING_CHANGES,
    RUNNING_JOBS,
    CONTENT_VERSION,
    LICENSES,
    NTP_SYNC,
    MGMT_RESOURCES,
    ENVIRONMENTALS,
)

DISK_FACTOR = 1.1  # free space must exceed 1.1 x the images to download (pan-os-upgrade-assurance)
DEFAULT_REQUIRED_MB = 3072  # pan-os-upgrade-assurance's default without an image list: 3 GB, with headroom
MGMT_CPU_MAX_PCT = 80.0
MGMT_MEM_MAX_PCT = 90.0
LICENSE_WARN_DAYS = 30
# Licence features that stand for the support contract (software downloads need one).
SUPPORT_FEATURES = ("premium", "platinum", "standard", "premium partner", "partner enabled premium support")
# The member-state pairs of a healthy HA pair; a platform adds its own names in `HaStatus.healthy_pairs`.
SANE_HA_PAIRS = (
    frozenset({"active", "passive"}),
    frozenset({"active-primary", "active-secondary"}),
)
CONTENT_MAX_AGE_DAYS = 30  # content judged by age: definitions older than this are stale (ours)


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one readiness check on one device."""

    name: str
    verdict: Verdict
    reason: str

    def finding(self) -> Finding:
        """As a Finding: FAIL is a blocker, WARN a warning, anything else informational.

        >>> CheckResult(NTP_SYNC, Verdict.FAIL, "not synchronised").finding().severity.value
        'blocker'
        """
        severity = {Verdict.FAIL: Severity.BLOCKER, Verdict.ERROR: Severity.BLOCKER, Verdict.WARN: Severity.WARNING}
        return Finding(self.name, severity.get(self.verdict, Severity.INFO), self.verdict, self.reason)


def _result(name: str, verdict: Verdict, reason: str) -> CheckResult:
    return CheckResult(name, verdict, reason)


# --- disk space --------------------------------------------------------------------------------------------


def download_mb(
    versions: Sequence[str], software: Sequence[SoftwareImage], sizes: Mapping[str, int] | None = None
) -> int:
    """MB to download for `versions` (base images included by the caller): those not yet on the device.

    Sizes come from `software` (what the device lists), else from `sizes`; raises ValueError naming a
    version whose size neither knows.

    >>> images = [SoftwareImage("10.2.0", 1100, "", True, False), SoftwareImage("10.2.4-h4", 500, "", False, False)]
    >>> download_mb(["10.2.0", "10.2.4-h4"], images)
    500
    """
    known = {image.version: image for image in software}
    total = 0
    for version in dict.fromkeys(versions):
        image = known.get(version)
        if image is not None and image.downloaded:
            continue
        size = image.size_mb if image is not None else (sizes or {}).get(version)
        if size is None:
            raise ValueError(f"size of image {version!r} unknown: not listed by the device nor given")
        total += size
    return total


def largest_hop_mb(
    hops: Sequence[tuple[str, Sequence[str]]],
    software: Sequence[SoftwareImage],
    sizes: Mapping[str, int] | None = None,
) -> tuple[str, int] | None:
    """(hop, MB) of the hop whose images not yet on the device are the largest; None without hops.

    `hops` are (label, versions to download before that install, base included). The upgrade downloads one
    hop's images, installs, and deletes them before the next hop's download, so the disk must hold only the
    largest hop at once. Sizes as in `download_mb`.

    >>> images = [SoftwareImage("10.1.0", 1100, "", True, False)]
    >>> largest_hop_mb([("a", ["10.1.0", "10.1.9"]), ("b", ["10.2.0", "10.2.4-h4"])], images,
    ...     {"10.1.9": 550, "10.2.0": 1100, "10.2.4-h4": 550})
    ('b', 1650)
    """
    needs = [(label, download_mb(versions, software, sizes)) for label, versions in hops]
    return max(needs, key=lambda need: need[1], default=None)


def check_disk_space(
    disk: DiskUsage | NotReported, required_mb: float | None = None, hop: str | None = None
) -> CheckResult:
    """FAIL when free MB on the images' filesystem <= 1.1 x `required_mb` (the images still to download for
    the largest hop, named by `hop` in the reason).

    Without `required_mb` the bar is DEFAULT_REQUIRED_MB (3 GB). ERROR when the device did not report it.

    >>> usage = DiskUsage("/data", "/dev/sda6", 8090, 6963, 1126, 86)
    >>> check_disk_space(usage, 1500).reason
    'only 1126 MB free on /data, need more than 1.1 x 1500 MB of images = 1650 MB'
    >>> check_disk_space(NotReported("/data not in the disk-space output")).verdict.value
    'ERROR'
    """
    if isinstance(disk, NotReported):
        return _result(DISK_SPACE, Verdict.ERROR, disk.reason)
    usage, mount = disk, disk.mount
    if required_mb is None:
        needed, why = float(DEFAULT_REQUIRED_MB), f"{DEFAULT_REQUIRED_MB} MB (default: no image list given)"
    elif required_mb <= 0:
        return _result(DISK_SPACE, Verdict.PASS, f"nothing to download; {usage.avail_mb:.0f} MB free on {mount}")
    else:
        needed = DISK_FACTOR * required_mb
        why = f"{DISK_FACTOR} x {required_mb:.0f} MB of images = {needed:.0f} MB"
        if hop:
            why += f" (hop {hop}, the largest download)"
    if usage.avail_mb > needed:
        return _result(DISK_SPACE, Verdict.PASS, f"{usage.avail_mb:.0f} MB free on {mount}, need more than {why}")
    return _result(DISK_SPACE, Verdict.FAIL, f"only {usage.avail_mb:.0f} MB free on {mount}, need more than {why}")


# --- HA ----------------------------------------------------------------------------------------------------


def _feature(version: str) -> str:
    """`10.2.4-h4` -> `10.2`.

    >>> _feature("10.2.4-h4")
    '10.2'
    """
    return ".".join(version.split("-")[0].split(".")[:2])


def check_ha(ha: HaStatus) -> CheckResult:
    """SKIPPED when standalone. FAIL when the peer is not up, the running configuration is not synchronized,
    the states are not active + passive (or active-primary + active-secondary), or the peer runs another
    feature release. WARN when the peer runs another maintenance release of the same feature release.
    """
    if not ha.enabled:
        return _result(HA_PEER, Verdict.SKIPPED, "HA not enabled (standalone)")
    problems: list[str] = []
    if (ha.peer_connection or "").lower() != "up":
        problems.append(f"peer connection {ha.peer_connection or 'unknown'}")
    if ha.config_sync is not None and ha.config_sync.lower() != "synchronized":
        problems.append(f"running configuration {ha.config_sync}")
    states = frozenset(s.lower() for s in (ha.local_state, ha.peer_state) if s)
    if states not in (*SANE_HA_PAIRS, *ha.healthy_pairs):
        problems.append(f"states {ha.local_state or 'unknown'}/{ha.peer_state or 'unknown'}")
    mismatch = ""
    if ha.local_version and ha.peer_version and ha.local_version != ha.peer_version:
        if _feature(ha.local_version) != _feature(ha.peer_version):
            problems.append(f"peer runs {ha.peer_version}, this firewall {ha.local_version} (another feature release)")
        else:
            mismatch = f"peer runs {ha.peer_version}, this firewall {ha.local_version}"
    pair = f"{ha.local_state}/{ha.peer_state}"
    if problems:
        return _result(HA_PEER, Verdict.FAIL, "; ".join(problems))
    if mismatch:
        return _result(HA_PEER, Verdict.WARN, f"{pair}, synchronized; {mismatch}")
    return _result(HA_PEER, Verdict.PASS, f"{pair}, peer up, running configuration synchronized")


# --- candidate config, jobs, content --------------------------------------------------------------------


def check_pending_changes(pending: bool) -> CheckResult:
    """FAIL when the candidate configuration holds uncommitted changes.

    >>> check_pending_changes(False).verdict.value
    'PASS'
    """
    if pending:
        return _result(PENDING_CHANGES, Verdict.FAIL, "uncommitted changes in the candidate configuration")
    return _result(PENDING_CHANGES, Verdict.PASS, "no uncommitted changes")


def check_running_jobs(jobs: Sequence[Job]) -> CheckResult:
    """FAIL when a job is not finished (status other than FIN), naming each.

    >>> check_running_jobs([Job(7, "Downld", "ACT", "PEND")]).reason
    'job not finished: 7 Downld ACT'
    """
    running = [job for job in jobs if job.status.upper() != "FIN"]
    if running:
        listed = ", ".join(f"{job.id} {job.type} {job.status}" for job in running)
        plural = "s" if len(running) > 1 else ""
        return _result(RUNNING_JOBS, Verdict.FAIL, f"job{plural} not finished: {listed}")
    return _result(RUNNING_JOBS, Verdict.PASS, f"no running jobs ({len(jobs)} finished)")


def _content_number(version: str) -> int:
    """`8635-7675` or `8635` -> 8635; ValueError naming a value of another shape."""
    match = re.match(r"^\s*(\d+)(?:-\d+)?\s*$", version)
    if match is None:
        raise ValueError(f"not a content version: {version!r}")
    return int(match[1])


# Where the minimum comes from: the engineer's own policy, not a vendor figure for the target release.
CONFIGURED_MINIMUM = "the configured minimum (min_content in config.yaml or ESTATE_MIN_CONTENT)"


def check_content_version(app_version: str | None, minimum: str | None) -> CheckResult:
    """FAIL when the Apps & Threats content release is below `minimum`, the engineer's configured minimum
    (`min_content` / `ESTATE_MIN_CONTENT`), not a vendor minimum for the target; SKIPPED without one.

    >>> check_content_version("8520-7000", "8635").reason
    'content 8520-7000 is below the configured minimum (min_content in config.yaml or ESTATE_MIN_CONTENT) 8635'
    """
    if minimum is None:
        return _result(
            CONTENT_VERSION,
            Verdict.SKIPPED,
            "no minimum content configured (min_content in config.yaml or ESTATE_MIN_CONTENT)",
        )
    if not app_version:
        return _result(CONTENT_VERSION, Verdict.ERROR, "the device reported no app-version")
    have, need = _content_number(app_version), _content_number(minimum)
    if have < need:
        return _result(CONTENT_VERSION, Verdict.FAIL, f"content {app_version} is below {CONFIGURED_MINIMUM} {minimum}")
    return _result(CONTENT_VERSION, Verdict.PASS, f"content {app_version} meets {CONFIGURED_MINIMUM} {minimum}")


def check_content(content: Content, today: date, minimum: str | None = None) -> CheckResult:
    """Content judged by its age when the platform publishes no minimum (`by_age`), else its version
    against the configured `minimum`.

    >>> check_content(Content(version="8635-7675"), date(2026, 1, 1), "8635").verdict.value
    'PASS'
    >>> check_content(Content(by_age=True), date(2026, 1, 1)).reason
    'no content package versions reported'
    """
    if content.by_age:
        return check_content_age(content.packages, today)
    return check_content_version(content.version, minimum)


def _unlicensed(package: ContentPackage, today: date) -> str | None:
    """Why `package` is not licensed for updates on `today` (its contract is missing or expired), else None.

    >>> _unlicensed(ContentPackage("IPS-DB", "6.00741", None, "Attack Definitions"), date(2026, 1, 1))
    'IPS-DB (Attack Definitions: no contract)'
    """
    if package.licence is None:
        return None
    if package.licence_expires is None:
        return f"{package.name} ({package.licence}: no contract)"
    if package.licence_expires < today:
        return f"{package.name} ({package.licence} expired {package.licence_expires})"
    return None


def check_content_age(
    packages: Sequence[ContentPackage], today: date, max_age_days: int = CONTENT_MAX_AGE_DAYS
) -> CheckResult:
    """FAIL when a licensed content package was last updated more than `max_age_days` days before `today` (for
    an OS whose releases publish no minimum content version); ERROR when no package is reported.

    Only packages the unit is licensed to update are judged: one whose contract is missing or expired (see
    `ContentPackage.licence`) is named as not judged, and SKIPPED is the verdict when none is licensed.

    >>> old = ContentPackage("IPS-DB", "6.00741", date(2015, 12, 1))
    >>> check_content_age([old], date(2026, 1, 1)).reason
    'stale content: IPS-DB 6.00741 of 2015-12-01 (3684 days old, limit 30)'
    >>> check_content_age([ContentPackage("IPS-DB", "6.00741", date(2015, 12, 1), "Attack Definitions")],
    ...                   date(2026, 1, 1)).verdict.value
    'SKIPPED'
    """
    if not packages:
        return _result(CONTENT_VERSION, Verdict.ERROR, "no content package versions reported")
    unlicensed = {p.name: why for p in packages if (why := _unlicensed(p, today)) is not None}
    skipped = f"not licensed, so not judged: {', '.join(unlicensed.values())}" if unlicensed else ""
    judged = [p for p in packages if p.name not in unlicensed]
    if not judged:
        return _result(CONTENT_VERSION, Verdict.SKIPPED, f"no licensed content to judge; {skipped}")
    tail = f"; {skipped}" if skipped else ""
    stale = [p for p in judged if p.updated is None or (today - p.updated).days > max_age_days]
    if stale:
        listed = ", ".join(
            f"{p.name} {p.version} of {p.updated} ({(today - p.updated).days} days old, limit {max_age_days})"
            if p.updated
            else f"{p.name} {p.version} (no update date)"
            for p in stale
        )
        return _result(CONTENT_VERSION, Verdict.FAIL, f"stale content: {listed}{tail}")
    listed = ", ".join(f"{p.name} {p.version}" for p in judged)
    return _result(CONTENT_VERSION, Verdict.PASS, f"content updated within {max_age_days} days: {listed}{tail}")


# --- licences ----------------------------------------------------------------------------------------------


def is_support(feature: str) -> bool:
    """Whether a licence feature is a support contract.

    >>> is_support("Premium"), is_support("Threat Prevention")
    (True, False)
    """
    name = feature.strip().lower()
    return name in SUPPORT_FEATURES or "support" in name


def check_licenses(
    licenses: Sequence[License], today: date, warn_days: int = LICENSE_WARN_DAYS, support_listed: bool = True
) -> CheckResult:
    """FAIL when no support licence is valid (none listed, or all expired). WARN when another licence has
    expired, or any licence expires within `warn_days` days. A licence is expired when the device says so or
    its expiry date is before `today`.

    With `support_listed` False (the OS lists its service contracts, not the support contract itself)
    every licence stands for support: FAIL when all have expired, WARN when none is listed.

    >>> lapsed = License("Attack Definitions", "", date(2026, 1, 1), False)
    >>> check_licenses([lapsed], date(2026, 2, 1), support_listed=False).reason
    'every licence expired: Attack Definitions expired 2026-01-01'
    """

    def expired(lic: License) -> bool:
        return lic.expired or (lic.expires is not None and lic.expires < today)

    support = [lic for lic in licenses if is_support(lic.feature)] if support_listed else list(licenses)
    if not support:
        if not support_listed:
            return _result(LICENSES, Verdict.WARN, "no licence with an expiry date listed; check support by hand")
        return _result(LICENSES, Verdict.FAIL, "no support licence installed")
    if all(expired(lic) for lic in support):
        dates = ", ".join(f"{lic.feature} expired {lic.expires or '(no date)'}" for lic in support)
        what = "support expired" if support_listed else "every licence expired"
        return _result(LICENSES, Verdict.FAIL, f"{what}: {dates}")
    warnings = [f"{lic.feature} expired {lic.expires or ''}".rstrip() for lic in licenses if expired(lic)]
    soon = [
        f"{lic.feature} expires {lic.expires} (in {(lic.expires - today).days} days)"
        for lic in licenses
        if not expired(lic) and lic.expires is not None and (lic.expires - today).days <= warn_days
    ]
    if warnings or soon:
        return _result(LICENSES, Verdict.WARN, "; ".join(warnings + soon))
    included = ", support included" if support_listed else ""
    return _result(LICENSES, Verdict.PASS, f"{len(licenses)} licences valid{included}")


# --- NTP, management plane, environmentals ----------------------------------------------------------------


def check_ntp(ntp: NtpStatus) -> CheckResult:
    """FAIL when the clock is not synchronised to an NTP server; WARN when no server is configured.

    >>> check_ntp(NtpStatus(True, "10.0.0.1")).reason
    'synchronised to 10.0.0.1'
    """
    if ntp.synced:
        return _result(NTP_SYNC, Verdict.PASS, f"synchronised to {ntp.synced_to or 'an NTP server'}")
    if not ntp.servers:
        return _result(NTP_SYNC, Verdict.WARN, "no NTP server configured; the clock runs free")
    states = ", ".join(f"{server.address} {server.status}" for server in ntp.servers)
    return _result(NTP_SYNC, Verdict.FAIL, f"not synchronised, using the local clock ({states})")


def check_mgmt_resources(
    resources: Resources, cpu_max_pct: float = MGMT_CPU_MAX_PCT, mem_max_pct: float = MGMT_MEM_MAX_PCT
) -> CheckResult:
    """FAIL when management-plane CPU or memory use is above its threshold (80 % and 90 % by default).

    When the CPU figure is not a current reading (`Resources.cpu_basis`, e.g. an average since boot) it is
    still judged, and the reason says what it is: a low average does not show the plane is idle now.

    >>> check_mgmt_resources(Resources(85.0, 40.0, 16000.0, (1.0, 1.0, 1.0))).reason
    'management CPU 85.0% > 80%'
    >>> check_mgmt_resources(Resources(5.0, 40.0, 16000.0, (1.0, 1.0, 1.0), "average since boot")).reason
    'management CPU 5.0% (average since boot), memory 40.0% (limits 80%, 90%)'
    """
    basis = f" ({resources.cpu_basis})" if resources.cpu_basis else ""
    problems = []
    if resources.cpu_pct > cpu_max_pct:
        problems.append(f"management CPU {resources.cpu_pct:.1f}% > {cpu_max_pct:g}%{basis}")
    if resources.mem_pct > mem_max_pct:
        problems.append(f"management memory {resources.mem_pct:.1f}% > {mem_max_pct:g}%")
    if problems:
        return _result(MGMT_RESOURCES, Verdict.FAIL, "; ".join(problems))
    return _result(
        MGMT_RESOURCES,
        Verdict.PASS,
        f"management CPU {resources.cpu_pct:.1f}%{basis}, memory {resources.mem_pct:.1f}% (limits {cpu_max_pct:g}%, "
        f"{mem_max_pct:g}%)",
    )


def check_environmentals(sensors: Collection[Sensor]) -> CheckResult:
    """FAIL when any fan, power supply, power rail or thermal sensor is in alarm, naming each.

    >>> check_environmentals([Sensor("Fan Speed", "1", "Fan #1 RPM", True, "0")]).reason
    'alarm: Fan Speed: Fan #1 RPM (0)'
    """
    if not sensors:
        return _result(ENVIRONMENTALS, Verdict.SKIPPED, "no environmental readings (virtual firewall?)")
    alarms = [s for s in sensors if s.alarm]
    if alarms:
        listed = ", ".join(f"{s.section}: {s.description}" + (f" ({s.value})" if s.value else "") for s in alarms)
        return _result(ENVIRONMENTALS, Verdict.FAIL, f"alarm: {listed}")
    return _result(ENVIRONMENTALS, Verdict.PASS, f"{len(sensors)} readings, no alarm")
