"""`estate upgrade --execute` on the lab (issue 9's "Done when"): every GO device reaches the target along its
multi-hop path, NO-GO devices stay untouched, HA peers never reboot together and end functional, and the
post-upgrade of the upgraded devices is clean until a link goes down or an optic is pulled.

One lab for this module (an execute changes the devices): the fixture runs the pre-upgrade and the execute once;
the tests read what they left, the post-upgrade test last (it takes a link down and pulls an optic). What each
test expects comes from the estate below and the pre-upgrade's decisions and plans, not from the upgrade code.
The lab is read through `lab.control.status_json` (what `estate lab status --json` prints).
The helpers here are shared with `test_upgrade_execute_faults.py`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from lab import control
from lab.state import LabInfo
from reports.runfolder import read_run
from tasks.checks.decision import Decision, decide_device
from tasks.models import RunResult
from tasks.models.plan import UpgradePlan
from tests.integration.conftest import OEM_LR, OEM_SR, _fw, running_lab
from tests.integration.test_audit import run_folder, sheet_rows

pytestmark = pytest.mark.integration

TARGET = "10.2.4-h4"
ESTATE_CLI = str(Path(sys.executable).with_name("estate"))
# Short bounds: a lab reboot takes reboot_s (2 s) plus the AutoCom job (2 s); a hung device costs 20 s.
UPGRADE_ENV = {
    "ESTATE_UPGRADE_POLL_S": "0.5",
    "ESTATE_UPGRADE_REBOOT_TIMEOUT_S": "20",
    "ESTATE_UPGRADE_JOB_TIMEOUT_S": "30",
}
CLI_TIMEOUT_S = 240.0
FS = {"type": "10GBASE-LR", "vendor": "FS", "part": "SFP-10GLR-31"}  # third-party: NO-GO through 10.2
STATE_CHANGES = ("download ", "install ", "restart", "delete ", "ha ", "restore-image ")


# --- helpers (also used by test_upgrade_execute_faults.py) ------------------------------------------------


def estate_of(customer: str, sites: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """An estate file of one customer, reboots of 2 s."""
    return {
        "defaults": {"reboot_s": 2},
        "customers": {customer: {"sites": {site: {"devices": devices} for site, devices in sites.items()}}},
    }


def cli_env(info: LabInfo, **extra: str) -> dict[str, str]:
    """The environment of an `estate` subprocess: the lab's credentials, the short bounds, no CI shard."""
    env = {k: v for k, v in os.environ.items() if k not in ("CI_NODE_INDEX", "CI_NODE_TOTAL")}
    return {**env, "ESTATE_USERNAME": info.username, "ESTATE_PASSWORD": info.password, **UPGRADE_ENV, **extra}


def estate_cli(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """`estate ARGS` as a subprocess (the console script of this venv): exit code, stdout, stderr."""
    done = subprocess.run([ESTATE_CLI, *args], env=env, capture_output=True, text=True, timeout=CLI_TIMEOUT_S)
    return done.returncode, done.stdout, done.stderr


def lab_status(info: LabInfo) -> dict[str, dict[str, Any]]:
    """{device: its object of `estate lab status --json`}."""
    return {str(d["name"]): d for d in control.status_json(info.state_dir)}


def wait_until(what: str, check: Callable[[], bool], bound_s: float, every_s: float = 0.2) -> None:
    """Poll `check` until it holds; AssertionError naming `what` after `bound_s`."""
    deadline = time.monotonic() + bound_s
    while not check():
        assert time.monotonic() < deadline, f"{what}: not within {bound_s:g} s"
        time.sleep(every_s)


def changes(device: dict[str, Any]) -> list[str]:
    """The state-changing requests a device of `lab_status` received."""
    requests = device["requests"]
    assert isinstance(requests, list)
    return [str(r) for r in requests if str(r).startswith(STATE_CHANGES)]


def decisions(pre: RunResult) -> tuple[dict[str, UpgradePlan], dict[str, str]]:
    """From the pre-upgrade run: {GO device: its plan} and {NO-GO device: the reason}."""
    go: dict[str, UpgradePlan] = {}
    no_go: dict[str, str] = {}
    for host in pre.hosts:
        decision = decide_device(host)
        if decision.decision is Decision.GO:
            assert host.plan is not None
            go[host.name] = host.plan
        else:
            no_go[host.name] = decision.reason
    return go, no_go


def hop_label(number: int, plan: UpgradePlan) -> str:
    """The Upgrade sheet's Hop cell of hop `number` (from 1) of `plan`."""
    hop = plan.hops[number - 1]
    return f"{number}: {hop.from_version} → {hop.to_version}"


def device_rows(rows: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [r for r in rows if r["Device"] == name]


def reboot_windows(rows: list[dict[str, Any]]) -> list[tuple[datetime, datetime]]:
    """Per hop of one device's Upgrade rows: from the start of its reboot to the end of its verify."""
    windows = []
    for hop in dict.fromkeys(r["Hop"] for r in rows):
        steps = [r for r in rows if r["Hop"] == hop]
        start = next(r["Started"] for r in steps if r["Step"] == "reboot")
        end = next(r["Finished"] for r in steps if r["Step"] == "verify release")
        windows.append((datetime.fromisoformat(start), datetime.fromisoformat(end)))
    return windows


def assert_upgraded(name: str, plan: UpgradePlan, rows: list[dict[str, Any]], device: dict[str, Any]) -> None:
    """`name` runs the plan's target, walked hop by hop: each hop's install and reboot sent once, in the plan's
    order, each hop's verify OK, the hops in the sheet in the plan's order."""
    assert (device["version"], device["state"]) == (plan.target, "up"), device
    sent = changes(device)
    assert [r for r in sent if r.startswith("install ")] == [f"install {hop.to_version}" for hop in plan.hops]
    assert sent.count("restart") == len(plan.hops), sent
    mine = device_rows(rows, name)
    assert mine and {r["Result"] for r in mine} == {"OK"}, [(r["Step"], r["Result"], r["Message"]) for r in mine]
    verifies = [r for r in mine if r["Step"] == "verify release"]
    assert [r["Hop"] for r in verifies] == [hop_label(n, plan) for n in range(1, len(plan.hops) + 1)]
    hops = [r["Hop"] for r in mine]
    assert hops == sorted(hops, key=lambda h: int(h.split(":")[0]))
    finished = [datetime.fromisoformat(r["Finished"]) for r in verifies]
    assert finished == sorted(finished)


# --- the module's lab ---------------------------------------------------------------------------------

CUSTOMER = "exe"
HA_PAIR = ("exe-lon1-fw01", "exe-lon1-fw02")
FOUR_HOPS = "exe-par1-fw01"
NO_GO = "exe-nyc1-fw01"
ESTATE = estate_of(
    CUSTOMER,
    {
        "lon1": [
            _fw(HA_PAIR[0], "PA-3220", "10.1.9", [OEM_SR, OEM_LR], ha={"peer": HA_PAIR[1], "state": "active"}),
            _fw(HA_PAIR[1], "PA-3220", "10.1.9", [OEM_SR, OEM_LR], ha={"peer": HA_PAIR[0], "state": "passive"}),
        ],
        "par1": [_fw(FOUR_HOPS, "PA-850", "9.1.14", [OEM_SR, OEM_LR])],
        "nyc1": [_fw(NO_GO, "PA-5220", "10.1.9", [OEM_SR, FS])],
    },
)


@dataclass(frozen=True)
class Executed:
    info: LabInfo
    out: Path
    env: dict[str, str]
    pre_dir: Path
    pre: RunResult
    code: int
    stdout: str
    run_dir: Path
    rows: list[dict[str, Any]]
    before: dict[str, dict[str, Any]]
    after: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Executed]:
    root = tmp_path_factory.mktemp("exec-lab")
    with running_lab(root, ESTATE) as info:
        env = cli_env(info)
        common = ["--customer", CUSTOMER, "--target", TARGET, "--inventory", str(root / "inventory")]
        common += ["--out", str(root / "out")]
        code, out, err = estate_cli(["pre-upgrade", *common], env)
        assert code in (0, 1), (out, err)
        pre_dir = run_folder(out)
        before = lab_status(info)
        code, out, err = estate_cli(["upgrade", "--execute", *common], env)
        assert f"gate: pre-upgrade run {pre_dir}" in out, (out, err)
        run_dir = run_folder(out)
        rows = sheet_rows(run_dir / "report.xlsx", "Upgrade")
        yield Executed(info, root / "out", env, pre_dir, read_run(pre_dir), code, out, run_dir, rows, before,
                       lab_status(info))  # fmt: skip


def test_execute_brings_go_devices_to_the_target_hop_by_hop_and_leaves_no_go_untouched(executed: Executed) -> None:
    go, no_go = decisions(executed.pre)
    assert set(go) == {*HA_PAIR, FOUR_HOPS} and set(no_go) == {NO_GO}  # the estate's intent, as the rules judge it
    assert len(go[FOUR_HOPS].hops) >= 3 and all(len(plan.hops) >= 2 for plan in go.values())
    assert executed.code == 0, executed.stdout
    for name, plan in go.items():
        assert_upgraded(name, plan, executed.rows, executed.after[name])
    for name, reason in no_go.items():
        assert [(r["Result"], r["Message"]) for r in device_rows(executed.rows, name)] == [
            ("SKIPPED", f"NO-GO: {reason}")
        ]
        assert executed.after[name] == {**executed.before[name], "requests": []}
    results = {h.name: h.upgrade.status.value for h in read_run(executed.run_dir).hosts if h.upgrade}
    assert results == {**dict.fromkeys(go, "UPGRADED"), **dict.fromkeys(no_go, "SKIPPED")}


def test_ha_peers_never_reboot_together_and_both_end_functional(executed: Executed) -> None:
    pre_ha = {h.name: h.facts.ha_state for h in executed.pre.hosts if h.facts and h.name in HA_PAIR}
    assert sorted(pre_ha.values()) == ["active", "passive"]
    passive = next(name for name, state in pre_ha.items() if state == "passive")
    active = next(name for name, state in pre_ha.items() if state == "active")
    first = reboot_windows(device_rows(executed.rows, passive))
    last = reboot_windows(device_rows(executed.rows, active))
    assert first and last
    for start_a, end_a in first:
        for start_b, end_b in last:
            assert end_a < start_b or end_b < start_a, (passive, (start_a, end_a), active, (start_b, end_b))
    assert max(end for _, end in first) < min(start for start, _ in last)  # the passive peer first
    states = {name: executed.after[name]["ha_state"] for name in HA_PAIR}
    assert sorted(states.values()) == ["active", "passive"], states
    assert all(executed.after[name]["state"] == "up" for name in HA_PAIR)
    # The serving peer was suspended before its reboot (its peer took over) and made functional at the end.
    assert [r for r in changes(executed.after[active]) if r.startswith("ha ")] == ["ha suspend", "ha functional"]
    assert not [r for r in changes(executed.after[passive]) if r.startswith("ha ")]


def _post_upgrade(executed: Executed, names: list[str]) -> tuple[int, Path, RunResult]:
    limits = [arg for name in names for arg in ("--limit", name)]
    args = ["post-upgrade", "--customer", CUSTOMER, *limits, "--out", str(executed.out)]
    code, out, err = estate_cli([*args, "--inventory", str(executed.info.inventory)], executed.env)
    assert code in (0, 1), (out, err)
    assert f"baseline: {executed.pre_dir}" in out, out
    folder = run_folder(out)
    return code, folder, read_run(folder)


def test_post_upgrade_is_clean_then_fails_on_a_link_down_or_a_pulled_optic(executed: Executed) -> None:
    go, _ = decisions(executed.pre)
    names = sorted(go)
    code, folder, result = _post_upgrade(executed, names)
    verdicts = {h.name: h.verdict.value for h in result.hosts}
    rows = sheet_rows(folder / "report.xlsx", "Diff")
    assert not [r for r in rows if r["Verdict"] != "PASS"]
    # The HA pair swapped roles: the serving peer was suspended (its peer took over) and came back passive; the
    # lab's pairs are not preemptive (`Preemptive: no`), so nothing moves the traffic back. The pair is healthy:
    # PASS, with the change named in the row.
    pre_ha = {h.name: h.facts.ha_state for h in executed.pre.hosts if h.facts and h.name in HA_PAIR}
    swapped = {"active": "passive", "passive": "active"}
    ha_rows = {(r["Device"], r["Before"], r["After"]) for r in rows if r["Area"] == "ha"}
    assert {(n, s, swapped[str(s)]) for n, s in pre_ha.items()} <= ha_rows
    assert code == 0 and verdicts == dict.fromkeys(names, "PASS")

    down_port = "ethernet1/13"  # the four-hop PA-850's first SFP+ cage (an OEM SR optic, link up)
    pulled = (HA_PAIR[1], "ethernet1/18")  # the PA-3220's second cage (the OEM LR optic)
    control.ctl(executed.info.state_dir, "link-down", FOUR_HOPS, down_port)
    control.ctl(executed.info.state_dir, "pull-optic", *pulled)
    code, folder, result = _post_upgrade(executed, names)
    assert code == 1
    changed = {FOUR_HOPS, pulled[0]}
    assert {h.name: h.verdict.value for h in result.hosts} == {n: "FAIL" if n in changed else "PASS" for n in names}
    failed = {
        (r["Device"], r["Area"], r["Item"] or "")
        for r in sheet_rows(folder / "report.xlsx", "Diff")
        if r["Verdict"] == "FAIL"
    }
    assert (FOUR_HOPS, "interfaces", down_port) in failed
    assert {(pulled[0], "optics", pulled[1]), (pulled[0], "interfaces", pulled[1])} <= failed
    assert {item for device, area, item in failed if device == FOUR_HOPS} == {down_port}
    assert {(device, area) for device, area, _ in failed if device != FOUR_HOPS} == {
        (pulled[0], "optics"),
        (pulled[0], "interfaces"),
    }  # nothing else: the HA pair's swapped roles are healthy
