"""FortiOS parsers against real outputs (fixtures/fortinet/<command>/<case>.txt) and against the lab's output.

Covered samples of shared/reference/cli/fortinet/ (copied byte-identical, sources beside them):
- get_system_status__* (all 11: ntc-templates 6.0.7 to 7.4.8 and the three oxidized transcripts, which keep
  the echo, CRs, `--More--` paging marks and the trailing prompt);
- get_system_interface_transceiver__* (all 3 oxidized: Fortinet-coded SFP+/QSFP28 optics, empty cages, DOM
  tables, paging mark inside the table);
- get_system_ha_status__* (all 6: ntc-templates 5.6 to 7.0 and two oxidized 7.4 transcripts), read by the
  pre-upgrade HA check.
Readiness outputs transcribed from public pages (sources beside them, format evidence only): diagnose sys ntp
status, get system performance status, get system fortiguard-service status, execute sensor list.
Snapshot outputs: get_system_interface_physical__* (both ntc-templates samples, 6.2 and 7.4); ntc-templates'
own test samples of get system arp and get router info routing-table all (byte-identical, sources beside them);
`show | grep .` DERIVED from the three oxidized session transcripts (anonymised secrets, one multi-VDOM); diagnose
sys session stat TRANSCRIBED from a Fortinet KB article (format evidence only).
Not covered, because no parser of ours reads them: get_hardware_status__*, get_hardware_nic*__*,
diagnose_hardware_deviceinfo_psu__*, and the session_transcript__* files otherwise (used for the lab's prompt,
echo and error text).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from lab.estate import Device, Ha, Optic, serial_for
from lab.personalities import fortinet as lab_fortinet
from lab.personalities.base import DeviceView
from lab.session import garbage
from tasks.checks.readiness import check_content_age
from tasks.errors import ParseError
from tasks.models import Verdict
from tasks.models.readiness import NotReported
from tasks.platforms.fortinet import commands as fortinet
from tasks.platforms.fortinet import facts as fortinet_facts
from tasks.platforms.fortinet import readiness as fortinet_readiness
from tasks.platforms.fortinet import sanitise as fortinet_sanitise
from tasks.platforms.fortinet import snapshot as fortinet_snapshot

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fortinet"

# Which parser reads which command folder; a new case is a new .txt/.yaml/.source triple, not new code.
PARSERS: dict[str, Callable[[str], Any]] = {
    "get_system_status": fortinet_facts.parse_system_status,
    "get_system_interface_transceiver": fortinet_facts.parse_transceivers,
    "get_system_ha_status": fortinet_readiness.parse_ha_status,
    "diagnose_sys_ntp_status": fortinet_readiness.parse_ntp_status,
    "get_system_performance_status": fortinet_readiness.parse_performance,
    "get_system_fortiguard-service_status": fortinet_readiness.parse_fortiguard_services,
    "execute_sensor_list": fortinet_readiness.parse_sensors,
    # the pre-upgrade snapshot
    "get_system_interface_physical": fortinet_snapshot.parse_interfaces,
    "get_router_info_routing-table_all": fortinet_snapshot.parse_route_count,
    "get_system_arp": fortinet_snapshot.parse_arp_count,
    "diagnose_sys_session_stat": fortinet_snapshot.parse_session_count,
    "show": fortinet_sanitise.parse_config,
}

CASES = sorted(FIXTURES.glob("*/*.txt"))


def _case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def _read(case: Path) -> str:
    """The sample as bytes on the wire would decode: CRs kept (no newline translation)."""
    with case.open(encoding="utf-8", newline="") as handle:
        return handle.read()


def _plain(value: Any) -> Any:
    """Parser results (dataclasses, tuples of them) as dicts and lists, to compare with the YAML."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _assert_fields(actual: dict[str, Any], expected: dict[str, Any], where: str) -> None:
    for key, value in expected.items():
        assert key in actual, f"{where}: field {key!r} missing"
        if isinstance(value, dict):
            _assert_fields(actual[key], value, f"{where}.{key}")
        else:
            assert actual[key] == value, f"{where}.{key}: {actual[key]!r} != {value!r}"


def test_every_fixture_folder_has_a_parser() -> None:
    assert CASES, "no fixtures found"
    assert {case.parent.name for case in CASES} <= set(PARSERS)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_fixture_has_expected_and_source(case: Path) -> None:
    assert case.with_suffix(".yaml").is_file()
    source = yaml.safe_load(case.with_suffix(".source").read_text(encoding="utf-8"))
    assert {"repo", "path", "commit", "licence"} <= set(source)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_parse(case: Path) -> None:
    text = _read(case)
    expected = yaml.safe_load(case.with_suffix(".yaml").read_text(encoding="utf-8"))
    parsed = PARSERS[case.parent.name](text)
    if "parsed" in expected:
        plain, want = _plain(parsed), expected["parsed"]
        if isinstance(want, list | int | str):
            assert plain == want
        else:
            _assert_fields(plain, want, "parsed")
    if "count" in expected:  # sensors
        assert len(parsed) == expected["count"]
        assert sum(1 for s in parsed if s.alarm) == expected["alarms"]
        by_slot = {s.slot: _plain(s) for s in parsed}
        for slot, want in expected["rows"].items():
            _assert_fields(by_slot[str(slot)], want, f"sensor {slot}")
    if "lines" in expected:  # a sanitised configuration (show)
        assert len(parsed.split("\n")) == expected["lines"]
        for kept in expected["present"]:
            assert kept in parsed.split("\n"), kept
        for gone in expected["absent"]:
            assert gone not in parsed, gone
        assert fortinet_sanitise.sanitise_config(parsed) == parsed  # idempotent
    if "facts" in expected:
        _assert_fields(fortinet_facts.read_facts({"facts": text}).to_dict(), expected["facts"], "facts")
    if "transceivers" in expected:
        rows = [t.to_dict() for t in parsed]
        assert len(rows) == len(expected["transceivers"]), rows
        for i, (row, want) in enumerate(zip(rows, expected["transceivers"], strict=True)):
            _assert_fields(row, want, f"transceivers[{i}]")


@pytest.mark.parametrize("command", sorted(PARSERS))
def test_garbage_raises_parse_error(command: str) -> None:
    with pytest.raises(ParseError):
        PARSERS[command](garbage(command))


def test_fortiguard_service_rows_with_a_date_are_licences() -> None:
    text = (
        "NAME  VERSION LAST UPDATE  METHOD  EXPIRE\n"
        "Attack Definitions  33.950  2026-11-20 03:16:00  scheduled  2027-01-31\n"
    )
    (licence,) = fortinet_readiness.parse_fortiguard_services(text)
    assert (licence.feature, licence.expires) == ("Attack Definitions", date(2027, 1, 31))


# `diagnose hardware deviceinfo disk` in the shape the parser reads ([unverified]: no device capture was found).
DISK_HEAD = "Disk SYSTEM(boot)                ref:    0  14.9GiB   type: SSD [ATA SQF-SHMM1-16G] dev: /dev/sda"
FIRMWARE_1 = "   partition ref:   1  2.0GiB,  1.5GiB free   mounted: Y  label: 7464A257  dev: /dev/sda1(boot)"
FIRMWARE_2 = "   partition ref:   2  2.0GiB,  1.5GiB free   mounted: N  label: 7464A258  dev: /dev/sda2(boot)"
DATA = "   partition ref:   3  10.9GiB,  900.0MiB free   mounted: Y  label: LOGUSEDX  dev: /dev/sda3"
LOG_DISK = "Disk HDD                ref:   16  447.1GiB   type: SSD [ATA KINGSTON] dev: /dev/sdb\n" + (
    "   partition ref:  17  447.1GiB,  440.0GiB free   mounted: Y  label: LOGDISK  dev: /dev/sdb1"
)


def _store(*lines: str) -> Any:
    return fortinet_readiness.image_store(fortinet_readiness.parse_disk_info("\n".join(lines)))


def test_disk_judged_is_the_boot_disks_data_partition_not_the_roomiest() -> None:
    """A roomier firmware partition or log disk is not where the image goes: the data partition is judged, and
    the mount says that this is an assumption."""
    store = _store(DISK_HEAD, FIRMWARE_1, FIRMWARE_2, DATA, LOG_DISK)
    assert (store.filesystem, store.avail_mb) == ("/dev/sda3", 900.0)
    assert "assumed" in store.mount


def test_disk_without_a_data_partition_on_the_boot_disk_is_not_reported() -> None:
    """No fallback to another disk's partition: the check reports ERROR instead."""
    unmounted = DATA.replace("mounted: Y", "mounted: N")
    store = _store(DISK_HEAD, FIRMWARE_1.replace("mounted: Y", "mounted: N"), FIRMWARE_2, unmounted, LOG_DISK)
    assert isinstance(store, NotReported) and "boot disk" in store.reason


def test_content_databases_carry_the_contract_of_their_fortiguard_service() -> None:
    """Real outputs: the 91G's factory IPS-DB/APP-DB (6.00741 of 2015-12-01) and the 300E's service status, where
    Attack and Application Definitions have EXPIRE n/a (no contract). Such databases are not licensed for
    updates, so their age is no blocker: the check says so instead of failing."""
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "fortinet"
    status = (fixtures / "get_system_status" / "oxidized_FortiGate-91G_7.4.7.txt").read_text()
    services = (fixtures / "get_system_fortiguard-service_status" / "fortigate_300e.txt").read_text()
    packages = fortinet_readiness.content_packages(
        fortinet_facts.parse_system_status(status), fortinet_readiness.service_contracts(services)
    )
    assert [(p.name, p.licence, p.licence_expires) for p in packages] == [
        ("IPS-DB", "Attack Definitions", None),
        ("APP-DB", "Application Definitions", None),
    ]
    result = check_content_age(packages, date(2026, 6, 1))
    assert result.verdict is Verdict.SKIPPED and "not licensed" in result.reason


def test_ha_local_member_is_found_by_serial() -> None:
    text = (FIXTURES / "get_system_ha_status" / "oxidized_FortiGate-3001F_7.4.8_HA.txt").read_text()
    ha = fortinet_readiness.parse_ha_status(text, local_serial="FG3K100000000001")
    assert (ha.local_state, ha.peer_state) == ("secondary", "primary")


def test_empty_sensor_list_is_no_sensors() -> None:
    assert fortinet_readiness.parse_sensors("execute sensor list\r\r\n\r\nfw1 # ") == []


def test_empty_transceiver_output_is_no_optics() -> None:
    assert fortinet_facts.parse_transceivers("") == []
    assert fortinet_facts.parse_transceivers("get system interface transceiver\r\r\n\r\nfw1 # ") == []


def test_version_is_a_fortios_version() -> None:
    with pytest.raises(ParseError):
        fortinet_facts.parse_system_status("Version: something else\nHostname: fw1\n")


# --- the lab's output parses to what the estate says ---------------------------------------------------------

OEM = Optic("x1", "10GBASE-SR", "FORTINET", "FTLX8574D3BCLFTN", "AB12")
DAC = Optic("x5", "25GBASE-CR", "FORTINET", "FN-CABLE-SFP28-1", "DAC1")
FINISAR = Optic("port9", "1000BASE-SX", "FINISAR CORP.", "FTLF8519P3BNL", "FNS9")
CWDM4 = Optic("port41", "100G CWDM4", "FORTINET", "FTLC1157RGPLFTN", "U900")

DEVICES = [
    Device(
        "acme-fw01",
        "fortinet",
        "FortiGate-601F",
        "7.4.8",
        "acme",
        "lon1",
        serial=serial_for("acme-fw01"),
        ha=Ha("acme-fw02", "active"),
        optics=(OEM, DAC, FINISAR),
    ),
    Device(
        "acme-fw02",
        "fortinet",
        "FortiGate-1801F",
        "7.0.13",
        "acme",
        "lon1",
        serial="FG181FTK20000001",
        ha=Ha("acme-fw01", "passive"),
        optics=(CWDM4,),
    ),
    Device("acme-br01", "fortinet", "FortiGate-60F", "7.2.6", "acme", "br1", serial=serial_for("acme-br01")),
]


def _run(device: Device, command: str) -> str:
    """What netmiko's send_command returns for `command`: the shell's reply, with the echo and prompt."""
    shell = lab_fortinet.FortiShell(DeviceView(device, None, "admin", time.time()))
    reply = shell.handle(command)
    return f"{command}\r\r\n" + reply.text.replace("\n", "\r\n") + shell.prompt()


@pytest.mark.parametrize("device", DEVICES, ids=lambda d: d.name)
def test_lab_output_parses_to_the_estate(device: Device) -> None:
    outputs = {purpose: _run(device, command) for purpose, command in fortinet.COMMANDS.items()}
    facts = fortinet_facts.read_facts(outputs)
    assert (facts.hostname, facts.model, facts.version) == (device.name, device.model, device.version)
    assert facts.serial == lab_fortinet.serial(device)
    expected_ha = None if device.ha is None else {"active": "primary", "passive": "secondary"}[device.ha.state]
    assert facts.ha_state == expected_ha
    optics = fortinet_facts.read_transceivers(outputs)
    # FortiOS lists cages in port order, the estate in file order.
    assert sorted((t.port, t.type, t.vendor, t.part, t.serial) for t in optics) == sorted(
        (o.port, o.type, o.vendor, o.part, o.serial) for o in device.optics
    )


def test_lab_grep_answers_netmiko_session_preparation() -> None:
    device = DEVICES[0]
    assert _run(device, "get system status | grep Virtual").count("Virtual domain configuration: disable") == 1
    assert "Version: FortiGate-601F v7.4.8,build2795,250523 (GA.M)" in _run(device, "get system status | grep Version")


def test_lab_rejects_optics_that_do_not_fit() -> None:
    copper = Device(
        "x", "fortinet", "FortiGate-601F", "7.4.8", "c", "s", optics=(Optic("port1", "10GBASE-SR", "F", "P", "S"),)
    )
    qsfp_in_sfp = Device(
        "x", "fortinet", "FortiGate-601F", "7.4.8", "c", "s", optics=(Optic("x1", "40GBASE-SR4", "F", "P", "S"),)
    )
    assert lab_fortinet.validate_device(copper)[0][0] == "optics[0].port"
    assert "copper" in lab_fortinet.validate_device(copper)[0][1]
    assert lab_fortinet.validate_device(qsfp_in_sfp)[0][0] == "optics[0].port"
    assert lab_fortinet.validate_device(DEVICES[0]) == []
