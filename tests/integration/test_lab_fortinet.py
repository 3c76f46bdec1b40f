"""The lab over real SSH as FortiOS: netmiko's own `fortinet` driver, errors and the auth fault."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from netmiko import ConnectHandler, NetmikoAuthenticationException
from netmiko.base_connection import BaseConnection

from lab.personalities import fortinet as lab_fortinet
from lab.personalities import load_estate as load
from lab.state import LabInfo
from tasks.connection import send_in_context
from tasks.platforms.fortinet import PLATFORM
from tasks.platforms.fortinet import commands as fortinet
from tasks.platforms.fortinet import facts as fortinet_facts
from tests.integration.conftest import netmiko_params, running_lab

pytestmark = pytest.mark.integration

SHORT = {"conn_timeout": 5, "auth_timeout": 5, "banner_timeout": 5}

OEM = {"port": "x1", "type": "10GBASE-SR", "vendor": "FORTINET", "part": "FTLX8574D3BCLFTN", "serial": "NB0001"}
DAC = {"port": "x5", "type": "25GBASE-CR", "vendor": "FORTINET", "part": "FN-CABLE-SFP28-1"}
FINISAR = {"port": "port9", "type": "1000BASE-SX", "vendor": "FINISAR CORP.", "part": "FTLF8519P3BNL"}
CWDM4 = {"port": "port41", "type": "100G CWDM4", "vendor": "FORTINET", "part": "FTLC1157RGPLFTN"}


def _fw(name: str, model: str, version: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "platform": "fortinet", "model": model, "version": version, **extra}


ESTATE = {
    "customers": {
        "acme": {
            "sites": {
                "lon1": {
                    "devices": [
                        _fw("acme-lon1-fw01", "FortiGate-601F", "7.4.8", optics=[OEM, DAC, FINISAR]),
                        # HA pair in multi-VDOM mode: netmiko and estate go through `config global`.
                        _fw(
                            "acme-lon1-dc01",
                            "FortiGate-1801F",
                            "7.0.13",
                            optics=[CWDM4],
                            ha={"peer": "acme-lon1-dc02", "state": "active"},
                            vdoms=["root", "dmz"],
                        ),
                        _fw(
                            "acme-lon1-dc02",
                            "FortiGate-1801F",
                            "7.0.13",
                            ha={"peer": "acme-lon1-dc01", "state": "passive"},
                            vdoms=["root", "dmz"],
                        ),
                        _fw("acme-lon1-br01", "FortiGate-60F", "7.2.6"),
                        _fw("acme-lon1-bad", "FortiGate-60F", "7.2.6", faults=["auth_fail"]),
                    ]
                }
            }
        }
    }
}
CHECKED = ("acme-lon1-fw01", "acme-lon1-dc01", "acme-lon1-dc02", "acme-lon1-br01")


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabInfo, Path]]:
    root = tmp_path_factory.mktemp("lab_fortinet")
    with running_lab(root, ESTATE) as info:
        yield info, root / "estate.yaml"


def _params(info: LabInfo, name: str, **extra: Any) -> dict[str, Any]:
    return netmiko_params(info, name, "fortinet", **extra)


@pytest.fixture(scope="module")
def fw01(lab: tuple[LabInfo, Path]) -> Iterator[BaseConnection]:
    conn = ConnectHandler(**_params(lab[0], "acme-lon1-fw01"))
    yield conn
    conn.disconnect()


@pytest.mark.parametrize("name", CHECKED)
def test_login_and_commands_parse_to_the_estate(lab: tuple[LabInfo, Path], name: str) -> None:
    info, estate_path = lab
    device = load(estate_path).device(name)
    conn = ConnectHandler(**_params(info, name))
    try:
        assert conn.base_prompt.strip() == name  # netmiko keeps the space before `#`
        outputs = {"facts": conn.send_command(fortinet.COMMANDS["facts"])}
        for purpose, command in fortinet.COMMANDS.items():  # each where estate sends it (config global, a VDOM)
            context = PLATFORM.context(purpose, outputs)
            outputs.setdefault(purpose, send_in_context(conn, context, [(purpose, command)])[purpose])
    finally:
        conn.disconnect()
    facts = fortinet_facts.read_facts(outputs, prompt=conn.base_prompt)
    assert (facts.hostname, facts.model, facts.version) == (name, device.model, device.version)
    assert facts.serial == lab_fortinet.serial(device)
    assert facts.ha_state == (
        None if device.ha is None else {"active": "primary", "passive": "secondary"}[device.ha.state]
    )
    optics = fortinet_facts.read_transceivers(outputs)
    assert sorted((t.port, t.vendor, t.part, t.type, t.serial) for t in optics) == sorted(
        (o.port, o.vendor, o.part, o.type, o.serial) for o in device.optics
    )


def test_grep_and_unknown_commands_give_fortios_text(fw01: BaseConnection) -> None:
    assert fw01.send_command("get system status | grep Hostname").strip() == "Hostname: acme-lon1-fw01"
    error = fw01.send_command("show version").strip().splitlines()
    assert error == ["command parse error before 'version'", "Command fail. Return code -61"]
    assert fw01.send_command("uname -a").strip() == "Unknown action 0"


def test_auth_fail_is_authentication_error(lab: tuple[LabInfo, Path]) -> None:
    with pytest.raises(NetmikoAuthenticationException):
        ConnectHandler(**_params(lab[0], "acme-lon1-bad"))
