"""A FortiGate's console output mode after estate's sessions: as it was before them.

netmiko's FortiOS session preparation turns paging off by changing a setting of the unit (`config system
console` / `set output standard` / `end`, in `config global` with VDOMs) and sets it back in `cleanup()`
(shared reference cli-and-matrices.md [src]); estate closes with `exit`, so it sets it back itself
(`tasks/platforms/fortinet/session.py`). The lab keeps the mode per unit across sessions (FortiOS's default,
`more`) and lists each change among the unit's requests (`lab status --json`). Expected, from the estate below:
a unit whose session ends well is back on `more` after every audit, VDOMs or not, even when its answers are
junk (its session still answers); a unit whose session stops answering (its prompt changes mid-session) is
not sent to, keeps `standard`, and run.log says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from lab import control
from lab.state import LabInfo
from tests.integration.conftest import running_lab, use_lab_credentials
from tests.integration.test_audit import run_cli, run_folder

pytestmark = pytest.mark.integration

CHANGED, RESTORED = "console output standard", "console output more"


def _fg(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "platform": "fortinet", "model": "FortiGate-601F", "version": "7.2.6", **extra}


ESTATE = {
    "customers": {
        "acme": {
            "sites": {
                "fra1": {
                    "devices": [
                        _fg("acme-fra1-fw01"),
                        _fg("acme-fra1-fw02", vdoms=["root", "cust-a"]),
                        _fg("acme-fra1-fw03", faults=["garbage"]),
                        _fg("acme-fra1-fw04", faults=["hostname_change"]),
                    ]
                }
            }
        }
    }
}
WELL = ("acme-fra1-fw01", "acme-fra1-fw02", "acme-fra1-fw03")
RENAMED = "acme-fra1-fw04"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabInfo]:
    with running_lab(tmp_path_factory.mktemp("fortinet-console"), ESTATE) as info:
        yield info


def console_changes(info: LabInfo) -> dict[str, list[str]]:
    return {
        d["name"]: [r for r in d["requests"] if r.startswith("console output ")]
        for d in control.status_json(info.state_dir)
    }


def test_audits_leave_the_console_output_mode_as_they_found_it(
    lab: LabInfo, tmp_path: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_lab_credentials(monkeypatch, lab)
    monkeypatch.setenv("ESTATE_COMMAND_TIMEOUT", "3")
    assert lab.inventory is not None
    assert all(not changes for changes in console_changes(lab).values())  # nothing changed before the audits
    for run in (1, 2):
        args = ["audit", "--customer", "acme", "--inventory", str(lab.inventory), "--out", str(tmp_path / str(run))]
        code, out, _ = run_cli(args, capsys)
        assert code == 2, out  # fw03 (garbage) and fw04 (renamed) are ERROR rows
        folder = run_folder(out)
        hosts = json.loads((folder / "results.json").read_text(encoding="utf-8"))["hosts"]
        assert sorted(name for name, host in hosts.items() if host["status"] == "ok") == [
            "acme-fra1-fw01",
            "acme-fra1-fw02",
        ]
        changes = console_changes(lab)
        for name in WELL:  # changed and set back in each run's session
            assert changes[name] == [CHANGED, RESTORED] * run, name
        # changed in the first run and left (not sent to: its session no longer answered); the second run's
        # session found `standard` and changed nothing
        assert changes[RENAMED] == [CHANGED]
        log = (folder / "run.log").read_text(encoding="utf-8")
        kept = [line for line in log.splitlines() if "console output mode not set back" in line]
        assert len(kept) == (1 if run == 1 else 0), kept
        if kept:
            assert f"host={RENAMED}" in kept[0] and "WARNING" in kept[0]
            assert "the unit keeps `set output standard`" in kept[0]
