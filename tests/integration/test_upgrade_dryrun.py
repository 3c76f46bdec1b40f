"""`estate upgrade` dry run over the small lab: the gate from a pre-upgrade run, the steps of each hop, the waves,
and every device left as it was."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from netmiko import ConnectHandler

from lab import control
from reports.runfolder import read_run
from tasks.checks.decision import Decision, decide_device
from tests.integration.conftest import Lab, netmiko_params
from tests.integration.test_audit import run_cli, run_folder, sheet_rows
from tests.integration.test_report_browser import rebuilds_its_page

pytestmark = pytest.mark.integration

CUSTOMERS = ["--customer", "alpha", "--customer", "beta"]  # the faulty customer's devices add nothing here
TARGET = "10.2.4-h4"
PAN_HOP = [
    "download image",
    "download image",
    "download image",
    "install",
    "install",
    "re-check known issues",
    "reboot",
    "wait until back",
    "wait until back",
    "verify release",
]  # fmt: skip  (a download: check, the command, `show jobs id N`; an install: the command, `show jobs id N`)


def sw_versions(lab: Lab, names: list[str]) -> dict[str, str]:
    """`sw-version` of `show system info`, read over SSH from each device."""
    versions = {}
    for name in names:
        conn = ConnectHandler(**netmiko_params(lab.info, name, "paloalto_panos"))
        try:
            output = conn.send_command("show system info")
        finally:
            conn.disconnect()
        match = re.search(r"^sw-version:\s*(\S+)", output, re.M)
        assert match, output
        versions[name] = match.group(1)
    return versions


def test_dry_run_lists_the_steps_of_go_devices_skips_no_go_and_changes_nothing(
    lab_env: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = [*CUSTOMERS, "--target", TARGET, "--inventory", str(lab_env.inventory), "--out", str(tmp_path)]
    code, out, _ = run_cli(["pre-upgrade", *common], capsys)
    pre_dir = run_folder(out)
    pre = read_run(pre_dir)
    names = sorted(h.name for h in pre.hosts)
    before = sw_versions(lab_env, names)
    status_before = {d["name"]: d for d in control.status_json(lab_env.info.state_dir) if d["name"] in names}

    code, out, err = run_cli(["upgrade", *common], capsys)
    assert code == 0, err
    assert f"gate: pre-upgrade run {pre_dir}" in out  # the newest covering pre-upgrade run, found by itself
    folder = run_folder(out)
    assert rebuilds_its_page(folder)  # its Summary (to upgrade, skipped) and Upgrade table, from results.json
    # version, state, HA state, optics, the requests each device received and its logins: all as they were (the
    # dry run contacts no device), read before sw_versions logs in again
    assert {d["name"]: d for d in control.status_json(lab_env.info.state_dir) if d["name"] in names} == status_before
    assert sw_versions(lab_env, names) == before

    rows = sheet_rows(folder / "report.xlsx", "Upgrade")
    decided = {h.name: decide_device(h) for h in pre.hosts}
    plans = {h.name: h.plan for h in pre.hosts}
    pre_facts = {h.name: h.facts for h in pre.hosts if h.facts}
    assert decided["beta-nyc1-fw01"].decision is Decision.NO_GO  # the Finisar optic through 10.2
    for name, decision in decided.items():
        mine = [r for r in rows if r["Device"] == name]
        if decision.decision is Decision.NO_GO:
            assert [(r["Result"], r["Message"]) for r in mine] == [("SKIPPED", f"NO-GO: {decision.reason}")]
            assert f"{name}: SKIPPED: NO-GO" in out
            continue
        plan = plans[name]
        assert plan is not None and plan.hops
        assert {r["Result"] for r in mine} == {"DRY-RUN"} and not any(r["Started"] or r["Finished"] for r in mine)
        for number, hop in enumerate(plan.hops, start=1):
            steps = [r for r in mine if r["Hop"] == f"{number}: {hop.from_version} → {hop.to_version}"]
            kinds = [r["Step"] for r in steps]
            bases = [d.version for d in hop.downloads if d.base]
            expected = ["download base image"] * 3 * len(bases) + PAN_HOP
            kept = [d for d in hop.downloads if d.version != hop.to_version]  # the image it now runs stays
            expected += ["delete images"] * len(kept)
            serving = pre_facts[name].ha_state == "active"  # suspended before its first reboot, functional at the end
            if serving and number == 1:
                expected.insert(expected.index("reboot"), "suspend HA (fail over to the peer)")
            if serving and number == len(plan.hops):
                expected.append("make HA functional again")
            assert kinds == expected, (name, number, kinds)
            commands = [r["Command"] for r in steps]
            assert f"request system software install version {hop.to_version}" in commands
            assert "request restart system" in commands and "show chassis-ready" in commands
            for download in hop.downloads:
                assert f"request system software download version {download.version}" in commands
                deleted = f"delete software version {download.version}" in commands
                assert deleted is (download.version != hop.to_version)
        assert f"{name}: wave " in out

    waves = {r["Device"]: r["Wave"] for r in rows}
    assert (waves["alpha-lon1-fw02"], waves["alpha-lon1-fw01"]) == (1, 2)  # passive first, one peer at a time

    summary = sheet_rows(folder / "report.xlsx", "Summary")
    by_site = {(r["Customer"], r["Site"]): r for r in summary if r["Site"]}
    assert (by_site[("beta", "nyc1")]["To upgrade"], by_site[("beta", "nyc1")]["Skipped"]) == (1, 1)
    results = read_run(folder)
    walked = [h for h in results.hosts if h.upgrade and h.upgrade.steps]
    assert {h.name for h in walked} == {n for n, d in decided.items() if d.decision is Decision.GO}
    junit = (folder / "junit.xml").read_text(encoding="utf-8")
    assert 'name="hop 1: 10.1.9 → 10.2.0-h3"' in junit or "hop 1: 10.1.9" in junit


def test_from_run_is_used_as_given_and_refused_when_too_old_or_not_a_pre_upgrade(
    lab_env: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    common = ["--customer", "alpha", "--target", TARGET, "--inventory", str(lab_env.inventory), "--out", str(tmp_path)]
    _, out, _ = run_cli(["pre-upgrade", *common], capsys)
    pre_dir = run_folder(out)
    code, out, err = run_cli(["upgrade", *common, "--from-run", str(pre_dir), "--max-per-site", "2"], capsys)
    assert code == 0, err
    assert f"gate: pre-upgrade run {pre_dir} (--from-run)" in out
    waves = {r["Device"]: r["Wave"] for r in sheet_rows(run_folder(out) / "report.xlsx", "Upgrade")}
    assert waves["alpha-lon1-fw02"] < waves["alpha-lon1-fw01"]  # room for two, but one HA peer at a time
    upgrade_dir = run_folder(out)

    code, _, err = run_cli(["upgrade", *common, "--from-run", str(upgrade_dir)], capsys)
    assert (code, err.strip()) == (
        3,
        f"estate: --from-run {upgrade_dir}: not a pre-upgrade run folder (its command: upgrade)",
    )
    other = [a if a != TARGET else "11.1.4-h7" for a in common]
    code, _, err = run_cli(["upgrade", *other, "--from-run", str(pre_dir)], capsys)
    assert code == 3 and f"another target (paloalto_panos: {TARGET})" in err
    monkeypatch.setenv("ESTATE_UPGRADE_MAX_PREUPGRADE_AGE_H", "0.00001")
    code, _, err = run_cli(["upgrade", *common, "--from-run", str(pre_dir)], capsys)
    assert code == 3 and "h old, older than upgrade.max_preupgrade_age_h (1e-05 h)" in err


def test_a_resume_of_a_folder_that_is_no_executed_run_is_one_line_with_nothing_written(
    lab_env: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir, not_a_run = tmp_path / "out", tmp_path / "some-folder"
    not_a_run.mkdir()
    code, _, err = run_cli(
        ["upgrade", "--resume", str(not_a_run), "--inventory", str(lab_env.inventory), "--out", str(out_dir)], capsys
    )
    assert code == 3
    assert err.strip() == f"estate: --resume {not_a_run}: not an executed upgrade run folder (no upgrade-plan.json)"
    assert not out_dir.exists() and list(not_a_run.iterdir()) == []
