"""`estate post-upgrade` over real SSH: a pre-upgrade, then a post-upgrade against the same, unchanged lab (every
area as before, the release not reached: no upgrade ran), then against a second lab whose estate differs in one
optic (the same host names; `--baseline` points at the first lab's run) -> FAIL naming the port.

A post-upgrade without an upgrade says "release not reached" FAIL: the baseline planned a target the device does
not run, and that is what an engineer must see, whatever the reason.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lab.state import LabInfo
from reports.runfolder import read_run
from tasks.models import Unsupported
from tasks.platforms import get_platform
from tests.integration.conftest import OEM_LR, OEM_SR, _fw, running_lab, use_lab_credentials
from tests.integration.test_audit import run_cli, run_folder, sheet_rows
from tests.integration.test_report_browser import rebuilds_its_page

pytestmark = pytest.mark.integration

FORTINET_SR = {"type": "10GBASE-SR", "vendor": "FORTINET", "part": "FTLX8574D3BCLFTN"}
ESTATE: dict[str, Any] = {
    "customers": {
        "post": {
            "sites": {
                "ams1": {
                    "devices": [
                        _fw(
                            "post-ams1-fw01",
                            "PA-3220",
                            "10.1.9",
                            [OEM_SR, OEM_LR],
                            ha={"peer": "post-ams1-fw02", "state": "active"},
                        ),
                        _fw(
                            "post-ams1-fw02",
                            "PA-3220",
                            "10.1.9",
                            [OEM_SR, OEM_LR],
                            ha={"peer": "post-ams1-fw01", "state": "passive"},
                        ),
                        # No snapshot on this platform yet: left out of the pre-upgrade (no target), SKIPPED here.
                        {"name": "post-ams1-sw01", "platform": "cisco_ios", "model": "C9300-48P", "version": "17.9.4a"},
                        {
                            "name": "post-ams1-fg01",
                            "platform": "fortinet",
                            "model": "FortiGate-601F",
                            "version": "7.2.6",
                            "optics": [dict(FORTINET_SR, port="x1", serial="SN01")],
                        },
                    ]
                }
            }
        }
    }
}
TARGETS = ("--target", "10.2.4-h4", "--target", "fortinet=7.4.8")
# The second lab: post-ams1-fw02's LR optic (its second SFP+ cage, ethernet1/18) pulled.
PULLED = ("post-ams1-fw02", "ethernet1/18")


def _pulled_estate() -> dict[str, Any]:
    estate = copy.deepcopy(ESTATE)
    devices = estate["customers"]["post"]["sites"]["ams1"]["devices"]
    fw02 = next(d for d in devices if d["name"] == PULLED[0])
    fw02["optics"] = [o for o in fw02["optics"] if o["port"] != PULLED[1]]
    return estate


@pytest.fixture(scope="module")
def baseline_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabInfo]:
    with running_lab(tmp_path_factory.mktemp("post-lab"), ESTATE) as info:
        yield info


@pytest.fixture(scope="module")
def pulled_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabInfo]:
    with running_lab(tmp_path_factory.mktemp("post-lab-pulled"), _pulled_estate()) as info:
        yield info


def _problems(diff: list[dict[str, Any]]) -> dict[str, list[tuple[str, str, str]]]:
    """device -> [(area, item, verdict)] of its Diff rows that are not PASS."""
    found: dict[str, list[tuple[str, str, str]]] = {}
    for row in diff:
        found.setdefault(row["Device"], [])
        if row["Verdict"] != "PASS":
            found[row["Device"]].append((row["Area"], row["Item"] or "", row["Verdict"]))
    return found


def test_post_upgrade_without_upgrade_then_with_an_optic_pulled(
    baseline_lab: LabInfo,
    pulled_lab: LabInfo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_lab_credentials(monkeypatch, baseline_lab)
    assert baseline_lab.inventory is not None and pulled_lab.inventory is not None
    common = ["--customer", "post", "--out", str(tmp_path)]
    code, out, _ = run_cli(["pre-upgrade", *TARGETS, *common, "--inventory", str(baseline_lab.inventory)], capsys)
    assert code in (0, 1), out
    pre = run_folder(out)

    # The same, unchanged lab; the baseline found as the newest pre-upgrade run under --out.
    code, out, _ = run_cli(["post-upgrade", *common, "--inventory", str(baseline_lab.inventory)], capsys)
    assert code == 1, out
    assert f"baseline: {pre} (the newest pre-upgrade run covering the hosts)" in out
    post = run_folder(out)
    assert rebuilds_its_page(post)  # with its Diff table, from results.json
    diff = sheet_rows(post / "report.xlsx", "Diff")
    names = {"post-ams1-fw01", "post-ams1-fw02", "post-ams1-fg01"}
    assert _problems(diff) == {name: [("release", "", "FAIL")] for name in names}
    areas = {(row["Device"], row["Area"]) for row in diff}
    for area in ("release", "interfaces", "optics", "ha", "routes", "arp", "sessions", "config"):
        assert {(name, area) for name in names} <= areas
    result = read_run(post)
    verdicts = {h.name: h.verdict.value for h in result.hosts}
    assert verdicts == {**dict.fromkeys(names, "FAIL"), "post-ams1-sw01": "SKIPPED"}
    switch = next(h for h in result.hosts if h.name == "post-ams1-sw01")
    reason = get_platform("cisco_ios").snapshot
    assert isinstance(reason, Unsupported) and [f.message for f in switch.findings] == [reason.reason]
    assert not switch.diff
    for host in result.hosts:
        if host.name not in names:
            continue
        assert host.snapshot is not None and host.diff
        target = result.run.target_for(host.platform)
        failed = [f.message for f in host.findings if f.verdict.value == "FAIL"]
        assert failed == [f"release: release not reached: runs {host.snapshot.version}, target {target}"]
    assert f"compared with baseline {pre}" in (post / "run.log").read_text(encoding="utf-8")

    # A second lab, the same names, one optic fewer: FAIL naming the port.
    use_lab_credentials(monkeypatch, pulled_lab)
    args = ["post-upgrade", "--baseline", str(pre), *common, "--inventory", str(pulled_lab.inventory)]
    code, out, _ = run_cli(args, capsys)
    assert code == 1, out
    assert f"baseline: {pre} (--baseline)" in out
    diff = sheet_rows(run_folder(out) / "report.xlsx", "Diff")
    problems = _problems(diff)
    device, port = PULLED
    # The optic is missing and, with it, the port's link; what the port carried goes with it (routes, ARP,
    # its configuration lines): WARNs beside the two FAILs.
    assert ("optics", port, "FAIL") in problems[device] and ("interfaces", port, "FAIL") in problems[device]
    assert {area for area, _, verdict in problems[device] if verdict == "FAIL"} == {"release", "optics", "interfaces"}
    assert any(f"optic missing from port {port}" in row["Message"] for row in diff if row["Device"] == device)
    for other in names - {device}:
        assert problems[other] == [("release", "", "FAIL")]


def test_a_baseline_that_is_not_a_pre_upgrade_run_is_exit_3(
    baseline_lab: LabInfo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_lab_credentials(monkeypatch, baseline_lab)
    assert baseline_lab.inventory is not None
    common = ["--customer", "post", "--inventory", str(baseline_lab.inventory), "--out", str(tmp_path / "out")]
    code, out, err = run_cli(["post-upgrade", "--baseline", str(tmp_path / "missing"), *common], capsys)
    assert code == 3 and len(err.strip().splitlines()) == 1 and "--baseline" in err and "not a run folder" in err, (
        out,
        err,
    )
    code, out, _ = run_cli(["audit", *common], capsys)
    code, out, err = run_cli(["post-upgrade", "--baseline", str(run_folder(out)), *common], capsys)
    assert code == 3 and "not a pre-upgrade run folder (its run is 'audit')" in err, err
    code, out, err = run_cli(["post-upgrade", *common], capsys)  # no pre-upgrade under --out
    assert code == 3 and "no pre-upgrade run folder under" in err, err
    assert not list((tmp_path / "out").glob("*-post-upgrade-*"))
