"""The run history end to end: an audit of the lab is recorded, `estate history` lists it, and a history that
cannot be reached costs the run nothing but a WARNING (run folder written, exit code unchanged)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from tests.integration.conftest import Lab
from workflows.cli import main

pytestmark = pytest.mark.integration


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def audit_alpha(lab: Lab, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, Path, str]:
    code, text, err = run_cli(
        ["audit", "--inventory", str(lab.inventory), "--customer", "alpha", "--out", str(out)], capsys
    )
    last = text.strip().splitlines()[-1]
    assert last.startswith("run folder: "), text
    return code, Path(last.removeprefix("run folder: ")), err


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_audit_is_recorded_and_listed(
    lab_env: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ESTATE_HISTORY_URL", raising=False)
    out = tmp_path / "output"
    code, folder, _ = audit_alpha(lab_env, out, capsys)
    assert code == 0
    assert (out / "history.sqlite").is_file()  # the default history sits beside the run folders
    assert "history: run recorded in sqlite:///" in (folder / "run.log").read_text(encoding="utf-8")

    code, text, _ = run_cli(["history", "--out", str(out), "--json"], capsys)
    assert code == 0
    [run] = json.loads(text)
    assert (run["run_id"], run["command"], run["customers"], run["devices"]) == (folder.name, "audit", ["alpha"], 3)
    assert run["counts"]["PASS"] == 3 and run["run_dir"] == str(folder)
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    assert run["started"] == results["run"]["started"]

    code, text, _ = run_cli(["history", "--out", str(out)], capsys)
    assert code == 0 and folder.name in text and "audit" in text
    code, text, _ = run_cli(["history", "--out", str(out), "--command", "pre-upgrade", "--json"], capsys)
    assert json.loads(text) == []


def test_a_history_it_cannot_reach_is_a_warning_and_the_run_goes_on(
    lab_env: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESTATE_HISTORY_URL", f"postgresql://estate:sekrit-pw@127.0.0.1:{closed_port()}/estate")
    code, folder, err = audit_alpha(lab_env, tmp_path / "output", capsys)
    assert code == 0  # as the same audit exits with a history (the test above)
    assert {"report.xlsx", "results.json", "junit.xml", "run.log"} <= {p.name for p in folder.iterdir()}
    log = (folder / "run.log").read_text(encoding="utf-8")
    assert "WARNING" in log and "history: cannot open and migrate postgresql://estate:***@127.0.0.1" in log
    assert "WARNING" in err and "the run is not in the history" in err
    assert "sekrit-pw" not in log + err
