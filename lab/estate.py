"""Load and validate an estate file (customers → sites → devices) into frozen dataclasses.

Every error is one line naming the file, the line and the path of the bad field, e.g.
``lab/estates/x.yaml:42: customers.acme.sites.lon1.devices[3].platform: unknown platform 'foo' (...)``.

This module knows no platform: the caller passes a lookup from platform name to its rules (the lab's
personalities, `lab.personalities.get`), and each platform checks its own model, optics, version forms and
which ``state:`` keys it reads. Here only the shape and the types of the shared fields are checked.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

from tasks.yamlfile import FieldPath, YamlError, field_text, read_yaml

DEFAULT_USERNAME = "admin"
DEFAULT_PASSWORD = "estate-lab-pw"
DEFAULT_ROLE = "firewall"
DEFAULT_REBOOT_S = 5.0
FAULTS: tuple[str, ...] = ("auth_fail", "refuse", "hang", "drop", "garbage", "slow")
FAULTS += ("max_sessions", "endless_banner", "hostname_change", "pager", "flap")  # docs/estate-file.md "Faults"
HA_STATES = ("active", "passive")

_TOP_KEYS = {"customers", "credentials", "defaults"}
_DEVICE_REQUIRED = ("name", "platform", "model", "version")
_DEVICE_OPTIONAL = {
    "role",
    "serial",
    "ha",
    "optics",
    "faults",
    "latency_ms",
    "state",
    "refuse_commands",
    "drop_commands",
    "vdoms",
    "reboot_s",
    "config_lines",
}
# Device fields only some platforms read (the platform's rules name them in `device_fields`).
PLATFORM_FIELDS = frozenset({"vdoms"})
_OPTIC_REQUIRED = ("port", "type", "vendor", "part")


class EstateFileError(ValueError):
    """An invalid estate file; the message is one line: ``file:line: field: problem``."""


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
STATE_KEYS = {
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
    "advanced_routing",
}
_ENVIRONMENT_KEYS = ("fan_failed", "psu_failed", "temp_alarm")


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
    disk_free_mb: int | None = None  # free space where the device stores software images
    environment: Environment = Environment()
    ha_sync: str = "synchronized"
    peer_version: str | None = None  # the peer's version as this device reports it (an HA mismatch)
    images: tuple[str, ...] = ()  # software versions downloaded, besides the running one
    advanced_routing: bool = False  # PAN-OS Advanced Routing Engine on (`show system info`: advanced-routing: on)


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
    # Commands the device answers with its OS's error, as to a read-only account that may not run them
    # (`show idprom interface *`: a trailing `*` matches any rest).
    refuse_commands: tuple[str, ...] = ()
    # Commands on which the device cuts the connection (the `drop` fault, at a chosen command).
    drop_commands: tuple[str, ...] = ()
    vdoms: tuple[str, ...] = ()  # FortiGate virtual domains: non-empty = multi-VDOM mode
    reboot_s: float = DEFAULT_REBOOT_S  # seconds a reboot keeps the device away (its port refuses)
    # Ports whose optic was pulled while the lab runs (lab.runtime; never from the estate file): still
    # configured, so the configuration and routes keep them; only link state and transceiver output change.
    pulled_optics: tuple[str, ...] = ()
    # `config_lines: {add: [...], remove: [...]}`: lines added to the served running configuration and regexes
    # of lines taken out of it, as `lab ctl set-config` does while the lab runs (lab.runtime.edit_lines).
    config_add: tuple[str, ...] = ()
    config_remove: tuple[str, ...] = ()


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


class PlatformRules(Protocol):
    """What the estate loader asks of a platform (the lab's ``Personality`` is one)."""

    @property
    def state_keys(self) -> frozenset[str]:
        """The ``state:`` keys the platform reads; any other is an error."""
        ...

    @property
    def validate_device(self) -> Callable[[Device], list[tuple[str, str]]]:
        """Problems with a device as ``(field path relative to the device, message)`` pairs."""
        ...

    @property
    def device_fields(self) -> frozenset[str]:
        """The platform-specific device fields (of ``PLATFORM_FIELDS``) the platform reads; others are errors."""
        ...


Lookup = Callable[[str], PlatformRules]


class _Bad(Exception):
    """Internal: a problem at a field path inside the file."""

    def __init__(self, path: FieldPath, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


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


def load(path: Path, lookup: Lookup) -> Estate:
    """Read and validate ``path``; raise ``EstateFileError``, one line naming file, line and field.

    ``lookup`` gives a platform's rules by name and raises ``KeyError`` (with a message) for an unknown one.
    """
    try:
        doc = read_yaml(path)
    except YamlError as exc:
        raise EstateFileError(str(exc)) from None
    try:
        return _estate(path, doc.data, lookup)
    except _Bad as exc:
        raise EstateFileError(f"{doc.where(exc.path)}: {exc.message}") from None


def _estate(path: Path, raw: Any, lookup: Lookup) -> Estate:
    top = _mapping(raw, ())
    _no_unknown_keys(top, _TOP_KEYS, ())
    username, password = _credentials(top.get("credentials"))
    defaults = _defaults(top.get("defaults"))
    devices = _customers(top.get("customers"), defaults, lookup)
    _check_unique(devices)
    _check_ha(devices)
    return Estate(path=path, devices=tuple(d for d, _ in devices), username=username, password=password)


def relative_path(text: str) -> FieldPath:
    """A field path written as text (``optics[0].port``) as a path.

    >>> relative_path("state.images[1]")
    ('state', 'images', 1)
    """
    parts: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", text):
        parts.append(int(index) if index else name)
    return tuple(parts)


def _mapping(value: Any, path: FieldPath) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _Bad(path, f"must be a mapping, got {_kind(value)}")
    for key in value:
        if not isinstance(key, str):
            raise _Bad(path, f"key {key!r} must be a string")
    return value


def _list(value: Any, path: FieldPath) -> list[Any]:
    if not isinstance(value, list):
        raise _Bad(path, f"must be a list, got {_kind(value)}")
    return value


def _string(value: Any, path: FieldPath) -> str:
    if not isinstance(value, str):
        hint = " (quote it)" if isinstance(value, int | float) and not isinstance(value, bool) else ""
        raise _Bad(path, f"must be a string, got {_kind(value)}{hint}")
    text = value.strip()
    if not text:
        raise _Bad(path, "must not be empty")
    return text


def _kind(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__


def _no_unknown_keys(value: Mapping[str, Any], allowed: set[str] | frozenset[str], path: FieldPath) -> None:
    for key in value:
        if key not in allowed:
            raise _Bad((*path, key), f"unknown field (allowed: {', '.join(sorted(allowed)) or 'none'})")


def _credentials(raw: Any) -> tuple[str, str]:
    if raw is None:
        return DEFAULT_USERNAME, DEFAULT_PASSWORD
    path: FieldPath = ("credentials",)
    creds = _mapping(raw, path)
    _no_unknown_keys(creds, {"username", "password"}, path)
    username = _string(creds.get("username", DEFAULT_USERNAME), (*path, "username"))
    password = _string(creds.get("password", DEFAULT_PASSWORD), (*path, "password"))
    return username, password


@dataclass(frozen=True)
class _Defaults:
    """The estate file's ``defaults:``, for devices that do not set the field."""

    latency_ms: int = 0
    reboot_s: float = DEFAULT_REBOOT_S


def _defaults(raw: Any) -> _Defaults:
    if raw is None:
        return _Defaults()
    defaults = _mapping(raw, ("defaults",))
    _no_unknown_keys(defaults, {"latency_ms", "reboot_s"}, ("defaults",))
    return _Defaults(
        latency_ms=_latency(defaults.get("latency_ms", 0), ("defaults", "latency_ms")),
        reboot_s=_number(defaults.get("reboot_s", DEFAULT_REBOOT_S), ("defaults", "reboot_s"), 0, 3600),
    )


def _latency(value: Any, path: FieldPath) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise _Bad(path, f"must be a number of milliseconds >= 0, got {value!r}")
    return int(value)


def _customers(raw: Any, defaults: _Defaults, lookup: Lookup) -> list[tuple[Device, FieldPath]]:
    if raw is None:
        raise _Bad(("customers",), "required")
    customers = _mapping(raw, ("customers",))
    if not customers:
        raise _Bad(("customers",), "must list at least one customer")
    devices: list[tuple[Device, FieldPath]] = []
    for customer, body in customers.items():
        cpath: FieldPath = ("customers", customer)
        cbody = _mapping(body, cpath)
        _no_unknown_keys(cbody, {"sites"}, cpath)
        sites = _mapping(cbody.get("sites"), (*cpath, "sites"))
        for site, sbody in sites.items():
            spath: FieldPath = (*cpath, "sites", site)
            sdict = _mapping(sbody, spath)
            _no_unknown_keys(sdict, {"devices"}, spath)
            for i, raw_device in enumerate(_list(sdict.get("devices"), (*spath, "devices"))):
                dpath: FieldPath = (*spath, "devices", i)
                devices.append((_device(raw_device, dpath, customer, site, defaults, lookup), dpath))
    return devices


def _device(raw: Any, path: FieldPath, customer: str, site: str, defaults: _Defaults, lookup: Lookup) -> Device:
    body = _mapping(raw, path)
    _no_unknown_keys(body, set(_DEVICE_REQUIRED) | _DEVICE_OPTIONAL, path)
    for key in _DEVICE_REQUIRED:
        if key not in body:
            raise _Bad((*path, key), "required")
    name = _string(body["name"], (*path, "name"))
    platform = _string(body["platform"], (*path, "platform"))
    try:
        rules = lookup(platform)
    except KeyError as exc:
        raise _Bad((*path, "platform"), str(exc.args[0])) from None
    for key in sorted(PLATFORM_FIELDS & set(body) - rules.device_fields):
        raise _Bad((*path, key), f"unknown field for {platform} (only some platforms read it)")
    device = Device(
        name=name,
        platform=platform,
        model=_string(body["model"], (*path, "model")),
        version=_string(body["version"], (*path, "version")),
        customer=customer,
        site=site,
        role=_string(body.get("role", DEFAULT_ROLE), (*path, "role")),
        serial=_string(body["serial"], (*path, "serial")) if "serial" in body else serial_for(name),
        ha=_ha(body.get("ha"), (*path, "ha")),
        optics=_optics(body.get("optics"), (*path, "optics"), name),
        faults=_faults(body.get("faults"), (*path, "faults")),
        latency_ms=_latency(body.get("latency_ms", defaults.latency_ms), (*path, "latency_ms")),
        reboot_s=_number(body.get("reboot_s", defaults.reboot_s), (*path, "reboot_s"), 0, 3600),
        state=_state(body.get("state"), (*path, "state"), rules.state_keys, platform),
        refuse_commands=_commands(body.get("refuse_commands"), (*path, "refuse_commands")),
        drop_commands=_commands(body.get("drop_commands"), (*path, "drop_commands")),
        vdoms=_names(body.get("vdoms"), (*path, "vdoms")),
        **_config_lines(body.get("config_lines"), (*path, "config_lines")),
    )
    for where, message in rules.validate_device(device):
        raise _Bad((*path, *relative_path(where)), message)
    return device


def _config_lines(raw: Any, path: FieldPath) -> dict[str, tuple[str, ...]]:
    """`config_lines: {add: [line, ...], remove: [regex, ...]}` as Device fields; each regex must compile."""
    if raw is None:
        return {}
    body = _mapping(raw, path)
    _no_unknown_keys(body, {"add", "remove"}, path)
    lines = enumerate(_list(body.get("add", []), (*path, "add")))
    add = tuple(line.rstrip() for i, line in lines if _string(line, (*path, "add", i)))  # the indent is kept
    remove: list[str] = []
    for i, pattern in enumerate(_list(body.get("remove", []), (*path, "remove"))):
        text = _string(pattern, (*path, "remove", i))
        try:
            re.compile(text)
        except re.error as exc:
            raise _Bad((*path, "remove", i), f"not a regular expression: {exc}") from None
        remove.append(text)
    return {"config_add": add, "config_remove": tuple(remove)}


def _ha(raw: Any, path: FieldPath) -> Ha | None:
    if raw is None:
        return None
    body = _mapping(raw, path)
    _no_unknown_keys(body, {"peer", "state"}, path)
    for key in ("peer", "state"):
        if key not in body:
            raise _Bad((*path, key), "required")
    state = _string(body["state"], (*path, "state"))
    if state not in HA_STATES:
        raise _Bad((*path, "state"), f"unknown HA state {state!r} (supported: {', '.join(HA_STATES)})")
    return Ha(peer=_string(body["peer"], (*path, "peer")), state=state)


def _optics(raw: Any, path: FieldPath, device: str) -> tuple[Optic, ...]:
    if raw is None:
        return ()
    optics: list[Optic] = []
    seen: set[str] = set()
    for i, item in enumerate(_list(raw, path)):
        opath: FieldPath = (*path, i)
        body = _mapping(item, opath)
        _no_unknown_keys(body, {*_OPTIC_REQUIRED, "serial"}, opath)
        for key in _OPTIC_REQUIRED:
            if key not in body:
                raise _Bad((*opath, key), "required")
        port = _string(body["port"], (*opath, "port"))
        if port in seen:
            raise _Bad((*opath, "port"), f"port {port!r} listed twice")
        seen.add(port)
        serial = _string(body["serial"], (*opath, "serial")) if "serial" in body else None
        optics.append(
            Optic(
                port=port,
                type=_string(body["type"], (*opath, "type")),
                vendor=_string(body["vendor"], (*opath, "vendor")),
                part=_string(body["part"], (*opath, "part")),
                serial=serial or optic_serial_for(device, port),
            )
        )
    return tuple(optics)


def _commands(raw: Any, path: FieldPath) -> tuple[str, ...]:
    """A list of command lines, their words parted by single spaces."""
    if raw is None:
        return ()
    return tuple(" ".join(_string(item, (*path, i)).split()) for i, item in enumerate(_list(raw, path)))


def _names(raw: Any, path: FieldPath) -> tuple[str, ...]:
    """A list of distinct one-word names (FortiGate VDOMs)."""
    if raw is None:
        return ()
    names: list[str] = []
    for i, item in enumerate(_list(raw, path)):
        name = _string(item, (*path, i))
        if not re.fullmatch(r"[\w.-]+", name):
            raise _Bad((*path, i), f"must be one word (letters, digits, _ . -), got {name!r}")
        if name in names:
            raise _Bad((*path, i), f"{name!r} listed twice")
        names.append(name)
    return tuple(names)


def _faults(raw: Any, path: FieldPath) -> frozenset[str]:
    if raw is None:
        return frozenset()
    faults: set[str] = set()
    for i, item in enumerate(_list(raw, path)):
        fault = _string(item, (*path, i))
        if fault not in FAULTS:
            raise _Bad((*path, i), f"unknown fault {fault!r} (supported: {', '.join(FAULTS)})")
        faults.add(fault)
    return frozenset(faults)


def _bool(value: Any, path: FieldPath) -> bool:
    if not isinstance(value, bool):
        raise _Bad(path, f"must be true or false, got {value!r}")
    return value


def _number(value: Any, path: FieldPath, low: float, high: float | None = None) -> float:
    bad = isinstance(value, bool) or not isinstance(value, int | float)
    if bad or value < low or (high is not None and value > high):
        bounds = f"between {low:g} and {high:g}" if high is not None else f">= {low:g}"
        raise _Bad(path, f"must be a number {bounds}, got {value!r}")
    return float(value)


def _choice(value: Any, path: FieldPath, choices: tuple[str, ...], what: str) -> str:
    text = _string(value, path)
    if text not in choices:
        raise _Bad(path, f"unknown {what} {text!r} (supported: {', '.join(choices)})")
    return text


def _state(raw: Any, path: FieldPath, allowed: frozenset[str], platform: str) -> DeviceState:
    """The shared ``state:`` vocabulary, typed; the platform says which keys it reads and checks version forms."""
    if raw is None:
        return DeviceState()
    body = _mapping(raw, path)
    _no_unknown_keys(body, STATE_KEYS, path)
    for key in body:
        if key not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            raise _Bad((*path, key), f"unknown field for {platform} (it reads: {known})")
    values: dict[str, Any] = {}
    for key in ("pending_changes", "ntp_synced", "advanced_routing"):
        if key in body:
            values[key] = _bool(body[key], (*path, key))
    for key in ("mgmt_cpu_pct", "mgmt_mem_pct"):
        if key in body:
            values[key] = _number(body[key], (*path, key), 0, 100)
    if "disk_free_mb" in body:
        values["disk_free_mb"] = int(_number(body["disk_free_mb"], (*path, "disk_free_mb"), 0))
    for key in ("app_version", "peer_version"):
        if key in body:
            values[key] = _string(body[key], (*path, key))
    if "ha_sync" in body:
        values["ha_sync"] = _choice(body["ha_sync"], (*path, "ha_sync"), HA_SYNC, "HA sync state")
    if "images" in body:
        images = _list(body["images"], (*path, "images"))
        values["images"] = tuple(_string(v, (*path, "images", i)) for i, v in enumerate(images))
    if "jobs" in body:
        values["jobs"] = _jobs(body["jobs"], (*path, "jobs"))
    if "licenses" in body:
        values["licenses"] = _licenses(body["licenses"], (*path, "licenses"))
    if "environment" in body:
        values["environment"] = _environment(body["environment"], (*path, "environment"))
    return DeviceState(**values)


def _jobs(raw: Any, path: FieldPath) -> tuple[Job, ...]:
    jobs: list[Job] = []
    for i, item in enumerate(_list(raw, path)):
        jpath: FieldPath = (*path, i)
        body = _mapping(item, jpath)
        _no_unknown_keys(body, {"type", "status", "result"}, jpath)
        if "type" not in body:
            raise _Bad((*jpath, "type"), "required")
        kind = _string(body["type"], (*jpath, "type"))
        if not kind.isalnum():
            raise _Bad((*jpath, "type"), f"must be one word like Downld or Install, got {kind!r}")
        status = _choice(body.get("status", "FIN"), (*jpath, "status"), JOB_STATUSES, "job status")
        default_result = "OK" if status == "FIN" else "PEND"
        result = _choice(body.get("result", default_result), (*jpath, "result"), JOB_RESULTS, "job result")
        jobs.append(Job(type=kind, status=status, result=result))
    return tuple(jobs)


def _licenses(raw: Any, path: FieldPath) -> tuple[License, ...]:
    licenses: list[License] = []
    for i, item in enumerate(_list(raw, path)):
        lpath: FieldPath = (*path, i)
        body = _mapping(item, lpath)
        _no_unknown_keys(body, {"feature", "expires", "expires_in_days"}, lpath)
        if "feature" not in body:
            raise _Bad((*lpath, "feature"), "required")
        feature = _string(body["feature"], (*lpath, "feature"))
        if "expires" in body and "expires_in_days" in body:
            raise _Bad((*lpath, "expires_in_days"), "give either expires or expires_in_days, not both")
        if "expires_in_days" in body:
            days = body["expires_in_days"]
            if isinstance(days, bool) or not isinstance(days, int):
                raise _Bad((*lpath, "expires_in_days"), f"must be a whole number of days, got {days!r}")
            licenses.append(License(feature=feature, expires_in_days=days))
            continue
        licenses.append(License(feature=feature, expires=_expiry(body.get("expires", "Never"), (*lpath, "expires"))))
    return tuple(licenses)


def _expiry(value: Any, path: FieldPath) -> date | None:
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


def _environment(raw: Any, path: FieldPath) -> Environment:
    body = _mapping(raw, path)
    _no_unknown_keys(body, set(_ENVIRONMENT_KEYS), path)
    return Environment(**{key: _bool(body[key], (*path, key)) for key in _ENVIRONMENT_KEYS if key in body})


def _check_unique(devices: list[tuple[Device, FieldPath]]) -> None:
    first: dict[str, FieldPath] = {}
    for device, path in devices:
        if device.name in first:
            where = field_text(first[device.name])
            raise _Bad((*path, "name"), f"duplicate device name {device.name!r} (first at {where})")
        first[device.name] = path


def _check_ha(devices: list[tuple[Device, FieldPath]]) -> None:
    by_name = {device.name: device for device, _ in devices}
    for device, path in devices:
        if device.ha is None:
            continue
        peer = by_name.get(device.ha.peer)
        if peer is None or device.ha.peer == device.name:
            raise _Bad((*path, "ha", "peer"), f"peer {device.ha.peer!r} is not another device of the estate")
        if peer.ha is None or peer.ha.peer != device.name:
            raise _Bad((*path, "ha", "peer"), f"peer {peer.name!r} does not name {device.name!r} as its peer")
        if peer.ha.state == device.ha.state:
            raise _Bad((*path, "ha", "state"), f"both peers are {device.ha.state!r}; one must be active")
