"""A run spread over two worker processes reports exactly what one process does: `estate audit` and `estate
compliance` over a lab of their own with `--processes 1` and `--processes 2`, results.json and the workbook's
sheets compared (run id and times aside); the journal has one line per host, run.log lines from both workers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lab.state import LabInfo
from tests.integration.conftest import FINISAR, FS, OEM_LR, OEM_SR, _fw, running_lab, use_lab_credentials
from tests.integration.test_audit import run_cli, run_folder, sheet_rows
from workflows.spread import partition

pytestmark = pytest.mark.integration


def _fg(name: str) -> dict[str, Any]:
    return {"name": name, "platform": "fortinet", "model": "FortiGate-100F", "version": "7.2.6"}


ESTATE: dict[str, Any] = {
    "customers": {
        "alpha": {
            "sites": {
                "lon1": {
                    "devices": [
                        _fw("alpha-lon1-fw01", "PA-3220", "10.1.9", [OEM_SR, OEM_LR]),
                        _fw("alpha-lon1-fw02", "PA-3220", "10.1.9", [OEM_SR, FINISAR]),
                        _fg("alpha-lon1-fg01"),
                    ]
                },
                "par1": {"devices": [_fw("alpha-par1-fw01", "PA-850", "9.1.14", [FS]), _fg("alpha-par1-fg01")]},
            }
        },
        "beta": {
            "sites": {
                "nyc1": {
                    "devices": [
                        _fw("beta-nyc1-fw01", "PA-5220", "10.1.9", [OEM_SR]),
                        _fw("beta-nyc1-fw02", "PA-5220", "10.1.9", [OEM_SR], faults=["refuse"]),
                        _fg("beta-nyc1-fg01"),
                    ]
                }
            }
        },
    }
}
NAMES = sorted(d["name"] for c in ESTATE["customers"].values() for s in c["sites"].values() for d in s["devices"])
TIMELY = ("uptime", "Uptime")  # the lab's uptime moves on between the two runs: not compared


def steady(value: Any) -> Any:
    """`value` (results.json hosts, sheet rows) without what changes with the clock."""
    if isinstance(value, dict):
        return {k: steady(v) for k, v in value.items() if k not in TIMELY}
    if isinstance(value, list):
        return [steady(v) for v in value]
    return value


SHEETS = {"audit": ("Devices", "Transceivers", "Findings", "Errors"), "compliance": ("Devices", "Findings")}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabInfo, Path]]:
    work = tmp_path_factory.mktemp("processes-lab")
    with running_lab(work, ESTATE) as info:
        yield info, work / "inventory"


def run(command: str, processes: int, lab: tuple[LabInfo, Path], tmp_path: Path, capsys: Any) -> Path:
    info, inventory = lab
    with pytest.MonkeyPatch.context() as mp:
        use_lab_credentials(mp, info)
        mp.setenv("ESTATE_CONNECT_TIMEOUT", "5")
        mp.setenv("ESTATE_COMMAND_TIMEOUT", "5")
        out = tmp_path / f"out-{processes}"
        code, stdout, _ = run_cli(
            [command, "--customer", "all", "--inventory", str(inventory), "--out", str(out), "--processes",
             str(processes)],
            capsys,
        )  # fmt: skip
    assert code == 2  # beta-nyc1-fw02 refuses its connection: an ERROR row, whatever the processes
    return run_folder(stdout)


@pytest.mark.parametrize("command", ["audit", "compliance"])
def test_two_processes_report_exactly_what_one_does(
    command: str, lab: tuple[LabInfo, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = run(command, 1, lab, tmp_path, capsys)
    two = run(command, 2, lab, tmp_path, capsys)
    hosts = [json.loads((folder / "results.json").read_text(encoding="utf-8"))["hosts"] for folder in (one, two)]
    assert sorted(hosts[0]) == NAMES and steady(hosts[0]) == steady(hosts[1])
    for sheet in SHEETS[command]:
        rows = [steady(sheet_rows(folder / "report.xlsx", sheet)) for folder in (one, two)]
        assert rows[0] and rows[0] == rows[1], sheet
    journal = [json.loads(line)["name"] for line in (two / "journal.jsonl").read_text("utf-8").splitlines()]
    assert sorted(journal) == NAMES
    log = (two / "run.log").read_text(encoding="utf-8")
    assert "spread over 2 processes" in log and "spread over" not in (one / "run.log").read_text("utf-8")
    logged = set(re.findall(r" host=(\S+) workflows\.processors: verdict ", log))
    for part in partition(NAMES, 2):
        assert logged & set(part), part
    assert "host=beta-nyc1-fw02" in log  # the refused device's line, from its worker
