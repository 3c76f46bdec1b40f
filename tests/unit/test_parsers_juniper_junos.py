"""Junos parsers against real outputs (fixtures/juniper_junos/<command>/<case>.txt) and the lab's own outputs.

Covered samples of shared/reference/cli/juniper_junos/ (copied byte-identical, with .source and .yaml):
every `show_version__*` (6), `show_chassis_hardware__*` (11), `show_chassis_pic_fpc-slot_pic-slot__*` (3)
and `show_system_uptime__*` (2). Not covered, because estate sends no such command: `show_chassis_cluster_status__*`
(HA comes from the prompt's context line or show version's member sections), `show_interfaces_diagnostics_optics`
(DOM), `show_system_license__*`, `show_system_storage`, `set_cli_screen-*` (session preparation, exercised by the
integration test) and the `session_transcript__*` YAML files (session behaviour, not a command output).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from lab.estate import Device, Ha, Optic
from lab.personalities import juniper_junos as lab_junos
from lab.personalities.base import DeviceView
from tasks.errors import ParseError
from tasks.platforms import juniper_junos as junos
from tests.fixture_cases import assert_fields, case_id, source

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "juniper_junos"
CASES = sorted(FIXTURES.glob("*/*.txt"))


def _hardware(text: str) -> dict[str, Any]:
    hw = junos.parse_hardware(text)
    return {
        "chassis": {"serial": hw.chassis_serial, "description": hw.chassis_description},
        "transceivers": [t.to_dict() for t in junos.transceivers({"hardware": text})],
    }


def _version(text: str) -> dict[str, Any]:
    facts = junos.facts({"version": text}).to_dict()
    return {"parsed": junos.parse_version_output(text), "facts": facts}


# Which parser reads which command folder; a new case is a new .txt/.yaml/.source triple, not new code.
PARSERS: dict[str, Callable[[str], dict[str, Any]]] = {
    "show_version": _version,
    "show_chassis_hardware": _hardware,
    "show_chassis_pic_fpc-slot_pic-slot": lambda text: {"ports": junos.parse_pic(text)},
    "show_system_uptime": lambda text: {"uptime": junos.parse_uptime(text)},
}


def test_every_fixture_folder_has_a_parser() -> None:
    assert CASES, "no fixtures found"
    assert {case.parent.name for case in CASES} <= set(PARSERS)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_fixture_has_expected_and_source(case: Path) -> None:
    assert case.with_suffix(".yaml").is_file()
    source(case)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_parse(case: Path) -> None:
    expected = yaml.safe_load(case.with_suffix(".yaml").read_text(encoding="utf-8"))
    assert_fields(PARSERS[case.parent.name](case.read_text(encoding="utf-8")), expected, case.stem)


def test_third_party_optics_show_non_jnpr() -> None:
    text = (FIXTURES / "show_chassis_hardware" / "ntc-templates_1.txt").read_text(encoding="utf-8")
    third = [t.port for t in junos.transceivers({"hardware": text}) if t.part == "NON-JNPR"]
    assert third == ["xe-0/0/4", "xe-0/0/7"]


def test_pic_output_gives_vendor() -> None:
    hardware = (FIXTURES / "show_chassis_hardware" / "genieparser_1.txt").read_text(encoding="utf-8")
    pic = (FIXTURES / "show_chassis_pic_fpc-slot_pic-slot" / "genieparser_1.txt").read_text(encoding="utf-8")
    assert junos.transceiver_followups({"hardware": hardware})["pic 0/0"] == "show chassis pic fpc-slot 0 pic-slot 0"
    optics = junos.transceivers({"hardware": hardware, "pic 0/0": pic})
    assert [(t.port, t.vendor, t.part) for t in optics[:2]] == [
        ("et-0/0/0", "FINISAR CORP.", "740-052504"),
        ("et-0/0/1", "FINISAR CORP.", "740-052504"),
    ]


GARBAGE = "\n3f$%a!~[]09\nab{}c=+-7\n\n"


@pytest.mark.parametrize(
    "parse", [junos.parse_hardware, junos.parse_pic, junos.parse_version_output], ids=lambda f: f.__name__
)
def test_garbage_is_a_parse_error(parse: Callable[[str], Any]) -> None:
    with pytest.raises(ParseError):
        parse(GARBAGE)


def test_empty_hardware_is_no_optics() -> None:
    assert junos.transceivers({"hardware": ""}) == []


# --- the lab's own outputs parse to what the estate says -----------------------------------------------------

SR = Optic("xe-0/2/0", "SFP+-10G-SR", "FINISAR CORP.", "740-021308", "ABC0001")
FS = Optic("xe-0/2/1", "SFP+-10G-LR", "FS", "SFP-10GLR-31", "FS00002")
LR4 = Optic("et-0/0/48", "QSFP-100GBASE-LR4-T2", "FINISAR CORP.", "740-061409", "1G3X0001")
DEVICES = [
    Device(
        "a-ams1-sw01", "juniper_junos", "EX4300-48P", "22.4R3-S2.11", "a", "ams1", serial="PE37141", optics=(SR, FS)
    ),
    Device("a-ams1-dc01", "juniper_junos", "QFX5120-48Y-8C", "21.4R3-S5.4", "a", "ams1", serial="XH01", optics=(LR4,)),
    Device("a-ams1-fw01", "juniper_junos", "SRX1500", "23.2R1.13", "a", "ams1", serial="CX01", ha=Ha("p", "active")),
]


def _run(shell: lab_junos.JunosShell, command: str) -> str:
    return shell.handle(command).text


@pytest.mark.parametrize("device", DEVICES, ids=lambda d: d.name)
def test_lab_output_parses_to_the_estate(device: Device) -> None:
    assert lab_junos.validate_device(device) == []
    shell = lab_junos.JunosShell(DeviceView(device, None, "admin", 0.0))
    outputs = {purpose: _run(shell, command) for purpose, command in junos.COMMANDS.items()}
    facts = junos.facts({p: outputs[p] for p in junos.FACTS_COMMANDS})
    assert (facts.hostname, facts.model, facts.version, facts.serial) == (
        device.name,
        device.model,
        device.version,
        device.serial,
    )
    outputs.update({k: _run(shell, c) for k, c in junos.transceiver_followups(outputs).items()})
    got = [(t.port, t.type, t.vendor, t.part, t.serial) for t in junos.transceivers(outputs)]
    want = [
        (o.port, o.type, o.vendor, o.part if o.part.startswith("740-") else "NON-JNPR", o.serial) for o in device.optics
    ]
    assert sorted(got) == sorted(want)


def test_lab_prompt_context_and_errors() -> None:
    shell = lab_junos.JunosShell(DeviceView(DEVICES[2], None, "admin", 0.0))
    assert shell.prompt() == "\n{primary:node0}\nadmin@a-ams1-fw01> "
    assert junos.ha_state_from_prompt(shell.prompt()) == "primary"
    assert _run(shell, "show foo").strip().endswith("^\nsyntax error, expecting <command>.")
    assert _run(shell, "get system status").strip().endswith("unknown command.")
    assert shell.handle("set cli screen-width 511") == lab_junos.Reply(text="Screen width set to 511\n", setup=True)


def test_lab_rejects_optics_that_do_not_fit() -> None:
    qsfp_in_sfp = Optic("xe-0/2/0", "QSFP+-40G-SR4", "X", "740-067443", "S")
    wrong_name = Optic("xe-0/0/6", "SFP-LX10", "X", "740-031850", "S")
    bad = Device("b", "juniper_junos", "EX4300-48P", "22.4R3-S2.11", "a", "s", optics=(qsfp_in_sfp,))
    assert lab_junos.validate_device(bad)[0][0] == "optics[0].port"
    srx = Device("c", "juniper_junos", "SRX300", "22.4R3-S2.11", "a", "s", optics=(wrong_name,))
    assert "ge-0/0/6" in lab_junos.validate_device(srx)[0][1]
    copper = Device(
        "d",
        "juniper_junos",
        "SRX300",
        "22.4R3-S2.11",
        "a",
        "s",
        optics=(Optic("ge-0/0/1", "SFP-T", "X", "740-013111", "S"),),
    )
    assert "copper" in lab_junos.validate_device(copper)[0][1]


def test_demo_data_validates() -> None:
    for model, ports in lab_junos.DEMO_PORTS.items():
        optics = tuple(
            Optic(port, o["type"], o["vendor"], o["part"], f"S{i}")
            for i, (port, o) in enumerate(
                zip(ports, lab_junos.DEMO_OEM_OPTICS + lab_junos.DEMO_THIRD_PARTY_OPTICS, strict=False)
            )
        )
        for version in lab_junos.DEMO_VERSIONS:
            device = Device("x", "juniper_junos", model, version, "a", "s", optics=optics)
            assert lab_junos.validate_device(device) == [], (model, version)
