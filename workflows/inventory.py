"""The estate inventory: a folder per customer, validated, with credentials from the environment.

Layout (architecture §4)::

    <root>/defaults.yaml            optional; shared defaults (no credentials)
    <root>/groups.yaml              optional; shared groups: platforms, device roles
    <root>/<customer>/hosts.yaml    the customer's hosts
    <root>/<customer>/groups.yaml   optional; the customer and its sites as groups
    <root>/<customer>/waivers.yaml  optional; approved exceptions (tasks.matrix.load_waivers)

Customers, sites and device groups are all Nornir groups. Each host's data carries `customer`, `site` and
`role`; a host inherits data from its groups, and `customer` defaults to its folder's name.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
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
from tasks.platforms import PLATFORMS

PLUGIN_NAME = "EstateInventory"
_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class _HostSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hostname: str = Field(min_length=1)
    port: int = Field(default=22, ge=1, le=65535)
    platform: str | None = None
    groups: list[str] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict)
    connection_options: dict[str, Any] = Field(default_factory=dict)


class _GroupSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hostname: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    platform: str | None = None
    groups: list[str] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict)
    connection_options: dict[str, Any] = Field(default_factory=dict)


class _DefaultsSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    port: int | None = Field(default=None, ge=1, le=65535)
    platform: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    connection_options: dict[str, Any] = Field(default_factory=dict)


_SECRET_KEYS = {"password", "secret", "username"}


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise InventoryError(f"{path}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    except OSError as exc:
        raise InventoryError(f"{path}: cannot read: {exc.strerror}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise InventoryError(f"{path}: expected a mapping of names to entries, got {type(doc).__name__}")
    return doc


def _validated(model: type[BaseModel], raw: Any, where: str) -> Any:
    if raw is None:
        raw = {}
    if isinstance(raw, dict):
        secret = _SECRET_KEYS & set(raw)
        if secret:
            raise InventoryError(
                f"{where}: {sorted(secret)[0]}: credentials never go in inventory files; "
                "set ESTATE_USERNAME / ESTATE_PASSWORD (or ESTATE_<CUSTOMER>_USERNAME / _PASSWORD)"
            )
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "(entry)"
        raise InventoryError(f"{where}: {field}: {err['msg']}") from None


def _check_name(name: Any, path: Path, kind: str) -> str:
    if not isinstance(name, str) or not re.match(_NAME, name):
        raise InventoryError(f"{path}: {kind} {name!r}: names use letters, digits, '.', '_' and '-'")
    return name


@dataclass(frozen=True)
class _Loaded:
    defaults: _DefaultsSpec
    groups: dict[str, tuple[Path, _GroupSpec]]
    hosts: dict[str, tuple[Path, str, _HostSpec]]


def _load_files(root: Path) -> _Loaded:
    if not root.is_dir():
        raise InventoryError(f"{root}: inventory folder not found")
    defaults = (
        _validated(_DefaultsSpec, _read_yaml(root / "defaults.yaml"), str(root / "defaults.yaml"))
        if (root / "defaults.yaml").exists()
        else _DefaultsSpec()
    )
    group_files = [root / "groups.yaml", *sorted(root.glob("*/groups.yaml"))]
    groups: dict[str, tuple[Path, _GroupSpec]] = {}
    for path in group_files:
        if not path.exists():
            continue
        for name, raw in _read_yaml(path).items():
            _check_name(name, path, "group")
            if name in groups:
                raise InventoryError(f"{path}: group {name}: already defined in {groups[name][0]}")
            groups[name] = (path, _validated(_GroupSpec, raw, f"{path}: group {name}"))
    hosts: dict[str, tuple[Path, str, _HostSpec]] = {}
    host_files = sorted(root.glob("*/hosts.yaml"))
    if not host_files:
        raise InventoryError(f"{root}: no <customer>/hosts.yaml found")
    for path in host_files:
        customer = _check_name(path.parent.name, path.parent, "customer folder")
        for name, raw in _read_yaml(path).items():
            _check_name(name, path, "host")
            if name in hosts:
                raise InventoryError(f"{path}: host {name}: already defined in {hosts[name][0]}")
            hosts[name] = (path, customer, _validated(_HostSpec, raw, f"{path}: host {name}"))
    return _Loaded(defaults, groups, hosts)


def _group_chain(name: str, groups: Mapping[str, tuple[Path, _GroupSpec]], seen: tuple[str, ...] = ()) -> list[str]:
    """`name` and its ancestors, nearest first (for data inheritance and platform lookup)."""
    if name in seen:
        raise InventoryError(f"{groups[name][0]}: group {name}: groups form a cycle ({' -> '.join(seen)})")
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


def _connection_options(raw: dict[str, Any]) -> dict[str, ConnectionOptions]:
    return {
        name: ConnectionOptions(
            hostname=opts.get("hostname"),
            port=opts.get("port"),
            username=opts.get("username"),
            password=opts.get("password"),
            platform=opts.get("platform"),
            extras=opts.get("extras"),
        )
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
    for name, (path, gspec) in loaded.groups.items():
        for parent in gspec.groups:
            if parent not in loaded.groups:
                raise InventoryError(f"{path}: group {name}: groups: unknown group {parent!r}")
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
    for name, (path, customer, spec) in loaded.hosts.items():
        where = f"{path}: host {name}"
        for group in spec.groups:
            if group not in loaded.groups:
                raise InventoryError(f"{where}: groups: unknown group {group!r}")
        platform, data = _effective(spec, customer, loaded)
        if platform is None:
            raise InventoryError(f"{where}: platform: missing (set it on the host or one of its groups)")
        if platform not in PLATFORMS:
            raise InventoryError(f"{where}: platform: unknown {platform!r} (supported: {', '.join(PLATFORMS)})")
        if data["customer"] != customer:
            raise InventoryError(f"{where}: data.customer: {data['customer']!r} but the folder is {customer!r}")
        for field in ("site", "role"):
            if not isinstance(data.get(field), str) or not data[field]:
                raise InventoryError(f"{where}: data.{field}: missing (set it on the host or one of its groups)")
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
