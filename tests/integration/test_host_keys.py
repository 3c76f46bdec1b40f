"""SSH host keys over real SSH (issue 13, point 4): the first audit records every device's key in its customer's
known_hosts (tofu); after `lab ctl rekey` the device is an ERROR naming both fingerprints and is never logged in to
(the lab's login counter does not move), by the runs as by onboarding's detection; `strict` refuses a device whose
key is not recorded, without a login."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paramiko
import pytest

from lab import control
from lab.state import LabInfo
from tasks.hostkeys import fingerprint, host_name
from tasks.onboard.detect import detect
from tests.integration.conftest import OEM_SR, _fw, running_lab, use_lab_credentials
from tests.integration.test_audit import run_cli, run_folder

pytestmark = pytest.mark.integration

ESTATE: dict[str, Any] = {
    "customers": {
        "keyco": {
            "sites": {
                "lon1": {
                    "devices": [
                        _fw("keyco-lon1-fw01", "PA-850", "10.1.9", [OEM_SR]),
                        {"name": "keyco-lon1-fg01", "platform": "fortinet", "model": "FortiGate-100F",
                         "version": "7.2.6"},
                    ]
                }
            }
        }
    }
}  # fmt: skip
NAMES = ("keyco-lon1-fg01", "keyco-lon1-fw01")
REKEYED = "keyco-lon1-fg01"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabInfo, Path]]:
    work = tmp_path_factory.mktemp("hostkeys-lab")
    with running_lab(work, ESTATE) as info:
        yield info, work


def status(work: Path) -> dict[str, dict[str, Any]]:
    return {str(d["name"]): d for d in control.status_json(work / "state")}


def audit(info: LabInfo, inventory: Path, out: Path, capsys: Any, **env: str) -> tuple[int, dict[str, Any]]:
    with pytest.MonkeyPatch.context() as mp:
        use_lab_credentials(mp, info)
        mp.setenv("ESTATE_CONNECT_TIMEOUT", "5")
        mp.setenv("ESTATE_COMMAND_TIMEOUT", "5")
        for key, value in env.items():
            mp.setenv(key, value)
        code, stdout, _ = run_cli(["audit", "--inventory", str(inventory), "--out", str(out)], capsys)
    hosts = json.loads((run_folder(stdout) / "results.json").read_text(encoding="utf-8"))["hosts"]
    return code, hosts


def recorded(path: Path) -> dict[str, str]:
    """{known_hosts name: SHA256 fingerprint} of every line of `path`."""
    keys = paramiko.HostKeys(str(path))
    return {name: fingerprint(key) for name in keys for key in keys[name].values()}


def test_first_use_records_a_changed_key_is_an_error_and_nothing_is_sent(
    lab: tuple[LabInfo, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    info, work = lab
    inventory = tmp_path / "inventory"
    shutil.copytree(work / "inventory", inventory)
    known_hosts = inventory / "keyco" / "known_hosts"
    assert not known_hosts.exists()

    code, hosts = audit(info, inventory, tmp_path / "out", capsys)
    assert code == 0 and all(hosts[name]["status"] == "ok" for name in NAMES)
    before = status(work)
    expected = {host_name("127.0.0.1", info.devices[name]): before[name]["host_key"] for name in NAMES}
    assert recorded(known_hosts) == expected  # one `[127.0.0.1]:port ssh-ed25519 ...` line each, the lab's key

    message = control.ctl(work / "state", "rekey", REKEYED)
    new_key = status(work)[REKEYED]["host_key"]
    assert new_key != before[REKEYED]["host_key"] and new_key in message
    file_before = known_hosts.read_bytes()
    code, hosts = audit(info, inventory, tmp_path / "out", capsys)
    after = status(work)
    assert code == 2
    row = hosts[REKEYED]
    assert row["status"] == "error" and row["error"].startswith("hostkey: ")
    assert before[REKEYED]["host_key"] in row["error"] and new_key in row["error"]
    assert host_name("127.0.0.1", info.devices[REKEYED]) in row["error"]
    assert after[REKEYED]["connections"] == before[REKEYED]["connections"] + 1  # it was reached ...
    assert after[REKEYED]["logins"] == before[REKEYED]["logins"]  # ... and never logged in to: no password sent
    for name in NAMES:
        if name != REKEYED:
            assert hosts[name]["status"] == "ok" and after[name]["logins"] == before[name]["logins"] + 1
    assert known_hosts.read_bytes() == file_before  # a changed key is never recorded over the old one

    # onboarding's platform detection (SSHDetect) refuses the changed key too, before the login
    found = detect("127.0.0.1", info.devices[REKEYED], info.username, info.password, 5, 5, known_hosts=known_hosts)
    assert found.platform is None and "does not match" in found.reason
    assert status(work)[REKEYED]["logins"] == before[REKEYED]["logins"]


def test_strict_refuses_an_unknown_key_before_the_login(
    lab: tuple[LabInfo, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    info, work = lab
    inventory = tmp_path / "inventory"
    shutil.copytree(work / "inventory", inventory)
    known_hosts = inventory / "keyco" / "known_hosts"
    now = status(work)
    trusted = "keyco-lon1-fw01"
    name = host_name("127.0.0.1", info.devices[trusted])
    keys = paramiko.HostKeys()
    transport = paramiko.Transport(("127.0.0.1", info.devices[trusted]))  # the key, as `ssh-keyscan` reads it
    try:
        transport.start_client(timeout=5)
        key = transport.get_remote_server_key()
    finally:
        transport.close()
    assert fingerprint(key) == now[trusted]["host_key"]
    keys.add(name, key.get_name(), key)
    keys.save(str(known_hosts))
    saved = known_hosts.read_bytes()

    code, hosts = audit(info, inventory, tmp_path / "out", capsys, ESTATE_HOST_KEYS="strict")
    after = status(work)
    assert code == 2
    assert hosts[trusted]["status"] == "ok"
    for other in NAMES:
        if other != trusted:
            assert hosts[other]["status"] == "error" and hosts[other]["error"].startswith("hostkey: ")
            assert "unknown" in hosts[other]["error"] and after[other]["host_key"] in hosts[other]["error"]
            assert after[other]["logins"] == now[other]["logins"]
    assert known_hosts.read_bytes() == saved  # strict records nothing
