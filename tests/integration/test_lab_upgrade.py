"""The lab as a device you can upgrade, over real SSH with netmiko's PAN-OS driver, and `estate lab` control."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from netmiko import ConnectHandler
from netmiko.base_connection import BaseConnection

from lab import control
from lab.state import LabInfo
from tests.integration.conftest import netmiko_params, running_lab

pytestmark = pytest.mark.integration

REBOOT_S = 4
OEM = {"port": "ethernet1/13", "type": "10GBASE-SR", "vendor": "OEM", "part": "PAN-SFP-PLUS-SR", "serial": "O1"}
FS = {"port": "ethernet1/14", "type": "10GBASE-LR", "vendor": "FS", "part": "SFP-10GLR-31", "serial": "F1"}


def _fw(name: str, version: str, optics: list[dict[str, str]], **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "platform": "paloalto_panos",
        "model": "PA-850",
        "version": version,
        "optics": optics,
        **extra,
    }


ESTATE = {
    "defaults": {"reboot_s": REBOOT_S},
    "customers": {
        "acme": {
            "sites": {
                "lon1": {
                    "devices": [
                        _fw("acme-lon1-fw01", "10.1.9", [OEM]),
                        _fw("acme-lon1-fw02", "10.1.9", [OEM, FS]),
                        _fw("acme-lon1-fw03", "9.1.14", [OEM, FS], reboot_s=2),
                    ]
                }
            }
        }
    },
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabInfo, Path]]:
    root = tmp_path_factory.mktemp("upgrade-lab")
    with running_lab(root, ESTATE, max_runtime=600) as info:
        yield info, root / "state"


def _connect(info: LabInfo, name: str) -> BaseConnection:
    return ConnectHandler(**netmiko_params(info, name, "paloalto_panos", conn_timeout=5))


def _wait_job(conn: BaseConnection, job_id: str, bound_s: float = 20.0) -> str:
    """Poll `show jobs id N` until the job is FIN; its result."""
    deadline = time.monotonic() + bound_s
    while time.monotonic() < deadline:
        output = conn.send_command(f"show jobs id {job_id}")
        row = re.search(rf"^\S+ \S+\s+{job_id}\s+(\S+)\s+(ACT|FIN)\s+(\S+)", output, re.M)
        assert row is not None, output
        if row.group(2) == "FIN":
            return row.group(3)
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} not FIN after {bound_s} s")


def _download(conn: BaseConnection, version: str) -> str:
    reply = conn.send_command(f"request system software download version {version}")
    found = re.search(r"Download job enqueued with jobid (\d+)", reply)
    assert found is not None, reply
    return _wait_job(conn, found.group(1))


def _install(conn: BaseConnection, version: str) -> str:
    reply = conn.send_command_timing(f"request system software install version {version}")
    assert "(y or n)" in reply
    reply = conn.send_command("y", expect_string=r">\s*$")
    found = re.search(r"Software install job enqueued with jobid (\d+)", reply)
    assert found is not None, reply
    return _wait_job(conn, found.group(1))


def _restart(conn: BaseConnection) -> None:
    reply = conn.send_command_timing("request restart system")
    assert "Do you want to continue? (y or n)" in reply
    reply = conn.send_command_timing("y", last_read=0.5, read_timeout=3)
    assert "The system is going down for reboot NOW!" in reply
    conn.disconnect()


def _refuses(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _state(state_dir: Path, name: str) -> dict[str, object]:
    return next(d for d in control.status_json(state_dir) if d["name"] == name)


def _wait_state(state_dir: Path, name: str, wanted: str, bound_s: float = 15.0) -> dict[str, object]:
    deadline = time.monotonic() + bound_s
    while time.monotonic() < deadline:
        device = _state(state_dir, name)
        if device["state"] == wanted:
            return device
        time.sleep(0.2)
    raise AssertionError(f"{name} not {wanted} after {bound_s} s: {_state(state_dir, name)}")


def _wait_port(port: int, bound_s: float = 15.0) -> None:
    deadline = time.monotonic() + bound_s
    while _refuses(port):
        assert time.monotonic() < deadline, f"port {port} still refused"
        time.sleep(0.2)


def test_download_install_restart_boots_the_new_release(lab: tuple[LabInfo, Path]) -> None:
    info, state_dir = lab
    name, port = "acme-lon1-fw01", info.devices["acme-lon1-fw01"]
    conn = _connect(info, name)
    info_table = conn.send_command("request system software info")
    assert re.search(r"^10\.2\.0\s.*\sno\s+no\s*$", info_table, re.M), info_table
    assert _download(conn, "10.2.0") == "OK"
    assert _download(conn, "10.2.4-h4") == "OK"
    info_table = conn.send_command("request system software check")
    assert re.search(r"^10\.2\.4-h4\s.*\syes\s+no\s*$", info_table, re.M), info_table
    assert _install(conn, "10.2.4-h4") == "OK"
    assert "SWInstall" in conn.send_command("show jobs all")
    _restart(conn)
    time.sleep(0.5)
    assert _refuses(port)
    assert _state(state_dir, name)["state"] == "rebooting"
    _wait_port(port, bound_s=REBOOT_S + 10)
    conn = _connect(info, name)
    assert "sw-version: 10.2.4-h4" in conn.send_command("show system info")
    jobs = conn.send_command("show jobs all")
    assert re.search(r"\s1\s+AutoCom\s", jobs), jobs
    deadline = time.monotonic() + 10
    while conn.send_command("show chassis-ready").strip() != "yes":
        assert time.monotonic() < deadline
        time.sleep(0.3)
    assert re.search(r"\s1\s+AutoCom\s+FIN\s+OK", conn.send_command("show jobs all"))
    assert "Successfully deleted" in conn.send_command("delete software version 10.2.0")
    conn.disconnect()
    state = _state(state_dir, name)
    assert state.pop("connections") >= 1 and state.pop("logins") >= 1 and state.pop("host_key").startswith("SHA256:")
    assert state == {
        "name": name,
        "platform": "paloalto_panos",
        "version": "10.2.4-h4",
        "state": "up",
        "ha_state": None,
        "non_oem_optics": 0,
        "requests": [
            "download 10.2.0",
            "download 10.2.4-h4",
            "install 10.2.4-h4",
            "restart",
            "delete 10.2.0",
        ],
    }


def test_install_without_download_and_cancelled_restart(lab: tuple[LabInfo, Path]) -> None:
    info, state_dir = lab
    conn = _connect(info, "acme-lon1-fw02")
    conn.send_command_timing("request system software install version 10.1.14")
    assert "not downloaded" in conn.send_command("y", expect_string=r">\s*$")
    assert "(y or n)" in conn.send_command_timing("request restart system")
    conn.send_command("n", expect_string=r">\s*$")
    assert "sw-version: 10.1.9" in conn.send_command("show system info")
    conn.disconnect()
    assert _state(state_dir, "acme-lon1-fw02")["state"] == "up"


def test_third_party_optic_into_10_2_0_boot_loops_until_replace_optics(lab: tuple[LabInfo, Path]) -> None:
    info, state_dir = lab
    name, port = "acme-lon1-fw03", info.devices["acme-lon1-fw03"]
    conn = _connect(info, name)
    assert _download(conn, "10.2.0") == "OK"
    assert _install(conn, "10.2.0") == "OK"
    _restart(conn)
    looped = _wait_state(state_dir, name, "boot-loop")
    assert looped["version"] == "9.1.14" and looped["non_oem_optics"] == 1
    time.sleep(2.5)  # longer than its reboot_s: it still never comes back
    assert _refuses(port)
    assert "1 optics replaced" in control.ctl(state_dir, "replace-optics", name)
    _wait_state(state_dir, name, "up")
    _wait_port(port)
    conn = _connect(info, name)
    assert "sw-version: 10.2.0" in conn.send_command("show system info")
    hardware = conn.send_command("show system state filter sys.s1.p14.phy")
    assert "vendor-name: OEM" in hardware.replace("'", "") or "OEM" in hardware
    conn.disconnect()
    assert _state(state_dir, name)["non_oem_optics"] == 0


def test_link_down_and_pull_optic_change_what_the_device_reports(lab: tuple[LabInfo, Path]) -> None:
    info, state_dir = lab
    name = "acme-lon1-fw02"
    conn = _connect(info, name)
    config = conn.send_command("show config running")
    before = conn.send_command("show interface hardware")
    assert re.search(r"^ethernet1/14\s+\d+\s+10000/full/up", before, re.M), before
    control.ctl(state_dir, "link-down", name, "ethernet1/13")
    control.ctl(state_dir, "pull-optic", name, "ethernet1/14")
    after = conn.send_command("show interface hardware")
    assert re.search(r"^ethernet1/13\s+\d+\s+ukn/ukn/down", after, re.M), after
    assert re.search(r"^ethernet1/14\s+\d+\s+ukn/ukn/down", after, re.M), after
    optics = conn.send_command("show system state filter sys.s1.p14.phy")
    assert "SFP-10GLR-31" not in optics and "sfp" not in optics
    assert conn.send_command("show config running") == config  # a failure, not a configuration change
    conn.disconnect()
    assert _state(state_dir, name)["non_oem_optics"] == 0


def test_download_fail_fault_ends_the_job_fail(lab: tuple[LabInfo, Path]) -> None:
    info, state_dir = lab
    control.ctl(state_dir, "fault", "acme-lon1-fw02", "download_fail")
    conn = _connect(info, "acme-lon1-fw02")
    assert _download(conn, "10.1.14") == "FAIL"
    assert _download(conn, "10.1.14") == "OK"
    conn.disconnect()


def test_bad_ctl_requests_raise_one_line(lab: tuple[LabInfo, Path]) -> None:
    _, state_dir = lab
    with pytest.raises(control.ControlError, match="unknown verb"):
        control.ctl(state_dir, "explode", "acme-lon1-fw01")
    with pytest.raises(control.ControlError, match="unknown device"):
        control.ctl(state_dir, "replace-optics", "nope")


def _config(info: LabInfo, name: str) -> str:
    conn = _connect(info, name)
    text = conn.send_command("show config running")
    conn.disconnect()
    return str(text)


def test_cli_lab_status_json_and_ctl(lab: tuple[LabInfo, Path], capsys: pytest.CaptureFixture[str]) -> None:
    from workflows.cli import main

    _, state_dir = lab
    assert main(["lab", "status", "--json", "--state-dir", str(state_dir)]) == 0
    devices = json.loads(capsys.readouterr().out)
    assert {d["name"] for d in devices} == {"acme-lon1-fw01", "acme-lon1-fw02", "acme-lon1-fw03"}
    assert set(devices[0]) == {"name", "platform", "version", "state", "ha_state", "non_oem_optics", "requests"} | {
        "connections",
        "logins",
        "host_key",
    }
    assert main(["lab", "ctl", "fault", "acme-lon1-fw01", "disk_full", "--state-dir", str(state_dir)]) == 0
    assert "disk_full" in capsys.readouterr().out
    before = _config(lab[0], "acme-lon1-fw02")
    assert "hostname acme-lon1-fw02;" in before
    argv = [
        "lab",
        "ctl",
        "set-config",
        "acme-lon1-fw02",
        "--add",
        "  set-by-lab yes;",
        "--remove",
        "hostname acme-lon1-fw02;",
    ]
    assert main([*argv, "--state-dir", str(state_dir)]) == 0
    after = _config(lab[0], "acme-lon1-fw02")
    assert "set-by-lab yes;" in after and "hostname acme-lon1-fw02;" not in after
    capsys.readouterr()
    assert main(["lab", "ctl", "fault", "acme-lon1-fw01", "melt", "--state-dir", str(state_dir)]) == 3
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "melt" in err


FORTI_ESTATE = {
    "defaults": {"reboot_s": 2},
    "customers": {
        "acme": {
            "sites": {
                "par1": {
                    "devices": [
                        {
                            "name": "acme-par1-fgt01",
                            "platform": "fortinet",
                            "model": "FortiGate-60F",
                            "version": "7.2.6",
                        },
                        {
                            "name": "acme-par1-fgt02",
                            "platform": "fortinet",
                            "model": "FortiGate-60F",
                            "version": "7.0.13",
                            "vdoms": ["root", "dmz"],
                        },
                    ]
                }
            }
        }
    },
}


@pytest.fixture(scope="module")
def forti_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabInfo, Path]]:
    root = tmp_path_factory.mktemp("upgrade-forti-lab")
    with running_lab(root, FORTI_ESTATE, max_runtime=600) as info:
        yield info, root / "state"


def _forti_restore(conn: BaseConnection, image: str) -> str:
    reply = conn.send_command_timing(f"execute restore image tftp {image} 10.0.0.5", last_read=0.5)
    assert "This operation will replace the current firmware version!" in reply
    assert "Do you want to continue? (y/n)" in reply
    conn.write_channel("y")  # one key, no Enter, as FortiOS reads it
    time.sleep(1.0)
    return conn.read_channel()


@pytest.mark.parametrize(("name", "context"), [("acme-par1-fgt01", None), ("acme-par1-fgt02", "config global")])
def test_fortios_restore_image_reboots_into_the_new_version(
    forti_lab: tuple[LabInfo, Path], name: str, context: str | None
) -> None:
    info, state_dir = forti_lab
    port = info.devices[name]
    conn = ConnectHandler(**netmiko_params(info, name, "fortinet", conn_timeout=5))
    if context is not None:
        conn.send_command(context, expect_string=r"\(global\) #")
    text = _forti_restore(conn, "FGT_60F-v7.4.8.M-build2795-FORTINET.out")
    assert "Checking new firmware integrity ... pass" in text and "The system is going down NOW !!" in text
    conn.disconnect()
    time.sleep(0.5)
    assert _refuses(port)
    assert _state(state_dir, name)["state"] == "rebooting"
    _wait_port(port)
    conn = ConnectHandler(**netmiko_params(info, name, "fortinet", conn_timeout=5))
    assert "v7.4.8" in conn.send_command("get system status")
    conn.disconnect()
    assert _state(state_dir, name)["version"] == "7.4.8"


def test_fortios_restore_bad_image_and_download_fail_change_nothing(forti_lab: tuple[LabInfo, Path]) -> None:
    info, state_dir = forti_lab
    name = "acme-par1-fgt01"
    _wait_state(state_dir, name, "up")
    _wait_port(info.devices[name])
    conn = ConnectHandler(**netmiko_params(info, name, "fortinet", conn_timeout=5))
    assert "File is not an update file" in _forti_restore(conn, "image.out")
    control.ctl(state_dir, "fault", name, "download_fail")
    assert "Transfer timed out" in _forti_restore(conn, "FGT_60F-v7.4.9.M-build2829-FORTINET.out")
    conn.disconnect()
    assert _state(state_dir, name)["state"] == "up"


def test_fortios_link_down_shows_in_interface_physical(forti_lab: tuple[LabInfo, Path]) -> None:
    info, state_dir = forti_lab
    name = "acme-par1-fgt01"
    _wait_state(state_dir, name, "up")
    _wait_port(info.devices[name])
    conn = ConnectHandler(**netmiko_params(info, name, "fortinet", conn_timeout=5))
    before = conn.send_command("get system interface physical")
    block = re.search(r"==\[(\S+)\]\s+mode: static\s+ip: (10\.\S+) .*?status: up", before, re.S)
    assert block is not None, before
    port, ip = block.group(1), block.group(2)
    control.ctl(state_dir, "link-down", name, port)
    after = conn.send_command("get system interface physical")
    conn.disconnect()
    down = re.search(rf"==\[{re.escape(port)}\]\s+mode: static\s+ip: (\S+) .*?status: (\w+)", after, re.S)
    assert down is not None and down.groups() == (ip, "down"), after
