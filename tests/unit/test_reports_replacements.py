"""The Replacements sheet: per customer and site, the supported parts that replace each blocking or unsupported
optic, with counts. The optics are judged by the real optic check against the shipped matrices; what each row
must list is read from the matrix YAML here (model glob and type), not from the code under test."""

from __future__ import annotations

import fnmatch
import functools
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook

from reports.excel import write_workbook
from reports.replacements import (
    NONE_KNOWN,
    REPLACEMENTS_HEADERS,
    REPLACEMENTS_TITLE,
    optic_kind,
    part_totals,
    replacement_rows,
    replacements_sheet,
)
from tasks.checks.optics import judge_optics, optic_findings
from tasks.matrix import Matrix, load_matrix
from tasks.models import Facts, HostRecord, OpticVerdict, RunInfo, RunResult, Support, Transceiver, Verdict

ROOT = Path(__file__).resolve().parents[2]
MATRICES = ROOT / "matrices"
TODAY = date(2026, 12, 1)
TARGETS = {"paloalto_panos": "10.2.4-h4", "fortinet": "7.4.8"}
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: the matrix files are long
PANOS, NXOS, JUNOS, FORTI = "paloalto_panos", "cisco_nxos", "juniper_junos", "fortinet"


@functools.cache
def matrices() -> dict[str, Matrix]:
    return {p: load_matrix(p, MATRICES) for p in (PANOS, NXOS, JUNOS, FORTI)}


@functools.cache
def matrix_yaml(platform: str) -> dict[str, Any]:
    return yaml.load((MATRICES / f"{platform}.yaml").read_text(encoding="utf-8"), Loader=FAST_LOADER)


def matrix_parts(platform: str, model: str, optic_type: str) -> list[str]:
    """The parts the matrix file lists for `model` with exactly `optic_type`, each once, in file order."""
    parts = [
        o["part"]
        for o in matrix_yaml(platform)["optics"]
        if o["type"] == optic_type and any(fnmatch.fnmatchcase(model.upper(), g.upper()) for g in o["models"])
    ]
    return list(dict.fromkeys(parts))


def device(
    name: str, customer: str, site: str, platform: str, model: str, version: str, optics: list[Transceiver]
) -> HostRecord:
    """A checked device whose optics are judged by the optic check itself (matrix, target of its platform)."""
    verdicts = judge_optics(model, version, optics, matrices()[platform], [], name, TARGETS.get(platform), TODAY)
    facts = Facts(hostname=name, model=model, serial=f"SN-{name}", version=version)
    return HostRecord(name, customer, site, platform, facts=facts, optics=verdicts, findings=optic_findings(verdicts))


def fixture_run() -> RunResult:
    """Two customers: third-party optics on PA-3220s (the story: FAIL on the way to 10.2), an NX-OS optic of a
    kind the matrix has no part for, a Junos optic two parts fit, a FortiGate-601F DAC in a port a known issue
    names, an OEM optic that passes and a waived one; plus a device that could not be checked."""
    sx, sr = "1000BASE-SX", "10GBASE-SR"
    waived = OpticVerdict(Transceiver("ethernet1/20", sr, "FS", "SFP-10GSR-85"), False, Support.WAIVED, Verdict.WARN,
                          "waived by inventory/acme/waivers.yaml")  # fmt: skip
    fw01 = device("acme-lon1-fw01", "acme", "lon1", PANOS, "PA-3220", "9.1.14", [
        Transceiver("ethernet1/13", sx, "AVAGO", "AFBR-5710PZ"),
        Transceiver("ethernet1/14", sx, "OEM", "PAN-SFP-SX"),
        Transceiver("ethernet1/15", sr, "FINISAR CORP.", "FTLX8571D3BCL"),
    ])  # fmt: skip
    fw01.optics.append(waived)
    hosts = [
        fw01,
        device("acme-lon1-fw02", "acme", "lon1", PANOS, "PA-3220", "10.1.9",
               [Transceiver("ethernet1/13", sx, "FINISAR CORP.", "FTLF8519P3BNL")]),
        device("acme-par1-fw01", "acme", "par1", PANOS, "PA-3220", "9.1.14",
               [Transceiver("ethernet1/3", sx, "AVAGO", "AFBR-5710PZ")]),
        device("acme-lon1-nx01", "acme", "lon1", NXOS, "N9K-C9336C-FX2", "10.2(5)",
               [Transceiver("Ethernet1/4", "QSFP-40G-LR4", "Arista Networks", "QSFP-40G-LR4-AR")]),
        device("globex-ams1-jn01", "globex", "ams1", JUNOS, "QFX5120-48Y-8C", "21.4R3-S5",
               [Transceiver("xe-0/0/6", "SFP+-10G-SR", "FINISAR CORP.", "NON-JNPR")]),
        device("globex-ams1-fgt01", "globex", "ams1", FORTI, "FortiGate-601F", "7.2.10",
               [Transceiver("x5", "25GBASE-CR", "Amphenol", "NDCCGF-0002")]),
        HostRecord("globex-ams1-fw09", "globex", "ams1", PANOS, status="error", error_stage="connect", error="refused"),
    ]  # fmt: skip
    target = ",".join(f"{p}={v}" for p, v in TARGETS.items())
    return RunResult(RunInfo("20261201T000000Z-audit-all", "audit", ["acme", "globex"], target, "2026-12-01"), hosts)


@pytest.fixture(scope="module")
def rows() -> dict[tuple[str, str, str], Any]:
    """The rows by (customer, site, model + first replaced port)."""
    return {(r.customer, r.site, r.replaces[0].split(" ")[1]): r for r in replacement_rows(fixture_run(), matrices())}


def test_blocking_third_party_optics_get_the_matrix_part_for_the_model_and_type(rows: dict[Any, Any]) -> None:
    sx = rows[("acme", "lon1", "ethernet1/13")]
    assert list(sx.parts) == matrix_parts(PANOS, "PA-3220", "1000BASE-SX") != []
    assert sx.quantity == 2 and sx.verdict is Verdict.FAIL  # fw01's and fw02's ethernet1/13
    assert [r.split(" ")[0] for r in sx.replaces] == ["acme-lon1-fw01", "acme-lon1-fw02"]
    sr = rows[("acme", "lon1", "ethernet1/15")]
    assert list(sr.parts) == matrix_parts(PANOS, "PA-3220", "10GBASE-SR") != []
    assert sr.quantity == 1
    other_site = rows[("acme", "par1", "ethernet1/3")]
    assert other_site.suggestion == sx.suggestion and other_site.quantity == 1  # counted per site


def test_oem_waived_and_unchecked_optics_are_not_bought(rows: dict[Any, Any]) -> None:
    listed = [item for row in rows.values() for item in row.replaces]
    assert not any(" ethernet1/14 " in item or " ethernet1/20 " in item for item in listed)  # OEM PASS, waived
    assert not any(item.startswith("globex-ams1-fw09") for item in listed)
    assert sum(row.quantity for row in rows.values()) == len(listed) == 7


def test_a_kind_the_matrix_has_no_part_for_says_so(rows: dict[Any, Any]) -> None:
    row = rows[("acme", "lon1", "Ethernet1/4")]
    assert matrix_parts(NXOS, "N9K-C9336C-FX2", "40GBASE-LR4") == []  # NX-OS prints QSFP-40G-LR4 for it
    assert row.parts == () and row.suggestion is None and "no supported" in row.note
    assert row.verdict is Verdict.WARN  # unsupported, not blocking


def test_when_several_parts_fit_all_are_listed_a_sourced_one_first(rows: dict[Any, Any]) -> None:
    row = rows[("globex", "ams1", "xe-0/0/6")]
    expected = matrix_parts(JUNOS, "QFX5120-48Y-8C", "SFP+-10G-SR")
    assert len(expected) > 1 and sorted(row.parts) == sorted(expected)
    sourced = {
        o["part"]
        for o in matrix_yaml(JUNOS)["optics"]
        if o["status"] == "src" and o["type"] == "SFP+-10G-SR" and fnmatch.fnmatchcase("QFX5120-48Y-8C", o["models"][0])
    }
    assert sourced and row.suggestion in sourced


def test_a_part_a_blocker_known_issue_hits_on_that_port_is_left_out(rows: dict[Any, Any]) -> None:
    row = rows[("globex", "ams1", "x5")]
    fitting = matrix_parts(FORTI, "FortiGate-601F", "25GBASE-CR")
    issues = [
        i for i in matrix_yaml(FORTI)["known_issues"]
        if "x5" in i.get("ports", []) and any(fnmatch.fnmatchcase(p, g) for p in fitting for g in i.get("parts", []))
    ]  # fmt: skip
    assert fitting and issues  # the matrix's only 25G DAC for the 601F is what its bug names on x5-x8
    assert row.parts == () and issues[0]["id"] in row.note


def test_counts_per_part_and_customer() -> None:
    totals = part_totals(replacement_rows(fixture_run(), matrices()))
    sx = matrix_parts(PANOS, "PA-3220", "1000BASE-SX")[0]
    assert totals[("acme", sx)] == 3  # lon1's two and par1's one


def test_the_sheet_reads_back_with_its_headers_and_none_known(tmp_path: Path) -> None:
    result = fixture_run()
    path = tmp_path / "report.xlsx"
    write_workbook(result, path, [replacements_sheet(result, matrices())], matrices=matrices())
    ws = load_workbook(path)[REPLACEMENTS_TITLE]
    table = list(ws.iter_rows(values_only=True))
    assert table[0] == REPLACEMENTS_HEADERS
    column = {name: i for i, name in enumerate(REPLACEMENTS_HEADERS)}
    part, quantity = column["Part to buy"], column["Quantity"]
    by_part = {(r[0], r[1], r[part]): r for r in table[1:]}
    sx = matrix_parts(PANOS, "PA-3220", "1000BASE-SX")[0]
    assert by_part[("acme", "lon1", sx)][quantity] == 2
    assert any(r[part] == NONE_KNOWN for r in table[1:])
    assert [r[0] for r in table[1:]] == sorted(r[0] for r in table[1:])  # by customer


@pytest.mark.parametrize(
    ("reported", "matrix_type"),
    [
        ("10000B-SR", "10GBASE-SR"),  # PAN-OS show system state
        ("1000BaseSX SFP", "1000BASE-SX"),  # IOS show interfaces transceiver
        ("SFP-10GBase-LR", "10GBASE-LR"),
        ("10Gbase-SR", "10GBASE-SR"),  # NX-OS show interface transceiver
        ("QSFP-40G-SR-BD", "40GBASE-SR-BiDi"),
        ("SFP-H25GB-CU2M", "25G SFP28 DAC 2m"),
        ("QSFP-100G-SR4", "100GBASE-SR4"),
        ("10GBASE-CU 1m", "10G SFP+ DAC 1m"),
    ],
)
def test_a_reported_type_and_the_matrix_type_of_the_same_optic_are_one_kind(reported: str, matrix_type: str) -> None:
    kind, other = optic_kind(reported), optic_kind(matrix_type)
    assert kind is not None and other is not None and kind.fits(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [("10GBASE-SR", "10GBASE-LR"), ("10GBASE-SR", "25GBASE-SR"), ("10G SFP+ DAC 1m", "10G SFP+ DAC 3m"),
     ("CFP2-100G-LR4", "100GBASE-LR4"), ("1000BASE-SX", "1000BASE-T")],
)  # fmt: skip
def test_other_speeds_media_lengths_and_form_factors_do_not_fit(one: str, other: str) -> None:
    a, b = optic_kind(one), optic_kind(other)
    assert a is not None and b is not None and not a.fits(b)
