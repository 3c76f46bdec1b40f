"""`estate pre-upgrade` over real SSH: GO / NO-GO derived from the estate file, the path's hops, check selection."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from reports.runfolder import read_run
from tasks.checks.upgrade_path import plan_path
from tasks.matrix import load_matrix
from tasks.models import RunResult
from tests.integration.conftest import Lab, use_lab_credentials
from tests.integration.test_audit import run_cli, run_folder, sheet_rows
from tests.integration.test_demo import demo_devices, demo_lab, demo_targets, expected_verdict, third_party
from tests.integration.test_report_browser import rebuilds_its_page

pytestmark = pytest.mark.integration

__all__ = ["demo_lab"]  # the module-scoped lab fixture, shared with the demo test
MIN_CONTENT = 8600  # our policy for the run below (ESTATE_MIN_CONTENT)
SUPPORT = ("premium", "standard", "support")
# The platforms with readiness checks (docs/checks.md); every other platform's checks are SKIPPED.
WITH_READINESS = {"paloalto_panos", "fortinet"}


def _support_expired(state: dict[str, Any]) -> bool:
    licences = state.get("licenses")
    if licences is None:
        return False
    valid = [
        lic for lic in licences
        if any(word in lic["feature"].lower() for word in SUPPORT)
        and (lic.get("expires_in_days", 1) >= 0 and str(lic.get("expires", "Never")) >= date.today().isoformat())
    ]  # fmt: skip
    return not valid


def fails_readiness(device: dict[str, Any], targets: dict[str, str]) -> bool:
    """Whether the device's `state` in the estate file describes a failing readiness check (docs/checks.md).

    A full disk only matters when there is something to download: the device is not on its target yet.
    """
    state = device.get("state") or {}
    env = state.get("environment") or {}
    peer = state.get("peer_version")
    return any(
        (
            state.get("disk_free_mb", 10_000) < 1_000 and device["version"] != targets.get(device["platform"]),
            state.get("pending_changes", False),
            any(job.get("status", "FIN") != "FIN" for job in state.get("jobs", [])),
            int(str(state.get("app_version", MIN_CONTENT)).split("-")[0]) < MIN_CONTENT,
            _support_expired(state),
            state.get("ntp_synced", True) is False,
            state.get("mgmt_cpu_pct", 0) > 80 or state.get("mgmt_mem_pct", 0) > 90,
            any(env.values()),
            state.get("ha_sync", "synchronized") != "synchronized",
            peer is not None and peer.split(".")[:2] != device["version"].split(".")[:2],
        )
    )


def expected_no_go(devices: list[dict[str, Any]], targets: dict[str, str]) -> set[str]:
    """NO-GO: could not be checked, a non-OEM optic on a PAN-OS path into 10.2+, a failing state, an optic that
    FAILs against the target (a blocker known issue).

    Configuration sync is a property of the pair: an unsynchronised member makes both members NO-GO.
    """
    by_name = {d["name"]: d for d in devices}
    unsynced = {d["name"] for d in devices if (d.get("state") or {}).get("ha_sync", "synchronized") != "synchronized"}
    result = set()
    for device in devices:
        optics = device.get("optics", [])
        if (
            device.get("faults")
            or (device.get("ha") and device["ha"]["peer"] in unsynced and device["ha"]["peer"] in by_name)
            or (device["platform"] == "paloalto_panos" and any(third_party(device, o) for o in optics))
            or fails_readiness(device, targets)
            or any(expected_verdict(device, o, targets) == "FAIL" for o in optics)
        ):
            result.add(device["name"])
    return result


def test_demo_no_go_set_is_derived_from_the_estate_file(
    demo_lab: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_lab_credentials(monkeypatch, demo_lab)
    monkeypatch.setenv("ESTATE_MIN_CONTENT", str(MIN_CONTENT))
    flags = demo_targets()
    targets = dict(f.split("=", 1) if "=" in f else ("paloalto_panos", f) for f in flags if f != "--target")
    code, out, _ = run_cli(
        ["pre-upgrade", "--customer", "all", *flags, "--inventory", str(demo_lab.inventory), "--out", str(tmp_path)],
        capsys,
    )
    devices = demo_devices()
    expected = expected_no_go(devices, targets)
    assert code == 2  # the demo's two fault devices
    folder = run_folder(out)
    rows = {r["Device"]: r for r in sheet_rows(folder / "report.xlsx", "Devices")}
    no_go = {d for d, r in rows.items() if r["Verdict"] in ("FAIL", "ERROR")}
    assert no_go == expected, {d: (rows[d]["Verdict"], rows[d]["Findings"]) for d in sorted(no_go ^ expected)}
    assert len(expected) > 20  # failing states for every check, optics and faults: not a vacuous match

    summary = list(
        openpyxl.load_workbook(folder / "report.xlsx", read_only=True)["Summary"].iter_rows(values_only=True)
    )
    header = summary[0]
    assert header[-1] == "Decision"
    rows = sheet_rows(folder / "report.xlsx", "Devices")
    no_go_sites = {(r["Customer"], r["Site"]) for r in rows if r["Device"] in expected}
    for row in summary[1:]:
        if row[0] in (None, "Total") or row[1] is None:
            break
        assert row[-1] == ("NO-GO" if (row[0], row[1]) in no_go_sites else "GO"), row

    readiness = sheet_rows(folder / "report.xlsx", "Readiness")
    by_device = {r["Device"]: r for r in readiness}
    for device in devices:
        state = device.get("state") or {}
        if state.get("pending_changes"):
            assert by_device[device["name"]]["pending_changes"] == "FAIL"
        if state.get("ntp_synced") is False:
            assert by_device[device["name"]]["ntp_sync"] == "FAIL"
    assert {r["Platform"] for r in readiness if r["disk_space"] == "SKIPPED"} == set(targets) - WITH_READINESS
    paths = {r["Device"]: r for r in sheet_rows(folder / "report.xlsx", "Upgrade path")}
    for device in devices:
        if device["platform"] == "paloalto_panos" and device["version"].startswith("9.1") and not device.get("faults"):
            hops = paths[device["name"]]["Hops"]
            assert "10.0." in hops and "10.1." in hops and hops.endswith("10.2.4-h4"), hops


def test_a_path_crossing_10_2_with_a_non_oem_optic_is_no_go_naming_the_hop(
    lab_env: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(
        ["pre-upgrade", "--customer", "beta", "--target", "11.1.4-h7", "--inventory", str(lab_env.inventory),
         "--out", str(tmp_path)],
        capsys,
    )  # fmt: skip
    assert code == 1
    folder = run_folder(out)
    rows = {(r["Device"], r["Port"]): r for r in sheet_rows(folder / "report.xlsx", "Transceivers")}
    finisar = rows[("beta-nyc1-fw01", "ethernet1/6")]
    assert finisar["Verdict"] == "FAIL"
    assert "at hop 10.1." in finisar["Reason"] and "→ 11.1.4-h7" in finisar["Reason"]
    devices = {r["Device"]: r["Verdict"] for r in sheet_rows(folder / "report.xlsx", "Devices")}
    assert devices["beta-nyc1-fw01"] == "FAIL"
    assert devices["beta-nyc1-fw02"] != "FAIL"


def test_the_story_path_forced_with_via_fails_naming_the_rules(
    lab_env: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(
        ["pre-upgrade", "--limit", "alpha-par1-fw01", "--target", "10.2.4-h4", "--via", "10.1.0,10.2.0",
         "--inventory", str(lab_env.inventory), "--out", str(tmp_path)],
        capsys,
    )  # fmt: skip
    assert code == 1
    path = sheet_rows(run_folder(out) / "report.xlsx", "Upgrade path")[0]
    assert path["Hops"] == "10.1.0 → 10.2.0 → 10.2.4-h4"
    assert path["Verdict"] == "FAIL"
    assert "skip" in path["Reason"].lower() and "10.0" in path["Reason"]
    assert "base image" in path["Reason"].lower()


def test_check_selection_drops_a_check_and_refuses_an_unknown_one(
    lab_env: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["pre-upgrade", "--customer", "alpha", "--target", "10.2.4-h4", "--inventory", str(lab_env.inventory)]
    code, out, _ = run_cli([*base, "--checks", "all,!ntp_sync", "--out", str(tmp_path)], capsys)
    assert code == 0
    header = list(sheet_rows(run_folder(out) / "report.xlsx", "Readiness")[0])
    assert "ntp_sync" not in header and "disk_space" in header and "licenses" in header

    code, _, err = run_cli([*base, "--checks", "all,!ntp", "--out", str(tmp_path / "bad")], capsys)
    assert code == 3
    assert "unknown check 'ntp'" in err and "ntp_sync" in err and "disk_space" in err
    assert not (tmp_path / "bad").exists()


def test_a_target_for_one_platform_covers_only_that_platform(
    demo_lab: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_lab_credentials(monkeypatch, demo_lab)
    args = ["pre-upgrade", "--customer", "initech-health", "--target", "10.2.4-h4"]
    code, out, err = run_cli([*args, "--inventory", str(demo_lab.inventory), "--out", str(tmp_path)], capsys)
    rows = sheet_rows(run_folder(out) / "report.xlsx", "Devices")
    firewalls = [d for d in demo_devices() if d["customer"] == "initech-health" and d["platform"] == "paloalto_panos"]
    assert {r["Platform"] for r in rows} == {"paloalto_panos"}
    assert len(rows) == len(firewalls)
    assert "left out" in err and "arista_eos" in err
    assert code in (0, 1)


def test_readiness_cells_carry_their_reason(lab_env: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["pre-upgrade", "--customer", "alpha", "--target", "10.2.4-h4", "--inventory", str(lab_env.inventory)]
    _, out, _ = run_cli([*args, "--out", str(tmp_path)], capsys)
    ws = openpyxl.load_workbook(run_folder(out) / "report.xlsx")["Readiness"]
    header = [c.value for c in ws[1]]
    disk = ws.cell(row=2, column=header.index("disk_space") + 1)
    assert disk.value == "PASS" and disk.comment is not None and "MB" in disk.comment.text


MATRICES = Path(__file__).resolve().parents[2] / "matrices"


def preupgrade(lab: Lab, out: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, Path]:
    args = ["pre-upgrade", "--customer", "alpha", "--customer", "beta", "--target", "11.1.4-h7", *extra]
    code, out_text, _ = run_cli([*args, "--inventory", str(lab.inventory), "--out", str(out)], capsys)
    return code, run_folder(out_text)


def test_a_pre_upgrade_run_folder_reads_back_into_what_was_written(
    lab_env: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, folder = preupgrade(lab_env, tmp_path, capsys)
    data = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    assert RunResult.from_dict(data).to_dict() == data
    result = read_run(folder)
    assert {h.name for h in result.hosts} == set(data["hosts"])
    matrix = load_matrix("paloalto_panos", MATRICES)
    for host in result.hosts:
        assert host.facts is not None and host.snapshot is not None, host.name
        assert host.plan == plan_path(host.platform, host.facts.model, host.facts.version, "11.1.4-h7", matrix)
        assert host.snapshot.version == host.facts.version and host.snapshot.optics
    assert any(h.plan is not None and len(h.plan.hops) > 1 for h in result.hosts)
    # `estate report html` rebuilds, from results.json alone, the page the run wrote (GO / NO-GO, its own tables).
    written = (folder / "report.html").read_text(encoding="utf-8")
    assert 'id="decision"' in written and "Upgrade path" in written and "Readiness" in written
    assert rebuilds_its_page(folder)


def _summary_table(path: Path) -> list[tuple[Any, ...]]:
    """The Summary sheet down to its Run block (which names the run and when it ran)."""
    rows = list(openpyxl.load_workbook(path, read_only=True)["Summary"].iter_rows(values_only=True))
    return rows[: next(i for i, r in enumerate(rows) if r[0] == "Run")]


def _without_uptime(hosts: dict[str, Any]) -> dict[str, Any]:
    """Hosts as results.json has them, minus the uptime: the device's clock moves between two runs."""
    return {name: {**host, "facts": {**host["facts"], "uptime": None}} for name, host in hosts.items()}


def test_pre_upgrade_shards_merge_into_the_same_report_as_one_run(
    lab_env: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, whole = preupgrade(lab_env, tmp_path / "whole", capsys)
    shards = [preupgrade(lab_env, tmp_path / f"shard{k}", capsys, "--shard", f"{k}/2")[1] for k in (1, 2)]
    merge_code, out, _ = run_cli(["report", "merge", *map(str, shards), "--out", str(tmp_path / "merged")], capsys)
    merged = run_folder(out)
    assert merge_code == code == 1  # beta-nyc1-fw01's third-party optics on a path into 10.2+
    assert "NO-GO" in out and "beta-nyc1-fw01" in out

    expected = json.loads((whole / "results.json").read_text(encoding="utf-8"))["hosts"]
    got = json.loads((merged / "results.json").read_text(encoding="utf-8"))["hosts"]
    assert _without_uptime(got) == _without_uptime(expected)
    assert all(host["plan"] for host in got.values())

    names = openpyxl.load_workbook(whole / "report.xlsx", read_only=True).sheetnames
    assert names[-2:] == ["Readiness", "Upgrade path"]
    assert openpyxl.load_workbook(merged / "report.xlsx", read_only=True).sheetnames == names
    summary = _summary_table(whole / "report.xlsx")
    assert summary[0][-1] == "Decision" and any(row[-1] == "NO-GO" for row in summary)
    assert _summary_table(merged / "report.xlsx") == summary
    for sheet in ("Devices", "Readiness", "Upgrade path"):
        assert sheet_rows(merged / "report.xlsx", sheet) == sheet_rows(whole / "report.xlsx", sheet), sheet
