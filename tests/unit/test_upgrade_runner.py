"""The upgrade runner: sites side by side, waves one after the other within a site, a site stopping after a
failure; and the step journal an interrupted run is resumed from."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

from nornir.core import Nornir
from nornir.core.inventory import Defaults, Groups, Host, Hosts, Inventory
from nornir.core.task import MultiResult, Result, Task
from nornir.plugins.runners import SerialRunner

from tasks.models.upgrade import DeviceUpgrade, StepKind, StepResult, UpgradeStatus, UpgradeStep
from tasks.upgrade.journal import FINISHED, STARTED, StepJournal, read_step_journal
from tasks.upgrade.walk import SENT_BEFORE, apply_journal, mark_not_reached, units
from workflows.upgrade_runner import SiteWaveRunner

# (device, customer, site, wave)
DEVICES = [
    ("a1", "acme", "lon", 1), ("a2", "acme", "lon", 2), ("a3", "acme", "lon", 3),
    ("b1", "acme", "fra", 1), ("b2", "acme", "fra", 1), ("b3", "acme", "fra", 2),
    ("s1", "acme", "fra", None),
]  # fmt: skip


def nornir() -> Nornir:
    hosts = {
        name: Host(name, data={"customer": customer, "site": site}, defaults=Defaults())
        for name, customer, site, _ in DEVICES
    }
    return Nornir(inventory=Inventory(hosts=Hosts(hosts), groups=Groups(), defaults=Defaults()), runner=SerialRunner())


# host -> the host it waits (at most 5 s) to see started: only hosts that run at the same time see each other
AWAITS = {"a1": "s1", "b1": "b2", "b2": "b1"}


class Recorder:
    """A task that records when each host ran, fails the hosts in `failing`, and says who was run as stopped."""

    def __init__(self, failing: set[str], stopped: dict[str, str]) -> None:
        self.failing, self.stopped = failing, stopped
        self.windows: dict[str, tuple[float, float]] = {}
        self.not_reached: list[str] = []
        self.lock = threading.Lock()
        self.started = {name: threading.Event() for name, *_ in DEVICES}
        self.saw: dict[str, bool] = {}

    def __call__(self, task: Task) -> Result:
        name = task.host.name
        if name in self.stopped:
            with self.lock:
                self.not_reached.append(name)
            return Result(host=task.host, result="not reached")
        start = time.monotonic()
        self.started[name].set()
        if name in AWAITS:
            self.saw[name] = self.started[AWAITS[name]].wait(5.0)
        time.sleep(0.02)
        with self.lock:
            self.windows[name] = (start, time.monotonic())
        return Result(host=task.host, result="failed" if name in self.failing else "ok", failed=name in self.failing)


def run(failing: set[str]) -> Recorder:
    stopped: dict[str, str] = {}
    recorder = Recorder(failing, stopped)
    waves = {name: wave for name, _, _, wave in DEVICES}
    runner = SiteWaveRunner(10, waves, lambda result: bool(result.failed), stopped)
    result = nornir().with_runner(runner).run(task=recorder, name="upgrade")
    assert sorted(result) == sorted(name for name, *_ in DEVICES)  # every host has a result
    assert all(isinstance(r, MultiResult) for r in result.values())
    return recorder


def test_a_wave_starts_when_the_one_before_it_has_ended_and_sites_run_side_by_side() -> None:
    recorder = run(failing=set())
    w = recorder.windows
    assert w["a1"][1] <= w["a2"][0] and w["a2"][1] <= w["a3"][0]  # lon: one wave after the other
    assert w["b1"][1] <= w["b3"][0] and w["b2"][1] <= w["b3"][0]
    assert recorder.saw == {"a1": True, "b1": True, "b2": True}  # one wave's devices, and sites, side by side
    assert recorder.not_reached == []


def test_a_site_stops_after_the_wave_of_its_first_failure_and_other_sites_go_on() -> None:
    recorder = run(failing={"a1"})
    assert sorted(recorder.not_reached) == ["a2", "a3"]
    assert "a2" not in recorder.windows and "a3" not in recorder.windows
    assert {"b1", "b2", "b3", "s1"} <= set(recorder.windows)  # fra is another site


def test_a_failure_in_a_wave_lets_its_wave_mates_finish_but_stops_the_next_wave() -> None:
    recorder = run(failing={"b1"})
    assert "b2" in recorder.windows and recorder.not_reached == ["b3"]


# --- the journal and resuming -------------------------------------------------------------------------------


def _steps() -> tuple[UpgradeStep, ...]:
    def step(kind: StepKind, command: str) -> UpgradeStep:
        return UpgradeStep(1, "10.1.9", "10.1.14-h13", kind, command, result=StepResult.PENDING, version="10.1.14-h13")

    return (
        step(StepKind.DOWNLOAD, "request system software download version 10.1.14-h13"),
        step(StepKind.DOWNLOAD, "show jobs id N"),
        step(StepKind.INSTALL, "request system software install version 10.1.14-h13"),
        step(StepKind.REBOOT, "request restart system"),
        step(StepKind.WAIT, "show chassis-ready"),
    )


def test_a_resumed_plan_keeps_what_finished_counts_a_started_reboot_as_sent_and_takes_the_rest_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "upgrade-journal.jsonl"
    journal = StepJournal(path, fsync=False)
    groups = units(_steps())
    assert groups == [[0, 1], [2], [3], [4]]
    journal.write("fw1", 0, STARTED, at="t0")
    journal.write("fw1", 0, FINISHED, at="t1", result="OK", message="download job 4 FIN OK")
    journal.write("fw1", 2, STARTED, at="t2")
    journal.write("fw1", 2, FINISHED, at="t3", result="FAILED", message="install job 5 finished FAIL")
    journal.write("fw2", 3, STARTED, at="t4")  # killed while the reboot was sent
    with path.open("a") as handle:
        handle.write('{"device": "fw1", "st')  # the line the kill cut short
    states = read_step_journal(path)
    plan = DeviceUpgrade(UpgradeStatus.PLANNED, wave=1, steps=_steps())
    fw1 = apply_journal(plan, "fw1", "paloalto_panos", states)
    assert [s.result for s in fw1.steps] == [StepResult.OK, StepResult.OK] + [StepResult.PENDING] * 3
    assert fw1.steps[0].message == "download job 4 FIN OK" and fw1.steps[1].finished == "t1"
    fw2 = apply_journal(plan, "fw2", "paloalto_panos", states)
    assert fw2.steps[3].result is StepResult.OK and fw2.steps[3].message == SENT_BEFORE
    assert [s.result for s in fw2.steps[:3]] == [StepResult.PENDING] * 3  # nothing else of fw2 had started


def test_a_device_not_reached_keeps_what_it_had_done() -> None:
    done = tuple(replace(s, result=StepResult.OK) if s.kind is StepKind.DOWNLOAD else s for s in _steps())
    upgrade = mark_not_reached(DeviceUpgrade(UpgradeStatus.PLANNED, wave=2, steps=done), "not reached: fw1 failed")
    assert upgrade.status is UpgradeStatus.NOT_REACHED and upgrade.reason == "not reached: fw1 failed"
    assert [s.result for s in upgrade.steps] == [StepResult.OK] * 2 + [StepResult.NOT_REACHED] * 3
