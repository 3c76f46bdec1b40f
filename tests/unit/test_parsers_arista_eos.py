"""EOS parsers against real outputs (fixtures/arista_eos/<command>/<case>.txt) and against the lab's own output.

Samples of shared/reference/cli/arista_eos covered here, byte-identical, with .source and expected .yaml:
show_version (7010t, 720xp, ceos, veos), show_hostname, show_inventory (ntc-templates _0, _1, _2 and the oxidized
4.29.2F `show inventory | no-more`), show_interfaces_transceiver_hardware (_01, _02).
Not covered: bash_df_-h, dir_flash, show_boot-config, show_mlag (no parser yet: disk, images and MLAG are later
work), show_interfaces_transceiver and show_interfaces_transceiver_detail (DOM readings, not identity), and the
oxidized session transcript (session behaviour, mirrored by the lab and its integration test, not a command).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from ntc_templates.parse import parse_output

from lab.estate import Device, Optic
from lab.personalities import arista_eos as lab_eos
from lab.personalities.base import DeviceView
from lab.session import garbage
from tasks.errors import ParseError
from tasks.platforms import arista_eos as eos
from tests.fixture_cases import assert_fields, case_id, source

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "arista_eos"


def _inventory_only(text: str) -> list[dict[str, Any]]:
    return [t.to_dict() for t in eos.transceivers({"inventory": text})]


# Which parser reads which command folder, and the key of its expected result in the .yaml.
PARSERS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "show_version": ("facts", lambda text: eos.facts({"facts": text}).to_dict()),
    "show_hostname": ("hostname", eos.parse_show_hostname),
    "show_inventory": ("transceivers", _inventory_only),
    "show_interfaces_transceiver_hardware": ("parsed", eos.parse_transceiver_hardware),
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
    key, parser = PARSERS[case.parent.name]
    expected = yaml.safe_load(case.with_suffix(".yaml").read_text(encoding="utf-8"))
    assert_fields(parser(case.read_text(encoding="utf-8")), expected[key], key)


@pytest.mark.parametrize("case", sorted(FIXTURES.glob("show_inventory/ntc-templates_*.txt")), ids=case_id)
def test_inventory_agrees_with_ntc_templates_on_its_samples(case: Path) -> None:
    text = case.read_text(encoding="utf-8")
    records = parse_output(platform="arista_eos", command="show inventory", data=text)
    ntc = [(r["port"], r["descr"], r["pid"], r["sn"]) for r in records if r["port"] and r["descr"] and r["pid"]]
    ntc = [row for row in ntc if row[1] not in ("Management", "Switched")]
    ours = [(t["port"].removeprefix("Ethernet"), t["vendor"], t["part"], t["serial"]) for t in _inventory_only(text)]
    assert ours == ntc


ALIGNED_BLANK_REV = """System information
System has 3 transceiver slots
  Port Manufacturer     Model            Serial Number    Rev
  ---- ---------------- ---------------- ---------------- ----
  1    FS               SFP-10GSR-85     F2030411234
  2    Not Present
  49   Arista Networks  QSFP-100G-SR4    XKT1234
"""


def test_aligned_rows_are_read_by_column_even_with_a_blank_rev() -> None:
    hardware = "Name: Et1\nMedia type: 10GBASE-SR\n\nName: Et49/1\nMedia type: 100GBASE-SR4\n"
    rows = eos.transceivers({"inventory": ALIGNED_BLANK_REV, "transceiver_hardware": hardware})
    assert [(t.port, t.type, t.vendor, t.part, t.serial, t.revision) for t in rows] == [
        ("Ethernet1", "10GBASE-SR", "FS", "SFP-10GSR-85", "F2030411234", ""),
        ("Ethernet49/1", "100GBASE-SR4", "Arista Networks", "QSFP-100G-SR4", "XKT1234", ""),
    ]


@pytest.mark.parametrize(
    ("purpose", "command"),
    [("facts", "show version"), ("hostname", "show hostname"), ("inventory", "show inventory")],
)
def test_garbage_is_a_parse_error(purpose: str, command: str) -> None:
    junk = garbage(command)
    with pytest.raises(ParseError):
        if purpose == "inventory":
            eos.transceivers({"inventory": junk})
        elif purpose == "hostname":
            eos.parse_show_hostname(junk)
        else:
            eos.facts({"facts": junk})
    with pytest.raises(ParseError):
        eos.parse_transceiver_hardware(junk)


def test_empty_output_is_no_optics() -> None:
    assert eos.transceivers({"inventory": "", "transceiver_hardware": ""}) == []
    assert eos.transceivers({"inventory": "\n"}) == []


def test_platform_contract() -> None:
    assert set(eos.FACTS_COMMANDS) | set(eos.TRANSCEIVER_COMMANDS) <= set(eos.COMMANDS)
    assert eos.transceiver_followups({}) == {}


# --- the lab's output parses to what the estate says ---------------------------------------------------------


def _device(name: str, model: str, version: str, optics: list[tuple[str, str, str, str]], serial: str) -> Device:
    return Device(
        name=name,
        platform="arista_eos",
        model=model,
        version=version,
        customer="acme",
        site="dc1",
        serial=serial,
        optics=tuple(
            Optic(port, type_, vendor, part, f"S{i:04d}") for i, (port, type_, vendor, part) in enumerate(optics)
        ),
    )


LAB_DEVICES = [
    _device(
        "acme-dc1-sw01",
        "DCS-7050SX3-48YC8",
        "4.29.2F",
        [
            ("Ethernet1", "10GBASE-SR", "Arista Networks", "SFP-10G-SR"),
            ("Ethernet2", "25GBASE-SR", "FINISAR CORP.", "FTLF8536P4BCL"),
            ("Ethernet49/1", "100GBASE-SR4", "Arista Networks", "QSFP-100G-SR4"),
            ("Ethernet56/1", "100GBASE-SR4", "PROLABS", "QSFP-100G-SR4-C"),
        ],
        "SSJ00000000",
    ),
    _device(
        "acme-cmp1-sw01",
        "CCS-720XP-48ZC2",
        "4.31.2F",
        [
            ("Ethernet49", "10GBASE-LR", "FS", "SFP-10GLR-31"),
            ("Ethernet53/1", "100GBASE-LR4", "Arista Networks", "QSFP-100G-LR4-AR"),
        ],
        "JPE11400249",
    ),
    _device("acme-oob1-sw01", "DCS-7010T-48", "4.28.3M", [], "JPE18523609"),
]


def _render(device: Device, command: str) -> str:
    return lab_eos.EosShell(DeviceView(device, None, "admin", time.time())).handle(command).text


@pytest.mark.parametrize("device", LAB_DEVICES, ids=lambda d: d.name)
def test_lab_output_parses_to_the_estate(device: Device) -> None:
    assert lab_eos.validate_device(device) == []
    outputs = {purpose: _render(device, command) for purpose, command in eos.COMMANDS.items()}
    facts = eos.facts(outputs, prompt=f"{device.name}#")
    assert (facts.hostname, facts.model, facts.serial, facts.version) == (
        device.name,
        device.model,
        device.serial,
        device.version,
    )
    got = [(t.port, t.type, t.vendor, t.part, t.serial) for t in eos.transceivers(outputs)]
    assert got == [(o.port, o.type, o.vendor, o.part, o.serial) for o in device.optics]


def test_lab_inventory_has_the_real_alignment_of_the_oxidized_sample() -> None:
    real = (FIXTURES / "show_inventory" / "oxidized_DCS-7050SX3-48YC8_4.29.2F_no-more.txt").read_text(encoding="utf-8")
    real_lines = eos.strip_session(real)
    lab_lines = _render(LAB_DEVICES[0], "show inventory").splitlines()
    assert lab_lines[:6] == real_lines[:6]
    assert [c for c, ch in enumerate(lab_lines[6]) if ch != " "][:1] == [2]
    assert lab_lines[6].index("SSJ00000000") == real_lines[6].index("SSJ00000000")
    assert lab_lines[6].rstrip()[-10:-8] == "20" and len(lab_lines[6].rstrip()) == len(real_lines[6].rstrip())


def test_lab_session_preparation_and_errors() -> None:
    shell = lab_eos.EosShell(DeviceView(LAB_DEVICES[0], None, "admin", time.time()))
    assert shell.prompt() == "acme-dc1-sw01#"
    width, length = shell.handle("terminal width 511"), shell.handle("terminal length 0")
    assert (width.text, width.setup, length.text, length.setup) == (
        "Width set to 511 columns.\n",
        True,
        "Pagination disabled.\n",
        True,
    )
    assert shell.handle("show foo").text == "% Invalid input (at token 1: 'foo')\n"
    assert shell.handle("get system status").text == "% Invalid input (at token 0: 'get')\n"
    assert shell.handle("show inventory | no-more").text == shell.handle("show inventory").text
    assert shell.handle("exit").close


@pytest.mark.parametrize(
    ("port", "type_", "field", "words"),
    [
        ("Management1", "10GBASE-SR", "optics[0].port", "copper port"),
        ("Ethernet1", "40GBASE-SR4", "optics[0].port", "sfp28 port"),
        ("Ethernet49", "100GBASE-SR4", "optics[0].port", "no port"),
        ("Ethernet1", "10GBASE-XX", "optics[0].type", "unknown optic type"),
    ],
)
def test_lab_validate_device_names_the_field(port: str, type_: str, field: str, words: str) -> None:
    device = _device("x", "DCS-7050SX3-48YC8", "4.29.2F", [(port, type_, "FS", "P1")], "S1")
    ((where, message),) = lab_eos.validate_device(device)
    assert where == field and words in message


def test_lab_demo_constants_are_consistent() -> None:
    assert set(lab_eos.DEMO_MODELS) <= set(lab_eos.MODELS) == set(lab_eos.PERSONALITY.models)
    kinds = set(lab_eos.OPTIC_KINDS)
    for optic in lab_eos.DEMO_OEM_OPTICS + lab_eos.DEMO_THIRD_PARTY_OPTICS:
        assert optic["type"] in kinds and len(optic["part"]) <= lab_eos.EEPROM_FIELD
    assert all(o["vendor"] == "Arista Networks" for o in lab_eos.DEMO_OEM_OPTICS)
    assert all(o["vendor"] != "Arista Networks" for o in lab_eos.DEMO_THIRD_PARTY_OPTICS)
    assert lab_eos.DEMO_PORTS["CCS-720XP-48ZC2"][0] == "Ethernet49"
