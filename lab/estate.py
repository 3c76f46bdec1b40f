"""Load and validate an estate file (customers → sites → devices) into frozen dataclasses.

Every error is one line naming the file and the path of the bad field, e.g.
``lab/estates/x.yaml: customers.acme.sites.lon1.devices[3].platform: unknown platform 'foo' (...)``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from lab import personalities

DEFAULT_USERNAME = "admin"
DEFAULT_PASSWORD = "estate-lab-pw"
DEFAULT_ROLE = "firewall"
FAULTS = ("auth_fail", "refuse", "hang", "drop", "garbage", "slow")
HA_STATES = ("active", "passive")

_TOP_KEYS = {"customers", "credentials", "defaults"}
_DEVICE_REQUIRED = ("name", "platform", "model", "version")
_DEVICE_OPTIONAL = {"role", "serial", "ha", "optics", "faults", "latency_ms", "state"}
_OPTIC_REQUIRED = ("port", "type", "vendor", "part")


class EstateError(ValueError):
    """An invalid estate file; the message is one line: ``file: path: problem``."""


@dataclass(frozen=True)
class Optic:
    """One transceiver in one port, as its EEPROM reports it."""

    port: str
    type: str
    vendor: str
    part: str
    serial: str


@dataclass(frozen=True)
class Ha:
    """HA membership: the peer's name and this device's state (active/passive)."""

    peer: str
    state: str


JOB_STATUSES = ("ACT", "PEND", "FIN")
JOB_RESULTS = ("OK", "FAIL", "PEND")
HA_SYNC = ("synchronized", "not synchronized")
_STATE_KEYS = {
    "pending_changes",
    "jobs",
    "app_version",
    "licenses",
    "ntp_synced",
    "mgmt_cpu_pct",
    "mgmt_mem_pct",
    "disk_free_mb",
    "environment",
    "ha_sync",
    "peer_version",
    "images",
}
_ENVIRONMENT_KEYS = ("fan_failed", "psu_failed", "temp_alarm")
_APP_VERSION_RE = re.compile(r"^\d+-\d+$")
_VERSION_RE = re.compile(r"^\d+\.\d+\.\d+(?:-h\d+)?$")


@dataclass(frozen=True)
class Job:
    """A job in the device's job list (`show jobs all`): type (Downld, Install, Commit, ...), status, result."""

    type: str
    status: str = "FIN"
    result: str = "OK"


@dataclass(frozen=True)
class License:
    """A licence: its feature name and when it expires (``expires`` None and no ``expires_in_days`` = Never).

    ``expires_in_days`` is relative to the device's clock date, so an estate file keeps meaning "expires in
    10 days" whenever the lab runs; negative values are already expired.
    """

    feature: str
    expires: date | None = None
    expires_in_days: int | None = None

    def expiry(self, today: date) -> date | None:
        """The expiry date as of ``today`` (None = Never).

        >>> License("Premium", expires_in_days=-1).expiry(date(2025, 1, 10))
        datetime.date(2025, 1, 9)
        """
        if self.expires_in_days is not None:
            return today + timedelta(days=self.expires_in_days)
        return self.expires


@dataclass(frozen=True)
class Environment:
    """Environmental alarms: a failed fan, a failed power supply, a temperature alarm."""

    fan_failed: bool = False
    psu_failed: bool = False
    temp_alarm: bool = False


@dataclass(frozen=True)
class DeviceState:
    """What the pre-upgrade readiness checks read; every default describes a healthy device.

    None means "the lab chooses a healthy value" (content version, licences, CPU, memory, free disk).
    """

    pending_changes: bool = False
    jobs: tuple[Job, ...] = ()
    app_version: str | None = None
    licenses: tuple[License, ...] | None = None
    ntp_synced: bool = True
    mgmt_cpu_pct: float | None = None
    mgmt_mem_pct: float | None = None
    disk_free_mb: int | None = None  # free space on /opt/panrepo
    environment: Environment = Environment()
    ha_sync: str = "synchronized"
    peer_version: str | None = None  # the peer's version as this device reports it (an HA mismatch)
    images: tuple[str, ...] = ()  # software versions downloaded, besides the running one


@dataclass(frozen=True)
class Device:
    """One simulated device."""

    name: str
    platform: str
    model: str
    version: str
    customer: str
    site: str
    role: str = DEFAULT_ROLE
    serial: str = ""
    ha: Ha | None = None
    optics: tuple[Optic, ...] = ()
    faults: frozenset[str] = frozenset()
    latency_ms: int = 0
    state: DeviceState = DeviceState()


@dataclass(frozen=True)
class Estate:
    """A validated estate: devices in file order, and the lab credentials."""

    path: Path
    devices: tuple[Device, ...]
    username: str = DEFAULT_USERNAME
    password: str = field(default=DEFAULT_PASSWORD, repr=False)

    def device(self, name: str) -> Device:
        """The device called ``name`` (``KeyError`` if absent)."""
        for device in self.devices:
            if device.name == name:
                return device
        raise KeyError(name)


class _Bad(Exception):
    """Internal: a problem at a path inside the file."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)


def serial_for(name: str) -> str:
    """A deterministic PAN-like 12-digit serial derived from a device name.

    >>> serial_for("acme-lon1-fw01") == serial_for("acme-lon1-fw01")
    True
    >>> len(serial_for("x")), serial_for("x").isdigit()
    (12, True)
    """
    digest = int(hashlib.sha256(name.encode()).hexdigest(), 16)
    return f"01{digest % 10**10:010d}"


def optic_serial_for(device: str, port: str) -> str:
    """A deterministic vendor-style optic serial (letters and digits) for a port of a device."""
    digest = hashlib.sha256(f"{device}/{port}".encode()).hexdigest().upper()
    return "A" + digest[:9]


def load(path: Path) -> Estate:
    """Read and validate ``path``; raise ``EstateError`` with one line naming file and field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EstateError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise EstateError(f"{path}: {where}invalid YAML: {getattr(exc, 'problem', exc)}") from None
    try:
        return _estate(path, raw)
    except _Bad as exc:
        raise EstateError(f"{path}: {exc}") from None


def _estate(path: Path, raw: Any) -> Estate:
    top = _mapping(raw, "")
    _no_unknown_keys(top, _TOP_KEYS, "")
    username, password = _credentials(top.get("credentials"))
    default_latency = _defaults(top.get("defaults"))
    devices = _customers(top.get("customers"), default_latency)
    _check_unique(devices)
    _check_ha(devices)
    return Estate(path=path, devices=tuple(d for d, _ in devices), username=username, password=password)


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _Bad(path or "top level", f"must be a mapping, got {_kind(value)}")
    for key in value:
        if not isinstance(key, str):
            raise _Bad(path or "top level", f"key {key!r} must be a string")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise _Bad(path, f"must be a list, got {_kind(value)}")
    return value


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        hint = " (quote it)" if isinstance(value, int | float) and not isinstance(value, bool) else ""
        raise _Bad(path, f"must be a string, got {_kind(value)}{hint}")
    text = value.strip()
    if not text:
        raise _Bad(path, "must not be empty")
    return text


def _kind(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _no_unknown_keys(value: Mapping[str, Any], allowed: set[str], path: str) -> None:
    for key in value:
        if key not in allowed:
            raise _Bad(_join(path, key), f"unknown field (allowed: {', '.join(sorted(allowed))})")


def _credentials(raw: Any) -> tuple[str, str]:
    if raw is None:
        return DEFAULT_USERNAME, DEFAULT_PASSWORD
    creds = _mapping(raw, "credentials")
    _no_unknown_keys(creds, {"username", "password"}, "credentials")
    username = _string(creds.get("username", DEFAULT_USERNAME), "credentials.username")
    password = _string(creds.get("password", DEFAULT_PASSWORD), "credentials.password")
    return username, password


def _defaults(raw: Any) -> int:
    if raw is None:
        return 0
    defaults = _mapping(raw, "defaults")
    _no_unknown_keys(defaults, {"latency_ms"}, "defaults")
    return _latency(defaults.get("latency_ms", 0), "defaults.latency_ms")


def _latency(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise _Bad(path, f"must be a number of milliseconds >= 0, got {value!r}")
    return int(value)


def _customers(raw: Any, default_latency: int) -> list[tuple[Device, str]]:
    if raw is None:
        raise _Bad("customers", "required")
    customers = _mapping(raw, "customers")
    if not customers:
        raise _Bad("customers", "must list at least one customer")
    devices: list[tuple[Device, str]] = []
    for customer, body in customers.items():
        cpath = f"customers.{customer}"
        cbody = _mapping(body, cpath)
        _no_unknown_keys(cbody, {"sites"}, cpath)
        sites = _mapping(cbody.get("sites"), f"{cpath}.sites")
        for site, sbody in sites.items():
            spath = f"{cpath}.sites.{site}"
            sdict = _mapping(sbody, spath)
            _no_unknown_keys(sdict, {"devices"}, spath)
            for i, raw_device in enumerate(_list(sdict.get("devices"), f"{spath}.devices")):
                dpath = f"{spath}.devices[{i}]"
                devices.append((_device(raw_device, dpath, customer, site, default_latency), dpath))
    return devices


def _device(raw: Any, path: str, customer: str, site: str, default_latency: int) -> Device:
    body = _mapping(raw, path)
    _no_unknown_keys(body, set(_DEVICE_REQUIRED) | _DEVICE_OPTIONAL, path)
    for key in _DEVICE_REQUIRED:
        if key not in body:
            raise _Bad(_join(path, key), "required")
    name = _string(body["name"], f"{path}.name")
    platform = _string(body["platform"], f"{path}.platform")
    try:
        personality = personalities.get(platform)
    except KeyError as exc:
        raise _Bad(f"{path}.platform", str(exc.args[0])) from None
    device = Device(
        name=name,
        platform=platform,
        model=_string(body["model"], f"{path}.model"),
        version=_string(body["version"], f"{path}.version"),
        customer=customer,
        site=site,
        role=_string(body.get("role", DEFAULT_ROLE), f"{path}.role"),
        serial=_string(body["serial"], f"{path}.serial") if "serial" in body else serial_for(name),
        ha=_ha(body.get("ha"), f"{path}.ha"),
        optics=_optics(body.get("optics"), f"{path}.optics", name),
        faults=_faults(body.get("faults"), f"{path}.faults"),
        latency_ms=_latency(body.get("latency_ms", default_latency), f"{path}.latency_ms"),
        state=_state(body.get("state"), f"{path}.state"),
    )
    for where, message in personality.validate_device(device):
        raise _Bad(_join(path, where), message)
    return device


def _ha(raw: Any, path: str) -> Ha | None:
    if raw is None:
        return None
    body = _mapping(raw, path)
    _no_unknown_keys(body, {"peer", "state"}, path)
    for key in ("peer", "state"):
        if key not in body:
            raise _Bad(f"{path}.{key}", "required")
    state = _string(body["state"], f"{path}.state")
    if state not in HA_STATES:
        raise _Bad(f"{path}.state", f"unknown HA state {state!r} (supported: {', '.join(HA_STATES)})")
    return Ha(peer=_string(body["peer"], f"{path}.peer"), state=state)


def _optics(raw: Any, path: str, device: str) -> tuple[Optic, ...]:
    if raw is None:
        return ()
    optics: list[Optic] = []
    seen: set[str] = set()
    for i, item in enumerate(_list(raw, path)):
        opath = f"{path}[{i}]"
        body = _mapping(item, opath)
        _no_unknown_keys(body, {*_OPTIC_REQUIRED, "serial"}, opath)
        for key in _OPTIC_REQUIRED:
            if key not in body:
                raise _Bad(f"{opath}.{key}", "required")
        port = _string(body["port"], f"{opath}.port")
        if port in seen:
            raise _Bad(f"{opath}.port", f"port {port!r} listed twice")
        seen.add(port)
        serial = _string(body["serial"], f"{opath}.serial") if "serial" in body else None
        optics.append(
            Optic(
                port=port,
                type=_string(body["type"], f"{opath}.type"),
                vendor=_string(body["vendor"], f"{opath}.vendor"),
                part=_string(body["part"], f"{opath}.part"),
                serial=serial or optic_serial_for(device, port),
            )
        )
    return tuple(optics)


def _faults(raw: Any, path: str) -> frozenset[str]:
    if raw is None:
        return frozenset()
    faults: set[str] = set()
    for i, item in enumerate(_list(raw, path)):
        fault = _string(item, f"{path}[{i}]")
        if fault not in FAULTS:
            raise _Bad(f"{path}[{i}]", f"unknown fault {fault!r} (supported: {', '.join(FAULTS)})")
        faults.add(fault)
    return frozenset(faults)


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise _Bad(path, f"must be true or false, got {value!r}")
    return value


def _number(value: Any, path: str, low: float, high: float | None = None) -> float:
    bad = isinstance(value, bool) or not isinstance(value, int | float)
    if bad or value < low or (high is not None and value > high):
        bounds = f"between {low:g} and {high:g}" if high is not None else f">= {low:g}"
        raise _Bad(path, f"must be a number {bounds}, got {value!r}")
    return float(value)


def _choice(value: Any, path: str, choices: tuple[str, ...], what: str) -> str:
    text = _string(value, path)
    if text not in choices:
        raise _Bad(path, f"unknown {what} {text!r} (supported: {', '.join(choices)})")
    return text


def _state(raw: Any, path: str) -> DeviceState:
    if raw is None:
        return DeviceState()
    body = _mapping(raw, path)
    _no_unknown_keys(body, _STATE_KEYS, path)
    values: dict[str, Any] = {}
    for key in ("pending_changes", "ntp_synced"):
        if key in body:
            values[key] = _bool(body[key], f"{path}.{key}")
    for key in ("mgmt_cpu_pct", "mgmt_mem_pct"):
        if key in body:
            values[key] = _number(body[key], f"{path}.{key}", 0, 100)
    if "disk_free_mb" in body:
        values["disk_free_mb"] = int(_number(body["disk_free_mb"], f"{path}.disk_free_mb", 0))
    if "app_version" in body:
        app = _string(body["app_version"], f"{path}.app_version")
        if not _APP_VERSION_RE.match(app):
            raise _Bad(f"{path}.app_version", f"must look like '8635-7675', got {app!r}")
        values["app_version"] = app
    if "ha_sync" in body:
        values["ha_sync"] = _choice(body["ha_sync"], f"{path}.ha_sync", HA_SYNC, "HA sync state")
    if "peer_version" in body:
        values["peer_version"] = _version(body["peer_version"], f"{path}.peer_version")
    if "images" in body:
        images = _list(body["images"], f"{path}.images")
        values["images"] = tuple(_version(v, f"{path}.images[{i}]") for i, v in enumerate(images))
    if "jobs" in body:
        values["jobs"] = _jobs(body["jobs"], f"{path}.jobs")
    if "licenses" in body:
        values["licenses"] = _licenses(body["licenses"], f"{path}.licenses")
    if "environment" in body:
        values["environment"] = _environment(body["environment"], f"{path}.environment")
    return DeviceState(**values)


def _version(value: Any, path: str) -> str:
    text = _string(value, path)
    if not _VERSION_RE.match(text):
        raise _Bad(path, f"must be a PAN-OS version like '10.2.4-h4', got {text!r}")
    return text


def _jobs(raw: Any, path: str) -> tuple[Job, ...]:
    jobs: list[Job] = []
    for i, item in enumerate(_list(raw, path)):
        jpath = f"{path}[{i}]"
        body = _mapping(item, jpath)
        _no_unknown_keys(body, {"type", "status", "result"}, jpath)
        if "type" not in body:
            raise _Bad(f"{jpath}.type", "required")
        kind = _string(body["type"], f"{jpath}.type")
        if not kind.isalnum():
            raise _Bad(f"{jpath}.type", f"must be one word like Downld or Install, got {kind!r}")
        status = _choice(body.get("status", "FIN"), f"{jpath}.status", JOB_STATUSES, "job status")
        default_result = "OK" if status == "FIN" else "PEND"
        result = _choice(body.get("result", default_result), f"{jpath}.result", JOB_RESULTS, "job result")
        jobs.append(Job(type=kind, status=status, result=result))
    return tuple(jobs)


def _licenses(raw: Any, path: str) -> tuple[License, ...]:
    licenses: list[License] = []
    for i, item in enumerate(_list(raw, path)):
        lpath = f"{path}[{i}]"
        body = _mapping(item, lpath)
        _no_unknown_keys(body, {"feature", "expires", "expires_in_days"}, lpath)
        if "feature" not in body:
            raise _Bad(f"{lpath}.feature", "required")
        feature = _string(body["feature"], f"{lpath}.feature")
        if "expires" in body and "expires_in_days" in body:
            raise _Bad(f"{lpath}.expires_in_days", "give either expires or expires_in_days, not both")
        if "expires_in_days" in body:
            days = body["expires_in_days"]
            if isinstance(days, bool) or not isinstance(days, int):
                raise _Bad(f"{lpath}.expires_in_days", f"must be a whole number of days, got {days!r}")
            licenses.append(License(feature=feature, expires_in_days=days))
            continue
        licenses.append(License(feature=feature, expires=_expiry(body.get("expires", "Never"), f"{lpath}.expires")))
    return tuple(licenses)


def _expiry(value: Any, path: str) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip().lower() == "never":
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _Bad(path, f"must be a date (YYYY-MM-DD) or Never, got {value!r}")


def _environment(raw: Any, path: str) -> Environment:
    body = _mapping(raw, path)
    _no_unknown_keys(body, set(_ENVIRONMENT_KEYS), path)
    return Environment(**{key: _bool(body[key], f"{path}.{key}") for key in _ENVIRONMENT_KEYS if key in body})


def _check_unique(devices: list[tuple[Device, str]]) -> None:
    first: dict[str, str] = {}
    for device, path in devices:
        if device.name in first:
            where = first[device.name]
            raise _Bad(f"{path}.name", f"duplicate device name {device.name!r} (first at {where})")
        first[device.name] = path


def _check_ha(devices: list[tuple[Device, str]]) -> None:
    by_name = {device.name: device for device, _ in devices}
    for device, path in devices:
        if device.ha is None:
            continue
        peer = by_name.get(device.ha.peer)
        if peer is None or device.ha.peer == device.name:
            raise _Bad(f"{path}.ha.peer", f"peer {device.ha.peer!r} is not another device of the estate")
        if peer.ha is None or peer.ha.peer != device.name:
            raise _Bad(f"{path}.ha.peer", f"peer {peer.name!r} does not name {device.name!r} as its peer")
        if peer.ha.state == device.ha.state:
            raise _Bad(f"{path}.ha.state", f"both peers are {device.ha.state!r}; one must be active")
