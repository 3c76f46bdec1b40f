"""The demo's switches and non-PAN firewalls: every customer runs at least three vendors (seeded random).

What a plausible device of each platform looks like (models and roles, versions, OEM and third-party optics,
the name infix, HA pairs) is data: lab/estates/platforms/<platform>.yaml; the personality gives the optic
ports of each model (DEMO_PORTS). Optics are only placed where the personality's own validator accepts them,
so the demo never holds a device the lab would refuse. A new platform needs its data file and a place in MIX.
"""

from __future__ import annotations

import importlib
import random
from types import ModuleType
from typing import Any

from lab import personalities
from lab.estate import Device, Optic
from lab.estates.platforms import demo_data

# customer -> short name, site -> [(platform, devices)]
MIX: dict[str, tuple[str, dict[str, list[tuple[str, int]]]]] = {
    "acme-bank": (
        "acme",
        {
            "lon1": [("cisco_ios", 10), ("cisco_nxos", 6), ("fortinet", 2)],
            "fra1": [("cisco_ios", 6), ("cisco_nxos", 6)],
            "nyc1": [("cisco_ios", 6), ("fortinet", 2)],
        },
    ),
    "globex-retail": (
        "globex",
        {
            "ams1": [("juniper_junos", 10), ("fortinet", 2)],
            "lon2": [("fortinet", 6), ("juniper_junos", 6)],
            "par1": [("fortinet", 4), ("cisco_ios", 8)],
        },
    ),
    "initech-health": (
        "initech",
        {
            "nyc2": [("arista_eos", 12), ("juniper_junos", 6), ("fortinet", 2)],
            "chi1": [("fortinet", 4), ("arista_eos", 6)],
        },
    ),
    "umbrella-pharma": (
        "umbrella",
        {
            "fra2": [("cisco_nxos", 10), ("arista_eos", 6), ("juniper_junos", 4)],
            "zrh1": [("cisco_ios", 10), ("fortinet", 2)],
        },
    ),
    "wayne-logistics": ("wayne", {"dub1": [("fortinet", 2), ("cisco_ios", 4), ("juniper_junos", 2)]}),
}
MAX_OPTICS = 8  # optics per device: enough to read, few enough to keep the workbook short
THIRD_PARTY_EVERY = 8  # every 8th unit (device or HA pair) of each platform carries third-party optics


def _module(platform: str) -> ModuleType:
    return importlib.import_module(f"lab.personalities.{platform}")


def fits(platform: str, model: str, optic: dict[str, str]) -> bool:
    """Whether the personality accepts `optic` (with its port) in `model`."""
    device = Device(
        name="probe",
        platform=platform,
        model=model,
        version=demo_data(platform).versions[0],
        customer="probe",
        site="probe",
        optics=(Optic(optic["port"], optic["type"], optic["vendor"], optic["part"], "PROBE0001"),),
    )
    return not personalities.get(platform).validate_device(device)


def _fitting(
    rng: random.Random, platform: str, model: str, port: str, candidates: list[dict[str, str]]
) -> dict[str, str] | None:
    for candidate in rng.sample(candidates, k=len(candidates)):
        optic = {"port": port, **candidate}
        if fits(platform, model, optic):
            return optic
    return None


def optics_for(rng: random.Random, platform: str, model: str, third_party: bool) -> list[dict[str, str]]:
    """OEM optics in the first cages of `model`; with `third_party`, one or two swapped for third-party ones."""
    module = _module(platform)
    optics = []
    for port in module.DEMO_PORTS[model][:MAX_OPTICS]:
        optic = _fitting(rng, platform, model, port, demo_data(platform).oem_optics)
        if optic is not None:
            optics.append(optic)
    if third_party and optics:
        for index in rng.sample(range(len(optics)), k=min(len(optics), rng.randint(1, 2))):
            swap = _fitting(rng, platform, model, optics[index]["port"], demo_data(platform).third_party_optics)
            if swap is not None:
                optics[index] = swap
    return optics


def site_devices(
    rng: random.Random, short: str, site: str, plan: list[tuple[str, int]], units: dict[str, int]
) -> list[dict[str, Any]]:
    """The devices of one site: per platform, models and versions from the personality, optics that fit.

    `units` counts each platform's units so far, so that every platform gets its share of third-party optics.
    """
    devices: list[dict[str, Any]] = []
    for platform, count in plan:
        data = demo_data(platform)
        models = sorted(data.models)
        step = 2 if data.ha_pairs else 1
        for first in range(0, count, step):
            model, version = rng.choice(models), rng.choice(data.versions)
            units[platform] = units.get(platform, 0) + 1
            optics = optics_for(rng, platform, model, third_party=units[platform] % THIRD_PARTY_EVERY == 3)
            names = [f"{short}-{site}-{data.name_kind}{first + i + 1:02d}" for i in range(step)]
            for i, name in enumerate(names):
                entry: dict[str, Any] = {
                    "name": name,
                    "platform": platform,
                    "model": model,
                    "version": version,
                    "role": data.models[model],
                }
                if step == 2:
                    entry["ha"] = {"peer": names[1 - i], "state": "active" if i == 0 else "passive"}
                if optics:
                    entry["optics"] = [dict(o) for o in optics]
                devices.append(entry)
    return devices


def build(rng: random.Random) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """customer -> site -> devices, for every customer and site of MIX."""
    units: dict[str, int] = {}
    return {
        customer: {site: site_devices(rng, short, site, plan, units) for site, plan in sites.items()}
        for customer, (short, sites) in MIX.items()
    }


def sample_device(platform: str, name: str, third_party: bool, rng: random.Random) -> dict[str, Any]:
    """An estate entry of `platform` for tests: its first demo model with optic cages, the first demo release,
    OEM optics (one or two third-party with `third_party`)."""
    module = _module(platform)
    model = ""
    optics: list[dict[str, str]] = []
    for model in sorted(module.DEMO_MODELS):
        optics = optics_for(rng, platform, model, third_party=third_party)
        if optics:
            break
    return {"name": name, "platform": platform, "model": model, "version": module.DEMO_VERSIONS[0], "optics": optics}
