"""Write the Nornir inventory matching what the lab serves (atomically: temp dir, then rename)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from lab.estate import Device, Estate

LAB_HOST = "127.0.0.1"


def shared_groups(devices: tuple[Device, ...]) -> dict[str, Any]:
    """``groups.yaml`` at the root: one group per platform, then one per role."""
    groups: dict[str, Any] = {}
    for platform in dict.fromkeys(d.platform for d in devices):
        groups[platform] = {"platform": platform}
    for role in dict.fromkeys(d.role for d in devices):
        groups.setdefault(role, {"data": {"role": role}})
    return groups


def customer_groups(customer: str, devices: list[Device]) -> dict[str, Any]:
    """``<customer>/groups.yaml``: the customer group and one group per site."""
    groups: dict[str, Any] = {customer: {"data": {"customer": customer}}}
    for site in dict.fromkeys(d.site for d in devices):
        groups[f"{customer}-{site}"] = {"groups": [customer], "data": {"customer": customer, "site": site}}
    return groups


def customer_hosts(devices: list[Device], ports: Mapping[str, int]) -> dict[str, Any]:
    """``<customer>/hosts.yaml``: every device with the lab's address and port."""
    return {
        d.name: {
            "hostname": LAB_HOST,
            "port": ports[d.name],
            "platform": d.platform,
            "groups": [f"{d.customer}-{d.site}", d.role, d.platform],
            "data": {"customer": d.customer, "site": d.site, "role": d.role, "model": d.model},
        }
        for d in devices
    }


def _dump(path: Path, data: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(dict(data), sort_keys=False, default_flow_style=False), encoding="utf-8")


def write_inventory(out: Path, estate: Estate, ports: Mapping[str, int]) -> None:
    """Replace ``out`` with a fresh inventory for ``estate`` (credentials are never written)."""
    out = out.resolve()
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    _dump(tmp / "defaults.yaml", {})
    _dump(tmp / "groups.yaml", shared_groups(estate.devices))
    by_customer: dict[str, list[Device]] = {}
    for device in estate.devices:
        by_customer.setdefault(device.customer, []).append(device)
    for customer, devices in by_customer.items():
        _dump(tmp / customer / "groups.yaml", customer_groups(customer, devices))
        _dump(tmp / customer / "hosts.yaml", customer_hosts(devices, ports))
    _swap(tmp, out)


def _swap(new: Path, out: Path) -> None:
    """Put ``new`` in place of ``out`` with renames only."""
    old = out.with_name(f".{out.name}.{os.getpid()}.old")
    if out.exists():
        os.replace(out, old)
    os.replace(new, out)
    shutil.rmtree(old, ignore_errors=True)
