"""What changes on a simulated device while the lab runs: version, images, jobs, reboots, HA state, optics, faults.

The estate file's ``Device`` is frozen; a ``DeviceRuntime`` starts from it and changes through the device's own
commands (download, install, restart, HA suspend) and through ``estate lab ctl`` (replace or pull optics, link
down, injected faults). It is pure: the clock is passed in (``now``), the listener side (closing and reopening
the port) is the server's, told through ``on_reboot``. ``current()`` is the estate ``Device`` as it is now, so
every shell handler reads the changed facts without knowing about the runtime.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import Enum

from lab.estate import Device, Ha, Job, Optic, optic_serial_for

OEM_VENDOR = "OEM"
# The PAN-OS release from which a non-OEM optic stops the boot (the story's boot loop): 10.2.0 and later.
BOOT_LOOP_FROM = (10, 2, 0)
DOWNLOAD_S = 1.5  # how long a download job stays ACT
INSTALL_S = 1.5  # how long an install job stays ACT
AUTOCOM_S = 2.0  # after a boot: chassis-ready `no` and AutoCom ACT for this long
DISK_FULL_MB = 40  # /opt/panrepo free space under the disk_full fault
FAULT_KINDS = ("download_fail", "install_fail", "reboot_hang", "disk_full")
_ONE_SHOT = frozenset({"download_fail", "install_fail", "reboot_hang"})


def edit_lines(text: str, add: list[str], remove: list[str]) -> str:
    """A running configuration with the lines matching a `remove` regex taken out and the `add` lines put before
    its last non-blank line (the closing brace or `end`), blank lines after it kept.

    >>> edit_lines("hostname a\\nntp server 1\\nend\\n", ["ntp server 2"], ["^ntp server 1"])
    'hostname a\\nntp server 2\\nend\\n'
    """
    if not add and not remove:
        return text
    patterns = [re.compile(p) for p in remove]
    lines = [line for line in text.split("\n") if not any(p.search(line) for p in patterns)]
    last = max((i for i, line in enumerate(lines) if line.strip()), default=len(lines))
    return "\n".join([*lines[:last], *add, *lines[last:]])


class Refused(ValueError):
    """A request the device refuses (the message is what the CLI prints)."""


class State(str, Enum):
    """What ``estate lab status --json`` reports as ``state``."""

    UP = "up"
    REBOOTING = "rebooting"
    BOOT_LOOP = "boot-loop"
    DOWN = "down"


@dataclass
class RunJob:
    """A job the device runs now: ACT until ``enqueued + duration``, then FIN with ``result``."""

    ident: int
    type: str
    enqueued: float
    duration: float
    result: str = "OK"
    version: str = ""  # the software version a Downld / SWInstall job is about
    applied: bool = False  # its effect (image downloaded, release installed) happened

    def status(self, now: float) -> str:
        return "FIN" if now >= self.enqueued + self.duration else "ACT"

    def progress(self, now: float) -> int:
        """Percent done while ACT."""
        if self.duration <= 0:
            return 100
        return max(0, min(99, int((now - self.enqueued) / self.duration * 100)))

    def as_job(self, now: float) -> Job:
        status = self.status(now)
        return Job(self.type, status, self.result if status == "FIN" else "PEND")


def version_key(version: str) -> tuple[int, int, int]:
    """The major.feature.maintenance numbers of a PAN-OS version.

    >>> version_key("10.2.4-h4"), version_key("9.1.14")
    ((10, 2, 4), (9, 1, 14))
    """
    numbers = [int(n) for n in re.findall(r"\d+", version.split("-")[0])[:3]]
    if len(numbers) != 3:
        raise ValueError(f"not a PAN-OS version: {version!r}")
    return numbers[0], numbers[1], numbers[2]


def feature_release(version: str) -> str:
    """The feature release a version belongs to.

    >>> feature_release("10.2.4-h4")
    '10.2'
    """
    major, feature, _ = version_key(version)
    return f"{major}.{feature}"


def boots_into_loop(version: str, optics: tuple[Optic, ...] | list[Optic]) -> bool:
    """The story's rule: PAN-OS 10.2.0 or later with any non-OEM optic never finishes booting.

    >>> fs = Optic("ethernet1/5", "10GBASE-LR", "FS", "SFP-10GLR-31", "X")
    >>> boots_into_loop("10.2.0", [fs]), boots_into_loop("10.1.9", [fs]), boots_into_loop("11.1.2", [])
    (True, False, False)
    """
    return version_key(version) >= BOOT_LOOP_FROM and any(optic.vendor != OEM_VENDOR for optic in optics)


@dataclass
class DeviceRuntime:
    """One device's changing state; ``base`` is the estate file's device."""

    base: Device
    reboot_s: float = 5.0
    oem_parts: dict[str, str] = field(default_factory=dict)  # optic type -> the vendor's own part number
    version: str = ""
    images: list[str] = field(default_factory=list)  # downloaded, besides the running version
    installed: str | None = None  # the release the next boot runs (set by a finished install)
    jobs: list[RunJob] = field(default_factory=list)
    next_job: int = 0  # 0 = not chosen yet (the shell picks one after the device's history)
    fresh_boot: bool = False  # rebooted in this lab: the job history starts again at AutoCom id 1
    state: State = State.UP
    up_at: float = 0.0  # when the device comes back (state REBOOTING)
    booted_at: float | None = None  # when the last boot finished (chassis-ready no until + AUTOCOM_S)
    ha_state: str | None = None
    optics: list[Optic] = field(default_factory=list)
    link_down: set[str] = field(default_factory=set)
    faults: set[str] = field(default_factory=set)
    config_add: list[str] = field(default_factory=list)  # lines `lab ctl set-config --add` put in the config
    config_remove: list[str] = field(default_factory=list)  # regexes of lines `--remove` takes out
    # The state-changing requests the device received, in order, refused ones included ("download 10.2.0",
    # "install 10.2.0", "restart", "restore-image 7.4.8", "delete 10.2.0", "ha suspend"): `lab status --json`.
    requests: list[str] = field(default_factory=list)
    # FortiOS `config system console` / `set output more|standard`: a setting of the unit, kept across sessions
    # and reboots (FortiOS's default is `more`; netmiko's session preparation changes it: "console output ...")
    console_output: str = "more"
    # SSH connections and accepted logins since the lab started (`lab status --json`): which devices a run contacted
    connections: int = 0
    logins: int = 0
    host_key: str = ""  # the SHA256 fingerprint of the host key the device serves (set by the server)
    peer: DeviceRuntime | None = None
    on_rekey: Callable[[DeviceRuntime], None] | None = None  # the server serves a new host key (`lab ctl rekey`)
    on_reboot: Callable[[DeviceRuntime], None] | None = None  # the server closes the port, drops sessions
    on_boot: Callable[[DeviceRuntime], None] | None = None  # the server opens the port again
    _cache: Device | None = None

    def __post_init__(self) -> None:
        self.config_add = self.config_add or list(self.base.config_add)
        self.config_remove = self.config_remove or list(self.base.config_remove)
        self.version = self.version or self.base.version
        self.images = self.images or [v for v in self.base.state.images if v != self.version]
        self.ha_state = self.ha_state or (self.base.ha.state if self.base.ha is not None else None)
        self.optics = self.optics or list(self.base.optics)

    # --- what shells read ---------------------------------------------------------------------------------

    def current(self, now: float | None = None) -> Device:
        """The estate device as it is now (version, optics, HA state, images, jobs, disk)."""
        self.tick(time.time() if now is None else now)
        if self._cache is None:
            state = replace(
                self.base.state,
                images=tuple(self.images),
                jobs=() if self.fresh_boot else self.base.state.jobs,
            )
            if "disk_full" in self.faults:
                state = replace(state, disk_free_mb=DISK_FULL_MB)
            ha = Ha(self.base.ha.peer, self.ha_state or self.base.ha.state) if self.base.ha is not None else None
            pulled = tuple(o.port for o in self.base.optics if o.port not in {p.port for p in self.optics})
            self._cache = replace(
                self.base, version=self.version, optics=tuple(self.optics), ha=ha, state=state, pulled_optics=pulled
            )
        return self._cache

    def changed(self) -> None:
        self._cache = None

    def link_down_ports(self) -> frozenset[str]:
        return frozenset(self.link_down)

    def chassis_ready(self, now: float) -> bool:
        return self.state is State.UP and (self.booted_at is None or now >= self.booted_at + AUTOCOM_S)

    def non_oem_optics(self) -> int:
        return sum(1 for optic in self.optics if optic.vendor != OEM_VENDOR)

    def status(self, now: float | None = None) -> dict[str, object]:
        """One object of ``estate lab status --json``."""
        self.tick(time.time() if now is None else now)
        return {
            "name": self.base.name,
            "platform": self.base.platform,
            "version": self.version,
            "state": self.state.value,
            "ha_state": self.ha_state,
            "non_oem_optics": self.non_oem_optics(),
            "requests": list(self.requests),
            "connections": self.connections,
            "logins": self.logins,
            "host_key": self.host_key,
        }

    def job(self, ident: int) -> RunJob | None:
        return next((job for job in self.jobs if job.ident == ident), None)

    # --- time ---------------------------------------------------------------------------------------------

    def tick(self, now: float) -> None:
        """Apply what time has done: finished jobs take effect; a reboot that is over boots."""
        for job in self.jobs:
            if not job.applied and job.status(now) == "FIN":
                job.applied = True
                self._finish(job)
        if self.state is State.REBOOTING and now >= self.up_at:
            self._boot(now)

    def _finish(self, job: RunJob) -> None:
        if job.result != "OK":
            return
        if job.type == "Downld" and job.version not in self.images and job.version != self.version:
            self.images.append(job.version)
        elif job.type == "SWInstall":
            self.installed = job.version
        self.changed()

    def _boot(self, now: float) -> None:
        if "reboot_hang" in self.faults:
            self.faults.discard("reboot_hang")
            self.state = State.DOWN
            return
        version = self.installed or self.version
        if self.base.platform == "paloalto_panos" and boots_into_loop(version, self.optics):
            self.state = State.BOOT_LOOP
            return
        self.version, self.installed = version, None
        self.state, self.booted_at = State.UP, now
        self.fresh_boot = True
        self.jobs = [RunJob(1, "AutoCom", now, AUTOCOM_S)]
        self.next_job = 2
        self.changed()
        if self.on_boot is not None:
            self.on_boot(self)

    # --- the device's own commands ------------------------------------------------------------------------

    def _new_job(self, kind: str, now: float, duration: float, result: str, version: str) -> RunJob:
        job = RunJob(self.next_job, kind, now, duration, result, version)
        self.next_job += 1
        self.jobs.append(job)
        return job

    def download(self, version: str, now: float) -> RunJob:
        """Start a download job (FAIL under ``download_fail`` once, or ``disk_full``)."""
        self.requests.append(f"download {version}")
        self.tick(now)
        if any(j.type == "Downld" and j.status(now) == "ACT" for j in self.jobs):
            raise Refused("Server error : Another download is in progress")
        fail = "download_fail" in self.faults or "disk_full" in self.faults
        self.faults.discard("download_fail")
        return self._new_job("Downld", now, DOWNLOAD_S, "FAIL" if fail else "OK", version)

    def install_problem(self, version: str, now: float) -> str | None:
        """Why ``install version`` is refused now, or None."""
        self.tick(now)
        if version == self.version:
            return f"Server error : {version} is already the running software version"
        if version not in self.images:
            return f"Server error : Image {version} is not downloaded"
        base = f"{feature_release(version)}.0"
        crossing = feature_release(version) != feature_release(self.version)
        if crossing and version != base and base not in self.images:
            return f"Server error : Image {base} (the base image of {feature_release(version)}) is not downloaded"
        if any(j.type in ("SWInstall", "Downld") and j.status(now) == "ACT" for j in self.jobs):
            return "Server error : The software manager is currently in use. Please try again later."
        return None

    def install(self, version: str, now: float) -> RunJob:
        """Start an install job; ``Refused`` when refused (see ``install_problem``)."""
        self.requests.append(f"install {version}")
        problem = self.install_problem(version, now)
        if problem is not None:
            raise Refused(problem)
        fail = "install_fail" in self.faults
        self.faults.discard("install_fail")
        return self._new_job("SWInstall", now, INSTALL_S, "FAIL" if fail else "OK", version)

    def restore_image(self, version: str, now: float) -> None:
        """FortiOS ``execute restore image``: fetch, check, write, reboot into ``version``.

        ``Refused`` (nothing changes) under ``download_fail`` (once), ``disk_full`` or ``install_fail`` (once).
        """
        self.requests.append(f"restore-image {version}")
        self.tick(now)
        if "download_fail" in self.faults or "disk_full" in self.faults:
            self.faults.discard("download_fail")
            raise Refused("Transfer timed out.\nCommand fail. Return code -1")
        if "install_fail" in self.faults:
            self.faults.discard("install_fail")
            raise Refused("Check image error.\nCommand fail. File is not an update file.")
        self.installed = version
        self.restart(now)

    def set_console_output(self, mode: str) -> None:
        """FortiOS `set output standard|more` under `config system console`; a change is a request."""
        if mode != self.console_output:
            self.requests.append(f"console output {mode}")
            self.console_output = mode

    def delete_image(self, version: str) -> None:
        self.requests.append(f"delete {version}")
        if version == self.version:
            raise Refused(f"Server error : Cannot delete the running software version {version}")
        if version not in self.images:
            raise Refused(f"Server error : Image {version} is not on the device")
        self.images.remove(version)
        if self.installed == version:
            self.installed = None
        self.changed()

    def restart(self, now: float) -> None:
        """``request restart system``: away for ``reboot_s``, then boot (or loop, or hang).

        An active HA member fails over: its passive peer becomes active and it comes back passive (preemption
        is not simulated).
        """
        self.requests.append("restart")
        self.state, self.up_at, self.booted_at = State.REBOOTING, now + self.reboot_s, None
        peer = self.peer
        if self.ha_state == "active" and peer is not None and peer.ha_state == "passive" and peer.state is State.UP:
            peer.ha_state, self.ha_state = "active", "passive"
            peer.changed()
        self.changed()
        if self.on_reboot is not None:
            self.on_reboot(self)

    def set_ha(self, wanted: str) -> str:
        """``request high-availability state suspend|functional``; the peer takes over or gives back."""
        self.requests.append(f"ha {wanted}")
        if self.base.ha is None:
            raise Refused("Server error : HA is not enabled")
        peer = self.peer
        if wanted == "suspend":
            was_active = self.ha_state == "active"
            self.ha_state = "suspended"
            if was_active and peer is not None and peer.ha_state == "passive":
                peer.ha_state = "active"
                peer.changed()
        else:
            peer_active = peer is not None and peer.ha_state == "active"
            self.ha_state = "passive" if peer_active else "active"
        self.changed()
        return "suspended" if wanted == "suspend" else "functional"

    # --- estate lab ctl -----------------------------------------------------------------------------------

    def replace_optics(self, now: float) -> int:
        """Swap every non-OEM optic for the vendor's own part (same port and type); a boot-looping device boots."""
        count = 0
        for i, optic in enumerate(self.optics):
            if optic.vendor != OEM_VENDOR:
                part = self.oem_parts.get(optic.type, optic.part)
                serial = optic_serial_for(self.base.name, optic.port + "-oem")
                self.optics[i] = Optic(optic.port, optic.type, OEM_VENDOR, part, serial)
                count += 1
        self.changed()
        if self.state is State.BOOT_LOOP:
            self.state, self.up_at = State.REBOOTING, now + self.reboot_s
            if self.on_reboot is not None:
                self.on_reboot(self)
        return count

    def pull_optic(self, port: str) -> None:
        if not any(optic.port == port for optic in self.optics):
            raise Refused(f"{self.base.name}: no optic in {port}")
        self.optics = [optic for optic in self.optics if optic.port != port]
        self.link_down.add(port)
        self.changed()

    def insert_optic(self, optic: Optic, ports: list[str]) -> None:
        """``lab ctl insert-optic``: an optic put into ``optic.port`` (replacing the one there), link up, as a
        field engineer swapping an optic after the pre-upgrade would leave it."""
        if optic.port not in ports:
            raise Refused(f"{self.base.name}: no port {optic.port}")
        self.optics = [o for o in self.optics if o.port != optic.port] + [optic]
        self.link_down.discard(optic.port)
        self.changed()

    def set_link_down(self, port: str, ports: list[str]) -> None:
        if port not in ports:
            raise Refused(f"{self.base.name}: no port {port}")
        self.link_down.add(port)
        self.changed()

    def set_config(self, add: list[str], remove: list[str]) -> None:
        """``lab ctl set-config``: lines to add to the running configuration and regexes of lines to remove."""
        for pattern in remove:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise Refused(f"bad --remove regex {pattern!r}: {exc}") from None
        self.config_add += add
        self.config_remove += remove
        self.changed()

    def reset_config(self) -> None:
        """``lab ctl reset-config``: the running configuration as the estate file serves it again."""
        self.config_add, self.config_remove = list(self.base.config_add), list(self.base.config_remove)
        self.changed()

    def edit_config(self, text: str) -> str:
        """The running configuration ``text`` with the ``set-config`` changes: matching lines removed, added
        lines before the last line (the closing brace or ``end``).

        >>> d = Device("fw", "x", "m", "1.0.0", "c", "s")
        >>> r = DeviceRuntime(d, config_add=["  set b"], config_remove=["^ *set a"])
        >>> print(r.edit_config("config x\\n  set a\\nend"))
        config x
          set b
        end
        """
        return edit_lines(text, self.config_add, self.config_remove)

    def inject(self, kind: str) -> None:
        if kind not in FAULT_KINDS:
            raise Refused(f"unknown fault {kind!r} (one of {', '.join(FAULT_KINDS)})")
        self.faults.add(kind)
        self.changed()
