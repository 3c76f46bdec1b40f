"""Nothing lost (issue 13, point 3): `estate audit`, `pre-upgrade` and `backup` started as real processes over a
slow lab, killed with -9 once their journal holds a host, then `--resume RUN_DIR`: the next run of the CLI says
the run was interrupted, the lab's login counters show that only the hosts missing from the journal are contacted
again, no worker process outlives the killed run, and the report equals an uninterrupted run's."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lab import control
from lab.state import LabInfo
from reports.runfolder import read_journal
from tests.integration.conftest import FINISAR, OEM_LR, OEM_SR, _fw, running_lab
from tests.integration.test_audit import run_cli, run_folder, sheet_rows

pytestmark = pytest.mark.integration

LATENCY_MS = 40  # every reply: a host takes a second or two, so the kill falls between hosts, not before them


def _fg(name: str) -> dict[str, Any]:
    return {"name": name, "platform": "fortinet", "model": "FortiGate-100F", "version": "7.2.6"}


DEVICES = [
    _fw("alpha-lon1-fw01", "PA-3220", "10.1.9", [OEM_SR, OEM_LR]),
    _fw("alpha-lon1-fw02", "PA-850", "9.1.14", [OEM_SR, FINISAR]),
    _fg("alpha-lon1-fg01"),
    _fg("alpha-lon1-fg02"),
]
ESTATE = {"customers": {"alpha": {"sites": {"lon1": {"devices": [dict(d, latency_ms=LATENCY_MS) for d in DEVICES]}}}}}
NAMES = sorted(d["name"] for d in DEVICES)
KILL_AFTER = 1  # hosts in the journal
ARGS = {
    "audit": ["--processes", "2"],
    "pre-upgrade": [
        "--processes",
        "2",
        "--target",
        "paloalto_panos=10.2.4-h4",
        "--target",
        "fortinet=7.4.8",
        "--checks",
        "disk_space,ha_peer",
    ],
    "backup": [],
}
SHEETS = {
    "audit": ("Devices", "Transceivers", "Findings", "Errors"),
    "pre-upgrade": ("Devices", "Transceivers", "Findings", "Errors", "Readiness", "Upgrade path"),
    "backup": ("Devices", "Findings", "Errors", "Backup"),
}
# What moves with the clock or names the run: not compared.
TIMELY = {"uptime", "Uptime", "commit", "Commit", "repository"}


COMMIT = re.compile(r"\b[0-9a-f]{12}\b")  # a backup commit named in a finding's message


def steady(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: steady(v) for k, v in value.items() if k not in TIMELY}
    if isinstance(value, list):
        return [steady(v) for v in value]
    return COMMIT.sub("<commit>", value) if isinstance(value, str) else value


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabInfo, Path]]:
    work = tmp_path_factory.mktemp("resume-lab")
    with running_lab(work, ESTATE) as info:
        yield info, work


def environment(info: LabInfo, backups: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ESTATE_", "CI_NODE_"))}
    env.update(ESTATE_USERNAME=info.username, ESTATE_PASSWORD=info.password, ESTATE_CONNECT_TIMEOUT="5")
    env.update(ESTATE_COMMAND_TIMEOUT="5", ESTATE_BACKUP_ROOT=str(backups))
    return env


def logins(work: Path) -> dict[str, int]:
    return {str(d["name"]): int(str(d["logins"])) for d in control.status_json(work / "state")}


def children(pid: int) -> list[int]:
    """The live processes whose parent is `pid` (its forked workers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if fields and int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def kill_midway(command: str, inventory: Path, out: Path, env: dict[str, str]) -> tuple[Path, list[int]]:
    """`estate COMMAND` as a process, killed with -9 once its journal holds KILL_AFTER hosts; its run folder and
    the pids of its workers at that moment."""
    estate = Path(sys.executable).with_name("estate")
    args = [
        str(estate),
        command,
        "--customer",
        "all",
        "--inventory",
        str(inventory),
        "--out",
        str(out),
        "--workers",
        "2",
    ]
    process = subprocess.Popen(
        [*args, *ARGS[command]], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 60
    try:
        while True:
            journals = list(out.glob(f"*-{command}-*/journal.jsonl"))
            if journals and len(journals[0].read_text(encoding="utf-8").splitlines()) >= KILL_AFTER:
                break
            assert process.poll() is None, f"{command} ended before it could be killed"
            assert time.monotonic() < deadline, f"{command}: journal not at {KILL_AFTER} hosts in 60 s"
            time.sleep(0.05)
        workers = children(process.pid)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    return journals[0].parent, workers


@pytest.mark.parametrize("command", ["audit", "pre-upgrade", "backup"])
def test_a_killed_run_resumes_with_only_its_unfinished_hosts_and_reports_as_an_uninterrupted_one(
    command: str, lab: tuple[LabInfo, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    info, work = lab
    inventory, out = work / "inventory", tmp_path / "out"
    env = environment(info, tmp_path / "backups")
    run_dir, workers = kill_midway(command, inventory, out, env)
    if command != "backup":
        assert len(workers) == 2  # the run was spread over two worker processes ...
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if alive(pid)]  # ... which died with it
    assert not (run_dir / "results.json").exists()
    finished = {entry["name"] for entry in read_journal(run_dir / "journal.jsonl")}
    assert KILL_AFTER <= len(finished) < len(NAMES)
    before = logins(work)

    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        for key in [k for k in os.environ if k.startswith(("ESTATE_", "CI_NODE_")) and k not in env]:
            mp.delenv(key)
        code, _, err = run_cli(["history", "--out", str(out)], capsys)
        notice = f"run {run_dir.name} was interrupted ({len(finished)} of {len(NAMES)} hosts done)"
        assert code == 0 and notice in err and f"estate {command} --resume {run_dir}" in err
        code, stdout, _ = run_cli([command, "--resume", str(run_dir), "--inventory", str(inventory)], capsys)
        assert run_folder(stdout) == run_dir
        contacted = {name for name, count in logins(work).items() if count != before[name]}
        assert contacted == set(NAMES) - finished  # only the unfinished hosts, each once
        assert all(logins(work)[name] == before[name] + 1 for name in contacted)
        mp.setenv("ESTATE_BACKUP_ROOT", str(tmp_path / "backups-whole"))
        whole_args = [command, "--customer", "all", "--inventory", str(inventory), "--out", str(tmp_path / "whole")]
        whole_code, whole_out, _ = run_cli([*whole_args, *ARGS[command]], capsys)
    whole = run_folder(whole_out)
    assert code == whole_code
    hosts = [json.loads((folder / "results.json").read_text(encoding="utf-8"))["hosts"] for folder in (run_dir, whole)]
    assert sorted(hosts[0]) == NAMES and steady(hosts[0]) == steady(hosts[1])
    for sheet in SHEETS[command]:
        rows = [steady(sheet_rows(folder / "report.xlsx", sheet)) for folder in (run_dir, whole)]
        assert (rows[0] or sheet == "Errors") and rows[0] == rows[1], sheet
    journal = [entry["name"] for entry in read_journal(run_dir / "journal.jsonl")]
    assert sorted(journal) == NAMES  # every host once: the finished ones were not journalled again
