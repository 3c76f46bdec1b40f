"""The EOS lab over real SSH: netmiko's own arista_eos driver, the parsers, an unknown command, auth_fail."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from netmiko import ConnectHandler, NetmikoAuthenticationException
from netmiko.base_connection import BaseConnection

from lab.state import LabInfo
from tasks.platforms import arista_eos as eos
from tests.integration.conftest import netmiko_params, running_lab

pytestmark = pytest.mark.integration

SHORT = {"conn_timeout": 3, "auth_timeout": 3, "banner_timeout": 3, "read_timeout_override": 3}

SWITCH: dict[str, Any] = {
    "name": "acme-dc1-sw01",
    "platform": "arista_eos",
    "model": "DCS-7050SX3-48YC8",
    "version": "4.30.4M",
    "role": "dc-switch",
    "serial": "SSJ17250001",
    "optics": [
        {"port": "Ethernet1", "type": "10GBASE-SR", "vendor": "Arista Networks", "part": "SFP-10G-SR"},
        {
            "port": "Ethernet2",
            "type": "25GBASE-SR",
            "vendor": "FINISAR CORP.",
            "part": "FTLF8536P4BCL",
            "serial": "FNS25A",
        },
        {"port": "Ethernet49/1", "type": "100GBASE-LR4", "vendor": "Arista Networks", "part": "QSFP-100G-LR4-AR"},
        {"port": "Ethernet50/1", "type": "100GBASE-SR4", "vendor": "PROLABS", "part": "QSFP-100G-SR4-C"},
    ],
}
CAMPUS: dict[str, Any] = {
    "name": "acme-hq1-sw01",
    "platform": "arista_eos",
    "model": "CCS-720XP-48ZC2",
    "version": "4.28.3M",
    "role": "campus-switch",
}
AUTH_FAIL: dict[str, Any] = {**CAMPUS, "name": "acme-hq1-sw02", "faults": ["auth_fail"]}

ESTATE = {"customers": {"acme": {"sites": {"dc1": {"devices": [SWITCH]}, "hq1": {"devices": [CAMPUS, AUTH_FAIL]}}}}}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabInfo]:
    with running_lab(tmp_path_factory.mktemp("lab-eos"), ESTATE) as info:
        yield info


def _params(lab: LabInfo, name: str, **extra: Any) -> dict[str, Any]:
    return netmiko_params(lab, name, "arista_eos", **extra)


@pytest.fixture(scope="module")
def sw01(lab: LabInfo) -> Iterator[BaseConnection]:
    conn = ConnectHandler(**_params(lab, SWITCH["name"]))
    yield conn
    conn.disconnect()


def _outputs(conn: BaseConnection) -> dict[str, str]:
    return {purpose: str(conn.send_command(command)) for purpose, command in eos.COMMANDS.items()}


def test_login_prompt(sw01: BaseConnection) -> None:
    assert sw01.base_prompt == SWITCH["name"]
    assert sw01.find_prompt() == f"{SWITCH['name']}#"


def test_commands_parse_to_the_estate(sw01: BaseConnection) -> None:
    outputs = _outputs(sw01)
    facts = eos.facts({p: outputs[p] for p in eos.FACTS_COMMANDS}, prompt=sw01.base_prompt)
    assert (facts.hostname, facts.model, facts.serial, facts.version) == (
        SWITCH["name"],
        SWITCH["model"],
        SWITCH["serial"],
        SWITCH["version"],
    )
    optics = eos.transceivers({p: outputs[p] for p in eos.TRANSCEIVER_COMMANDS})
    got = [(t.port, t.type, t.vendor, t.part) for t in optics]
    assert got == [(o["port"], o["type"], o["vendor"], o["part"]) for o in SWITCH["optics"]]
    assert optics[1].serial == "FNS25A"


def test_campus_switch_without_optics(lab: LabInfo) -> None:
    conn = ConnectHandler(**_params(lab, CAMPUS["name"]))
    try:
        outputs = _outputs(conn)
    finally:
        conn.disconnect()
    assert eos.facts(outputs).model == CAMPUS["model"]
    assert eos.transceivers(outputs) == []


def test_unknown_command_gives_the_eos_error(sw01: BaseConnection) -> None:
    assert sw01.send_command("show foo").strip() == "% Invalid input (at token 1: 'foo')"
    assert sw01.send_command("show").strip() == "% Incomplete command"


def test_auth_fail_is_authentication_error(lab: LabInfo) -> None:
    with pytest.raises(NetmikoAuthenticationException):
        ConnectHandler(**_params(lab, AUTH_FAIL["name"], **SHORT))
