"""A supplementary command the device refuses is not a dead device (issue 8, item 9), over real SSH in the lab.

Each lab device below refuses some commands (estate-file `refuse_commands`), answering them as its OS answers
an account that may not run them. Expectations come from the estate file: the device keeps its facts and the
optics the estate lists, is WARN (not ERROR), and a `collection` finding names the refused command; a refused
facts or optics command is still ERROR.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from netmiko import ConnectHandler

from lab.state import LabInfo
from tasks.platforms import get_platform
from tasks.platforms.base import rejection
from tests.integration.conftest import Lab, netmiko_params, running_lab, use_lab_credentials
from tests.integration.test_audit import run_cli, run_folder

pytestmark = pytest.mark.integration

# The estate's six platforms (written here: a platform registered by another test is not one of them).
SIX = ("arista_eos", "cisco_ios", "cisco_nxos", "fortinet", "juniper_junos", "paloalto_panos")
JUNOS_OPTICS = [
    {"port": "xe-0/2/0", "type": "SFP+-10G-SR", "vendor": "FINISAR CORP.", "part": "740-021308", "serial": "F1"},
    {"port": "xe-0/2/1", "type": "SFP+-10G-LR", "vendor": "FS", "part": "SFP-10GLR-31", "serial": "FS2"},
]
IOS_OPTICS = [
    {"port": "TenGigabitEthernet1/1/1", "type": "10GBASE-SR", "vendor": "CISCO-FINISAR", "part": "SFP-10G-SR"},
    {"port": "TenGigabitEthernet1/1/2", "type": "10GBASE-LR", "vendor": "FS", "part": "SFP-10GLR-31"},
]
PAN_OPTICS = [
    {"port": "ethernet1/17", "type": "10GBASE-SR", "vendor": "OEM", "part": "PAN-SFP-PLUS-SR", "serial": "P17"},
]


def _refusing_optics(platform: str) -> dict[str, Any]:
    """A device of `platform` that refuses its (essential) optics command."""
    module = importlib.import_module(f"lab.personalities.{platform}")
    capabilities = get_platform(platform)
    return {
        "name": f"{platform.replace('_', '-')}-nooptics",
        "platform": platform,
        "model": sorted(module.DEMO_MODELS)[0],
        "version": module.DEMO_VERSIONS[0],
        "refuse_commands": [capabilities.command(capabilities.transceiver_commands[0])],
    }


DEVICES = [
    {
        "name": "jn-pic-refused",
        "platform": "juniper_junos",
        "model": "EX4300-48P",
        "version": "22.4R3-S2.11",
        "optics": JUNOS_OPTICS,
        "refuse_commands": ["show chassis pic *"],
    },
    {
        "name": "ios-idprom-refused",
        "platform": "cisco_ios",
        "model": "C9300-48P",
        "version": "17.9.4a",
        "optics": IOS_OPTICS,
        "refuse_commands": ["show idprom interface TenGigabitEthernet1/1/2"],
    },
    {
        "name": "pan-counters-refused",
        "platform": "paloalto_panos",
        "model": "PA-3220",
        "version": "10.1.9",
        "optics": PAN_OPTICS,
        "refuse_commands": ["show session info", "show ntp"],
    },
    {
        "name": "ios-drop-at-idprom",
        "platform": "cisco_ios",
        "model": "C9300-48P",
        "version": "17.9.4a",
        "optics": IOS_OPTICS,
        "drop_commands": ["show idprom interface TenGigabitEthernet1/1/1"],
    },
    {
        "name": "ios-drop-at-inventory",
        "platform": "cisco_ios",
        "model": "C9300-48P",
        "version": "17.9.4a",
        "optics": IOS_OPTICS,
        "drop_commands": ["show inventory"],
    },
    *(_refusing_optics(platform) for platform in SIX),
]
ESTATE = {"customers": {"partial": {"sites": {"lab1": {"devices": DEVICES}}}}}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    work = tmp_path_factory.mktemp("partial-lab")
    with running_lab(work, ESTATE) as info:
        yield Lab(info, work / "estate.yaml", work / "inventory")


@pytest.fixture
def env(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> Lab:
    use_lab_credentials(monkeypatch, lab.info)
    monkeypatch.setenv("ESTATE_COMMAND_TIMEOUT", "10")
    return lab


def _hosts(folder: Path) -> dict[str, Any]:
    hosts: dict[str, Any] = json.loads((folder / "results.json").read_text(encoding="utf-8"))["hosts"]
    return hosts


def _audit(lab: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    _, out, _ = run_cli(["audit", "--inventory", str(lab.inventory), "--out", str(tmp_path), *extra], capsys)
    return _hosts(run_folder(out))


@pytest.mark.parametrize("platform", SIX)
def test_each_personality_refuses_with_an_error_its_platform_recognises(lab: Lab, platform: str) -> None:
    device = next(d for d in DEVICES if d["name"] == f"{platform.replace('_', '-')}-nooptics")
    params = netmiko_params(lab.info, device["name"], get_platform(platform).driver, read_timeout_override=10)
    conn = ConnectHandler(**params)
    try:
        output = str(conn.send_command(device["refuse_commands"][0]))
    finally:
        conn.write_channel("exit\n")
        conn.paramiko_cleanup()
    assert rejection(output, get_platform(platform).error_markers) is not None, output


def test_a_refused_essential_command_is_an_error_naming_the_command(
    env: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hosts = _audit(env, tmp_path, capsys, "--limit", "*-nooptics")
    for device in (d for d in DEVICES if d["name"].endswith("-nooptics")):
        host = hosts[device["name"]]
        assert host["verdict"] == "ERROR", device["name"]
        assert host["error"].startswith(f"command: {device['refuse_commands'][0]!r}: refused by the device: ")


def test_a_refused_optic_follow_up_is_warn_with_facts_and_optics_kept(
    env: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hosts = _audit(env, tmp_path, capsys, "--limit", "jn-pic-refused", "--limit", "ios-idprom-refused")
    junos, ios = hosts["jn-pic-refused"], hosts["ios-idprom-refused"]
    for host, device in ((junos, DEVICES[0]), (ios, DEVICES[1])):
        assert host["status"] == "ok" and host["verdict"] == "WARN", host
        assert host["facts"]["version"] == device["version"]
        assert [t["port"] for t in host["transceivers"]] == [o["port"] for o in device["optics"]]
    # Without the follow-up each optic has the part its OS prints in the first output: the Juniper part, or
    # NON-JNPR (Junos) / Unspecified (IOS) for the third-party one, which so stays third-party.
    assert [t["part"] for t in junos["transceivers"]] == [JUNOS_OPTICS[0]["part"], "NON-JNPR"]
    assert [t["part"] for t in ios["transceivers"]] == [IOS_OPTICS[0]["part"], "Unspecified"]
    assert [t["oem"] for t in junos["transceivers"]] == [True, False]
    assert [t["oem"] for t in ios["transceivers"]] == [True, False]
    # Junos: both optics sit in FPC 0, PIC 2 (xe-0/2/x): the vendor names of that PIC are unknown.
    assert [t["vendor"] for t in junos["transceivers"]] == ["", ""]
    assert [f["message"] for f in junos["findings"] if f["check"] == "collection"] == [
        "'show chassis pic fpc-slot 0 pic-slot 2' refused by the device: syntax error, expecting <command>.; "
        "what it reads is unknown"
    ]
    # IOS: only the second port's idprom was refused; the first optic's vendor name is read.
    assert [t["vendor"] for t in ios["transceivers"]] == [IOS_OPTICS[0]["vendor"], ""]
    assert [f["message"] for f in ios["findings"] if f["check"] == "collection"] == [
        "'show idprom interface TenGigabitEthernet1/1/2' refused by the device: "
        "% Invalid input detected at '^' marker.; what it reads is unknown"
    ]


def test_a_refused_snapshot_counter_is_unknown_and_an_unselected_check_does_not_matter(
    env: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["pre-upgrade", "--inventory", str(env.inventory), "--out", str(tmp_path), "--limit", "pan-counters-refused"]
    _, out, _ = run_cli([*args, "--target", "10.1.14", "--checks", "disk_space,running_jobs"], capsys)
    host = _hosts(run_folder(out))["pan-counters-refused"]
    assert host["status"] == "ok" and host["verdict"] != "ERROR", host
    assert [t["port"] for t in host["transceivers"]] == [o["port"] for o in PAN_OPTICS]
    assert host["snapshot"]["sessions"] is None and host["snapshot"]["routes"] is not None
    collection = [f for f in host["findings"] if f["check"] == "collection"]
    assert [(f["verdict"], f["message"].split(" refused")[0]) for f in collection] == [("WARN", "'show session info'")]


def test_a_selected_readiness_check_whose_command_is_refused_is_error_with_the_reason(
    env: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["pre-upgrade", "--inventory", str(env.inventory), "--out", str(tmp_path), "--limit", "pan-counters-refused"]
    _, out, _ = run_cli([*args, "--target", "10.1.14", "--checks", "ntp_sync"], capsys)
    host = _hosts(run_folder(out))["pan-counters-refused"]
    assert host["status"] == "ok" and host["facts"]["version"] == "10.1.9"
    ntp = [f for f in host["findings"] if f["check"] == "ntp_sync"]
    assert [(f["verdict"], f["message"]) for f in ntp] == [("ERROR", "'show ntp' was not read")]
    assert any(f["check"] == "collection" and f["message"].startswith("'show ntp' refused") for f in host["findings"])


def test_a_session_lost_during_a_follow_up_keeps_the_optics_read_and_says_so(
    env: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hosts = _audit(env, tmp_path, capsys, "--limit", "ios-drop-at-*")
    kept = hosts["ios-drop-at-idprom"]
    assert kept["status"] == "ok" and kept["verdict"] == "WARN", kept
    assert [t["port"] for t in kept["transceivers"]] == [o["port"] for o in IOS_OPTICS]
    assert [t["vendor"] for t in kept["transceivers"]] == ["", ""]  # neither idprom was read
    messages = [f["message"] for f in kept["findings"] if f["check"] == "collection"]
    assert messages == [
        "'show idprom interface TenGigabitEthernet1/1/1' failed: session lost: the device closed the connection; "
        "what it reads is unknown",
        "not sent, after 'show idprom interface TenGigabitEthernet1/1/1' failed: "
        "'show idprom interface TenGigabitEthernet1/1/2'; what they read is unknown",
    ]
    lost = hosts["ios-drop-at-inventory"]  # the optics were not read: ERROR, as before
    assert lost["verdict"] == "ERROR" and lost["error"].startswith("command: 'show inventory': session lost")


def test_lab_info_lists_the_devices(lab: Lab) -> None:
    assert isinstance(lab.info, LabInfo) and set(lab.info.devices) == {d["name"] for d in DEVICES}
