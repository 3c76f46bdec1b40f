"""The estate inventory: a folder per customer, validated, with credentials from the environment.

Layout (architecture §4)::

    <root>/defaults.yaml            optional; shared defaults (no credentials)
    <root>/groups.yaml              optional; shared groups: platforms, device roles
    <root>/<customer>/hosts.yaml    the customer's hosts
    <root>/<customer>/groups.yaml   optional; the customer and its sites as groups
    <root>/<customer>/waivers.yaml  optional; approved exceptions (tasks.waivers.load_waivers)

Every file is read by tasks.yamlfile: a host or key written twice is refused, and every error is one line
naming the file, the line, the host or group and the field.

Customers, sites and device groups are all Nornir groups. Each host's data carries `customer`, `site` and
`role`; a host inherits data from its groups, and `customer` defaults to its folder's name.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from nornir.core.inventory import (
    ConnectionOptions,
    Defaults,
    Group,
    Groups,
    Host,
    Hosts,
    Inventory,
    ParentGroups,
)
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tasks.errors import InventoryError
from tasks.names import NAME_PATTERN, NAME_RULE
from tasks.platforms import PLATFORMS
from tasks.yamlfile import YamlDocument, YamlError, describe_error, field_text, first_error, read_yaml

PLUGIN_NAME = "EstateInventory"
_NAME = NAME_PATTERN  # the shared rule (tasks.names), under the names this module has always used
_NAME_RULE = NAME_RULE
Model = TypeVar("Model", bound=BaseModel)


class _ConnectionSpec(BaseModel):
    """One connection plugin's options (`connection_options: {netmiko: {...}}`); credentials stay out."""

    model_config = ConfigDict(extra="forbid")

    hostname: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    platform: str | None = None
    extras: dict[str, Any] | None = None


class _HostSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hostname: str = Field(min_length=1)
    port: int = Field(default=22, ge=1, le=65535)
    platform: str | None = None
    groups: list[str] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict)
    connection_options: dict[str, _ConnectionSpec] = Field(default_factory=dict)


class _GroupSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hostname: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    platform: str | None = None
    groups: list[str] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict)
    connection_options: dict[str, _ConnectionSpec] = Field(default_factory=dict)


class _DefaultsSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    port: int | None = Field(default=None, ge=1, le=65535)
    platform: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    connection_options: dict[str, _ConnectionSpec] = Field(default_factory=dict)


_SECRET_KEYS = {"password", "secret", "username"}


def _read(path: Path) -> YamlDocument:
    """The inventory file at `path` (one InventoryError line naming file and line when it is not valid YAML)."""
    try:
        doc = read_yaml(path)
    except YamlError as exc:
        raise InventoryError(str(exc)) from None
    if doc.data is not None and not isinstance(doc.data, dict):
        raise InventoryError(f"{doc.name}: expected a mapping of names to entries, got {type(doc.data).__name__}")
    return doc


@dataclass(frozen=True)
class _Entry:
    """Where one host, group or the defaults is written: its file and its name in that file."""

    doc: YamlDocument
    kind: str  # "host", "group" or "" (defaults.yaml: the whole file is the entry)
    name: str = ""

    def location(self, *field: str | int) -> str:
        """`file:line` of the entry, or of `field` in it when the file has it."""
        base = (self.name,) if self.kind else ()
        line = self.doc.line_of((*base, *field))
        return f"{self.doc.name}:{line}" if line else self.doc.name

    def where(self, *field: str | int) -> str:
        """`file:line: host NAME` (the line of `field` in the entry when the file has it)."""
        prefix = self.location(*field)
        return f"{prefix}: {self.kind} {self.name}" if self.kind else prefix


def _validated(model: type[Model], raw: Any, entry: _Entry) -> Model:
    if raw is None:
        raw = {}
    if isinstance(raw, dict):
        secret = _SECRET_KEYS & set(raw)
        if secret:
            key = sorted(secret)[0]
            raise InventoryError(
                f"{entry.where(key)}: {key}: credentials never go in inventory files; "
                "set ESTATE_USERNAME / ESTATE_PASSWORD (or ESTATE_<CUSTOMER>_USERNAME / _PASSWORD)"
            )
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        err = first_error(exc)
        loc = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
        raise InventoryError(f"{entry.where(*loc)}: {field_text(loc)}: {describe_error(err)}") from None


def _check_name(name: Any, entry: _Entry, kind: str) -> str:
    if not isinstance(name, str) or not re.match(_NAME, name):
        raise InventoryError(f"{entry.where()}: {kind} {name!r}: {_NAME_RULE}")
    return name


@dataclass(frozen=True)
class _Loaded:
    defaults: _DefaultsSpec
    groups: dict[str, tuple[_Entry, _GroupSpec]]
    hosts: dict[str, tuple[_Entry, str, _HostSpec]]


def _load_files(root: Path) -> _Loaded:
    if not root.is_dir():
        raise InventoryError(f"{root}: inventory folder not found")
    defaults = _DefaultsSpec()
    if (root / "defaults.yaml").exists():
        doc = _read(root / "defaults.yaml")
        defaults = _validated(_DefaultsSpec, doc.data, _Entry(doc, ""))
    group_files = [root / "groups.yaml", *sorted(root.glob("*/groups.yaml"))]
    groups: dict[str, tuple[_Entry, _GroupSpec]] = {}
    for path in group_files:
        if not path.exists():
            continue
        doc = _read(path)
        for name, raw in (doc.data or {}).items():
            entry = _Entry(doc, "group", str(name))
            _check_name(name, entry, "group")
            if name in groups:
                raise InventoryError(f"{entry.where()}: already defined in {groups[name][0].location()}")
            groups[name] = (entry, _validated(_GroupSpec, raw, entry))
    hosts: dict[str, tuple[_Entry, str, _HostSpec]] = {}
    host_files = sorted(root.glob("*/hosts.yaml"))
    if not host_files:
        raise InventoryError(f"{root}: no <customer>/hosts.yaml found")
    for path in host_files:
        customer = path.parent.name
        if not re.match(_NAME, customer):
            raise InventoryError(f"{path.parent}: customer folder {customer!r}: {_NAME_RULE}")
        doc = _read(path)
        for name, raw in (doc.data or {}).items():
            entry = _Entry(doc, "host", str(name))
            _check_name(name, entry, "host")
            if name in hosts:
                raise InventoryError(f"{entry.where()}: already defined in {hosts[name][0].location()}")
            hosts[name] = (entry, customer, _validated(_HostSpec, raw, entry))
    return _Loaded(defaults, groups, hosts)


def _group_chain(name: str, groups: Mapping[str, tuple[_Entry, _GroupSpec]], seen: tuple[str, ...] = ()) -> list[str]:
    """`name` and its ancestors, nearest first (for data inheritance and platform lookup)."""
    if name in seen:
        raise InventoryError(f"{groups[name][0].where('groups')}: groups form a cycle ({' -> '.join(seen)})")
    chain = [name]
    for parent in groups[name][1].groups:
        chain += _group_chain(parent, groups, (*seen, name))
    return chain


def _effective(host: _HostSpec, customer: str, loaded: _Loaded) -> tuple[str | None, dict[str, Any]]:
    """The platform and data a host ends up with after inheriting from its groups and the defaults."""
    platform = host.platform
    data: dict[str, Any] = dict(loaded.defaults.data)
    chain: list[str] = []
    for group in host.groups:
        chain += _group_chain(group, loaded.groups)
    for group in reversed(chain):
        data.update(loaded.groups[group][1].data)
    data.update(host.data)
    data.setdefault("customer", customer)
    if platform is None:
        platform = next((loaded.groups[g][1].platform for g in chain if loaded.groups[g][1].platform), None)
    return platform or loaded.defaults.platform, data


def credentials_for(customer: str, environ: Mapping[str, str]) -> tuple[str, str]:
    """The (username, password) for `customer`: ESTATE_<CUSTOMER>_* first, then ESTATE_USERNAME/PASSWORD.

    >>> credentials_for("acme-bank", {"ESTATE_USERNAME": "a", "ESTATE_PASSWORD": "p",
    ...                               "ESTATE_ACME_BANK_PASSWORD": "q"})
    ('a', 'q')
    """
    key = re.sub(r"[^A-Za-z0-9]", "_", customer).upper()
    username = environ.get(f"ESTATE_{key}_USERNAME") or environ.get("ESTATE_USERNAME", "")
    password = environ.get(f"ESTATE_{key}_PASSWORD") or environ.get("ESTATE_PASSWORD", "")
    if not username or not password:
        missing = "ESTATE_USERNAME" if not username else "ESTATE_PASSWORD"
        raise InventoryError(
            f"credentials for customer {customer}: {missing} is not set "
            f"(or ESTATE_{key}_{missing.split('_')[1]}); nothing was connected"
        )
    return username, password


def set_credentials(hosts: Iterable[Host], environ: Mapping[str, str] | None = None) -> None:
    """Give each of `hosts` its customer's credentials (`credentials_for`); InventoryError for the first customer
    without them. Called on the selected hosts only, so a customer that is not selected needs none."""
    environ = os.environ if environ is None else environ
    creds: dict[str, tuple[str, str]] = {}
    for host in hosts:
        customer = host.data["customer"]
        if customer not in creds:
            creds[customer] = credentials_for(customer, environ)
        host.username, host.password = creds[customer]


def _connection_options(raw: dict[str, _ConnectionSpec]) -> dict[str, ConnectionOptions]:
    return {
        name: ConnectionOptions(hostname=opts.hostname, port=opts.port, platform=opts.platform, extras=opts.extras)
        for name, opts in raw.items()
    }


def build_inventory(root: Path, environ: Mapping[str, str] | None = None, credentials: bool = True) -> Inventory:
    """Load, validate and build the Nornir inventory under `root`; credentials come from `environ`.

    Raises InventoryError with one line naming the file, the host and the field.
    """
    environ = os.environ if environ is None else environ
    loaded = _load_files(root)
    defaults = Defaults(
        port=loaded.defaults.port,
        platform=loaded.defaults.platform,
        data=loaded.defaults.data,
        connection_options=_connection_options(loaded.defaults.connection_options),
    )
    groups = Groups()
    for name, (gentry, gspec) in loaded.groups.items():
        for parent in gspec.groups:
            if parent not in loaded.groups:
                raise InventoryError(f"{gentry.where('groups')}: groups: unknown group {parent!r}")
        groups[name] = Group(
            name=name,
            hostname=gspec.hostname,
            port=gspec.port,
            platform=gspec.platform,
            data=gspec.data,
            connection_options=_connection_options(gspec.connection_options),
            defaults=defaults,
        )
    for name, (_, group_spec) in loaded.groups.items():
        groups[name].groups = ParentGroups([groups[p] for p in group_spec.groups])
    hosts = Hosts()
    creds: dict[str, tuple[str, str]] = {}
    for name, (entry, customer, spec) in loaded.hosts.items():
        where = entry.where()
        for group in spec.groups:
            if group not in loaded.groups:
                raise InventoryError(f"{entry.where('groups')}: groups: unknown group {group!r}")
        platform, data = _effective(spec, customer, loaded)
        if platform is None:
            raise InventoryError(f"{where}: platform: missing (set it on the host or one of its groups)")
        if platform not in PLATFORMS:
            raise InventoryError(
                f"{entry.where('platform')}: platform: unknown {platform!r} (supported: {', '.join(PLATFORMS)})"
            )
        if data["customer"] != customer:
            raise InventoryError(
                f"{entry.where('data', 'customer')}: data.customer: {data['customer']!r} but the folder is {customer!r}"
            )
        for field in ("site", "role"):
            if not isinstance(data.get(field), str) or not data[field]:
                raise InventoryError(
                    f"{entry.where('data')}: data.{field}: missing (set it on the host or one of its groups)"
                )
        if credentials and customer not in creds:
            creds[customer] = credentials_for(customer, environ)
        username, password = creds.get(customer, (None, None))
        hosts[name] = Host(
            name=name,
            hostname=spec.hostname,
            port=spec.port,
            platform=platform,
            username=username,
            password=password,
            groups=ParentGroups([groups[g] for g in spec.groups]),
            data=data,
            connection_options=_connection_options(spec.connection_options),
            defaults=defaults,
        )
    return Inventory(hosts=hosts, groups=groups, defaults=defaults)


class EstateInventory:
    """Nornir inventory plugin over `build_inventory` (registered as "EstateInventory")."""

    def __init__(self, root: str = "inventory", credentials: bool = True) -> None:
        self.root = Path(root)
        self.credentials = credentials

    def load(self) -> Inventory:
        return build_inventory(self.root, credentials=self.credentials)
