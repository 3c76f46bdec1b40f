"""workflows.resume without sockets: what makes a run folder interrupted, what --resume refuses, a torn journal."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from reports.runfolder import Journal
from tasks.errors import UsageError
from tasks.models import HostRecord
from workflows.resume import SavedRun, finished_hosts, holding, interrupted, read_saved, running, save

HOSTS = ("fw1", "fw2", "fw3")


def _run_folder(root: Path, name: str, done: tuple[str, ...]) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    save(folder, SavedRun("audit", HOSTS, "2026-12-01T00:00:00+00:00", ("10.2.4-h4",), {"via": None}))
    with Journal.in_run_dir(folder, fsync=False) as journal:
        for host in done:
            journal.append(HostRecord(host, "acme", "lon1", "paloalto_panos"))
    return folder


def _hold(folder: Path, ready: Any) -> None:
    with holding(folder):
        ready.set()
        signal.pause()


def test_a_folder_is_interrupted_once_the_process_holding_its_lock_dies(tmp_path: Path) -> None:
    folder = _run_folder(tmp_path, "20261201T000000Z-audit-acme", ("fw1", "fw2"))
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    process = context.Process(target=_hold, args=(folder, ready))
    process.start()
    assert ready.wait(10)
    assert running(folder) and interrupted(tmp_path) == []  # a run in progress is not interrupted
    os.kill(process.pid, signal.SIGKILL)
    process.join(10)
    assert not running(folder)
    (found,) = interrupted(tmp_path)
    assert (found.run_dir, found.command, found.done, found.total) == (folder, "audit", 2, 3)
    assert found.notice() == (
        f"run {folder.name} was interrupted (2 of 3 hosts done): resume with estate audit --resume {folder}"
    )
    assert interrupted(tmp_path, skip=folder) == []
    (folder / "results.json").write_text("{}", encoding="utf-8")
    assert interrupted(tmp_path) == []  # finished


def test_resume_refuses_another_command_a_finished_run_and_a_folder_without_resume_json(tmp_path: Path) -> None:
    folder = _run_folder(tmp_path, "r", ())
    assert read_saved(folder, "audit").targets == ("10.2.4-h4",)
    with pytest.raises(UsageError, match="a run of audit, not of backup"):
        read_saved(folder, "backup")
    with pytest.raises(UsageError, match=r"no resume\.json"):
        read_saved(tmp_path, "audit")
    (folder / "results.json").write_text("{}", encoding="utf-8")
    with pytest.raises(UsageError, match="this run finished"):
        read_saved(folder, "audit")


def test_a_last_journal_line_cut_by_the_kill_is_ignored_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = _run_folder(tmp_path, "r", ("fw1", "fw2"))
    with (folder / "journal.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"name": "fw3", "customer": "ac')
    with caplog.at_level(logging.WARNING):
        done = finished_hosts(folder, HOSTS)
    assert sorted(done) == ["fw1", "fw2"] and done["fw1"].site == "lon1"
    assert "cut short" in caplog.text
