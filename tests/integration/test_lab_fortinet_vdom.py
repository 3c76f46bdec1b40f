"""A FortiGate in multi-VDOM mode (`vdoms:` in the estate file): the lab refuses unit-wide commands outside
`config global` as a real unit does, and `estate audit` / `estate pre-upgrade` read it whole.

What is expected comes from the estate below: its optics, its HA role, a standalone healthy unit on 7.2.6 going
to 7.4.8 (readiness: nothing fails; FortiOS has no candidate configuration or job queue, so those two SKIPPED).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from netmiko import ConnectHandler

from lab.state import LabInfo
from tests.integration.conftest import netmiko_params, running_lab, use_lab_credentials
from tests.integration.test_audit import run_cli, run_folder

pytestmark = pytest.mark.integration

# FortiOS's answer to a command it does not have where it is sent (oxidized FortiGate-501E recording).
PARSE_ERROR = ["command parse error before '{word}'", "Command fail. Return code -61"]

OPTICS = [
    {"port": "x1", "type": "10GBASE-SR", "vendor": "FORTINET", "part": "FTLX8574D3BCLFTN", "serial": "VD0001"},
    {"port": "x2", "type": "10GBASE-LR", "vendor": "FORTINET", "part": "FTLX1471D3BCLFTN", "serial": "VD0002"},
    {"port": "port9", "type": "1000BASE-SX", "vendor": "FINISAR CORP.", "part": "FTLF8519P3BNL", "serial": "VD0003"},
]
VDOMS = ["root", "cust-a"]


def _fg(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "platform": "fortinet", "model": "FortiGate-601F", "version": "7.2.6", **extra}


ESTATE = {
    "customers": {
        "vdom": {
            "sites": {
                "fra1": {
                    "devices": [
                        _fg("vdom-fra1-fw01", optics=OPTICS, vdoms=VDOMS),
                        _fg("vdom-fra1-fw02", vdoms=VDOMS, ha={"peer": "vdom-fra1-fw03", "state": "active"}),
                        _fg("vdom-fra1-fw03", vdoms=VDOMS, ha={"peer": "vdom-fra1-fw02", "state": "passive"}),
                    ]
                }
            }
        }
    }
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabInfo]:
    with running_lab(tmp_path_factory.mktemp("lab_vdom"), ESTATE) as info:
        yield info


def test_the_lab_unit_answers_global_commands_only_in_config_global(lab: LabInfo) -> None:
    conn = ConnectHandler(**netmiko_params(lab, "vdom-fra1-fw01", "fortinet"))  # netmiko's own VDOM handling
    try:
        status = conn.send_command("get system status")
        assert "Virtual domain configuration: multiple" in status
        assert conn.find_prompt() == "vdom-fra1-fw01 #"
        refused = conn.send_command("get system interface transceiver").strip().splitlines()
        assert refused == [PARSE_ERROR[0].format(word="interface"), PARSE_ERROR[1]]
        refused = conn.send_command("get router info routing-table all").strip().splitlines()
        assert refused == [PARSE_ERROR[0].format(word="router"), PARSE_ERROR[1]]
        conn.send_command("config global", expect_string=r"\(global\) #")
        assert conn.find_prompt() == "vdom-fra1-fw01 (global) #"
        assert "FTLX8574D3BCLFTN" in conn.send_command("get system interface transceiver")
        conn.send_command("end", expect_string=r"fw01 #")
        conn.send_command("config vdom", expect_string=r"\(vdom\) #")
        conn.send_command("edit cust-a", expect_string=r"\(cust-a\) #")
        assert "0.0.0.0/0" in conn.send_command("get router info routing-table all")
        conn.send_command("end", expect_string=r"fw01 #")
        assert conn.find_prompt() == "vdom-fra1-fw01 #"
    finally:
        conn.disconnect()


def test_audit_reads_every_optic_of_a_multi_vdom_unit(
    lab: LabInfo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_lab_credentials(monkeypatch, lab)
    assert lab.inventory is not None
    args = ["audit", "--customer", "vdom", "--inventory", str(lab.inventory), "--out", str(tmp_path)]
    code, out, _ = run_cli(args, capsys)
    hosts = json.loads((run_folder(out) / "results.json").read_text(encoding="utf-8"))["hosts"]
    assert {name: host["status"] for name, host in hosts.items()} == dict.fromkeys(
        ("vdom-fra1-fw01", "vdom-fra1-fw02", "vdom-fra1-fw03"), "ok"
    )
    seen = sorted((t["port"], t["vendor"], t["part"], t["serial"]) for t in hosts["vdom-fra1-fw01"]["transceivers"])
    assert seen == sorted((o["port"], o["vendor"], o["part"], o["serial"]) for o in OPTICS)
    assert hosts["vdom-fra1-fw02"]["facts"]["ha_state"] == "primary"
    assert code == 0, out  # OEM optics and one third-party optic without a target: nothing FAILs


def test_preupgrade_readiness_and_snapshot_of_a_multi_vdom_unit(
    lab: LabInfo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_lab_credentials(monkeypatch, lab)
    monkeypatch.delenv("ESTATE_MIN_CONTENT", raising=False)
    assert lab.inventory is not None
    args = ["pre-upgrade", "--customer", "vdom", "--target", "fortinet=7.4.8", "--inventory", str(lab.inventory)]
    code, out, _ = run_cli([*args, "--limit", "vdom-fra1-fw01", "--out", str(tmp_path)], capsys)
    host = json.loads((run_folder(out) / "results.json").read_text(encoding="utf-8"))["hosts"]["vdom-fra1-fw01"]
    assert host["status"] == "ok", host["error"]
    verdicts = {f["check"]: f["verdict"] for f in host["findings"]}
    assert "ERROR" not in verdicts.values(), verdicts
    # every readiness check read an answer (a refused command would be ERROR or an unreadable value)
    for check in ("disk_space", "ntp_sync", "mgmt_resources", "content_version", "licenses", "environmentals"):
        assert verdicts.get(check) in ("PASS", "WARN"), (check, verdicts)
    snapshot = host["snapshot"]
    assert snapshot["routes"] and snapshot["arp"] and snapshot["sessions"]
    assert {port for port, state in snapshot["interfaces"].items() if state == "up"} >= {o["port"] for o in OPTICS}
    assert code in (0, 1), out
