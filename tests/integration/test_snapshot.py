"""`estate pre-upgrade` over real SSH stores a PAN-OS snapshot: the lab's counts and its config without secrets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from lab import control
from lab.estate import Device, load
from lab.personalities import paloalto_panos as lab_panos
from lab.state import LabInfo
from tests.integration.conftest import FS, OEM_LR, OEM_SR, _fw
from tests.integration.test_audit import run_cli, run_folder

pytestmark = pytest.mark.integration

ESTATE: dict[str, Any] = {
    "customers": {
        "snap": {
            "sites": {
                "ams1": {
                    "devices": [
                        _fw("snap-ams1-fw01", "PA-3220", "10.1.9", [OEM_SR, OEM_LR]),
                        _fw("snap-ams1-fw02", "PA-850", "9.1.14", [OEM_SR, FS]),
                    ]
                }
            }
        }
    }
}


@pytest.fixture(scope="module")
def snapshot_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabInfo, Path, dict[str, Device]]]:
    root = tmp_path_factory.mktemp("snapshot-lab")
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
    args = ["pre-upgrade", "--customer", "snap", "--target", "10.2.4-h4", "--inventory", str(inventory)]
    code, out, _ = run_cli([*args, "--out", str(tmp_path)], capsys)
    assert code in (0, 1), out  # every device checked (the FS optic makes one a NO-GO)
    folder = run_folder(out)
    results_text = (folder / "results.json").read_text(encoding="utf-8")
    hosts = json.loads(results_text)["hosts"]
    assert set(hosts) == set(devices)
    for name, device in devices.items():
        host = hosts[name]
        assert host["status"] == "ok", host["error"]
        snap = host["snapshot"]
        assert snap["routes"] == lab_panos.route_count(device)
        assert snap["arp"] == lab_panos.arp_count(device)
        assert snap["sessions"] == lab_panos.session_count(device)
        config = snap["config"]
        assert config.startswith("config {") and f"hostname {name};" in config
        assert "snmp-community-string <removed>;" in config and "phash <removed>;" in config
        for what, secret in lab_panos.config_secrets(device).items():
            assert secret not in results_text, f"{name}: {what} in results.json"
    run_log = (folder / "run.log").read_text(encoding="utf-8")
    assert info.password not in results_text
    assert info.password not in run_log
    for device in devices.values():
        for secret in lab_panos.config_secrets(device).values():
            assert secret not in run_log
