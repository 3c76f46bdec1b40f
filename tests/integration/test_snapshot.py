"""`estate pre-upgrade` over real SSH stores a snapshot per device (PAN-OS and FortiOS): the counts the lab
serves for the estate below and its configuration without any of the secrets the lab put in it: every kind this
test asks the lab to plant, and no value in the shape of a secret (tests/leaks.py), in results.json or run.log.

The expected counts are stated here, not asked of the lab's generator at test time: a connected and a host
route per layer-3 port (each port with an optic, and the first two copper ports) plus the device's static
routes, the ARP entries and sessions the lab serves for these names. They were read once from the lab's
answers and are fixed so that a change in what the lab serves or in how estate reads it shows up here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from netmiko import ConnectHandler

from lab.estate import Device
from lab.personalities import fortinet as lab_fortinet
from lab.personalities import load_estate as load
from lab.personalities import paloalto_panos as lab_panos
from lab.state import LabInfo
from tests.integration.conftest import FS, OEM_LR, OEM_SR, _fw, netmiko_params, running_lab, use_lab_credentials
from tests.integration.test_audit import run_cli, run_folder
from tests.leaks import leaks

pytestmark = pytest.mark.integration

FORTINET_SR = {"type": "10GBASE-SR", "vendor": "FORTINET", "part": "FTLX8574D3BCLFTN"}


def _fg(name: str, model: str, version: str, optics: list[dict[str, str]]) -> dict[str, Any]:
    return {"name": name, "platform": "fortinet", "model": model, "version": version, "optics": optics}


ESTATE: dict[str, Any] = {
    "customers": {
        "snap": {
            "sites": {
                "ams1": {
                    "devices": [
                        _fw("snap-ams1-fw01", "PA-3220", "10.1.9", [OEM_SR, OEM_LR]),
                        _fw("snap-ams1-fw02", "PA-850", "9.1.14", [OEM_SR, FS]),
                        # The Advanced Routing Engine on: routes from `show advanced-routing route`.
                        _fw("snap-ams1-fw03", "PA-3220", "10.2.3", [OEM_SR], state={"advanced_routing": True}),
                        _fg("snap-ams1-fg01", "FortiGate-601F", "7.2.6", [dict(FORTINET_SR, port="x1", serial="SN01")]),
                        _fg("snap-ams1-fg02", "FortiGate-100F", "7.0.15", []),
                    ]
                }
            }
        }
    }
}


def _panos_config(name: str, device: Device, snap: dict[str, Any]) -> None:
    config = snap["config"]
    assert config.startswith("config {") and f"hostname {name};" in config
    assert "authpwd <removed>;" in config and "phash <removed>;" in config
    assert "hash [ sha1 sha256 ];" in [line.strip() for line in config.split("\n")]  # IKE algorithms, kept


def _fortinet_config(name: str, device: Device, snap: dict[str, Any]) -> None:
    up = {port for port, state in snap["interfaces"].items() if state == "up"}
    assert up == set(lab_fortinet.up_ports(device))
    assert set(snap["interfaces"]) == {port for port, _ in lab_fortinet.MODELS[device.model]}
    config = snap["config"]
    assert config.startswith("#config-version=") and f'    set hostname "{name}"' in config
    assert "set psksecret <removed>" in config and "set name <removed>" in config
    assert "ENC " not in config and "PRIVATE KEY" not in config
    assert "        set proposal aes256-sha256" in config.split("\n")  # IKE algorithms, kept


# The kinds of secret the lab must plant in each platform's configuration, in its real syntax (this test's list,
# not the lab's): the classic ones and those the sanitiser once let through.
KINDS: dict[str, set[str]] = {
    "paloalto_panos": {
        "admin_phash",
        "snmp_auth_password",
        "snmp_priv_password",
        "ike_psk",
        "private_key",
        "http_server_password",
        "http_header_auth",
        "http_param_token",
        "edl_url_password",
        "edl_auth_password",
        "scep_challenge",
        "opaque_blob",
    },
    "fortinet": {
        "admin_password",
        "snmp_auth_pwd",
        "snmp_priv_pwd",
        "ipsec_psksecret",
        "private_key",
        "webhook_uri_token",
        "webhook_body_token",
        "webhook_bearer",
        "fsw_snmp_community",
        "edl_url_password",
        "edl_username",
        "edl_password",
        "opaque_blob",
    },
}


# platform -> (its lab personality, the target, what its snapshot's config and interfaces must show, the exit
# code: PAN-OS 1, since snap-ams1-fw02's FS optic is third-party against 10.2.4-h4 (the 10.2 boot-loop rule, a
# FAIL); FortiOS 0: healthy units with Fortinet optics, nothing FAILs)
PLATFORMS: dict[str, tuple[ModuleType, str, Callable[[str, Device, dict[str, Any]], None], int]] = {
    "paloalto_panos": (lab_panos, "10.2.4-h4", _panos_config, 1),
    "fortinet": (lab_fortinet, "fortinet=7.4.8", _fortinet_config, 0),
}
# device -> (routes, ARP entries, sessions) the lab serves for it. Routes: 2 per layer-3 port + static routes,
# e.g. snap-ams1-fw03: 1 optic + 2 copper ports = 6, and 3 static routes.
COUNTS: dict[str, tuple[int, int, int]] = {
    "snap-ams1-fw01": (15, 12, 16062),  # 2 optics + 2 copper: 8 routes, 7 static
    "snap-ams1-fw02": (13, 11, 27651),  # 2 optics + 2 copper: 8 routes, 5 static
    "snap-ams1-fw03": (9, 11, 32036),  # the ARE firewall: the same count from `show advanced-routing route`
    "snap-ams1-fg01": (8, 5, 38690),
    "snap-ams1-fg02": (9, 7, 36067),
}


@pytest.fixture(scope="module")
def snapshot_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabInfo, dict[str, Device]]]:
    root = tmp_path_factory.mktemp("snapshot-lab")
    with running_lab(root, ESTATE) as info:
        yield info, {d.name: d for d in load(root / "estate.yaml").devices}


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_preupgrade_snapshot_has_the_lab_counts_and_a_config_without_secrets(
    snapshot_lab: tuple[LabInfo, dict[str, Device]],
    platform: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    info, all_devices = snapshot_lab
    lab_module, target, check_config, exit_code = PLATFORMS[platform]
    devices = {name: d for name, d in all_devices.items() if d.platform == platform}
    use_lab_credentials(monkeypatch, info)
    assert info.inventory is not None
    args = ["pre-upgrade", "--customer", "snap", "--target", target, "--inventory", str(info.inventory)]
    code, out, _ = run_cli([*args, "--out", str(tmp_path)], capsys)
    assert code == exit_code, out
    folder = run_folder(out)
    results_text = (folder / "results.json").read_text(encoding="utf-8")
    hosts = json.loads(results_text)["hosts"]
    assert set(hosts) == set(devices)  # only the targeted platform's devices
    for name, device in devices.items():
        host = hosts[name]
        assert host["status"] == "ok", host["error"]
        snap = host["snapshot"]
        assert (snap["routes"], snap["arp"], snap["sessions"]) == COUNTS[name]
        check_config(name, device, snap)
        secrets = lab_module.config_secrets(device)
        assert KINDS[platform] <= set(secrets), f"{name}: the lab does not plant {KINDS[platform] - set(secrets)}"
        for what, secret in secrets.items():
            assert secret not in results_text, f"{name}: {what} in results.json"
    run_log = (folder / "run.log").read_text(encoding="utf-8")
    assert info.password not in results_text
    assert info.password not in run_log
    assert leaks(results_text) == [] and leaks(run_log) == []
    for device in devices.values():
        for what, secret in lab_module.config_secrets(device).items():
            assert secret not in run_log, f"{device.name}: {what} in run.log"


def test_an_are_firewall_answers_as_the_estate_says(snapshot_lab: tuple[LabInfo, dict[str, Device]]) -> None:
    info, _ = snapshot_lab
    conn = ConnectHandler(**netmiko_params(info, "snap-ams1-fw03", "paloalto_panos"))
    try:
        assert "advanced-routing: on" in conn.send_command("show system info")
        assert conn.send_command("show routing route").strip() == "Invalid syntax."
        are = conn.send_command("show advanced-routing route")
    finally:
        conn.disconnect()
    assert are.strip().startswith("Logical Router: default")
    assert are.strip().endswith(f"total route shown: {COUNTS['snap-ams1-fw03'][0]}")
