"""Cisco IOS/IOS-XE parsers against real outputs (fixtures/cisco_ios/<command>/<case>.txt) and the lab's.

Covered samples of shared/reference/cli/cisco_ios/, each copied byte-identical with a .source:
- every `show_version__*` (10): facts; two are expected to fail with ParseError because their version is not
  one `tasks.versions.parse_ios` can compare: `ntc-templates_cat3k_iosxe` (IOS-XE 3.x `03.06.05E`) and
  `genieparser_9500h_svl` (an experimental build tag, with no switch table to fall back on);
- every `show_inventory__*` (10): optics (entries whose NAME is a port; stack cables are not optics);
- every `show_idprom_interface__*` (3): the key = value fields.

Not covered, because estate sends no such command: dir, show boot, show file systems, show install summary,
show interfaces transceiver [detail|properties|supported-list] (DOM and the on-box list; the list seeded the
matrix), show redundancy, show switch, show vtp status, terminal length/width, and the two session transcripts
(they shaped the lab's prompt and echo instead).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lab.estate import Device, Ha, Optic
from lab.personalities import cisco_ios as lab_ios
from lab.personalities.base import DeviceView
from tasks.errors import ParseError
from tasks.platforms import cisco_ios as ios
from tasks.versions import parse_version
from tests.fixture_cases import assert_fields, case_id, source
from tests.fixture_cases import expected as expected_parse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cisco_ios"


def _facts(text: str) -> dict[str, Any]:
    return ios.facts({"facts": text}).to_dict()


def _transceivers(text: str) -> list[dict[str, Any]]:
    return [t.to_dict() for t in ios.transceivers({"transceivers": text})]


# Which parser reads which command folder; a new case is a new .txt/.yaml/.source triple, not new code.
PARSERS: dict[str, Callable[[str], Any]] = {
    "show_version": _facts,
    "show_inventory": _transceivers,
    "show_idprom_interface": ios.parse_idprom,
}
# The key of the expected .yaml that holds each parser's result.
RESULT_KEY = {"show_version": "facts", "show_inventory": "transceivers", "show_idprom_interface": "parsed"}

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
    expected = expected_parse(case)
    parser = PARSERS[case.parent.name]
    if "error" in expected:
        with pytest.raises(ParseError, match=expected["error"]):
            parser(text)
        return
    key = RESULT_KEY[case.parent.name]
    assert_fields(parser(text), expected[key], key)


def test_third_party_optics_in_the_cat4507_sample_are_unspecified() -> None:
    text = (FIXTURES / "show_inventory" / "genieparser_cat4507_thirdparty.txt").read_text(encoding="utf-8")
    parts = {t.port: t.part for t in ios.transceivers({"transceivers": text})}
    assert parts["TenGigabitEthernet1/3/1"] == "SFP-10G-LRM"
    assert parts["TenGigabitEthernet1/3/3"] == "Unspecified"


def test_followups_ask_idprom_for_interface_named_optics_only() -> None:
    inventory = (FIXTURES / "show_inventory" / "genieparser_asr1002.txt").read_text(encoding="utf-8")
    assert ios.transceiver_followups({"transceivers": inventory}) == {}  # `subslot 0/0 transceiver 0` names
    inventory = (FIXTURES / "show_inventory" / "genieparser_cat4507_thirdparty.txt").read_text(encoding="utf-8")
    followups = ios.transceiver_followups({"transceivers": inventory})
    assert followups["idprom TenGigabitEthernet1/3/3"] == "show idprom interface TenGigabitEthernet1/3/3"
    assert len(followups) == 10


JUNK = "\n3f$%a0{]b9_c\n~~!!0123456789abcdef\n(()) ,.?/|\n\n"


@pytest.mark.parametrize("parse", [_facts, _transceivers, ios.parse_idprom], ids=["facts", "inventory", "idprom"])
def test_junk_is_a_parse_error(parse: Callable[[str], Any]) -> None:
    with pytest.raises(ParseError):
        parse(JUNK)


def test_empty_inventory_is_no_optics() -> None:
    assert ios.transceivers({"transceivers": ""}) == []
    assert ios.transceivers({"transceivers": "sw1#show inventory\n\nsw1#"}) == []


# --- the lab's outputs parse to what the estate says ------------------------------------------------------


def _device(name: str, model: str, version: str, optics: tuple[Optic, ...], ha: Ha | None = None) -> Device:
    return Device(
        name=name,
        platform="cisco_ios",
        model=model,
        version=version,
        customer="acme",
        site="lon1",
        serial=f"FOC{sum(map(ord, name)):08d}",
        optics=optics,
        ha=ha,
    )


LAB_DEVICES = [
    _device(
        "acme-lon1-sw01",
        "C9300-48P",
        "17.9.4a",
        (
            Optic("TenGigabitEthernet1/1/1", "10GBASE-SR", "CISCO-FINISAR", "SFP-10G-SR", "FNS1111"),
            Optic("TenGigabitEthernet1/1/2", "10GBASE-LR", "FS", "SFP-10GLR-31", "FS2222"),
        ),
    ),
    _device(
        "acme-lon1-core01",
        "C9500-24Y4C",
        "16.12.04",
        (
            Optic("TwentyFiveGigE1/0/1", "25GBASE-SR", "Intel Corp", "E25GSFP28SR", "INT1"),
            Optic("HundredGigE1/0/25", "100GBASE-SR4", "CISCO-FINISAR", "QSFP-100G-SR4-S", "FNS3"),
        ),
    ),
    _device(
        "acme-lon1-rtr01",
        "ISR4431",
        "17.6.5",
        (Optic("GigabitEthernet0/0/0", "1000BASE-LX", "FLEXOPTIX", "S.1312.10.D", "F1"),),
    ),
    _device("acme-lon1-sw02", "WS-C2960X-24TS-L", "15.2(7)E3", ()),
]


def _run(shell: lab_ios.IosShell, command: str) -> str:
    return shell.handle(command).text


@pytest.mark.parametrize("device", LAB_DEVICES, ids=lambda d: d.name)
def test_lab_outputs_parse_to_the_estate(device: Device) -> None:
    shell = lab_ios.IosShell(DeviceView(device, None, "admin", time.time()))
    facts = ios.facts({"facts": _run(shell, ios.COMMANDS["facts"])}, prompt=shell.prompt())
    assert (facts.hostname, facts.model, facts.serial) == (device.name, device.model, device.serial)
    assert parse_version(facts.version, "cisco_ios") == parse_version(device.version, "cisco_ios")
    assert facts.ha_state is None
    outputs = {"transceivers": _run(shell, ios.COMMANDS["transceivers"])}
    for key, command in ios.transceiver_followups(outputs).items():
        outputs[key] = _run(shell, command)
    got = [(t.port, t.vendor, t.part, t.serial) for t in ios.transceivers(outputs)]
    assert got == [(o.port, o.vendor, o.part, o.serial) for o in device.optics]


def test_lab_stack_member_gives_stack_ha_state() -> None:
    one = _device("acme-lon1-core01", "C9500-24Y4C", "17.9.4a", (), Ha("acme-lon1-core02", "active"))
    two = _device("acme-lon1-core02", "C9500-24Y4C", "17.9.4a", (), Ha("acme-lon1-core01", "passive"))
    shell = lab_ios.IosShell(DeviceView(one, two, "admin", time.time()))
    facts = ios.facts({"facts": _run(shell, "show version")})
    assert (facts.ha_state, facts.extra["members"]) == ("stack", "2")


def test_lab_unknown_command_has_the_caret_under_the_bad_word() -> None:
    shell = lab_ios.IosShell(DeviceView(LAB_DEVICES[0], None, "admin", time.time()))
    text = _run(shell, "show foo")
    caret, message = text.splitlines()[:2]
    assert message == "% Invalid input detected at '^' marker."
    assert caret.index("^") == len("acme-lon1-sw01#show ")
    assert _run(shell, "show").strip() == "% Incomplete command."


def test_lab_sshdetect_probes_match_only_cisco_ios() -> None:
    """What SSHDetect's probes read: `Cisco IOS Software` on classic IOS, an IOS error for everything else."""
    from netmiko.ssh_autodetect import SSH_MAPPER_BASE

    device = LAB_DEVICES[3]
    shell = lab_ios.IosShell(DeviceView(device, None, "admin", time.time()))
    for platform, probe in SSH_MAPPER_BASE:
        command = str(probe["cmd"])
        if not command:
            continue
        text = _run(shell, command)
        if command == "show version":
            assert "Cisco IOS Software" in text and "IOS XE" not in text
        elif command != "show inventory":
            assert "% Invalid input detected" in text, (platform, command)


def test_validate_device_names_the_field() -> None:
    copper = _device("x", "C9300-48P", "17.9.4a", (Optic("GigabitEthernet1/0/1", "10GBASE-SR", "FS", "P", "S"),))
    assert lab_ios.validate_device(copper)[0][0] == "optics[0].port"
    forty = _device("x", "C9300-48P", "17.9.4a", (Optic("TenGigabitEthernet1/1/1", "40GBASE-SR4", "FS", "P", "S"),))
    assert lab_ios.validate_device(forty)[0][0] == "optics[0].port"
    assert lab_ios.validate_device(_device("x", "C9999", "17.9.4a", ()))[0][0] == "model"
