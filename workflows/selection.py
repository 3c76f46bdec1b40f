"""Nornir set-up and host selection shared by every run: customers, sites, groups, filters, limit, shard."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nornir import InitNornir
from nornir.core import Nornir
from nornir.core.plugins.inventory import InventoryPluginRegister

from tasks.errors import UsageError
from tasks.hostkeys import known_hosts_files
from workflows.inventory import PLUGIN_NAME, EstateInventory
from workflows.settings import Settings

InventoryPluginRegister.register(PLUGIN_NAME, EstateInventory)


@dataclass(frozen=True)
class Selection:
    """Which hosts a run covers; empty fields select everything."""

    customers: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    filters: tuple[tuple[str, str], ...] = ()
    limits: tuple[str, ...] = ()
    shard: tuple[int, int] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def all_customers(self) -> bool:
        return not self.customers or "all" in self.customers


def parse_shard(text: str | None, environ: Mapping[str, str] | None = None) -> tuple[int, int] | None:
    """`K/N` (1-based, as GitLab's CI_NODE_INDEX/CI_NODE_TOTAL), from the flag or else the environment.

    >>> parse_shard("2/4")
    (2, 4)
    >>> parse_shard(None, {"CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "3"})
    (1, 3)
    >>> parse_shard(None, {})
    """
    environ = os.environ if environ is None else environ
    if text is None:
        index, total = environ.get("CI_NODE_INDEX"), environ.get("CI_NODE_TOTAL")
        if not index or not total:
            return None
        text, source = f"{index}/{total}", "CI_NODE_INDEX/CI_NODE_TOTAL"
    else:
        source = "--shard"
    k, _, n = text.partition("/")
    if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise UsageError(f"{source}: expected K/N with 1 <= K <= N, got {text!r}")
    return int(k), int(n)


def parse_filters(pairs: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """`key=value` strings as pairs; a pair without '=' is a usage error naming it."""
    result = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--filter: expected key=value, got {pair!r}")
        result.append((key, value))
    return tuple(result)


def init_nornir(settings: Settings, credentials: bool = True) -> Nornir:
    """A Nornir over the estate inventory with the runner from config.yaml, and settings' workers and timeouts."""
    nr = InitNornir(
        runner=settings.nornir_runner(),
        inventory={
            "plugin": PLUGIN_NAME,
            "options": {"root": str(settings.inventory), "credentials": credentials},
        },
        logging={"enabled": False},
        user_defined={
            "estate": {
                "connect_timeout": settings.connect_timeout,
                "command_timeout": settings.command_timeout,
                "max_concurrent_logins": settings.max_concurrent_logins,
                "retries": settings.retries,
                "retry_backoff_s": settings.retry_backoff_s,
                "host_timeout_s": settings.host_timeout_s,
                "host_keys": settings.host_keys,
            }
        },
    )
    nr.config.user_defined["estate"]["known_hosts"] = known_hosts_files(nr.inventory.hosts, settings.inventory)
    return nr


def select(nr: Nornir, selection: Selection) -> Nornir:
    """The hosts of `nr` that `selection` picks; unknown customers, sites or groups are usage errors."""
    inventory = nr.inventory
    known_customers = sorted({h.data["customer"] for h in inventory.hosts.values()})
    if not selection.all_customers:
        unknown = [c for c in selection.customers if c not in known_customers]
        if unknown:
            customers = ", ".join(known_customers)
            raise UsageError(f"--customer: no customer {unknown[0]!r} in the inventory (customers: {customers})")
    known_sites = {h.data["site"] for h in inventory.hosts.values()}
    for site in selection.sites:
        if site not in known_sites:
            raise UsageError(f"--site: unknown {site!r} (known: {', '.join(sorted(known_sites))})")
    for group in selection.groups:
        if group not in inventory.groups:
            raise UsageError(f"--group: unknown {group!r} (known: {', '.join(sorted(inventory.groups))})")

    def wanted(host: Any) -> bool:
        data = host.data
        if not selection.all_customers and data["customer"] not in selection.customers:
            return False
        if selection.sites and data["site"] not in selection.sites:
            return False
        if selection.groups and not any(host.has_parent_group(g) for g in selection.groups):
            return False
        if any(str(data.get(k, getattr(host, k, None))) != v for k, v in selection.filters):
            return False
        return not selection.limits or any(fnmatch.fnmatch(host.name, glob) for glob in selection.limits)

    chosen = nr.filter(filter_func=wanted)
    if selection.shard:
        index, total = selection.shard
        names = sorted(chosen.inventory.hosts)[index - 1 :: total]
        keep = set(names)
        chosen = chosen.filter(filter_func=lambda h: h.name in keep)
    return chosen


def select_checks(spec: str | None, available: Sequence[str], source: str = "--checks") -> tuple[str, ...]:
    """The checks a run performs: `all`, a comma list of names, and `!name` to remove one; order of `available`.

    >>> select_checks("all,!ntp_sync", ["disk_space", "ntp_sync", "licenses"])
    ('disk_space', 'licenses')
    >>> select_checks("licenses,disk_space", ["disk_space", "ntp_sync", "licenses"])
    ('disk_space', 'licenses')
    >>> select_checks(None, ["a", "b"])
    ('a', 'b')
    >>> select_checks("all,!bogus", ["a"])
    Traceback (most recent call last):
    ...
    tasks.errors.UsageError: --checks: unknown check 'bogus' (valid: a)
    """
    words = [w.strip() for w in (spec or "all").split(",") if w.strip()]
    chosen: set[str] = set()
    removed: set[str] = set()
    for word in words:
        name = word[1:] if word.startswith("!") else word
        if name != "all" and name not in available:
            raise UsageError(f"{source}: unknown check {name!r} (valid: {', '.join(available)})")
        target = removed if word.startswith("!") else chosen
        target.update(available if name == "all" else [name])
    if not chosen and removed:
        chosen = set(available)
    return tuple(c for c in available if c in chosen and c not in removed)
