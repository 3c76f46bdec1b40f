"""The lab over real SSH as Cisco IOS/IOS-XE: netmiko's own cisco_ios driver, parsers, faults."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from netmiko import ConnectHandler, NetmikoAuthenticationException
from netmiko.base_connection import BaseConnection

from lab.state import LabInfo
from tasks.platforms import cisco_ios as ios
from tasks.versions import parse_version
from tests.integration.conftest import netmiko_params, running_lab

pytestmark = pytest.mark.integration

SHORT = {"conn_timeout": 3, "auth_timeout": 3, "banner_timeout": 3, "read_timeout_override": 5}


def _sw(name: str, model: str, version: str, optics: list[dict[str, str]], **extra: Any) -> dict[str, Any]:
    return {"name": name, "platform": "cisco_ios", "model": model, "version": version, "optics": optics, **extra}


DEVICES = [
    _sw(
        "acme-lon1-sw01",
        "C9300-48P",
        "17.9.4a",
        [
            {"port": "TenGigabitEthernet1/1/1", "type": "10GBASE-SR", "vendor": "CISCO-FINISAR", "part": "SFP-10G-SR"},
            {"port": "TenGigabitEthernet1/1/2", "type": "10GBASE-LR", "vendor": "FS", "part": "SFP-10GLR-31"},
        ],
        serial="FOC2401X1AB",
        role="access-switch",
    ),
    _sw(
        "acme-lon1-core01",
        "C9500-24Y4C",
        "16.12.04",
        [
            {"port": "TwentyFiveGigE1/0/1", "type": "25GBASE-SR", "vendor": "Intel Corp", "part": "E25GSFP28SR"},
            {"port": "HundredGigE1/0/25", "type": "100GBASE-SR4", "vendor": "CISCO-FINISAR", "part": "QSFP-100G-SR4-S"},
        ],
    ),
    _sw("acme-lon1-sw02", "WS-C2960X-24TS-L", "15.2(7)E3", []),
    _sw("acme-lon1-auth", "C9200L-24P-4G", "17.9.4a", [], faults=["auth_fail"]),
]
ESTATE = {"customers": {"acme": {"sites": {"lon1": {"devices": DEVICES}}}}}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabInfo]:
    with running_lab(tmp_path_factory.mktemp("lab-ios"), ESTATE) as info:
        yield info


def _params(lab: LabInfo, name: str, **extra: Any) -> dict[str, Any]:
    return netmiko_params(lab, name, "cisco_ios", **extra)


@pytest.fixture(scope="module")
def sessions(lab: LabInfo) -> Iterator[dict[str, BaseConnection]]:
    conns = {d["name"]: ConnectHandler(**_params(lab, d["name"])) for d in DEVICES[:3]}
    yield conns
    for conn in conns.values():
        conn.disconnect()


@pytest.mark.parametrize("device", DEVICES[:3], ids=lambda d: d["name"])
def test_commands_parse_to_the_estate(sessions: dict[str, BaseConnection], device: dict[str, Any]) -> None:
    conn = sessions[device["name"]]
    assert conn.base_prompt == device["name"][:16]
    outputs = {purpose: conn.send_command(command) for purpose, command in ios.COMMANDS.items()}
    facts = ios.facts(outputs, prompt=conn.base_prompt)
    assert (facts.hostname, facts.model) == (device["name"], device["model"])
    assert parse_version(facts.version, "cisco_ios") == parse_version(device["version"], "cisco_ios")
    if "serial" in device:
        assert facts.serial == device["serial"]
    for key, command in ios.transceiver_followups(outputs).items():
        outputs[key] = conn.send_command(command)
    got = [(t.port, t.vendor, t.part) for t in ios.transceivers(outputs)]
    assert got == [(o["port"], o["vendor"], o["part"]) for o in device["optics"]]


def test_unknown_command_gives_the_ios_error(sessions: dict[str, BaseConnection]) -> None:
    output = sessions["acme-lon1-sw01"].send_command("show foo")
    assert "% Invalid input detected at '^' marker." in output
    assert "^" in output.splitlines()[0]


def test_auth_fail_is_authentication_error(lab: LabInfo) -> None:
    with pytest.raises(NetmikoAuthenticationException):
        ConnectHandler(**_params(lab, "acme-lon1-auth", **SHORT))
