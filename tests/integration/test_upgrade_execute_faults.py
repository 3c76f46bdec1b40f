"""`estate upgrade --execute` when things go wrong, each test on its own lab: a device that never comes back
stops its site, a run killed midway is resumed without sending anything twice, and `--force` past a NO-GO
optic boots the firewall into the story's boot loop (until its optics are replaced).

What each test expects comes from its estate, the pre-upgrade's decisions and plans, and the documented rules
(waves in name order, one device per wave with `--max-per-site 1`); the lab is read through
`lab.control.status_json`, whose `requests` list what each device was asked to change.
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lab import control
from lab.estate import Optic
from lab.runtime import boots_into_loop
from reports.runfolder import read_run
from tests.integration.conftest import FIRST_SFP_PLUS, FS, OEM_SR, _fw, running_lab
from tests.integration.test_audit import run_folder, sheet_rows
from tests.integration.test_upgrade_execute import (
    ESTATE_CLI,
    TARGET,
    assert_upgraded,
    changes,
    cli_env,
    decisions,
    device_rows,
    estate_cli,
    estate_of,
    lab_status,
    wait_until,
)

pytestmark = pytest.mark.integration

REBOOT_TIMEOUT_S = 15  # a lab reboot is back and ready in about 5 s; a hung one costs this much


OPTICS_OF_FORCED = [OEM_SR, FS]
OPTICS = [Optic("", o["type"], o["vendor"], o["part"], "") for o in OPTICS_OF_FORCED]


def _common(root: Path, customer: str) -> list[str]:
    where = ["--inventory", str(root / "inventory"), "--out", str(root / "out")]
    return ["--customer", customer, "--target", TARGET, *where]


def _failed_steps(run_dir: Path, name: str) -> list[tuple[str, str, str]]:
    """(hop, step, message) of each FAILED step of `name` in results.json. (The Upgrade sheet's Message column
    shows what ends a step, not why it failed: the reason is read from the run's results.)"""
    host = next(h for h in read_run(run_dir).hosts if h.name == name)
    assert host.upgrade is not None
    return [
        (f"{s.hop}: {s.from_version} → {s.to_version}", s.kind.value, s.message)
        for s in host.upgrade.steps
        if s.result.value == "FAILED"
    ]


def test_a_device_that_never_comes_back_fails_its_site_and_the_other_sites_go_on(tmp_path: Path) -> None:
    site = [_fw(f"hng-lon1-fw0{i}", "PA-850", "10.1.9", [OEM_SR]) for i in (1, 2, 3)]
    other = _fw("hng-par1-fw01", "PA-850", "10.1.9", [OEM_SR])
    with running_lab(tmp_path, estate_of("hng", {"lon1": site, "par1": [other]})) as info:
        env = cli_env(info, ESTATE_UPGRADE_REBOOT_TIMEOUT_S=str(REBOOT_TIMEOUT_S))
        common = _common(tmp_path, "hng")
        code, out, err = estate_cli(["pre-upgrade", *common], env)
        go, no_go = decisions(read_run(run_folder(out)))
        assert set(go) == {d["name"] for d in [*site, other]} and not no_go, (out, err)
        first, *later = sorted(d["name"] for d in site)  # one per wave, in name order
        control.ctl(info.state_dir, "fault", first, "reboot_hang")
        before = lab_status(info)

        code, out, err = estate_cli(["upgrade", "--execute", "--max-per-site", "1", *common], env)
        assert code == 1, (out, err)
        run_dir = run_folder(out)
        rows = sheet_rows(run_dir / "report.xlsx", "Upgrade")
        after = lab_status(info)

    hop = f"1: 10.1.9 → {go[first].hops[0].to_version}"
    assert {(r["Hop"], r["Step"]) for r in device_rows(rows, first) if r["Result"] == "FAILED"} == {
        (hop, "wait until back")
    }
    failed = _failed_steps(run_dir, first)
    assert failed and {(h, step) for h, step, _ in failed} == {(hop, "wait until back")}
    assert all(f"did not come back within {REBOOT_TIMEOUT_S} s" in message for _, _, message in failed), failed
    assert f"did not come back within {REBOOT_TIMEOUT_S} s" in out
    assert after[first]["state"] == "down" and changes(after[first]).count("restart") == 1
    for name in later:
        assert {r["Result"] for r in device_rows(rows, name)} == {"NOT REACHED"}, name
        assert after[name] == before[name] and not changes(after[name]), after[name]
    assert_upgraded(other["name"], go[other["name"]], rows, after[other["name"]])
    statuses = {h.name: h.upgrade.status.value for h in read_run(run_dir).hosts if h.upgrade}
    assert statuses == {first: "FAILED", **dict.fromkeys(later, "NOT REACHED"), other["name"]: "UPGRADED"}


def _journal(run_dir: Path) -> list[dict[str, Any]]:
    path = run_dir / "upgrade-journal.jsonl"
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    entries = []
    for line in lines:
        with contextlib.suppress(json.JSONDecodeError):  # the last line, being written
            entries.append(json.loads(line))
    return entries


Units = set[tuple[str, int]]


def _units(entries: list[dict[str, Any]], event: str, kind: str | None = None, hop: int | None = None) -> Units:
    """(device, unit) of the journal entries of `event`, of the units started with `kind` (and `hop`)."""
    started = {
        (e["device"], e["step"])
        for e in entries
        if e["event"] == "started" and kind in (None, e.get("kind")) and hop in (None, e.get("hop"))
    }
    return {(e["device"], e["step"]) for e in entries if e["event"] == event} & started


def a_reboot_ended(entries: list[dict[str, Any]]) -> bool:
    """A device's first reboot has ended: its wait is in flight (or about to be)."""
    return bool(_units(entries, "finished", "reboot"))


def a_second_install_asked(entries: list[dict[str, Any]]) -> bool:
    """A device is asking for the install job of its second hop (its job mark journalled, the unit not ended)."""
    return bool(_units(entries, "job-mark", "install", 2) - _units(entries, "finished"))


def _killed_when(
    args: list[str], env: dict[str, str], journal: Callable[[], Path | None], when: Any, after_s: float
) -> None:
    """Run `estate ARGS` and SIGKILL it `after_s` after `when(journal entries)` holds; AssertionError when the
    run ends first."""
    with subprocess.Popen([ESTATE_CLI, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as run:
        try:

            def reached() -> bool:
                assert run.poll() is None, "the run ended before the kill"
                folder = journal()
                return folder is not None and when(_journal(folder))

            wait_until(f"{when.__name__}", reached, 90, every_s=0.05)
            time.sleep(after_s)  # not an assertion: where the kill lands
        finally:
            run.kill()
    assert run.wait(10) == -signal.SIGKILL


def test_a_killed_run_resumes_and_sends_nothing_twice(tmp_path: Path) -> None:
    # One site, so its devices go one at a time (max_per_site 1): each kill lands on the first device at the moment
    # named below, never on the second one at an arbitrary step (a kill between a reboot's journal line and its
    # command is counted as sent on resume, by design: tasks.upgrade.walk.SENT_BEFORE).
    devices = {
        "lon1": [_fw("kil-lon1-fw01", "PA-850", "10.1.9", [OEM_SR]), _fw("kil-lon1-fw02", "PA-850", "10.1.9", [OEM_SR])]
    }
    with running_lab(tmp_path, estate_of("kil", devices)) as info:
        env = cli_env(info)
        common = _common(tmp_path, "kil")
        code, out, err = estate_cli(["pre-upgrade", *common], env)
        go, no_go = decisions(read_run(run_folder(out)))
        assert len(go) == 2 and not no_go, (out, err)
        known = set((tmp_path / "out").iterdir())

        def new_run() -> Path | None:
            return next(iter(set((tmp_path / "out").iterdir()) - known), None)

        # Killed while a device that has just rebooted is waited for, then the resume killed while a second
        # hop's install is asked for (3 s after its job mark: the install is confirmed after the device has been
        # quiet for 2 s, its answer read after 2 s more); the second resume ends the run.
        _killed_when(["upgrade", "--execute", *common], env, new_run, a_reboot_ended, 0.5)
        run_dir = new_run()
        assert run_dir is not None
        resume = ["upgrade", "--resume", str(run_dir), "--inventory", str(info.inventory)]
        _killed_when(resume, env, lambda: run_dir, a_second_install_asked, 3.0)
        killed = lab_status(info)
        assert any(killed[name]["version"] != plan.target for name, plan in go.items())  # the kill was midway

        code, out, err = estate_cli(resume, env)
        assert code == 0, (out, err)
        assert run_folder(out) == run_dir and "resumed:" in out
        rows = sheet_rows(run_dir / "report.xlsx", "Upgrade")
        after = lab_status(info)

    for name, plan in go.items():
        assert_upgraded(name, plan, rows, after[name])
        sent = Counter(changes(after[name]))
        assert {r: n for r, n in sent.items() if r.startswith(("download ", "install ")) and n > 1} == {}, sent
        assert sent["restart"] == len(plan.hops), sent
    done = Counter(
        (e["device"], e["step"]) for e in _journal(run_dir) if e["event"] == "finished" and e.get("result") == "OK"
    )
    assert done and max(done.values()) == 1, [unit for unit, n in done.items() if n > 1]


def test_force_past_a_no_go_optic_boots_into_the_loop_until_the_optics_are_replaced(tmp_path: Path) -> None:
    name = "frc-lon1-fw01"
    estate = estate_of("frc", {"lon1": [_fw(name, "PA-850", "10.1.14-h13", OPTICS_OF_FORCED)]})
    with running_lab(tmp_path, estate) as info:
        env = cli_env(info, ESTATE_UPGRADE_REBOOT_TIMEOUT_S=str(REBOOT_TIMEOUT_S))
        common = _common(tmp_path, "frc")
        code, out, err = estate_cli(["pre-upgrade", *common], env)
        pre = read_run(run_folder(out))
        go, no_go = decisions(pre)
        assert set(no_go) == {name} and not go, (out, err)
        plan = next(h.plan for h in pre.hosts if h.name == name)
        assert plan is not None and plan.hops
        before = lab_status(info)

        code, out, err = estate_cli(["upgrade", "--execute", *common], env)
        assert code == 0, (out, err)
        rows = sheet_rows(run_folder(out) / "report.xlsx", "Upgrade")
        assert [(r["Result"], r["Message"]) for r in rows] == [("SKIPPED", f"NO-GO: {no_go[name]}")]
        assert lab_status(info) == before and not changes(before[name])

        code, out, err = estate_cli(["upgrade", "--execute", "--force", *common], env)
        assert code == 1, (out, err)
        run_dir = run_folder(out)
        rows = sheet_rows(run_dir / "report.xlsx", "Upgrade")
        looped = lab_status(info)[name]
        # The lab's rule: booting 10.2.0 or later with a non-OEM optic loops. The hops before that one boot fine.
        number, hop = next((n, h) for n, h in enumerate(plan.hops, 1) if boots_into_loop(h.to_version, OPTICS))
        assert (looped["state"], looped["version"]) == ("boot-loop", hop.from_version), looped
        label = f"{number}: {hop.from_version} → {hop.to_version}"
        assert {(r["Hop"], r["Step"]) for r in rows if r["Result"] == "FAILED"} == {(label, "wait until back")}
        failed = _failed_steps(run_dir, name)
        assert failed and all(f"did not come back within {REBOOT_TIMEOUT_S} s" in m for _, _, m in failed), failed
        assert {r["Result"] for r in rows if r["Step"] == "re-check known issues"} == {"SKIPPED"}
        assert changes(looped)[-1] == "restart" and changes(looped).count("restart") == number

        control.ctl(info.state_dir, "replace-optics", name)

        def booted() -> bool:
            device = lab_status(info)[name]
            return (device["state"], device["version"]) == ("up", hop.to_version)

        wait_until(f"{name} up on {hop.to_version}", booted, 20)
        assert lab_status(info)[name]["non_oem_optics"] == 0


def test_an_optic_swapped_after_the_pre_upgrade_is_caught_by_the_re_check_before_the_reboot_into_10_2(
    tmp_path: Path,
) -> None:
    """The story's firewall, stopped even though its pre-upgrade was clean: a third-party optic goes in after
    the pre-upgrade; the re-check of the hop whose release it cannot boot with stops the device before that
    reboot. It stays up on the release before, and its site stops."""
    name, mate = "rck-lon1-fw01", "rck-lon1-fw02"
    site = [_fw(name, "PA-850", "10.1.9", [OEM_SR]), _fw(mate, "PA-850", "10.1.9", [OEM_SR])]
    with running_lab(tmp_path, estate_of("rck", {"lon1": site})) as info:
        env = cli_env(info)
        common = _common(tmp_path, "rck")
        code, out, err = estate_cli(["pre-upgrade", *common], env)
        pre = read_run(run_folder(out))
        go, no_go = decisions(pre)
        assert set(go) == {name, mate} and not no_go, (out, err)
        port = f"ethernet1/{FIRST_SFP_PLUS['PA-850'] + 1}"  # the free SFP+ cage next to its OEM optic
        control.ctl(info.state_dir, "insert-optic", name, port, FS["type"], FS["vendor"], FS["part"])

        code, out, err = estate_cli(["upgrade", "--execute", "--max-per-site", "1", *common], env)
        assert code == 1, (out, err)
        run_dir = run_folder(out)
        after = lab_status(info)

    plan = go[name]
    # the first hop whose release a firewall with a third-party optic cannot boot (the known issue's rule)
    number, hop = next((n, h) for n, h in enumerate(plan.hops, 1) if boots_into_loop(h.to_version, OPTICS))
    failed = _failed_steps(run_dir, name)
    assert [(h, step) for h, step, _ in failed] == [(f"{number}: {hop.from_version} → {hop.to_version}",
                                                    "re-check known issues")]  # fmt: skip
    message = failed[0][2]
    assert f"stopped before booting {hop.to_version}" in message and port in message and FS["part"] in message
    assert (after[name]["state"], after[name]["version"]) == ("up", hop.from_version)  # never rebooted into it
    assert changes(after[name]).count("restart") == number - 1
    statuses = {h.name: h.upgrade.status.value for h in read_run(run_dir).hosts if h.upgrade}
    assert sorted([name, mate]) == [name, mate]  # waves in name order: it goes first, its site then stops
    assert statuses == {name: "FAILED", mate: "NOT REACHED"} and not changes(after[mate])
