"""The NX-OS lab over real SSH: netmiko's own cisco_nxos driver, our parsers, errors, auth_fail."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from netmiko import ConnectHandler, NetmikoAuthenticationException
from netmiko.base_connection import BaseConnection

from lab.state import LabInfo
from tasks.platforms import cisco_nxos as nxos
from tests.integration.conftest import netmiko_params, running_lab

pytestmark = pytest.mark.integration

SHORT = {"conn_timeout": 3, "auth_timeout": 3, "banner_timeout": 3, "read_timeout_override": 3}

LEAF_OPTICS = [
    {"port": "Ethernet1/1", "type": "10Gbase-SR", "vendor": "CISCO-FINISAR", "part": "SFP-10G-SR"},
    {"port": "Ethernet1/2", "type": "SFP-H25GB-Unknown", "vendor": "OEM", "part": "BZ-SFP28-25G-DA2"},
    {"port": "Ethernet1/49", "type": "QSFP-40G-LR4", "vendor": "Arista Networks", "part": "QSFP-40G-LR4-AR"},
    {"port": "Ethernet1/50", "type": "QSFP-40G-SR-BD", "vendor": "UPNET", "part": "WDM QSFP+-40G-SR"},
]


def _sw(name: str, model: str, version: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "platform": "cisco_nxos", "model": model, "version": version, "role": "dc-switch", **extra}


DEVICES = [
    _sw("acme-dc1-leaf01", "N9K-C93180YC-FX3", "10.4(5)", optics=LEAF_OPTICS),
    _sw("acme-dc1-spine01", "N9K-C9336C-FX2", "9.3(10)"),
    _sw("acme-dc1-authfail", "N9K-C9336C-FX2", "10.2(5)", faults=["auth_fail"]),
]
ESTATE = {"customers": {"acme": {"sites": {"dc1": {"devices": DEVICES}}}}}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabInfo]:
    with running_lab(tmp_path_factory.mktemp("lab_nxos"), ESTATE) as info:
        yield info


def _params(lab: LabInfo, name: str, **extra: Any) -> dict[str, Any]:
    return netmiko_params(lab, name, "cisco_nxos", **extra)


@pytest.fixture(scope="module")
def leaf(lab: LabInfo) -> Iterator[BaseConnection]:
    conn = ConnectHandler(**_params(lab, "acme-dc1-leaf01"))
    yield conn
    conn.disconnect()


def test_login_prompt(leaf: BaseConnection) -> None:
    assert leaf.base_prompt == "acme-dc1-leaf01"


def test_commands_parse_to_the_estate(leaf: BaseConnection) -> None:
    outputs = {purpose: str(leaf.send_command(command)) for purpose, command in nxos.COMMANDS.items()}
    facts = nxos.facts(outputs, prompt=leaf.find_prompt())
    assert (facts.hostname, facts.model, facts.version, facts.ha_state) == (
        "acme-dc1-leaf01",
        "N9K-C93180YC-FX3",
        "10.4(5)",
        None,
    )
    got = [(t.port, t.type, t.vendor, t.part) for t in nxos.transceivers(outputs)]
    assert got == [(o["port"], o["type"], o["vendor"], o["part"]) for o in LEAF_OPTICS]


def test_spine_without_optics(lab: LabInfo) -> None:
    conn = ConnectHandler(**_params(lab, "acme-dc1-spine01"))
    try:
        facts = nxos.facts({"facts": str(conn.send_command(nxos.COMMANDS["facts"]))})
        assert (facts.model, facts.version) == ("N9K-C9336C-FX2", "9.3(10)")
        assert nxos.parse_transceivers(str(conn.send_command(nxos.COMMANDS["transceivers"]))) == []
    finally:
        conn.disconnect()


def test_unknown_command_gives_the_nxos_error(leaf: BaseConnection) -> None:
    output = str(leaf.send_command("show foo"))
    assert output.strip().splitlines()[-1] == "% Invalid command at '^' marker."
    assert output.strip().splitlines()[0].strip() == "^"


def test_auth_fail_is_authentication_error(lab: LabInfo) -> None:
    with pytest.raises(NetmikoAuthenticationException):
        ConnectHandler(**_params(lab, "acme-dc1-authfail", **SHORT))
