"""What the pre-upgrade readiness checks read from a device, typed; the platforms build it, the checks judge it.

A platform's readiness capability reads its command outputs into one `ReadinessState`. A field the OS has no
such thing for (FortiOS has no candidate configuration, no job queue) is `Unsupported(reason)`, which the
check reports as SKIPPED with that reason. Something the OS has but did not print (the filesystem images
are stored on, missing from the disk table) is `NotReported(reason)`, which the check reports as ERROR; so
is a field whose command failed or printed what the platform cannot read (each field is read on its own,
so one bad output spoils no other field: `tasks.platforms.base.reading`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tasks.models import Unsupported

NOT_READ = "not read on this platform yet"
_NOT_READ = Unsupported(NOT_READ)


@dataclass(frozen=True)
class NotReported:
    """Something the device should have printed and did not; the check reports ERROR with `reason`.

    >>> NotReported("/data not in the disk-space output").reason
    '/data not in the disk-space output'
    """

    reason: str


@dataclass(frozen=True)
class DiskUsage:
    """One mounted filesystem of a `df -h`-style table, sizes in MB."""

    mount: str
    filesystem: str
    size_mb: float
    used_mb: float
    avail_mb: float
    use_pct: int


@dataclass(frozen=True)
class SoftwareImage:
    """One software image the device knows of (`request system software info`)."""

    version: str
    size_mb: int
    released: str
    downloaded: bool
    current: bool


@dataclass(frozen=True)
class Job:
    """One job of the device's job list."""

    id: int
    type: str
    status: str  # ACT, PEND, FIN
    result: str  # OK, FAIL, PEND
    enqueued: str = ""
    completed: str = ""


@dataclass(frozen=True)
class License:
    """One licence entry; `expires` None means Never."""

    feature: str
    description: str
    expires: date | None
    expired: bool


@dataclass(frozen=True)
class NtpServer:
    """One configured NTP server and what the device thinks of it."""

    address: str
    status: str  # synched, available, rejected, ...
    reachable: bool


@dataclass(frozen=True)
class NtpStatus:
    """Whether the clock is synchronised, to which server, and the configured servers."""

    synced: bool
    synced_to: str | None
    servers: tuple[NtpServer, ...] = ()


@dataclass(frozen=True)
class Resources:
    """Management-plane load from a `top` snapshot: CPU busy and memory used, in percent.

    `cpu_basis` is empty when `cpu_pct` is a current reading; otherwise it says what the figure is instead
    (an average since boot), and the check's reason repeats it.
    """

    cpu_pct: float
    mem_pct: float
    mem_total_mb: float
    load_average: tuple[float, float, float]
    cpu_basis: str = ""


@dataclass(frozen=True)
class Sensor:
    """One environmental reading: its section (Thermal, Fan Speed, Power, Power Supplies), alarm and value."""

    section: str
    slot: str
    description: str
    alarm: bool
    value: str = ""


@dataclass(frozen=True)
class HaStatus:
    """HA membership as `show high-availability all` reports it (None when not printed)."""

    enabled: bool
    mode: str | None = None
    local_state: str | None = None
    peer_state: str | None = None
    peer_connection: str | None = None
    state_sync: str | None = None
    config_sync: str | None = None  # "synchronized" / "not synchronized"
    local_version: str | None = None
    peer_version: str | None = None
    software_compatibility: str | None = None  # "Match" / "Mismatch"
    # Pairs of (lower-cased) member states this OS calls a healthy pair, besides the common ones the check
    # knows (active/passive, active-primary/active-secondary): the platform parser sets its own.
    healthy_pairs: tuple[frozenset[str], ...] = ()


@dataclass(frozen=True)
class ContentPackage:
    """One content package (FortiGuard definitions): its name, version and when it was last updated.

    `licence` names the service contract that entitles its updates when the OS says which (None: not said);
    `licence_expires` is that contract's expiry, None when the OS lists the service without one (no contract).
    A package whose contract is missing or expired is not expected to be updated, so its age is not judged.
    """

    name: str
    version: str
    updated: date | None
    licence: str | None = None
    licence_expires: date | None = None


@dataclass(frozen=True)
class Content:
    """Content (threat/application signatures): one release number judged against a minimum (PAN-OS Apps &
    Threats), and/or dated databases judged by their age (FortiGuard)."""

    version: str | None = None
    packages: tuple[ContentPackage, ...] = ()
    by_age: bool = False  # True: no minimum is published, the packages are judged by their age


@dataclass(frozen=True)
class Licences:
    """The licences the device lists; `support_listed` False when the list holds service contracts but not
    the support contract itself (FortiOS), so that every entry stands for support."""

    licenses: tuple[License, ...]
    support_listed: bool = True


@dataclass(frozen=True)
class ReadinessState:
    """Everything the readiness checks judge on one device; each field the value, `NotReported(reason)` or
    `Unsupported(reason)`.

    `disk` is the filesystem software images are downloaded to (its `mount` says which); `images` the
    software images the device lists, so images already downloaded are not counted again.
    """

    disk: DiskUsage | NotReported | Unsupported = _NOT_READ
    images: tuple[SoftwareImage, ...] = ()
    ha: HaStatus | NotReported | Unsupported = _NOT_READ
    pending_changes: bool | NotReported | Unsupported = _NOT_READ
    jobs: tuple[Job, ...] | NotReported | Unsupported = _NOT_READ
    content: Content | NotReported | Unsupported = _NOT_READ
    licences: Licences | NotReported | Unsupported = _NOT_READ
    ntp: NtpStatus | NotReported | Unsupported = _NOT_READ
    resources: Resources | NotReported | Unsupported = _NOT_READ
    sensors: tuple[Sensor, ...] | NotReported | Unsupported = _NOT_READ
