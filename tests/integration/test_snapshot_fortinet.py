"""`estate pre-upgrade` over real SSH stores a FortiOS snapshot: the lab's counts and its config without secrets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from lab import control
from lab.estate import Device, load
from lab.personalities import fortinet as lab_fortinet
from lab.state import LabInfo
from tests.integration.test_audit import run_cli, run_folder

pytestmark = pytest.mark.integration

OEM_SR = {"type": "10GBASE-SR", "vendor": "FORTINET", "part": "FTLX8574D3BCLFTN"}


def _fg(name: str, model: str, version: str, optics: list[dict[str, str]]) -> dict[str, Any]:
    return {"name": name, "platform": "fortinet", "model": model, "version": version, "optics": optics}


ESTATE: dict[str, Any] = {
    "customers": {
        "snap": {
            "sites": {
                "ams1": {
                    "devices": [
                        _fg("snap-ams1-fg01", "FortiGate-601F", "7.2.6", [dict(OEM_SR, port="x1", serial="SN01")]),
                        _fg("snap-ams1-fg02", "FortiGate-100F", "7.0.15", []),
                    ]
                }
            }
        }
    }
}


@pytest.fixture(scope="module")
def snapshot_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabInfo, Path, dict[str, Device]]]:
    root = tmp_path_factory.mktemp("snapshot-fortinet-lab")
    (root / "estate.yaml").write_text(yaml.safe_dump(ESTATE, sort_keys=False), encoding="utf-8")
    info = control.start(root / "estate.yaml", root / "state", inventory_out=root / "inv", max_runtime=300)
    try:
        devices = {d.name: d for d in load(root / "estate.yaml").devices}
        yield info, root / "inv", devices
    finally:
        control.stop(root / "state")


def test_preupgrade_snapshot_has_the_lab_counts_and_a_config_without_secrets(
    snapshot_lab: tuple[LabInfo, Path, dict[str, Device]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    info, inventory, devices = snapshot_lab
    monkeypatch.setenv("ESTATE_USERNAME", info.username)
    monkeypatch.setenv("ESTATE_PASSWORD", info.password)
    monkeypatch.delenv("CI_NODE_INDEX", raising=False)
    monkeypatch.delenv("CI_NODE_TOTAL", raising=False)
    args = ["pre-upgrade", "--customer", "snap", "--target", "fortinet=7.4.8", "--inventory", str(inventory)]
    code, out, _ = run_cli([*args, "--out", str(tmp_path)], capsys)
    assert code in (0, 1), out  # every device checked
    folder = run_folder(out)
    results_text = (folder / "results.json").read_text(encoding="utf-8")
    hosts = json.loads(results_text)["hosts"]
    assert set(hosts) == set(devices)
    for name, device in devices.items():
        host = hosts[name]
        assert host["status"] == "ok", host["error"]
        snap = host["snapshot"]
        assert snap["routes"] == lab_fortinet.route_count(device) > 0
        assert snap["arp"] == lab_fortinet.arp_count(device) > 0
        assert snap["sessions"] == lab_fortinet.session_count(device) > 0
        up = {port for port, state in snap["interfaces"].items() if state == "up"}
        assert up == set(lab_fortinet.up_ports(device))
        assert set(snap["interfaces"]) == {port for port, _ in lab_fortinet.MODELS[device.model]}
        config = snap["config"]
        assert config.startswith("#config-version=") and f'    set hostname "{name}"' in config
        assert "set psksecret <removed>" in config and "set name <removed>" in config
        assert "ENC " not in config and "PRIVATE KEY" not in config
        for what, secret in lab_fortinet.config_secrets(device).items():
            assert secret not in results_text, f"{name}: {what} in results.json"
    run_log = (folder / "run.log").read_text(encoding="utf-8")
    assert info.password not in results_text
    assert info.password not in run_log
    for device in devices.values():
        for secret in lab_fortinet.config_secrets(device).values():
            assert secret not in run_log
