"""PAN-OS parsers against real outputs: each fixtures/paloalto_panos/<command>/<case>.txt is one case."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from tasks.errors import ParseError
from tasks.platforms.paloalto_panos import PLATFORM as PANOS
from tasks.platforms.paloalto_panos import commands as panos
from tasks.platforms.paloalto_panos import facts as panos_facts
from tasks.platforms.paloalto_panos import readiness as panos_readiness
from tasks.platforms.paloalto_panos import sanitise as panos_sanitise
from tasks.platforms.paloalto_panos import snapshot as panos_snapshot

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "paloalto_panos"

# Which parser reads which command folder; a new case is a new .txt/.yaml/.source triple, not new code.
PARSERS: dict[str, Callable[[str], Any]] = {
    "show_system_info": panos_facts.parse_system_info,
    "show_config_running": panos_sanitise.sanitise_config,
    "show_system_state": panos_facts.parse_transceivers,
    "show_high-availability_all": panos_readiness.parse_ha_all,
    "show_jobs_all": panos_readiness.parse_jobs,
    "request_license_info": panos_readiness.parse_licenses,
    "debug_swm_status": panos_readiness.parse_swm_status,
    "show_ntp": panos_readiness.parse_ntp,
    "show_system_resources": panos_readiness.parse_resources,
    "show_routing_route": panos_snapshot.parse_route_count,
    "show_advanced-routing_route": panos_snapshot.parse_are_route_count,
    "show_arp_all": panos_snapshot.parse_arp_count,
    "show_session_info": panos_snapshot.parse_session_count,
}

CASES = sorted(FIXTURES.glob("*/*.txt"))


def _case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def _expected(case: Path) -> dict[str, Any]:
    data = yaml.safe_load(case.with_suffix(".yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{case.with_suffix('.yaml')}: expected a mapping"
    return data


def _plain(value: Any) -> Any:
    """Dataclasses as dicts and tuples as lists, so parsed values compare with YAML."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _assert_fields(actual: Any, expected: dict[str, Any], where: str) -> None:
    actual = _plain(actual)
    for key, value in expected.items():
        assert key in actual, f"{where}: field {key!r} missing"
        if isinstance(value, dict):
            _assert_fields(actual[key], value, f"{where}.{key}")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            assert len(actual[key]) == len(value), f"{where}.{key}: {actual[key]!r}"
            for i, (row, want) in enumerate(zip(actual[key], value, strict=True)):
                _assert_fields(row, want, f"{where}.{key}[{i}]")
        else:
            assert actual[key] == value, f"{where}.{key}: {actual[key]!r} != {value!r}"


def test_every_fixture_folder_has_a_parser() -> None:
    assert {case.parent.name for case in CASES} <= set(PARSERS)
    assert CASES, "no fixtures found"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_fixture_has_expected_and_source(case: Path) -> None:
    assert case.with_suffix(".yaml").is_file()
    source = yaml.safe_load(case.with_suffix(".source").read_text(encoding="utf-8"))
    assert {"repo", "path", "commit", "licence"} <= set(source)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_parse(case: Path) -> None:
    text = case.read_text(encoding="utf-8")
    expected = _expected(case)
    parsed = PARSERS[case.parent.name](text)
    if "parsed" in expected and not isinstance(expected["parsed"], dict):
        assert parsed == expected["parsed"]  # a count
    elif "parsed" in expected:
        _assert_fields(parsed, expected["parsed"], "parsed")
    if "transceivers" in expected:
        rows = [t.to_dict() for t in parsed]
        assert len(rows) == len(expected["transceivers"]), rows
        for i, (row, want) in enumerate(zip(rows, expected["transceivers"], strict=True)):
            _assert_fields(row, want, f"transceivers[{i}]")
    if "rows" in expected:
        rows = _plain(parsed)
        assert len(rows) == expected.get("count", len(expected["rows"])), rows
        for i, (row, want) in enumerate(zip(rows, expected["rows"], strict=False)):
            _assert_fields(row, want, f"rows[{i}]")
    if "media" in expected:
        assert panos_facts.media_by_port(text) == expected["media"]
    if "lines" in expected:  # a sanitised configuration (show config running)
        assert len(parsed.split("\n")) == expected["lines"]
        for kept in expected["present"]:
            assert kept in parsed.split("\n"), kept
        for gone in expected["absent"]:
            assert gone not in parsed, gone
        assert panos_sanitise.sanitise_config(parsed) == parsed  # idempotent
    if "facts" in expected:
        _assert_fields(panos_facts.read_facts({"facts": text}).to_dict(), expected["facts"], "facts")


@pytest.mark.parametrize("case", sorted(FIXTURES.glob("show_system_info/*.txt")), ids=_case_id)
def test_facts_take_the_ha_state_from_the_prompt_unless_the_ha_output_is_given(case: Path) -> None:
    text = case.read_text(encoding="utf-8")
    assert panos_facts.read_facts({"facts": text}, prompt="admin@fw01(passive)").ha_state == "passive"
    assert panos_facts.read_facts({"facts": text}, prompt="admin@fw01").ha_state is None
    not_enabled = panos_facts.read_facts({"facts": text, "ha": "\nHA not enabled\n\n"}, prompt="admin@fw01(active)")
    assert not_enabled.ha_state is None


def test_facts_with_ha() -> None:
    info = (FIXTURES / "show_system_info" / "ntc-templates_pa-vm_7.0.1.txt").read_text(encoding="utf-8")
    ha = (FIXTURES / "show_high-availability_all" / "ntc-templates_pa-5020_active.txt").read_text(encoding="utf-8")
    result = panos_facts.read_facts({"facts": info, "ha": ha})
    assert result.ha_state == "active"
    assert result.extra["ha-peer-state"] == "passive"
    assert result.extra["ha-state-sync"] == "Complete"


HA_STATE_SHORT = """
Group 1:
  Mode: Active-Passive
  Local Information:
    Version: 1
    Mode: Active-Passive
    State: passive (last 2 days)
    Device Information:
      Model: PA-3220
    State Synchronization: Complete; type: ethernet
  Peer Information:
    Connection status: down
    State: unknown
"""


def test_ha_state_short_form() -> None:
    state = panos_facts.parse_ha_state(HA_STATE_SHORT)
    assert (state["local_state"], state["peer_state"], state["peer_connection"], state["state_sync"]) == (
        "passive",
        "unknown",
        "down",
        "Complete",
    )


@pytest.mark.parametrize(
    "text",
    [
        "HA not enabled",
        "\nHA not enabled\n\n",
        "admin@fw> show high-availability state\nHA not enabled\nadmin@fw> ",
        "",
    ],
)
def test_ha_not_enabled(text: str) -> None:
    state = panos_facts.parse_ha_state(text)
    assert state["enabled"] is False
    assert state["local_state"] is None


OEM_LINE = (FIXTURES / "show_system_state" / "pr111_oem_pan-sfp-plus-sr.txt").read_text(encoding="utf-8")
COPPER_LINE = (FIXTURES / "show_system_state" / "pr111_copper_cat5.txt").read_text(encoding="utf-8")


def test_transceivers_several_ports_sorted_and_copper_skipped() -> None:
    text = "\n".join(
        [
            OEM_LINE.strip().replace("sys.s5.p1.phy", "sys.s1.p10.phy"),
            COPPER_LINE.strip(),
            OEM_LINE.strip().replace("sys.s5.p1.phy", "sys.s1.p2.phy"),
        ]
    )
    assert [t.port for t in panos_facts.parse_transceivers(text)] == ["ethernet1/2", "ethernet1/10"]


def test_transceivers_with_echo_and_prompt() -> None:
    text = f"admin@fw01(active)> {panos.COMMANDS['transceivers']}\n\n{OEM_LINE}\nadmin@fw01(active)> "
    assert [t.part for t in panos_facts.parse_transceivers(text)] == ["PAN-SFP-PLUS-SR"]


@pytest.mark.parametrize("text", ["", "\n\n", "admin@fw> show system state filter sys.s*.p*.phy\n\nadmin@fw> "])
def test_transceivers_empty_output_is_no_optics(text: str) -> None:
    assert panos_facts.parse_transceivers(text) == []


@pytest.mark.parametrize(
    "text, reason",
    [
        ("%$#@ garbage from a confused device\nmore junk", "no sys.* lines"),
        ("Invalid syntax.", "no sys.* lines"),
        ("sys.s1.p1.phy: { 'media': SFP-Plus-Fiber, 'sfp': { 'vendor-name': OEM ", "sys.s1.p1.phy"),
        ("sys.s1.p1.phy: 'media': CAT5", "expected '{'"),
    ],
)
def test_transceivers_junk_is_a_parse_error(text: str, reason: str) -> None:
    with pytest.raises(ParseError, match=reason.replace("*", r"\*").replace("{", r"\{")) as info:
        panos_facts.parse_transceivers(text)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "text",
    ["", "garbage\n\x00\x01", "hostname: fw\nserial: 1\n", "Invalid syntax.\n"],
)
def test_system_info_junk_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError, match="show system info") as info:
        panos_facts.parse_system_info(text)
    assert "\n" not in str(info.value)


def test_facts_rejects_a_bad_sw_version() -> None:
    with pytest.raises(ParseError, match="not a PAN-OS version: 'ten'"):
        panos_facts.read_facts({"facts": "hostname: fw\nmodel: PA-3220\nsw-version: ten\n"})


def test_ha_junk_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="no local State"):
        panos_facts.parse_ha_state("garbage\nmore garbage")


# --- readiness parsers: shapes the fixtures do not cover, and junk -------------------------------------------


def test_jobs_unfinished_and_empty() -> None:
    text = (
        "Enqueued                     ID             Type    Status Result Completed \n"
        + "-" * 74
        + "\n2024/05/01 10:00:00          12           Downld       ACT   PEND 45%  \n"
        "2024/05/01 09:00:00          11           Commit       FIN   FAIL 09:00:40  \n"
    )
    jobs = panos_readiness.parse_jobs(f"admin@fw01> show jobs all\n{text}\nadmin@fw01> ")
    assert [(j.id, j.status, j.result, j.completed) for j in jobs] == [
        (12, "ACT", "PEND", "45%"),
        (11, "FIN", "FAIL", "09:00:40"),
    ]
    assert panos_readiness.parse_jobs("\n\n") == []


def test_licenses_expired_flag() -> None:
    text = "License entry:\nFeature: Premium\nDescription: support\nSerial: 1\nIssued: May 01, 2020\n"
    text += "Expires: May 01, 2021\nExpired?: yes\n"
    (lic,) = panos_readiness.parse_licenses(text)
    assert (lic.feature, lic.expires, lic.expired) == ("Premium", date(2021, 5, 1), True)


def test_ha_all_not_synchronized_and_mismatch() -> None:
    text = (FIXTURES / "show_high-availability_all" / "ntc-templates_pa-5020_active.txt").read_text(encoding="utf-8")
    text = text.replace("Running Configuration: synchronized", "Running Configuration: not synchronized")
    peer_at = text.index("Peer Information:")
    text = text[:peer_at] + text[peer_at:].replace("Build Release: 6.1.10", "Build Release: 6.0.14", 1)
    ha = panos_readiness.parse_ha_all(text)
    assert (ha.config_sync, ha.local_version, ha.peer_version) == ("not synchronized", "6.1.10", "6.0.14")


def test_disk_space_and_software_info() -> None:
    disk = panos_readiness.parse_disk_space(
        "Filesystem      Size  Used Avail Use% Mounted on\n/dev/sda6        12G   11G  700M  95% /opt/panrepo\n"
    )
    assert disk["/opt/panrepo"].avail_mb == 700.0
    software = panos_readiness.parse_software_info(
        "Version               Size              Released on Downloaded  Current\n" + "-" * 73 + "\n"
        "10.2.4-h4             592MB  2022/07/15 18:54:17         no       no\n"
        "10.1.9                487MB  2021/01/17 12:36:17        yes      yes\n"
    )
    assert [(s.version, s.size_mb, s.downloaded, s.current) for s in software] == [
        ("10.2.4-h4", 592, False, False),
        ("10.1.9", 487, True, True),
    ]


def test_resources_one_top_frame_is_a_since_boot_cpu_and_says_so() -> None:
    """top's first frame computes the CPU line since boot; `show system resources` prints just that frame, so the
    figure is not a current load and the parse says so (the real KB capture is one frame)."""
    text = (FIXTURES / "show_system_resources" / "pan-kb_top_older-procps.txt").read_text()
    resources = panos_readiness.parse_resources(text)
    assert resources.cpu_pct == 88.3 and "since boot" in resources.cpu_basis


def test_resources_with_a_second_frame_reads_the_current_one() -> None:
    """With a later refresh printed, its CPU line (ticks between the two refreshes) is the current reading.
    The first frame is the real KB capture; the second is it with other figures (synthetic)."""
    first = (FIXTURES / "show_system_resources" / "pan-kb_top_older-procps.txt").read_text()
    second = first.replace("11.7%id", "96.0%id").replace("load average: 5.59", "load average: 0.40")
    resources = panos_readiness.parse_resources(first + "\n" + second.replace("12:05:07", "12:05:10"))
    assert (resources.cpu_pct, resources.cpu_basis, resources.load_average[0]) == (4.0, "", 0.40)


def test_environmentals_alarm() -> None:
    text = "----------Power Supplies----------\nSlot   Description   Alarm   Inserted\n"
    text += "1      Power Supply #2 (right)   True   True\n"
    (sensor,) = panos_readiness.parse_environmentals(text)
    assert (sensor.section, sensor.description, sensor.alarm) == ("Power Supplies", "Power Supply #2 (right)", True)


@pytest.mark.parametrize(
    "parser, text, reason",
    [
        (panos_readiness.parse_jobs, "garbage\nmore", "show jobs all: no job table header"),
        (panos_readiness.parse_licenses, "Invalid syntax.", "request license info: no 'License entry:'"),
        (panos_readiness.parse_pending_changes, "maybe", "check pending-changes: expected yes or no"),
        (panos_readiness.parse_ntp, "Unknown command: ntp", "show ntp: no 'NTP state:'"),
        (panos_readiness.parse_resources, "garbage", "show system resources: no top header"),
        (panos_readiness.parse_environmentals, "garbage", "show system environmentals: no section header"),
        (panos_readiness.parse_disk_space, "garbage", "show system disk-space: no df header"),
        (panos_readiness.parse_software_info, "garbage", "request system software info: no header"),
        (panos_readiness.parse_swm_status, "garbage", "debug swm status: no partition table"),
    ],
)
def test_readiness_junk_is_a_parse_error(parser: Callable[[str], Any], text: str, reason: str) -> None:
    with pytest.raises(ParseError, match=reason.replace("?", r"\?")) as info:
        parser(text)
    assert "\n" not in str(info.value)


def test_readiness_commands_are_known() -> None:
    assert set(panos.READINESS_COMMANDS) <= set(panos.COMMANDS)


# --- snapshot counts ---------------------------------------------------------------------------------------


def test_route_count_sums_the_footer_and_falls_back_to_rows() -> None:
    header = "destination  nexthop  metric flags  age  interface  next-AS\n"
    row = "10.0.0.0/24  10.0.0.1  0  A C    ethernet1/1\n"
    assert (
        panos_snapshot.parse_route_count(
            f"admin@fw> show routing route\n\n{header}{row}total routes shown: 1\n\nadmin@fw> "
        )
        == 1
    )


@pytest.mark.parametrize(
    ("parser", "text"),
    [
        (panos_snapshot.parse_route_count, "Invalid syntax."),
        (panos_snapshot.parse_arp_count, "total ARP entries in table : 3"),
        (panos_snapshot.parse_session_count, "Session timeout\n  TCP default timeout: 3600 secs"),
    ],
)
def test_snapshot_counts_junk_is_a_parse_error(parser: Callable[[str], Any], text: str) -> None:
    with pytest.raises(ParseError):
        parser(text)


def test_session_count_sums_dataplanes_and_reads_the_active_form() -> None:
    two = "target-dp: *.dp0\nNumber of allocated sessions: 421\n\ntarget-dp: *.dp1\nNumber of allocated sessions: 79\n"
    assert panos_snapshot.parse_session_count(two) == 500
    assert (
        panos_snapshot.parse_session_count("Number of sessions supported: 262144\nNumber of active sessions: 15432\n")
        == 15432
    )


def test_arp_count_empty_table_is_zero() -> None:
    text = (
        "total ARP entries in table :        0\n\n"
        "interface         ip address      hw address        port     status   ttl\n" + "-" * 80
    )
    assert panos_snapshot.parse_arp_count(text) == 0


def test_snapshot_commands_are_known() -> None:
    assert set(panos.SNAPSHOT_COMMANDS) <= set(panos.COMMANDS)


# --- the Advanced Routing Engine ---------------------------------------------------------------------------

# The real 11.0 `show system info` prints `advanced-routing: off`; the same firewall with the ARE on.
INFO_11 = (FIXTURES / "show_system_info" / "public-notes_pa-vm_11.0.0_with_prompt.txt").read_text(encoding="utf-8")
ARE_ROUTES = (FIXTURES / "show_advanced-routing_route" / "pan-cli-reference_reconstructed.txt").read_text(
    encoding="utf-8"
)


def test_the_routes_command_follows_the_routing_engine_show_system_info_names() -> None:
    assert "advanced-routing: off" in INFO_11
    on = INFO_11.replace("advanced-routing: off", "advanced-routing: on")
    assert PANOS.command("routes", {"facts": INFO_11}) == "show routing route"
    assert PANOS.command("routes", {"facts": on}) == "show advanced-routing route"
    assert PANOS.command("routes") == "show routing route"  # nothing answered yet


def test_an_are_firewall_snapshot_counts_the_logical_routers_routes() -> None:
    on = INFO_11.replace("advanced-routing: off", "advanced-routing: on")
    facts = panos_facts.read_facts({"facts": on}, prompt="admin@Netlab-PA>")
    assert facts.extra["advanced-routing"] == "on"
    snap = panos_snapshot.read({"routes": ARE_ROUTES}, facts, [])
    assert snap.routes == 6 + 2  # the fixture's two logical routers
    legacy = panos_facts.read_facts({"facts": INFO_11}, prompt="admin@Netlab-PA>")
    with pytest.raises(ParseError):  # the legacy table parser does not read the ARE's table, nor the reverse
        panos_snapshot.read({"routes": ARE_ROUTES}, legacy, [])
    with pytest.raises(ParseError):
        panos_snapshot.parse_are_route_count("\nInvalid syntax.\n\n")


def _state_values() -> list[str]:
    """The `{ ... }` of every line of the show system state fixtures, and forms the grammar allows besides."""
    lines = [
        line.strip()
        for case in sorted((FIXTURES / "show_system_state").glob("*.txt"))
        for line in case.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("sys.")
    ]
    values = [line.split(":", 1)[1].strip() for line in lines]
    assert len(values) >= 3
    return [
        *values,
        "{ }",
        "{'a': { 'b': { }, }, 'c': x, }",
        "{ 'note': one, two, three , 'last': y,}",  # a value ends at the comma before the next key
        "{ 'a': 1 , } trailing",
        "{ 'a': { 'b': 2, } 'c': 3, }",  # no comma after a nested object
    ]


@pytest.mark.parametrize("value", _state_values())
def test_state_objects_read_fast_as_the_precise_parser_reads_them(value: str) -> None:
    """`_read_object` gives what `_parse_object` gives for every text it reads, and leaves every text it does not
    read to `_parse_object` (which words the error): every value, and every prefix and one-character change of it."""
    assert panos_facts._read_object(value) == panos_facts._parse_object(value, 0, "k")
    variants = {value[:n] for n in range(len(value))}
    variants |= {value[:n] + c + value[n + 1 :] for n in range(len(value)) for c in "{}',: x"}
    for text in variants:
        fast = panos_facts._read_object(text)
        if fast is not None:
            assert fast == panos_facts._parse_object(text, 0, "k"), text
