"""Generate lab/estates/demo.yaml: a deterministic MSSP estate of PAN-OS firewalls (seeded random).

Run ``python -m lab.estates.make_demo`` (or ``python lab/estates/make_demo.py``) to regenerate it.
"""

from __future__ import annotations

import importlib
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from lab.estates import multivendor
from lab.estates.platforms import demo_data, platforms

SEED = 20240611
OUT = Path(__file__).resolve().parent / "demo.yaml"
PLATFORM = "paloalto_panos"  # the firewalls this module plans itself; other platforms come from multivendor

# customer → (short name, [(site, kind)]); kind "dc" sites have HA pairs of big boxes, "branch" small ones.
CUSTOMERS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "acme-bank": ("acme", [("lon1", "dc"), ("fra1", "dc"), ("nyc1", "branch")]),
    "globex-retail": ("globex", [("ams1", "dc"), ("lon2", "branch"), ("par1", "branch")]),
    "initech-health": ("initech", [("nyc2", "dc"), ("chi1", "branch")]),
    "umbrella-pharma": ("umbrella", [("fra2", "dc"), ("zrh1", "branch")]),
}
FAULT_CUSTOMER = ("wayne-logistics", "wayne", "dub1")

DC_MODELS = ["PA-5220", "PA-5250", "PA-3250", "PA-3220", "PA-3260"]
BRANCH_MODELS = ["PA-850", "PA-440", "PA-1410", "PA-3220", "PA-820"]
RELEASES = ["9.1.11-h5", "9.1.14", "9.1.16", "9.1.17", "10.1.9", "10.1.11", "10.1.12", "10.1.14-h13"]
TARGET_DEVICES = 106  # plus the two fault devices
THIRD_PARTY_SHARE = 1 / 8  # of the firewalls, both peers of a pair alike

# cage kind → [(type, OEM part, weight)]
OEM: dict[str, list[tuple[str, str, int]]] = {
    "sfp": [("1000BASE-SX", "PAN-SFP-SX", 3), ("1000BASE-LX", "PAN-SFP-LX", 1)],
    "sfp+": [
        ("10GBASE-SR", "PAN-SFP-PLUS-SR", 6),
        ("10GBASE-LR", "PAN-SFP-PLUS-LR", 2),
        ("1000BASE-SX", "PAN-SFP-SX", 1),
    ],
    "sfp28": [("25GBASE-SR", "PAN-SFP28-25GBASE-SR", 3), ("10GBASE-SR", "PAN-SFP-PLUS-SR", 1)],
    "qsfp+": [("40GBASE-SR4", "PAN-QSFP-40GBASE-SR4", 1)],
    "qsfp28": [("100GBASE-SR4", "PAN-QSFP28-100GBASE-SR4", 2), ("40GBASE-SR4", "PAN-QSFP-40GBASE-SR4", 1)],
}

# optic type → [(vendor name as the EEPROM reports it, vendor part number)]
THIRD_PARTY: dict[str, list[tuple[str, str]]] = {
    "10GBASE-SR": [
        ("FINISAR CORP.", "FTLX8571D3BCL"),
        ("FS", "SFP-10GSR-85"),
        ("FLEXOPTIX", "P.8596.10"),
        ("Intel Corp", "FTLX8571D3BCV-IT"),
        ("AVAGO", "AFBR-709SMZ"),
        ("JDSU", "PLRXPL-SC-S43-22"),
    ],
    "10GBASE-LR": [("FINISAR CORP.", "FTLX1471D3BCL"), ("FS", "SFP-10GLR-31"), ("FLEXOPTIX", "P.1396.10")],
    "1000BASE-SX": [("FINISAR CORP.", "FTLF8519P3BNL"), ("AVAGO", "AFBR-5710PZ")],
    "1000BASE-LX": [("FINISAR CORP.", "FTLF1318P3BTL")],
    "25GBASE-SR": [("FINISAR CORP.", "FTLF8536P4BCL"), ("FS", "SFP28-25GSR-85")],
    "40GBASE-SR4": [("FINISAR CORP.", "FCBN410QB1C10"), ("FINISAR CORP.", "FTL410QE2C")],
    "100GBASE-SR4": [("FINISAR CORP.", "FTLC9551REPM"), ("FS", "QSFP28-SR4-100G")],
}


def _ports(model: str) -> tuple[tuple[str, str], ...]:
    layout: tuple[tuple[str, str], ...] = importlib.import_module(f"lab.personalities.{PLATFORM}").ports(model)
    return layout


def oem_optics(rng: random.Random, model: str) -> list[dict[str, str]]:
    """An OEM optic in every SFP/QSFP cage of ``model``."""
    optics = []
    for port, cage in _ports(model):
        if cage == "copper":
            continue
        choices = OEM[cage]
        kind, part, _ = rng.choices(choices, weights=[w for _, _, w in choices])[0]
        optics.append({"port": port, "type": kind, "vendor": "OEM", "part": part})
    return optics


def add_third_party(rng: random.Random, optics: list[dict[str, str]]) -> None:
    """Swap one to three optics for third-party ones of the same type (serial as a vendor would print)."""
    candidates = [o for o in optics if o["type"] in THIRD_PARTY]
    for optic in rng.sample(candidates, k=min(len(candidates), rng.randint(1, 3))):
        vendor, part = rng.choice(THIRD_PARTY[optic["type"]])
        optic.update(vendor=vendor, part=part, serial=f"{vendor[:2].upper()}{rng.randint(10**7, 10**8 - 1)}")


def device(
    name: str,
    model: str,
    version: str,
    role: str,
    optics: list[dict[str, str]],
    ha: dict[str, str] | None = None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, "platform": PLATFORM, "model": model, "version": version}
    entry["role"] = role
    if ha:
        entry["ha"] = ha
    if optics:
        entry["optics"] = [dict(o) for o in optics]
    return entry


def site_units(kind: str, rng: random.Random) -> list[tuple[str, str, bool]]:
    """(model, role, is_pair) per unit of a site."""
    if kind == "dc":
        units = [(rng.choice(DC_MODELS[:3]), "edge-fw", True), (rng.choice(DC_MODELS), "dc-fw", True)]
        units += [(rng.choice(DC_MODELS), "dc-fw", rng.random() < 0.6) for _ in range(rng.randint(2, 4))]
        return units
    units = [(rng.choice(BRANCH_MODELS), "branch-fw", rng.random() < 0.5) for _ in range(rng.randint(3, 6))]
    return units


@dataclass
class Unit:
    """One firewall or HA pair to generate."""

    customer: str
    short: str
    site: str
    model: str
    role: str
    pair: bool
    version: str
    optics: list[dict[str, str]]

    @property
    def size(self) -> int:
        return 2 if self.pair else 1


def plan_units(rng: random.Random) -> list[Unit]:
    """Units per site until the estate holds TARGET_DEVICES firewalls."""
    sites = [(c, short, site, kind) for c, (short, ss) in CUSTOMERS.items() for site, kind in ss]
    plan = {key: site_units(key[3], rng) for key in sites}
    while sum(2 if pair else 1 for units in plan.values() for _, _, pair in units) < TARGET_DEVICES:
        key = rng.choice(sites)
        branch = key[3] == "branch"
        model = rng.choice(BRANCH_MODELS if branch else DC_MODELS)
        plan[key].append((model, "branch-fw" if branch else "dc-fw", False))
    units: list[Unit] = []
    total = 0
    for (customer, short, site, _), site_plan in plan.items():
        for model, role, pair in site_plan:
            pair = pair and total + 2 <= TARGET_DEVICES
            if total >= TARGET_DEVICES:
                break
            units.append(Unit(customer, short, site, model, role, pair, rng.choice(RELEASES), oem_optics(rng, model)))
            total += 2 if pair else 1
    return units


def pick_third_party(rng: random.Random, units: list[Unit]) -> None:
    """Give about one firewall in eight (both peers of a pair alike) some non-OEM optics."""
    eligible = [u for u in units if u.optics]
    rng.shuffle(eligible)
    wanted, given = round(TARGET_DEVICES * THIRD_PARTY_SHARE), 0
    for unit in eligible:
        if given >= wanted:
            break
        add_third_party(rng, unit.optics)
        given += unit.size


def build(rng: random.Random) -> dict[str, Any]:
    units = plan_units(rng)
    pick_third_party(rng, units)
    customers: dict[str, Any] = {}
    for unit in units:
        sites = customers.setdefault(unit.customer, {"sites": {}})["sites"]
        devices = sites.setdefault(unit.site, {"devices": []})["devices"]
        names = [f"{unit.short}-{unit.site}-fw{len(devices) + i + 1:02d}" for i in range(unit.size)]
        for i, name in enumerate(names):
            ha = {"peer": names[1 - i], "state": "active" if i == 0 else "passive"} if unit.pair else None
            devices.append(device(name, unit.model, unit.version, unit.role, unit.optics, ha))
    customers[FAULT_CUSTOMER[0]] = {"sites": {FAULT_CUSTOMER[2]: {"devices": fault_devices()}}}
    add_failing_states(random.Random(SEED + 3), customers)
    for customer, sites in multivendor.build(random.Random(SEED + 2)).items():
        for site, devices in sites.items():
            customer_sites = customers.setdefault(customer, {"sites": {}})["sites"]
            customer_sites.setdefault(site, {"devices": []})["devices"].extend(devices)
    add_other_failing_states(random.Random(SEED + 4), customers)
    add_non_compliant(customers)
    return {"customers": customers}


# Per platform, the demo devices made non-compliant, each breaking one shipped rule of compliance/<platform>.yaml
# in the configuration it serves (`config_lines`: regexes of lines removed, lines added before the last one). The
# lab's baseline configuration passes every shipped rule, so `make compliance` fails exactly these devices on
# exactly these rules (tests/integration/test_demo_compliance.py reads this table and the estate file).
NON_COMPLIANT: dict[str, tuple[tuple[str, dict[str, list[str]]], ...]] = {
    "paloalto_panos": (
        ("ntp-servers", {"remove": [r"^\s*ntp-server-address "]}),
        ("aaa-server", {"remove": [r"^\s*authentication-profile corp-tacacs;$"]}),
    ),
    "fortinet": (
        ("ntp-servers", {"remove": [r"^\s*set ntpsync enable$"]}),
        ("syslog-server", {"remove": [r"^\s*set status enable$"]}),
    ),
    "cisco_ios": (
        ("ntp-servers", {"remove": [r"^ntp server "]}),
        ("no-http-server", {"add": ["ip http server"]}),
    ),
    "cisco_nxos": (
        ("ntp-servers", {"remove": [r"^ntp server "]}),
        ("no-telnet", {"add": ["feature telnet"]}),
    ),
    "arista_eos": (
        ("ntp-servers", {"remove": [r"^ntp server "]}),
        ("snmp-no-community", {"add": ["snmp-server community public ro"]}),
    ),
    "juniper_junos": (
        ("ntp-servers", {"remove": [r"^set system ntp server "]}),
        ("no-telnet-http", {"add": ["set system services telnet"]}),
    ),
}


def add_non_compliant(customers: dict[str, Any]) -> None:
    """Per platform, one device (no fault, no readiness state) per entry of NON_COMPLIANT serves a configuration
    that breaks that rule (`config_lines`). Picked spread over the platform's devices in name order, so other
    picks do not move."""
    devices = [d for c in customers.values() for s in c["sites"].values() for d in s["devices"]]
    for platform, breaks in NON_COMPLIANT.items():
        pool = sorted(
            (d for d in devices if d["platform"] == platform and not d.get("faults") and not d.get("state")),
            key=lambda d: d["name"],
        )
        step = max(1, len(pool) // len(breaks))
        for entry, (_, lines) in zip(pool[::step], breaks, strict=False):
            entry["config_lines"] = {key: list(value) for key, value in lines.items()}


FAILING_PER_CHECK = 2  # firewalls that fail each readiness check, for a real reason in their state


def add_failing_states(rng: random.Random, customers: dict[str, Any]) -> None:
    """Give a few healthy firewalls (OEM optics only, no fault) a state that fails one readiness check each;
    the HA check goes to members of HA pairs (one unsynchronised, one whose peer runs another release)."""
    devices = [d for c in customers.values() for s in c["sites"].values() for d in s["devices"]]
    healthy = [d for d in devices if not d.get("faults") and all(o["vendor"] == "OEM" for o in d.get("optics", []))]
    rng.shuffle(healthy)
    paired = [d for d in healthy if d.get("ha")]
    single = [d for d in healthy if not d.get("ha")]
    for check, state in demo_data(PLATFORM).failing_states.items():
        pool = paired if check == "ha_peer" else single
        for _ in range(FAILING_PER_CHECK):
            device = pool.pop()
            device["state"] = dict(state)
    # The peer is reported on another feature release than the device's own.
    ha_mismatch = demo_data(PLATFORM).ha_version_mismatch
    mismatch = next(d for d in paired if d["version"].split(".")[:2] != str(ha_mismatch["peer_version"]).split(".")[:2])
    mismatch["state"] = dict(ha_mismatch)


def add_other_failing_states(rng: random.Random, customers: dict[str, Any]) -> None:
    """Per platform with `failing_states` in its demo data (besides PLATFORM), one device failing each check.

    `failing_state_not_on` keeps a check off devices on the listed version prefixes (a full disk only matters
    to a device with an image still to download).
    """
    devices = [d for c in customers.values() for s in c["sites"].values() for d in s["devices"]]
    for platform in platforms():
        data = demo_data(platform)
        if platform == PLATFORM or not data.failing_states:
            continue
        pool = [d for d in devices if d["platform"] == platform and not d.get("faults")]
        rng.shuffle(pool)
        for check, state in data.failing_states.items():
            avoid = tuple(data.failing_state_not_on.get(check, ()))
            pick = next(d for d in pool if not d["version"].startswith(avoid)) if avoid else pool[-1]
            pool.remove(pick)
            pick["state"] = dict(state)


def fault_devices() -> list[dict[str, Any]]:
    short, site = FAULT_CUSTOMER[1], FAULT_CUSTOMER[2]
    rng = random.Random(SEED + 1)
    out = []
    for number, fault in ((1, "refuse"), (2, "auth_fail")):
        entry = device(f"{short}-{site}-fw{number:02d}", "PA-850", "10.1.11", "branch-fw", oem_optics(rng, "PA-850"))
        entry["faults"] = [fault]
        out.append(entry)
    return out


HEADER = """\
# GENERATED by lab/estates/make_demo.py (seed {seed}) - do not edit by hand.
# Regenerate with: python -m lab.estates.make_demo
# {devices} devices for {customers} customers: {platforms}.
# PAN-OS firewalls (HA pairs, 9.1/10.1, ~1 in 8 with non-OEM optics) and, per customer, switches and firewalls
# of at least two more vendors (lab/estates/multivendor.py); third-party optics on every platform;
# customer {fault_customer} also holds the two fault devices (refuse, auth_fail); a few PAN-OS firewalls carry a
# `state` that fails one pre-upgrade readiness check each (full disk, pending changes, expired support, ...), and so
# do a few FortiGates; two devices per platform serve a configuration that breaks a compliance rule (`config_lines`).
"""


def render(estate: dict[str, Any]) -> str:
    devices = [d for c in estate["customers"].values() for s in c["sites"].values() for d in s["devices"]]
    per_platform: dict[str, int] = {}
    for entry in devices:
        per_platform[entry["platform"]] = per_platform.get(entry["platform"], 0) + 1
    header = HEADER.format(
        seed=SEED,
        devices=len(devices),
        customers=len(estate["customers"]),
        platforms=", ".join(f"{n} {p}" for p, n in sorted(per_platform.items())),
        fault_customer=FAULT_CUSTOMER[0],
    )
    return header + yaml.safe_dump(estate, sort_keys=False, default_flow_style=None, width=200)


def main(argv: list[str] | None = None) -> int:
    out = Path(argv[0]) if argv else OUT
    out.write_text(render(build(random.Random(SEED))), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
