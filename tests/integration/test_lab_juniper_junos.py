"""The lab over real SSH with netmiko's own juniper_junos driver: login, commands, parsing, faults."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from netmiko import ConnectHandler, NetmikoAuthenticationException
from netmiko.base_connection import BaseConnection

from lab.state import LabInfo
from tasks.platforms import juniper_junos as junos
from tests.integration.conftest import netmiko_params, running_lab

pytestmark = pytest.mark.integration

SHORT = {"conn_timeout": 3, "auth_timeout": 3, "banner_timeout": 3, "read_timeout_override": 3}
SR = {"port": "xe-0/2/0", "type": "SFP+-10G-SR", "vendor": "FINISAR CORP.", "part": "740-021308", "serial": "F1"}
FS = {"port": "xe-0/2/1", "type": "SFP+-10G-LR", "vendor": "FS", "part": "SFP-10GLR-31", "serial": "FS2"}
LR4 = {"port": "et-0/0/1", "type": "QSFP-100GBASE-LR4-T2", "vendor": "FINISAR CORP.", "part": "740-061409"}


def _dev(name: str, model: str, version: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "platform": "juniper_junos", "model": model, "version": version, **extra}


DEVICES = [
    _dev("jn-ams1-sw01", "EX4300-48P", "22.4R3-S2.11", optics=[SR, FS], ha={"peer": "jn-ams1-sw02", "state": "active"}),
    _dev("jn-ams1-sw02", "EX4300-48P", "22.4R3-S2.11", ha={"peer": "jn-ams1-sw01", "state": "passive"}),
    _dev("jn-ams1-fw01", "SRX1500", "23.2R1.13", serial="CX0215AF0012"),
    _dev("jn-ams1-rt01", "MX204", "21.4R3-S5.4", optics=[LR4]),
    _dev("jn-ams1-bad01", "SRX300", "20.4R3-S9", faults=["auth_fail"]),
]
ESTATE = {"customers": {"jn": {"sites": {"ams1": {"devices": DEVICES}}}}}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabInfo]:
    with running_lab(tmp_path_factory.mktemp("junos-lab"), ESTATE) as info:
        yield info


def _params(lab: LabInfo, name: str, **extra: Any) -> dict[str, Any]:
    return netmiko_params(lab, name, "juniper_junos", **extra)


def _connect(lab: LabInfo, name: str) -> BaseConnection:
    return ConnectHandler(**_params(lab, name))


def _close(conn: BaseConnection) -> None:
    conn.write_channel("exit\n")
    conn.paramiko_cleanup()


@pytest.mark.parametrize("index", [0, 2, 3], ids=lambda i: DEVICES[i]["name"])
def test_commands_parse_to_the_estate(lab: LabInfo, index: int) -> None:
    device = DEVICES[index]
    conn = _connect(lab, device["name"])
    try:
        assert conn.base_prompt == f"admin@{device['name']}"
        outputs = {purpose: conn.send_command(command) for purpose, command in junos.COMMANDS.items()}
        facts = junos.facts({p: outputs[p] for p in junos.FACTS_COMMANDS}, prompt=conn.base_prompt)
        assert (facts.hostname, facts.model, facts.version) == (device["name"], device["model"], device["version"])
        if "serial" in device:
            assert facts.serial == device["serial"]
        assert (facts.ha_state is None) == ("ha" not in device)
        followups = junos.transceiver_followups(outputs)
        outputs.update({key: conn.send_command(command) for key, command in followups.items()})
        got = [(t.port, t.vendor, t.part) for t in junos.transceivers(outputs)]
        want = [
            (o["port"], o["vendor"], o["part"] if o["part"].startswith("740-") else "NON-JNPR")
            for o in device.get("optics", [])
        ]
        assert got == want
    finally:
        _close(conn)


def test_context_line_is_stripped_and_errors_are_junos(lab: LabInfo) -> None:
    conn = _connect(lab, "jn-ams1-sw02")
    try:
        assert conn.base_prompt == "admin@jn-ams1-sw02"
        raw = conn.send_command("show version", strip_prompt=False)
        assert raw.rstrip().endswith("admin@jn-ams1-sw02>") and "{backup:1}" in raw
        assert conn.send_command("show version").splitlines()[0] == "fpc0:"
        error = conn.send_command("show foo").strip()
        assert error.endswith("^\nsyntax error, expecting <command>.")
        assert conn.send_command("get system status").strip().endswith("unknown command.")
    finally:
        _close(conn)


def test_auth_fail_is_authentication_error(lab: LabInfo) -> None:
    with pytest.raises(NetmikoAuthenticationException):
        ConnectHandler(**_params(lab, "jn-ams1-bad01", **SHORT))
