"""NX-OS parsers against real outputs (fixtures/cisco_nxos/<command>/<case>.txt) and against the lab's shell.

Coverage of shared/reference/cli/cisco_nxos/:
- covered: every `show_version__*` (7: N9K 10.4/6.1, N3K 9.3, N5K 7.1 and N5548 7.3 incl. echo and prompt, N7K
  6.2) and every `show_interface_transceiver__*` (8, incl. third-party OEM/UPNET/Arista/TAYLE optics, a 400G
  QSFP-DD, an N5K FC port and the no-blank-lines shape);
- not covered: `show_interface_transceiver_details__*`, `show_inventory*`, `dir`, `show_boot`,
  `show_incompatibility_nxos`, `show_install_all_status`, `show_system_redundancy_status`, `show_hostname`,
  `terminal_length_0` and the session transcripts: estate does not send those commands (the transcripts shaped
  the lab's echo, prompt and error text instead).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from lab.estate import Device, Optic
from lab.personalities import cisco_nxos as lab_nxos
from lab.personalities.base import DeviceView
from tasks.errors import ParseError
from tasks.platforms import cisco_nxos as nxos
from tests.fixture_cases import assert_fields, case_id, source

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cisco_nxos"

PARSERS: dict[str, Callable[[str], Any]] = {
    "show_version": lambda text: nxos.facts({"facts": text}),
    "show_interface_transceiver": nxos.parse_transceivers,
}

CASES = sorted(FIXTURES.glob("*/*.txt"))


def test_every_fixture_folder_has_a_parser() -> None:
    assert CASES, "no fixtures found"
    assert {case.parent.name for case in CASES} <= set(PARSERS)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_fixture_has_expected_and_source(case: Path) -> None:
    assert case.with_suffix(".yaml").is_file()
    source(case)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_parse(case: Path) -> None:
    text = case.read_text(encoding="utf-8")
    expected = yaml.safe_load(case.with_suffix(".yaml").read_text(encoding="utf-8"))
    parsed = PARSERS[case.parent.name](text)
    if "facts" in expected:
        assert_fields(parsed.to_dict(), expected["facts"], "facts")
    if "transceivers" in expected:
        rows = [t.to_dict() for t in parsed]
        assert len(rows) == len(expected["transceivers"]), rows
        for i, (row, want) in enumerate(zip(rows, expected["transceivers"], strict=True)):
            assert_fields(row, want, f"transceivers[{i}]")


def _sample(name: str) -> str:
    return (FIXTURES / "show_interface_transceiver" / f"{name}.txt").read_text(encoding="utf-8")


def test_part_is_the_cisco_product_id_else_the_vendor_part() -> None:
    by_port = {t.port: t for t in nxos.parse_transceivers(_sample("ntc-templates_1"))}
    assert (by_port["Ethernet1/48"].vendor, by_port["Ethernet1/48"].part) == ("CISCO-OEM", "SFP-10G-SR")
    arista = by_port["Ethernet1/47"]
    assert (arista.vendor, arista.part, arista.type) == ("Arista Networks", "QSFP-40G-LR4-AR", "")
    assert "Ethernet1/9" not in by_port and "Ethernet1/46" not in by_port  # not present / not applicable


def test_multi_word_values_and_padding_are_kept_whole_and_stripped() -> None:
    by_port = {t.port: t for t in nxos.parse_transceivers(_sample("ntc-templates_3"))}
    assert by_port["Ethernet1/52"].part == "WDM QSFP+-40G-SR"
    third = {t.port: t for t in nxos.parse_transceivers(_sample("ntc-templates_no-blank-lines"))}
    assert (third["Ethernet3/3"].vendor, third["Ethernet3/3"].part) == ("CISCO", "GLC-SX-MMD")


def test_transceivers_with_echo_and_prompt() -> None:
    text = f"\rleaf1# show interface transceiver\r\r\n{_sample('ntc-templates_400g')}\r\n\rleaf1# "
    assert [t.part for t in nxos.parse_transceivers(text)] == ["QDD-400G-FR4-S", "QDD-400G-FR4-S"]


@pytest.mark.parametrize("text", ["", "\n\n", "\rleaf1# show interface transceiver\r\n\rleaf1# "])
def test_transceivers_empty_output_is_no_optics(text: str) -> None:
    assert nxos.parse_transceivers(text) == []


@pytest.mark.parametrize(
    "text", ["x1b$%^ junk from a confused device\nmore junk ~~", "% Invalid command at '^' marker.\n"]
)
def test_transceivers_junk_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError, match="show interface transceiver: no port block") as info:
        nxos.parse_transceivers(text)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("text", ["", "garbage\n\x00\x01", "Device name: sw1\n", "% Invalid command at '^' marker."])
def test_show_version_junk_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError, match="show version") as info:
        nxos.facts({"facts": text})
    assert "\n" not in str(info.value)


def test_facts_reject_a_version_the_scheme_does_not_know() -> None:
    text = "  NXOS: version ten\n  cisco Nexus9000 C9336C-FX2 Chassis\n  Device name: s1\n"
    with pytest.raises(ParseError, match="not a cisco_nxos version"):
        nxos.facts({"facts": text})


# --- the lab's own output parses to what the estate says ---------------------------------------------------

LAB_DEVICES = [
    Device(
        name="acme-dc1-leaf01",
        platform="cisco_nxos",
        model="N9K-C93180YC-FX3",
        version="10.4(5)",
        customer="acme",
        site="dc1",
        serial="FDO27400B3D",
        optics=(
            Optic("Ethernet1/1", "10Gbase-SR", "CISCO-FINISAR", "SFP-10G-SR", "FNS1111"),
            Optic("Ethernet1/2", "SFP-H25GB-Unknown", "OEM", "BZ-SFP28-25G-DA2", "CI1906"),
            Optic("Ethernet1/49", "QSFP-40G-LR4", "Arista Networks", "QSFP-40G-LR4-AR", "AROOGAH"),
            Optic("Ethernet1/50", "QSFP-40G-SR-BD", "UPNET", "WDM QSFP+-40G-SR", "52CI19"),
        ),
    ),
    Device("acme-dc1-spine01", "cisco_nxos", "N9K-C9336C-FX2", "9.3(10)", "acme", "dc1", serial="FDO2"),
    Device(
        name="acme-dc1-acc01",
        platform="cisco_nxos",
        model="N9K-C93108TC-FX",
        version="10.2(5)",
        customer="acme",
        site="dc1",
        serial="FDO3",
        optics=(Optic("Ethernet1/54", "QSFP-100G-SR4", "CISCO-FINISAR", "QSFP-100G-SR4-S", "FNS3"),),
    ),
]


@pytest.mark.parametrize("device", LAB_DEVICES, ids=lambda d: d.name)
def test_lab_output_parses_to_the_estate(device: Device) -> None:
    assert lab_nxos.validate_device(device) == []
    shell = lab_nxos.NxosShell(DeviceView(device=device, peer=None, username="admin", started_at=0.0))
    outputs = {purpose: shell.handle(command).text for purpose, command in nxos.COMMANDS.items()}
    facts = nxos.facts(outputs, prompt=shell.prompt())
    assert (facts.hostname, facts.model, facts.version, facts.serial) == (
        device.name,
        device.model,
        device.version,
        device.serial,
    )
    got = [(t.port, t.type, t.vendor, t.part, t.serial) for t in nxos.transceivers(outputs)]
    assert got == [(o.port, o.type, o.vendor, o.part, o.serial) for o in device.optics]


def test_lab_rejects_optics_that_do_not_fit() -> None:
    base = LAB_DEVICES[2]
    copper = Device(**{**base.__dict__, "optics": (Optic("Ethernet1/1", "10Gbase-SR", "CISCO", "SFP-10G-SR", "S"),)})
    assert lab_nxos.validate_device(copper)[0][0] == "optics[0].port"
    spine = Device(**{**LAB_DEVICES[1].__dict__, "optics": (Optic("Ethernet1/1", "10Gbase-SR", "X", "Y", "S"),)})
    assert "qsfp28 port" in lab_nxos.validate_device(spine)[0][1]
    leaf = Device(**{**LAB_DEVICES[0].__dict__, "optics": (Optic("Ethernet1/3", "QSFP-40G-SR-BD", "X", "Y", "S"),)})
    problem = lab_nxos.validate_device(leaf)
    assert problem[0][0] == "optics[0].port" and "sfp28 port" in problem[0][1]
    assert lab_nxos.validate_device(Device(**{**base.__dict__, "model": "N9K-X"}))[0][0] == "model"


def test_lab_unknown_command_is_the_nxos_error() -> None:
    shell = lab_nxos.NxosShell(DeviceView(device=LAB_DEVICES[1], peer=None, username="admin", started_at=0.0))
    prompt = "acme-dc1-spine01# "
    assert shell.handle("show foo").text == " " * (len(prompt) + 8) + "^\n% Invalid command at '^' marker.\n"
    assert "% Incomplete command at '^' marker." in shell.handle("show").text
    assert shell.handle("terminal width 511").setup and shell.handle("terminal length 0").setup


def test_demo_constants_fit_the_lab() -> None:
    for model in lab_nxos.DEMO_MODELS:
        assert model in lab_nxos.MODELS and lab_nxos.DEMO_PORTS[model]
    for optic in lab_nxos.DEMO_OEM_OPTICS + lab_nxos.DEMO_THIRD_PARTY_OPTICS:
        assert optic["type"] in lab_nxos.OPTIC_KINDS
    assert all(lab_nxos.is_cisco(o["vendor"]) for o in lab_nxos.DEMO_OEM_OPTICS)
    assert not any(lab_nxos.is_cisco(o["vendor"]) for o in lab_nxos.DEMO_THIRD_PARTY_OPTICS)
