"""The post-upgrade's baseline: found as the newest pre-upgrade run covering the hosts, or given and checked; and
a post-upgrade run's diff rows read back from its results.json."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports.json_report import write_results_json
from reports.runfolder import read_run
from tasks.errors import UsageError
from tasks.models import HostRecord, RunInfo, RunResult, Verdict
from tasks.models.diff import DiffRow
from tasks.models.snapshot import OpticState, Snapshot
from workflows.postupgrade import find_baseline, load_baseline

SNAP = Snapshot("10.1.9", interfaces={"e1/1": "up"}, optics={"e1/1": OpticState("SR", "OEM", "S1")}, routes=4)


def _run(out: Path, name: str, command: str, hosts: list[str], target: str | None = "10.2.4-h4") -> Path:
    folder = out / name
    folder.mkdir(parents=True)
    info = RunInfo(name, command, ["acme"], target, "2026-11-30T10:00:00+00:00")
    records = [HostRecord(h, "acme", "lon1", "os", snapshot=SNAP) for h in hosts]
    write_results_json(RunResult(info, records), folder / "results.json")
    return folder


def test_the_newest_pre_upgrade_covering_the_hosts_is_taken(tmp_path: Path) -> None:
    _run(tmp_path, "20261130T080000Z-pre-upgrade-acme", "pre-upgrade", ["fw1", "fw2"])
    wanted = _run(tmp_path, "20261130T090000Z-pre-upgrade-acme", "pre-upgrade", ["fw1", "fw2", "fw3"])
    _run(tmp_path, "20261130T100000Z-pre-upgrade-acme", "pre-upgrade", ["fw1"])  # newer, does not cover fw2
    _run(tmp_path, "20261130T110000Z-audit-acme", "audit", ["fw1", "fw2"])  # not a pre-upgrade
    (tmp_path / "20261130T120000Z-pre-upgrade-acme").mkdir()  # interrupted: no results.json, passed over
    found = find_baseline(tmp_path, ["fw1", "fw2"])
    assert found is not None and found.folder == wanted and found.searched
    assert found.hosts["fw1"].snapshot == SNAP


def test_no_pre_upgrade_covering_the_hosts(tmp_path: Path) -> None:
    _run(tmp_path, "20261130T080000Z-pre-upgrade-acme", "pre-upgrade", ["fw1"])
    assert find_baseline(tmp_path, ["fw1", "fw9"]) is None
    assert find_baseline(tmp_path / "nothing-here", ["fw1"]) is None


def test_a_given_baseline_must_be_a_pre_upgrade_run(tmp_path: Path) -> None:
    folder = _run(tmp_path, "20261130T080000Z-pre-upgrade-acme", "pre-upgrade", ["fw1"])
    assert load_baseline(folder).result.run.command == "pre-upgrade"
    audit = _run(tmp_path, "20261130T090000Z-audit-acme", "audit", ["fw1"])
    with pytest.raises(UsageError, match="not a pre-upgrade run folder \\(its run is 'audit'\\)"):
        load_baseline(audit)
    with pytest.raises(UsageError, match=r"^--baseline .*missing: not a run folder \(no results\.json in it\)$"):
        load_baseline(tmp_path / "missing")


def test_the_baseline_target_is_the_plan_else_the_run(tmp_path: Path) -> None:
    folder = _run(tmp_path, "20261130T080000Z-pre-upgrade-acme", "pre-upgrade", ["fw1"])
    baseline = load_baseline(folder)
    assert baseline.target_for(baseline.hosts["fw1"]) == "10.2.4-h4"


def test_a_post_upgrade_run_with_diff_rows_round_trips(tmp_path: Path) -> None:
    rows = [
        DiffRow("release", "", "10.1.9", "10.1.9", Verdict.FAIL, "release not reached: runs 10.1.9, target 10.2.4-h4"),
        DiffRow("optics", "e1/1", "OEM SR S1", None, Verdict.FAIL, "optic missing from port e1/1"),
        DiffRow("routes", "", None, "4", Verdict.PASS, "routes: not compared (not read before)"),
    ]
    host = HostRecord("fw1", "acme", "lon1", "os", snapshot=SNAP, diff=rows)
    result = RunResult(RunInfo("r", "post-upgrade", ["acme"], "10.2.4-h4", "2026-11-30T10:00:00+00:00"), [host])
    write_results_json(result, tmp_path / "results.json")
    back = read_run(tmp_path)
    assert back.hosts[0].diff == rows and back.hosts[0].snapshot == SNAP
    assert back.to_dict() == result.to_dict()
    assert back.to_dict()["hosts"]["fw1"]["diff"][1] == {
        "area": "optics", "item": "e1/1", "before": "OEM SR S1", "after": None, "verdict": "FAIL",
        "message": "optic missing from port e1/1",
    }  # fmt: skip
