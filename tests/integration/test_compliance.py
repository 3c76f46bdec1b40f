"""`estate compliance` over real SSH: our own lab of PAN-OS and FortiOS devices, one of each made non-compliant
with `lab ctl set-config`, an IOS switch whose estate entry adds an SNMP community (a forbidden line holding a
secret), and a customer's own rule and waiver in its compliance.yaml.

The expectations are derived from what the test changes and from the shipped rule files: the rules that a
removed statement satisfied are the ones that must FAIL on the changed device and on no other.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from lab import control
from lab.state import LabInfo
from tests.integration.conftest import OEM_SR, _fw, running_lab, use_lab_credentials
from tests.integration.test_audit import run_cli, sheet_rows
from tests.integration.test_report_browser import rebuilds_its_page
from tests.leaks import leaks

pytestmark = pytest.mark.integration

RULES = Path(__file__).resolve().parents[2] / "compliance"


def _fg(name: str) -> dict[str, Any]:
    return {"name": name, "platform": "fortinet", "model": "FortiGate-100F", "version": "7.2.6"}


COMMUNITY = "pl4nted-c0mm-sw01"  # the secret of the forbidden line beta-nyc1-sw01 serves
ESTATE: dict[str, Any] = {
    "customers": {
        "alpha": {
            "sites": {
                "lon1": {
                    "devices": [
                        _fw("alpha-lon1-fw01", "PA-3220", "10.1.9", [OEM_SR]),
                        _fw("alpha-lon1-fw02", "PA-3220", "10.1.9", [OEM_SR]),
                        _fw("alpha-lon1-fw03", "PA-3220", "10.1.9", [OEM_SR]),
                        _fg("alpha-lon1-fg01"),
                        _fg("alpha-lon1-fg02"),
                    ]
                }
            }
        },
        "beta": {
            "sites": {
                "nyc1": {
                    "devices": [
                        _fw("beta-nyc1-fw01", "PA-3220", "10.1.9", [OEM_SR]),
                        {
                            "name": "beta-nyc1-sw01",
                            "platform": "cisco_ios",
                            "model": "C9300-48P",
                            "version": "17.9.4a",
                            "config_lines": {"add": [f"snmp-server community {COMMUNITY} RO"]},
                        },
                    ]
                }
            }
        },
    }
}
# What the test removes from two devices, each as a regex over the served configuration's text (the lab's
# `--remove`), and the statement that goes with it in the platform's line form (what the rules are written on).
CHANGES = {
    "alpha-lon1-fw02": (
        "paloalto_panos",
        r"^\s*ntp-server-address ",
        [
            "set deviceconfig system ntp-servers primary-ntp-server ntp-server-address 10.0.0.1",
            "set deviceconfig system ntp-servers secondary-ntp-server ntp-server-address 10.0.0.2",
        ],
    ),
    "alpha-lon1-fg02": ("fortinet", r"^\s*set ntpsync enable$", ["config system ntp > set ntpsync enable"]),
}
# Inventory data the golden NTP templates read (defaults.yaml: every host); the lab serves other servers.
NTP = ["192.0.2.10", "192.0.2.11"]
TWINS = {"alpha-lon1-fw02": "alpha-lon1-fw01", "alpha-lon1-fg02": "alpha-lon1-fg01"}
# alpha's own rule (PAN-OS devices must use London time; the lab's are on UTC) and a waiver of it for one device.
CUSTOMER_RULE = "alpha-timezone"
WAIVED_RULE, WAIVED_DEVICE = CUSTOMER_RULE, "alpha-lon1-fw03"
ALPHA_FILE = {
    "rules": [
        {
            "id": CUSTOMER_RULE,
            "feature": "clock",
            "kind": "required",
            "match": ["^set deviceconfig system timezone Europe/London$"],
            "applies_to": {"platforms": ["paloalto_panos"]},
        }
    ],
    "waivers": [
        {
            "rule": WAIVED_RULE,
            "device": WAIVED_DEVICE,
            "reason": "legacy NMS until the migration",
            "approved_by": "alpha CAB",
            "expires": "2099-12-31",
        }
    ],
}


def _required_rules_of(platform: str, statements: list[str]) -> set[str]:
    """The shipped required rules some of whose patterns only the removed statements satisfy."""
    rules = yaml.safe_load((RULES / f"{platform}.yaml").read_text(encoding="utf-8"))["rules"]
    return {
        rule["id"]
        for rule in rules
        if rule["kind"] == "required" and any(re.search(p, s) for p in rule["match"] for s in statements)
    }


@pytest.fixture(scope="module")
def compliance_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabInfo, Path, Path]]:
    work = tmp_path_factory.mktemp("compliance-lab")
    with running_lab(work, ESTATE) as info:
        for device, (_, regex, _) in CHANGES.items():
            control.ctl(work / "state", "set-config", device, "--remove", regex)
        (work / "inventory" / "alpha" / "compliance.yaml").write_text(yaml.safe_dump(ALPHA_FILE), encoding="utf-8")
        (work / "inventory" / "defaults.yaml").write_text(yaml.safe_dump({"data": {"ntp_servers": NTP}}), "utf-8")
        yield info, work / "inventory", work


@pytest.fixture(scope="module")
def results(compliance_lab: tuple[LabInfo, Path, Path]) -> tuple[dict[str, Any], Path]:
    info, inventory, work = compliance_lab
    with pytest.MonkeyPatch.context() as mp:
        use_lab_credentials(mp, info)
        from workflows.cli import main

        code = main(["compliance", "--customer", "all", "--inventory", str(inventory), "--out", str(work / "out")])
    assert code == 1  # devices break shipped rules and alpha's own: exit 1, not 2 or 3
    folder = sorted((work / "out").glob("*-compliance-*"))[-1]
    return json.loads((folder / "results.json").read_text(encoding="utf-8")), folder


def _verdicts(host: dict[str, Any]) -> dict[str, str]:
    return {r["rule"]: r["verdict"] for r in host["compliance"]}


@pytest.mark.parametrize("device", sorted(CHANGES))
def test_the_changed_device_fails_exactly_the_rules_its_removed_lines_satisfied(
    results: tuple[dict[str, Any], Path], device: str
) -> None:
    data, _ = results
    platform, _, statements = CHANGES[device]
    expected = _required_rules_of(platform, statements)
    assert expected  # the rule file has a rule for what was removed: otherwise this test proves nothing
    hosts = data["hosts"]
    assert all(h["status"] == "ok" for h in hosts.values())
    changed, twin = _verdicts(hosts[device]), _verdicts(hosts[TWINS[device]])
    newly_failing = {rule for rule, v in changed.items() if v == "FAIL" and twin.get(rule) != "FAIL"}
    assert newly_failing == expected
    others = [name for name, h in hosts.items() if h["platform"] == platform and name != device]
    assert others and all(_verdicts(hosts[name])[rule] == "PASS" for name in others for rule in expected)
    detail = next(r for r in hosts[device]["compliance"] if r["rule"] in expected)
    assert detail["missing"] and detail["origin"].endswith(f"compliance/{platform}.yaml")


def test_a_customer_rule_applies_to_that_customer_only(results: tuple[dict[str, Any], Path]) -> None:
    data, _ = results
    hosts = data["hosts"]
    alpha_panos = [n for n, h in hosts.items() if h["customer"] == "alpha" and h["platform"] == "paloalto_panos"]
    assert alpha_panos and {n: _verdicts(hosts[n]).get(CUSTOMER_RULE) for n in alpha_panos} == {
        n: "WARN" if n == WAIVED_DEVICE else "FAIL" for n in alpha_panos
    }  # the one waived device WARNs
    assert all(CUSTOMER_RULE not in _verdicts(h) for n, h in hosts.items() if n not in alpha_panos)


def test_a_waiver_turns_one_devices_fail_into_a_warn(results: tuple[dict[str, Any], Path]) -> None:
    data, _ = results
    hosts = data["hosts"]
    waived = next(r for r in hosts[WAIVED_DEVICE]["compliance"] if r["rule"] == WAIVED_RULE)
    assert waived["verdict"] == "WARN" and "legacy NMS" in waived["waiver"]
    assert _verdicts(hosts["alpha-lon1-fw02"])[WAIVED_RULE] == "FAIL"  # the waiver names one device


def test_the_workbook_has_the_compliance_sheets(results: tuple[dict[str, Any], Path]) -> None:
    data, folder = results
    rows = {row["Device"]: row for row in sheet_rows(folder / "report.xlsx", "Compliance")}
    assert set(rows) == set(data["hosts"])
    for name, host in data["hosts"].items():
        assert {rule: rows[name][rule] for rule in _verdicts(host)} == _verdicts(host)
    detail = sheet_rows(folder / "report.xlsx", "Rule detail")
    assert any(r["Device"] == "alpha-lon1-fw02" and r["Rule"] == "ntp-servers" and r["Missing"] for r in detail)
    import openpyxl

    assert openpyxl.load_workbook(folder / "report.xlsx", read_only=True).sheetnames[-3:] == [
        "Compliance",
        "Rule detail",
        "Trend",
    ]  # fmt: skip  (the Trend sheet from the run history beside the run folders)
    community = [r["Extra"] for r in detail if r["Rule"] == "snmp-no-community"]
    assert community == ["snmp-server community <removed> RO"]  # beta-nyc1-sw01's, sanitised before judging


def test_a_bad_rule_file_is_exit_3_naming_file_and_rule(
    compliance_lab: tuple[LabInfo, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    info, inventory, _ = compliance_lab
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "paloalto_panos.yaml").write_text(
        "rules:\n  - id: broken-ntp\n    feature: ntp\n    kind: required\n    match: ['^ntp server (']\n",
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as mp:
        use_lab_credentials(mp, info)
        code, _, err = run_cli(
            ["compliance", "--limit", "beta-*", "--inventory", str(inventory), "--rules", str(rules),
             "--out", str(tmp_path / "out")],
            capsys,
        )  # fmt: skip
    assert code == 3
    assert len(err.strip().splitlines()) == 1
    assert "paloalto_panos.yaml:5" in err and "broken-ntp" in err and "regular expression" in err
    assert not (tmp_path / "out").exists()


def test_golden_ntp_sections_are_compared_with_the_inventory_servers(results: tuple[dict[str, Any], Path]) -> None:
    data, _ = results
    hosts = data["hosts"]
    prefix = "set deviceconfig system ntp-servers"
    for name in ("alpha-lon1-fw01", "beta-nyc1-fw01"):
        golden = next(r for r in hosts[name]["compliance"] if r["rule"] == "ntp-golden")
        assert golden["verdict"] == "FAIL"
        assert golden["missing"] == [
            f"{prefix} primary-ntp-server ntp-server-address {NTP[0]}",
            f"{prefix} secondary-ntp-server ntp-server-address {NTP[1]}",
        ]
        assert len(golden["extra"]) == 2 and all(line.startswith(prefix) for line in golden["extra"])
    fortios = next(r for r in hosts["alpha-lon1-fg01"]["compliance"] if r["rule"] == "ntp-golden")
    assert fortios["verdict"] == "FAIL"
    assert f'config system ntp > config ntpserver > edit 2 > set server "{NTP[1]}"' in fortios["missing"]
    assert "config system ntp > set ntpsync enable" not in fortios["missing"]  # the device has it


def test_no_secret_shape_reaches_the_run_folder(results: tuple[dict[str, Any], Path]) -> None:
    _, folder = results
    texts = {name: (folder / name).read_text(encoding="utf-8") for name in ("results.json", "run.log", "junit.xml")}
    assert {name: leaks(text) for name, text in texts.items()} == {name: [] for name in texts}
    assert "<removed>" in texts["results.json"]  # forbidden lines were shown, sanitised
    assert all(COMMUNITY not in text for text in texts.values())


def test_a_second_run_names_what_is_new_since_the_previous_one(
    compliance_lab: tuple[LabInfo, Path, Path], results: tuple[dict[str, Any], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Runs last: it changes the lab. One more device loses its NTP sync setting; the run after says so."""
    info, inventory, work = compliance_lab
    _, regex, _ = CHANGES["alpha-lon1-fg02"]
    control.ctl(work / "state", "set-config", "alpha-lon1-fg01", "--remove", regex)
    with pytest.MonkeyPatch.context() as mp:
        use_lab_credentials(mp, info)
        code, out, _ = run_cli(["compliance", "--customer", "all", "--inventory", str(inventory),
                                "--out", str(work / "out")], capsys)  # fmt: skip
    assert code == 1
    assert "alpha since its previous compliance run: 1 new, 0 fixed" in out
    assert "beta since its previous compliance run: 0 new, 0 fixed" in out
    new = _trend_changes(work / "out", "new")

    control.ctl(work / "state", "reset-config", "alpha-lon1-fg01")  # put back: what was new is fixed
    with pytest.MonkeyPatch.context() as mp:
        use_lab_credentials(mp, info)
        code, out, _ = run_cli(["compliance", "--customer", "all", "--inventory", str(inventory),
                                "--out", str(work / "out")], capsys)  # fmt: skip
    assert "alpha since its previous compliance run: 0 new, 1 fixed" in out
    fixed = _trend_changes(work / "out", "fixed")
    assert [row[:3] for row in fixed] == [row[:3] for row in new] and len(new) == 1
    assert new[0][:2] == ("alpha", "alpha-lon1-fg01")
    # The first run's page, rebuilt after two more runs, still shows the trend as it stood then.
    first = results[1]
    assert 'id="trend"' in (first / "report.html").read_text(encoding="utf-8")
    assert rebuilds_its_page(first)


def _trend_changes(out_dir: Path, change: str) -> list[tuple[Any, ...]]:
    """(customer, device, check) of the newest compliance run's Trend sheet rows with `change`."""
    run_dir = sorted(out_dir.glob("*-compliance-*"))[-1]
    sheet = openpyxl.load_workbook(run_dir / "report.xlsx")["Trend"]
    return [tuple(row[:3]) for row in sheet.iter_rows(values_only=True) if len(row) > 3 and row[3] == change]
