"""`estate onboard` over real SSH against a lab of its own: a CSV and an XLSX list of lab devices, some rows
without a platform (netmiko's SSHDetect finds it), one device that refuses connections and one the login.

Expectations come from the estate file below: which platform each device runs, which optics are third-party
(those the estate took from the lab's third-party catalogue), which devices cannot be reached; what blocks the
first upgrade comes from the story's rule (a third-party optic on PAN-OS 10.2 and later). The inventory written
must pass `estate inventory check`; a list with bad rows is exit 3 with nothing written; a re-run merges without
losing a hand edit.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import paramiko
import pytest
import yaml

from lab import control
from lab.estates.multivendor import sample_device
from lab.estates.platforms import demo_data
from lab.state import LabInfo
from tasks.hostkeys import fingerprint, host_name
from tasks.platforms import PLATFORMS
from tests.integration.conftest import running_lab, use_lab_credentials
from tests.integration.test_audit import run_cli, run_folder, sheet_rows

pytestmark = pytest.mark.integration

ALL = sorted(PLATFORMS)
UNREACHABLE = "csvco-lon1-fw09"
REFUSES_LOGIN = "csvco-lon1-fw08"
HEADER = ["Hostname", "IP Address", "SSH port", "Site", "Device role", "Platform"]


def _estate() -> dict[str, Any]:
    rng = random.Random(11)
    csv_devices = [sample_device(p, f"csvco-lon1-{p.split('_')[-1][:4]}01", i % 2 == 0, rng) for i, p in enumerate(ALL)]
    csv_devices.append(dict(sample_device("paloalto_panos", REFUSES_LOGIN, False, rng), faults=["auth_fail"]))
    csv_devices.append(dict(sample_device("paloalto_panos", UNREACHABLE, False, rng), faults=["refuse"]))
    xlsx_devices = [
        sample_device(p, f"xlsxco-ams1-{p.split('_')[-1][:4]}01", i % 2 == 1, rng) for i, p in enumerate(ALL)
    ]
    xlsx_devices.append(sample_device("cisco_ios", "xlsxco-ams1-late01", True, rng))  # joins on the re-run
    return {
        "customers": {
            "csvco": {"sites": {"lon1": {"devices": csv_devices}}},
            "xlsxco": {"sites": {"ams1": {"devices": xlsx_devices}}},
        }
    }


ESTATE = _estate()
LATE = "xlsxco-ams1-late01"
TARGET = "10.2.4-h4"  # the story's release: from 10.2 a third-party optic is a blocker (matrices/local/)


def _third_party(platform: str) -> set[tuple[str, str]]:
    """The (vendor, part) of the lab's third-party optics of a platform: what `optics_for` swaps in."""
    return {(o["vendor"], o["part"]) for o in demo_data(platform).third_party_optics}


def devices_of(customer: str) -> list[dict[str, Any]]:
    return [d for site in ESTATE["customers"][customer]["sites"].values() for d in site["devices"]]


def _rows(info: LabInfo, customer: str, *, skip: tuple[str, ...] = ()) -> list[list[Any]]:
    """The customer's list: every second row leaves the platform empty (SSHDetect's job), IOS always."""
    rows = []
    for i, device in enumerate(devices_of(customer)):
        if device["name"] in skip:
            continue
        empty = i % 2 == 0 or device["platform"] == "cisco_ios"
        role = "edge-fw" if device["platform"] in ("paloalto_panos", "fortinet") else "core-sw"
        site = next(iter(ESTATE["customers"][customer]["sites"]))
        rows.append(
            [device["name"], "127.0.0.1", info.devices[device["name"]], site, role, "" if empty else device["platform"]]
        )
    return rows


def _write_csv(path: Path, rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


def _write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Devices"
    for row in [HEADER, *rows]:
        sheet.append([cell if cell != "" else None for cell in row])
    workbook.save(path)
    return path


@pytest.fixture(scope="module")
def onboard_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabInfo, Path]]:
    work = tmp_path_factory.mktemp("onboard-lab")
    with running_lab(work, ESTATE) as info:
        yield info, work


def _onboard(work: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    inventory, out = work / "onboarded", work / "out"
    return run_cli(["onboard", *args, "--inventory", str(inventory), "--out", str(out)], capsys)


@pytest.fixture(scope="module")
def first_runs(
    onboard_lab: tuple[LabInfo, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[int, str, Path]]:
    """Both customers onboarded once: csvco from a CSV, xlsxco (without its late device) from an XLSX."""
    info, work = onboard_lab
    lists = tmp_path_factory.mktemp("lists")
    csv_file = _write_csv(lists / "csvco.csv", _rows(info, "csvco"))
    xlsx_file = _write_xlsx(lists / "xlsxco.xlsx", _rows(info, "xlsxco", skip=(LATE,)))
    runs = {}
    with pytest.MonkeyPatch.context() as mp:
        use_lab_credentials(mp, info)
        mp.setenv("ESTATE_CONNECT_TIMEOUT", "5")
        mp.setenv("ESTATE_COMMAND_TIMEOUT", "10")
        mp.setenv("ESTATE_BACKUP_ROOT", str(work / "backups"))
        from workflows.cli import main

        xlsx_args = ["--sheet", "Devices", "--target", f"paloalto_panos={TARGET}"]
        for customer, source, extra in (("csvco", csv_file, []), ("xlsxco", xlsx_file, xlsx_args)):
            args = ["onboard", "--customer", customer, "--source", str(source), *extra]
            code = main([*args, "--inventory", str(work / "onboarded"), "--out", str(work / "out")])
            folder = sorted((work / "out").glob(f"*-onboard-{customer}"))[-1]
            runs[customer] = (code, customer, folder)
    return runs


def _hosts_yaml(work: Path, customer: str) -> dict[str, Any]:
    return yaml.safe_load((work / "onboarded" / customer / "hosts.yaml").read_text(encoding="utf-8"))


def test_every_platform_is_detected_and_the_inventory_passes_the_check(
    onboard_lab: tuple[LabInfo, Path], first_runs: dict[str, tuple[int, str, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, work = onboard_lab
    assert first_runs["csvco"][0] == 2  # the devices that refuse the connection or the login are not onboarded
    assert first_runs["xlsxco"][0] in (0, 1)  # every device reached; findings may FAIL
    for customer in ("csvco", "xlsxco"):
        results = json.loads((first_runs[customer][2] / "results.json").read_text(encoding="utf-8"))["hosts"]
        expected = {d["name"]: d["platform"] for d in devices_of(customer) if "faults" not in d and d["name"] != LATE}
        assert {name: h["platform"] for name, h in results.items() if h["status"] == "ok"} == expected
        assert set(_hosts_yaml(work, customer)) == set(expected)  # the unreachable one is left out
    code, out, _ = run_cli(["inventory", "check", "--inventory", str(work / "onboarded")], capsys)
    assert code == 0, out
    assert "inventory OK: 2 customers" in out


def test_the_unreachable_device_is_an_error_row_with_its_reason(first_runs: dict[str, tuple[int, str, Path]]) -> None:
    folder = first_runs["csvco"][2]
    rows = {row["Device"]: row for row in sheet_rows(folder / "report.xlsx", "Onboarding")}
    assert rows[UNREACHABLE]["Inventory"] == "left out" and rows[UNREACHABLE]["Verdict"] == "ERROR"
    assert "unreachable" in rows[UNREACHABLE]["Reason"]
    assert rows[REFUSES_LOGIN]["Inventory"] == "left out" and "login rejected" in rows[REFUSES_LOGIN]["Reason"]
    detected = {name for name, row in rows.items() if row["Platform from"] == "detected"}
    assert {d["name"] for d in devices_of("csvco") if d["platform"] == "cisco_ios"} <= detected  # cisco_xe -> ios


def test_onboarding_records_the_host_key_of_every_device_it_onboards(
    onboard_lab: tuple[LabInfo, Path], first_runs: dict[str, tuple[int, str, Path]]
) -> None:
    info, work = onboard_lab
    served = {str(d["name"]): d["host_key"] for d in control.status_json(work / "state")}
    for customer in ("csvco", "xlsxco"):
        keys = paramiko.HostKeys(str(work / "onboarded" / customer / "known_hosts"))
        onboarded = _hosts_yaml(work, customer)
        assert {host_name("127.0.0.1", info.devices[name]): served[name] for name in onboarded} == {
            name: fingerprint(key) for name in keys for key in keys[name].values()
        }


def test_the_baseline_report_lists_the_third_party_optics(first_runs: dict[str, tuple[int, str, Path]]) -> None:
    for customer in ("csvco", "xlsxco"):
        folder = first_runs[customer][2]
        expected = {
            (d["name"], o["port"])
            for d in devices_of(customer)
            if "faults" not in d and d["name"] != LATE
            for o in d["optics"]
            if (o["vendor"], o["part"]) in _third_party(d["platform"])
        }
        assert expected  # the estate gives each customer third-party optics: otherwise this proves nothing
        rows = sheet_rows(folder / "report.xlsx", "Transceivers")
        assert {(r["Device"], r["Port"]) for r in rows if r["OEM"] in (False, "no", "No")} == expected
        sheets = openpyxl.load_workbook(folder / "report.xlsx", read_only=True).sheetnames
        assert sheets[-3:] == ["Onboarding", "Upgrade blockers", "Changes"]


def test_with_a_target_the_blockers_of_the_first_upgrade_are_listed(
    first_runs: dict[str, tuple[int, str, Path]],
) -> None:
    folder = first_runs["xlsxco"][2]
    (panos,) = [d for d in devices_of("xlsxco") if d["platform"] == "paloalto_panos"]
    third_party = {o["port"] for o in panos["optics"] if (o["vendor"], o["part"]) in _third_party("paloalto_panos")}
    assert third_party  # the estate gives this firewall third-party optics: otherwise this proves nothing
    rows = [r for r in sheet_rows(folder / "report.xlsx", "Upgrade blockers") if r["Device"] == panos["name"]]
    assert {r["Decision"] for r in rows} == {"NO-GO"} and {r["Target"] for r in rows} == {TARGET}
    blocked = {port for port in third_party if any(port in (r["Blocker"] or "") + (r["Check"] or "") for r in rows)}
    assert blocked == third_party
    others = {r["Device"] for r in sheet_rows(folder / "report.xlsx", "Upgrade blockers")} - {panos["name"]}
    assert others == set()  # only the platform given a target is judged


def test_a_list_with_bad_rows_is_exit_3_with_one_line_each_and_nothing_written(
    onboard_lab: tuple[LabInfo, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    info, _ = onboard_lab
    rows = _rows(info, "csvco")
    rows[1][1:3] = rows[0][1:3]  # the same address and port as the row above
    rows[2][2] = "abc"
    rows[3][5] = "cisco_asa"
    source = _write_csv(tmp_path / "bad.csv", rows)
    with pytest.MonkeyPatch.context() as mp:
        use_lab_credentials(mp, info)
        code, _, err = run_cli(
            ["onboard", "--customer", "badco", "--source", str(source), "--inventory", str(tmp_path / "inv"),
             "--out", str(tmp_path / "out")],
            capsys,
        )  # fmt: skip
    assert code == 3
    lines = err.strip().splitlines()
    assert len(lines) == 3, err
    assert all("bad.csv" in line for line in lines)
    assert "row 3" in lines[0] and "row 4" in lines[1] and "port" in lines[1] and "row 5" in lines[2]
    assert "cisco_asa" in lines[2]
    assert not (tmp_path / "inv").exists() and not (tmp_path / "out").exists()


def test_re_onboarding_adds_reports_and_keeps_hand_edits(
    onboard_lab: tuple[LabInfo, Path],
    first_runs: dict[str, tuple[int, str, Path]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    info, work = onboard_lab
    hosts_file = work / "onboarded" / "xlsxco" / "hosts.yaml"
    devices = [d["name"] for d in devices_of("xlsxco") if d["name"] != LATE]
    gone = devices[0]
    text = hosts_file.read_text(encoding="utf-8")
    marker = f"{devices[1]}:"
    hosts_file.write_text(text.replace(marker, f"# rack B4, console on port 7\n{marker}", 1), encoding="utf-8")
    source = _write_xlsx(tmp_path / "xlsxco.xlsx", _rows(info, "xlsxco", skip=(gone,)))
    with pytest.MonkeyPatch.context() as mp:
        use_lab_credentials(mp, info)
        mp.setenv("ESTATE_BACKUP_ROOT", str(work / "backups"))
        code, out, _ = _onboard(work, capsys, "--customer", "xlsxco", "--source", str(source))
    assert code in (0, 1), out
    text = hosts_file.read_text(encoding="utf-8")
    assert "# rack B4, console on port 7" in text
    hosts = _hosts_yaml(work, "xlsxco")
    assert LATE in hosts and gone in hosts  # added; reported, not deleted
    assert f"not in the list: {gone}" in out
    changes = sheet_rows(run_folder(out) / "report.xlsx", "Changes")
    assert [r["Device"] for r in changes if "not in the list" in r["What"]] == [gone]


def test_a_dry_run_prints_the_files_and_writes_nothing(
    onboard_lab: tuple[LabInfo, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    info, _ = onboard_lab
    rows = _rows(info, "csvco")
    for row, device in zip(rows, devices_of("csvco"), strict=True):
        row[5] = device["platform"]  # every platform given: only reachability is checked
    source = _write_csv(tmp_path / "dry.csv", rows)
    with pytest.MonkeyPatch.context() as mp:
        use_lab_credentials(mp, info)
        code, out, _ = run_cli(
            ["onboard", "--customer", "csvco", "--source", str(source), "--dry-run",
             "--inventory", str(tmp_path / "inv"), "--out", str(tmp_path / "out")],
            capsys,
        )  # fmt: skip
    assert code == 0, out
    assert f"--- {tmp_path / 'inv' / 'csvco' / 'hosts.yaml'}" in out
    reachable = [d["name"] for d in devices_of("csvco") if d.get("faults") != ["refuse"]]
    assert all(f"{name}:" in out for name in reachable)  # a login is not tried when the platform is given
    assert f"left out: {UNREACHABLE}" in out
    assert not (tmp_path / "inv").exists() and not (tmp_path / "out").exists()


def test_a_new_customer_none_of_whose_devices_answers_gets_a_report_and_no_inventory(
    onboard_lab: tuple[LabInfo, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    info, _ = onboard_lab
    row = [UNREACHABLE, "127.0.0.1", info.devices[UNREACHABLE], "lon1", "edge-fw", "paloalto_panos"]
    source = _write_csv(tmp_path / "gone.csv", [row])
    with pytest.MonkeyPatch.context() as mp:
        use_lab_credentials(mp, info)
        code, out, _ = run_cli(
            ["onboard", "--customer", "goneco", "--source", str(source), "--inventory", str(tmp_path / "inv"),
             "--out", str(tmp_path / "out")],
            capsys,
        )  # fmt: skip
    assert code == 2, out
    assert not (tmp_path / "inv" / "goneco").exists()
    rows = sheet_rows(run_folder(out) / "report.xlsx", "Onboarding")
    assert [(r["Device"], r["Inventory"], r["Verdict"]) for r in rows] == [(UNREACHABLE, "left out", "ERROR")]
