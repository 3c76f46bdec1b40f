"""The walk of one device, resumed: what it takes again and how it waits for a device an earlier run rebooted."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from tasks.models.upgrade import DeviceUpgrade, StepKind, StepResult, UpgradeStatus, UpgradeStep
from tasks.upgrade.journal import FINISHED, STARTED, StepJournal, read_step_journal
from tasks.upgrade.session import Bounds, DeviceSession
from tasks.upgrade.walk import SENT_BEFORE, WalkContext, apply_journal, walk

PAN = "paloalto_panos"
STEPS = (
    UpgradeStep(1, "10.1.9", "10.1.14", StepKind.REBOOT, "request restart system", result=StepResult.PENDING),
    UpgradeStep(1, "10.1.9", "10.1.14", StepKind.WAIT, "show chassis-ready", result=StepResult.PENDING),
)


def _walk_waits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, journal: list[tuple[int, str, dict[str, Any]]]
) -> list[bool]:
    """Journal `journal` for fw1, resume its plan (a reboot, then the wait): the `expect_gone` of each wait."""
    path = tmp_path / "upgrade-journal.jsonl"
    steps = StepJournal(path, fsync=False)
    for unit, event, fields in journal:
        steps.write("fw1", unit, event, **fields)
    upgrade = apply_journal(DeviceUpgrade(UpgradeStatus.PLANNED, steps=STEPS), "fw1", PAN, read_step_journal(path))
    waits: list[bool] = []

    def wait_back(self: DeviceSession, expect_gone: bool = True) -> str:
        waits.append(expect_gone)
        return "back"

    monkeypatch.setattr(DeviceSession, "wait_back", wait_back)
    task = SimpleNamespace(host=SimpleNamespace(name="fw1", platform=PAN, connections={}))
    ctx = WalkContext(cast(Any, None), [], date(2026, 11, 30), Bounds(), steps)
    done = walk(cast(Any, task), upgrade, ctx)
    assert done.status is UpgradeStatus.UPGRADED and [s.result for s in done.steps] == [StepResult.OK] * 2
    return waits


def test_a_reboot_that_ended_before_the_interruption_is_waited_for_without_expecting_the_device_to_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ended = [(0, STARTED, {"at": "t0"}), (0, FINISHED, {"at": "t1", "result": "OK"}), (1, STARTED, {"at": "t2"})]
    assert _walk_waits(tmp_path, monkeypatch, ended) == [False]  # it may be back already


def test_a_reboot_that_never_ended_counts_as_sent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _walk_waits(tmp_path, monkeypatch, [(0, STARTED, {"at": "t0"})]) == [False]
    path = tmp_path / "upgrade-journal.jsonl"
    plan = apply_journal(DeviceUpgrade(UpgradeStatus.PLANNED, steps=STEPS), "fw1", PAN, read_step_journal(path))
    assert plan.steps[0].message == SENT_BEFORE
