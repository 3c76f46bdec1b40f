"""`estate audit` end to end: the CLI, real SSH through netmiko to the lab, the run folder read back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from tests.integration.conftest import FINISAR, FS, FS_CODED, SMALL_ESTATE, Lab
from workflows.cli import main

pytestmark = pytest.mark.integration


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def run_folder(out: str) -> Path:
    last = out.strip().splitlines()[-1]
    assert last.startswith("run folder: "), out
    return Path(last.removeprefix("run folder: "))


def sheet_rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    ws = openpyxl.load_workbook(path, read_only=True)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=False)) for row in rows[1:] if any(v is not None for v in row)]


def estate_devices(customers: set[str] | None = None) -> list[dict[str, Any]]:
    return [
        dict(device, customer=customer, site=site)
        for customer, cdata in SMALL_ESTATE["customers"].items()
        if customers is None or customer in customers
        for site, sdata in cdata["sites"].items()
        for device in sdata["devices"]
    ]


def audit(lab: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, Path, str]:
    code, out, err = run_cli(
        ["audit", "--inventory", str(lab.inventory), "--out", str(tmp_path / "output"), *extra], capsys
    )
    return code, run_folder(out), err


def test_oem_only_customer_passes_and_workbook_lists_every_optic(
    lab_env: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, folder, _ = audit(lab_env, tmp_path, capsys, "--customer", "alpha", "--target", "10.2.4-h4")
    assert code == 0
    assert folder.name.endswith("-audit-alpha")
    expected = {(d["name"], o["port"], o["part"]) for d in estate_devices({"alpha"}) for o in d["optics"]}
    rows = sheet_rows(folder / "report.xlsx", "Transceivers")
    assert {(r["Device"], r["Port"], r["Part number"]) for r in rows} == expected
    assert {r["Verdict"] for r in rows} == {"PASS"}
    devices = {r["Device"]: r for r in sheet_rows(folder / "report.xlsx", "Devices")}
    assert devices["alpha-lon1-fw01"]["Model"] == "PA-3220"
    assert devices["alpha-lon1-fw01"]["Version"] == "10.1.9"
    results = json.loads((folder / "results.json").read_text())
    assert results["hosts"]["alpha-lon1-fw01"]["facts"]["ha_state"] == "active"
    assert results["hosts"]["alpha-par1-fw01"]["facts"]["ha_state"] is None
    assert {f.name for f in folder.iterdir()} >= {"report.xlsx", "results.json", "junit.xml", "run.log"}


@pytest.mark.parametrize(("target", "verdict", "code"), [("10.2.4-h4", "FAIL", 1), (None, "WARN", 0)])
def test_third_party_optics_fail_only_against_a_target_past_10_2(
    lab_env: Lab,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    target: str | None,
    verdict: str,
    code: int,
) -> None:
    args = ["--customer", "beta", *(["--target", target] if target else [])]
    rc, folder, _ = audit(lab_env, tmp_path, capsys, *args)
    assert rc == code
    rows = sheet_rows(folder / "report.xlsx", "Transceivers")
    third_party = {
        (d["name"], o["port"]) for d in estate_devices({"beta"}) for o in d["optics"] if o["vendor"] != "OEM"
    }
    assert {(r["Device"], r["Port"]) for r in rows if r["Verdict"] == verdict} == third_party
    assert all(r["OEM"] == "no" and r["Supported"] == "no" for r in rows if (r["Device"], r["Port"]) in third_party)
    devices = {r["Device"]: r["Verdict"] for r in sheet_rows(folder / "report.xlsx", "Devices")}
    assert devices == {"beta-nyc1-fw01": verdict, "beta-nyc1-fw02": "PASS"}
    # FS selling an optic coded with PAN's part number: the vendor-name the firewall prints says FS.
    (coded,) = [r for r in rows if (r["Vendor"], r["Part number"]) == (FS_CODED["vendor"], FS_CODED["part"])]
    assert coded["Verdict"] == verdict
    assert "third-party optic (FS) coded as PAN-SFP-PLUS-SR" in coded["Reason"]
    # What to buy: each third-party optic once, on the line of the part that replaces it.
    lines = sheet_rows(folder / "report.xlsx", "Replacements")
    listed = [tuple(item.split(" ")[:2]) for line in lines for item in line["Replaces"].split("; ")]
    assert sorted(listed) == sorted(third_party) and sum(line["Quantity"] for line in lines) == len(third_party)
    (genuine,) = [line for line in lines if f"{coded['Device']} {coded['Port']} " in line["Replaces"]]
    assert genuine["Part to buy"] == FS_CODED["part"]  # PAN's own part, of the type FS coded


@pytest.mark.parametrize(
    ("fault", "stage"),
    [
        ("refuse", "connect"),
        ("auth_fail", "login"),
        ("hang", "connect"),
        ("drop", "command"),
        ("garbage", "parse"),
        ("slow", "connect"),
    ],
)
def test_a_faulty_device_is_an_error_row_and_the_others_complete(
    lab_env: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str], fault: str, stage: str
) -> None:
    # The faulty device plus one healthy device of another customer, selected by name.
    rc, folder, _ = audit(lab_env, tmp_path, capsys, "--limit", f"*{fault}*", "--limit", "alpha-par1-fw01")
    assert rc == 2
    errors = sheet_rows(folder / "report.xlsx", "Errors")
    assert [(r["Device"], r["Stage"]) for r in errors] == [(f"faulty-lab1-{fault}", stage)]
    devices = {r["Device"]: r["Verdict"] for r in sheet_rows(folder / "report.xlsx", "Devices")}
    assert devices == {f"faulty-lab1-{fault}": "ERROR", "alpha-par1-fw01": "PASS"}
    assert lab_env.info.password not in (folder / "run.log").read_text()


def test_broken_inventory_file_is_exit_3_naming_the_file(
    lab_env: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = tmp_path / "inventory"
    shutil.copytree(lab_env.inventory, inventory)
    hosts_file = inventory / "beta" / "hosts.yaml"
    hosts = yaml.safe_load(hosts_file.read_text())
    hosts["beta-nyc1-fw01"]["port"] = "not-a-port"
    hosts_file.write_text(yaml.safe_dump(hosts))
    out_dir = tmp_path / "output"
    rc, _out, err = run_cli(["audit", "--inventory", str(inventory), "--out", str(out_dir)], capsys)
    assert rc == 3
    assert str(hosts_file) in err and "beta-nyc1-fw01" in err and "port" in err
    assert len(err.strip().splitlines()) == 1
    assert not out_dir.exists()


def test_missing_credentials_are_reported_before_any_connection(
    lab_env: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ESTATE_PASSWORD")
    rc, _, err = run_cli(["audit", "--inventory", str(lab_env.inventory), "--out", str(tmp_path / "o")], capsys)
    assert rc == 3
    assert "ESTATE_PASSWORD" in err
    assert not (tmp_path / "o").exists()


def test_waivers_in_the_customer_folder_apply_until_they_expire(
    lab_env: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = tmp_path / "inventory"
    shutil.copytree(lab_env.inventory, inventory)
    waivers = {
        "waivers": [
            # Approved part, but the approval does not cover the 10.2 boot-loop lesson: still FAIL with a target.
            {
                "part": FINISAR["part"],
                "reason": "tested by the customer",
                "approved_by": "CAB-1234",
                "expires": "2099-12-31",
            },
            # Approved device+port, accepting the known issue too: WARN.
            {
                "device": "beta-nyc1-fw01",
                "port": "ethernet1/7",
                "reason": "lab-tested on 10.2",
                "approved_by": "CAB-1235",
                "expires": "2099-12-31",
                "known_issues": ["LOCAL-PANOS-10.2-NON-OEM-BOOT-LOOP"],
            },
            # Expired: no effect.
            {"part": "PAN-SFP-PLUS-SR", "reason": "old", "approved_by": "CAB-1", "expires": "2020-01-01"},
        ]
    }
    (inventory / "beta" / "waivers.yaml").write_text(yaml.safe_dump(waivers, sort_keys=False))
    code, out, _ = run_cli(
        ["audit", "--customer", "beta", "--target", "10.2.4-h4", "--inventory", str(inventory), "--out", str(tmp_path)],
        capsys,
    )
    rows = {(r["Device"], r["Port"]): r for r in sheet_rows(run_folder(out) / "report.xlsx", "Transceivers")}
    finisar, fs = rows[("beta-nyc1-fw01", "ethernet1/6")], rows[("beta-nyc1-fw01", "ethernet1/7")]
    assert (finisar["Part number"], finisar["Supported"], finisar["Verdict"]) == (FINISAR["part"], "waived", "FAIL")
    assert "CAB-1234" in finisar["Reason"]
    assert (fs["Part number"], fs["Supported"], fs["Verdict"]) == (FS["part"], "waived", "WARN")
    assert "accepted by" in fs["Reason"] and "CAB-1235" in fs["Reason"]
    assert rows[("beta-nyc1-fw01", "ethernet1/5")]["Verdict"] == "PASS"
    assert code == 1


def test_a_broken_waiver_file_is_exit_3_naming_file_and_field(
    lab_env: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = tmp_path / "inventory"
    shutil.copytree(lab_env.inventory, inventory)
    waivers = inventory / "beta" / "waivers.yaml"
    waivers.write_text("waivers:\n  - part: X\n    reason: r\n    approved_by: a\n    expires: 2025-13-01\n")
    code, _, err = run_cli(["audit", "--inventory", str(inventory), "--out", str(tmp_path / "o")], capsys)
    assert code == 3
    assert "waivers.yaml:5: waivers[0].expires: invalid date" in err
    assert not (tmp_path / "o").exists()


def test_shards_merge_into_the_same_report_as_one_run(
    lab_env: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    select = ["--customer", "alpha", "--customer", "beta", "--target", "10.2.4-h4"]
    _, whole, _ = audit(lab_env, tmp_path / "whole", capsys, *select)
    shards = [audit(lab_env, tmp_path / f"shard{k}", capsys, *select, "--shard", f"{k}/2")[1] for k in (1, 2)]
    shard_hosts = [set(json.loads((s / "results.json").read_text())["hosts"]) for s in shards]
    assert shard_hosts[0] and shard_hosts[1] and not shard_hosts[0] & shard_hosts[1]

    code, out, _ = run_cli(["report", "merge", *map(str, shards), "--out", str(tmp_path / "merged")], capsys)
    merged = run_folder(out)
    expected = json.loads((whole / "results.json").read_text())
    got = json.loads((merged / "results.json").read_text())
    assert code == 1
    assert {n: h["verdict"] for n, h in got["hosts"].items()} == {n: h["verdict"] for n, h in expected["hosts"].items()}
    assert got["run"]["customers"] == ["alpha", "beta"] and got["run"]["shard"] is None
    rows = sheet_rows(merged / "report.xlsx", "Transceivers")
    assert len(rows) == len(sheet_rows(whole / "report.xlsx", "Transceivers"))

    # The same shard twice overlaps: refused, nothing written.
    code, _, err = run_cli(["report", "merge", str(shards[0]), str(shards[0]), "--out", str(tmp_path / "m2")], capsys)
    assert code == 3 and "shards must not overlap" in err
    assert not (tmp_path / "m2").exists()
