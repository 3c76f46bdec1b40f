"""workflows/spread.py: how a run's hosts are dealt to worker processes, that a rich record survives the trip back,
and `workflows.run._run_hosts` over a tiny inventory with no connection: every host reported once, the workers'
log lines in the parent's handlers with their host, and a worker that dies leaving ERROR rows, not a hang."""

from __future__ import annotations

import _thread
import logging
import multiprocessing
import os
import pickle
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from nornir.core import Nornir
from nornir.core.inventory import Defaults, Groups, Host, Hosts, Inventory
from nornir.core.task import Result, Task
from nornir.plugins.runners import ThreadedRunner

from reports.runfolder import read_journal
from tasks.models import HostRecord, Verdict
from tasks.models.backup import BackupStatus, DeviceBackup
from tasks.models.compliance import RuleResult
from tasks.models.diff import DiffRow
from tasks.models.upgrade import DeviceUpgrade, StepKind, StepResult, UpgradeStatus, UpgradeStep
from tests.unit.test_reports import PLAN, SNAPSHOT, build_result
from workflows.processors import record_for
from workflows.run import RunInputs, RunRequest, _run_hosts
from workflows.settings import Settings
from workflows.spread import SWITCH_INTERVAL_S, died, partition, per_process, process_count

ROOT = Path(__file__).resolve().parents[2]


def test_partition_deals_sorted_names_in_turn_so_a_sites_devices_spread() -> None:
    names = [f"{c}-{s}-fw{i:02d}" for c in ("alpha", "beta") for s in ("lon1", "par1") for i in (1, 2, 3)]
    slices = partition(list(reversed(names)), 2)
    assert sorted(n for s in slices for n in s) == sorted(names)
    assert [len(s) for s in slices] == [6, 6]
    for customer_site in {n.rsplit("-", 1)[0] for n in names}:
        assert all(any(n.startswith(customer_site) for n in s) for s in slices)
    assert partition(["b", "a", "c"], 5) == [["a"], ["b"], ["c"]]


@pytest.mark.parametrize(
    ("processes", "workers", "hosts", "expected"),
    [(1, 200, 500, 1), (2, 200, 500, 2), (2, 200, 3, 1), (2, 200, 4, 2), (8, 200, 10, 5), (2, 1, 500, 1)],
)
def test_process_count_needs_two_hosts_and_a_worker_each(
    processes: int, workers: int, hosts: int, expected: int
) -> None:
    assert process_count(processes, workers, hosts) == expected


def test_workers_and_logins_are_shared_so_the_totals_hold() -> None:
    assert per_process(200, 16, 2) == (100, 8)
    assert per_process(3, 1, 2) == (2, 1)


def test_a_rich_record_round_trips_through_pickle() -> None:
    record = build_result().hosts[0]
    step = UpgradeStep(1, "9.1.14", "10.0.0", StepKind.INSTALL, "request system software install", "FIN")
    record = replace(
        record,
        plan=PLAN,
        snapshot=SNAPSHOT,
        diff=[DiffRow("routes", "count", "3", "2", Verdict.WARN, "fell by 33%")],
        upgrade=DeviceUpgrade(UpgradeStatus.FAILED, wave=2, steps=(replace(step, result=StepResult.FAILED),)),
        backup=DeviceBackup(BackupStatus.CHANGED, "par1/fw.cfg", added=3, removed=1, commit="abc"),
        compliance=[RuleResult("ntp", "ntp", "required", Verdict.FAIL, "missing", missing=("ntp server 1",))],
    )
    back = pickle.loads(pickle.dumps(record))
    assert back == record and back.to_dict() == record.to_dict() and back.verdict is record.verdict


def test_a_dead_worker_is_described_by_its_exit() -> None:
    assert died(3) == "worker process died: exit code 3"
    assert died(-15) == "worker process died: exit code -15 (SIGTERM)"


DATA = {"customer": "acme", "site": "lon1", "role": "edge-fw"}
NAMES = [f"fw{i}" for i in range(1, 9)]
DYING = "fw5"

log = logging.getLogger("tests.spread")


def fake_task(task: Task, dying: str | None, sleep: float = 0) -> Result:
    """No connection: logs a line with the host, dies with its whole process on `dying`, sleeps `sleep` s."""
    log.info("pid %d switch %s", os.getpid(), sys.getswitchinterval(), extra={"host": task.host.name})
    if task.host.name == dying:
        os._exit(7)
    time.sleep(sleep)
    return Result(host=task.host, result=record_for(task.host))


def run_fake(
    tmp_path: Path, processes: int, dying: str | None, sleep: float = 0, workers: int = 4
) -> dict[str, HostRecord]:
    hosts = Hosts({n: Host(n, platform="paloalto_panos", data=dict(DATA), defaults=Defaults()) for n in NAMES})
    nornir = Nornir(Inventory(hosts=hosts, groups=Groups(), defaults=Defaults()), runner=ThreadedRunner(workers))
    request = RunRequest(Settings(workers=workers, processes=processes))
    inputs = RunInputs(nornir, {}, {}, {}, date(2026, 1, 1))
    return _run_hosts("audit", request, inputs, tmp_path, fake_task, {"dying": dying, "sleep": sleep})


@pytest.fixture
def logged() -> list[logging.LogRecord]:
    """The records the root logger's handlers receive during the test."""
    seen: list[logging.LogRecord] = []
    handler = logging.Handler(logging.INFO)
    handler.emit = seen.append  # type: ignore[method-assign]
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield seen
    root.removeHandler(handler)
    root.setLevel(level)


def test_two_processes_report_every_host_once_and_log_through_the_parent(
    tmp_path: Path, logged: list[logging.LogRecord]
) -> None:
    records = run_fake(tmp_path, 2, None)
    assert sorted(records) == NAMES and all(r.status == "ok" for r in records.values())
    assert sorted(r["name"] for r in read_journal(tmp_path / "journal.jsonl")) == NAMES
    pids = {int(r.getMessage().split()[1]) for r in logged if r.name == "tests.spread"}
    assert len(pids) == 2 and os.getpid() not in pids
    assert {r.host for r in logged if r.name == "tests.spread"} == set(NAMES)  # type: ignore[attr-defined]
    verdicts = [r for r in logged if r.getMessage().startswith("verdict")]
    assert sorted(r.host for r in verdicts) == NAMES  # type: ignore[attr-defined]


@pytest.mark.parametrize("processes", [1, 2])
def test_the_hosts_threads_switch_at_the_longer_interval_and_this_process_gets_its_own_back(
    tmp_path: Path, logged: list[logging.LogRecord], processes: int
) -> None:
    before = sys.getswitchinterval()
    assert before != SWITCH_INTERVAL_S
    run_fake(tmp_path, processes, None)
    seen = {float(r.getMessage().split()[3]) for r in logged if r.name == "tests.spread"}
    assert seen and all(abs(s - SWITCH_INTERVAL_S) < 1e-6 for s in seen)  # kept in microseconds
    assert sys.getswitchinterval() == before


def test_a_worker_that_dies_leaves_error_rows_for_its_unreported_hosts(
    tmp_path: Path, logged: list[logging.LogRecord]
) -> None:
    records = run_fake(tmp_path, 2, DYING)
    assert sorted(records) == NAMES
    dead = {n for n, r in records.items() if r.status == "error"}
    assert DYING in dead and dead <= set(partition(NAMES, 2)[NAMES.index(DYING) % 2])
    assert {records[n].error for n in dead} == {"worker process died: exit code 7"}
    assert {records[n].verdict for n in dead} == {Verdict.ERROR}
    assert all(records[n].status == "ok" for n in set(NAMES) - dead)
    assert sorted(r["name"] for r in read_journal(tmp_path / "journal.jsonl")) == NAMES


def test_one_process_runs_in_this_process(tmp_path: Path, logged: list[logging.LogRecord]) -> None:
    records = run_fake(tmp_path, 1, None)
    assert sorted(records) == NAMES
    assert {int(r.getMessage().split()[1]) for r in logged if r.name == "tests.spread"} == {os.getpid()}


def test_ctrl_c_in_the_parent_ends_the_workers(tmp_path: Path, logged: list[logging.LogRecord]) -> None:
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run_fake(tmp_path, 2, None, sleep=60)
    timer.cancel()
    assert time.monotonic() - started < 10
    assert not multiprocessing.active_children()


@pytest.mark.parametrize(("workers", "journaled"), [(4, len(NAMES) - 2), (16, 0)])
def test_the_parent_prepares_for_the_reports_while_its_last_devices_are_worked_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int, journaled: int
) -> None:
    import multiprocessing

    import workflows.run

    calls: list[tuple[int, int, int]] = []

    def prepare(settings: Settings) -> None:
        journal = tmp_path / "journal.jsonl"
        read = len(read_journal(journal)) if journal.exists() else 0
        calls.append((os.getpid(), len(multiprocessing.active_children()), read))

    monkeypatch.setattr(workflows.run, "prepare_recording", prepare)
    records = run_fake(tmp_path, 2, None, sleep=0.2, workers=workers)
    assert sorted(records) == NAMES
    # Here, once, when the last half-wave of workers (workers // 2 hosts) was still at its devices: with 4 workers
    # 6 of the 8 hosts journaled; with 16, more than the hosts, at once (no record read yet).
    assert [(pid, read) for pid, _, read in calls] == [(os.getpid(), journaled)]
    assert calls[0][1] >= 1  # a worker still running


def test_a_run_starts_without_the_report_writers_and_imports_them_while_its_last_devices_are_worked_on(
    tmp_path: Path,
) -> None:
    """openpyxl, jinja2 and lxml (the workbook's and report.html's writers, ~0.2 s of imports) are not imported
    before the first connection, on the one core a run's start uses; a spread run imports them with its
    preparations for the reports, so the workbook's forked child finds them imported."""
    writers = ("openpyxl", "jinja2", "lxml.etree", "reports.excel", "reports.html")
    code = (
        "import sys, workflows.command, workflows.cli, workflows.audit, workflows.preupgrade, workflows.postupgrade; "
        f"print([m for m in {writers!r} if m in sys.modules])"
    )
    started = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert started.stdout.strip() == "[]"
    code = (
        "import sys, workflows.run; from workflows.settings import Settings; "
        f"workflows.run._after_the_run(Settings(history_url='off', output={str(tmp_path)!r})); "
        f"print([m for m in {writers!r} if m not in sys.modules])"
    )
    prepared = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert prepared.stdout.strip() == "[]"


def test_a_report_that_fails_waits_for_the_workbook_written_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """workflows.run writes the workbook in a forked child while it writes the other reports: when one of those
    fails, the workbook is still finished whole before the error goes on."""
    import openpyxl

    import reports.html
    from workflows.run import execute

    def broken_html(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(reports.html, "write_html", broken_html)  # workflows.run imports it when the run ends
    hosts = Hosts({n: Host(n, platform="paloalto_panos", data=dict(DATA), defaults=Defaults()) for n in NAMES})
    nornir = Nornir(Inventory(hosts=hosts, groups=Groups(), defaults=Defaults()), runner=ThreadedRunner(4))
    request = RunRequest(Settings(workers=4, processes=2, output=tmp_path))
    inputs = RunInputs(nornir, {}, {}, {}, date(2026, 1, 1))
    (tmp_path / "run").mkdir()
    with pytest.raises(OSError, match="No space left"):
        execute("audit", request, inputs, fake_task, run_dir=tmp_path / "run", dying=None)
    assert openpyxl.load_workbook(tmp_path / "run" / "report.xlsx").sheetnames[0] == "Summary"
    assert [p.name for p in (tmp_path / "run").iterdir() if p.name.startswith("report.xlsx")] == ["report.xlsx"]
