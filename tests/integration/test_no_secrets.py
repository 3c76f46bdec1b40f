"""No secret anywhere (issue 13): audit, pre-upgrade, upgrade (dry run and --execute), post-upgrade, backup and
compliance run against a lab of six platforms with credentials this test makes up and configuration secrets the lab
plants; then every file the runs wrote is read — workbook cells and cell comments, JSON, JUnit XML, run.log and
the session logs, the backups and their whole git history, the run history's database (an SQL dump) — and so are
the runs' terminal output: none holds the password (plain, base64, `user:password` base64, hex), a planted
secret, or anything in the shape of a secret (tests/leaks.py).

netmiko session logs: off by default (the audit writes none); `ESTATE_SESSION_LOG=1` (config.yaml `session_log`)
writes one per device in the run folder, redacted (tasks/session_log.py); the scan covers them.
"""

from __future__ import annotations

import base64
import contextlib
import io
import secrets
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from lab.personalities import load_estate
from lab.state import LabInfo
from tests.integration.conftest import OEM_LR, OEM_SR, _fw, running_lab
from tests.integration.test_audit import run_folder
from tests.integration.test_backup import _secrets_of
from tests.integration.test_upgrade_execute import UPGRADE_ENV
from tests.leaks import leaks
from workflows.cli import main

pytestmark = pytest.mark.integration

CUSTOMER = "sec"
FIREWALL = "sec-lon1-fw01"  # upgraded with --execute: 10.2.3 to the target in one hop (one download, one reboot)
TARGET = "10.2.4-h4"
COMMUNITY = f"c0mm-{secrets.token_hex(6)}"  # a secret the estate file adds to the Junos configuration
USERNAME = f"eng-{secrets.token_hex(4)}"
PASSWORD = secrets.token_urlsafe(18)


def _device(name: str, platform: str, model: str, version: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "platform": platform, "model": model, "version": version, **extra}


ESTATE: dict[str, Any] = {
    "credentials": {"username": USERNAME, "password": PASSWORD},
    "defaults": {"reboot_s": 1},
    "customers": {
        CUSTOMER: {
            "sites": {
                "lon1": {
                    "devices": [
                        _fw(FIREWALL, "PA-850", "10.2.3", [OEM_SR, OEM_LR]),
                        _device("sec-lon1-fg01", "fortinet", "FortiGate-60F", "7.4.8"),
                        _device("sec-lon1-sw01", "cisco_ios", "C9300-48P", "17.9.4a"),
                    ]
                },
                "ams1": {
                    "devices": [
                        _device("sec-ams1-nx01", "cisco_nxos", "N9K-C93180YC-FX3", "10.4(5)"),
                        _device("sec-ams1-ar01", "arista_eos", "DCS-7010T-48", "4.28.3M"),
                        _device(
                            "sec-ams1-jn01",
                            "juniper_junos",
                            "QFX5120-48Y-8C",
                            "22.4R3-S2.11",
                            config_lines={"add": [f"set snmp community {COMMUNITY} authorization read-only"]},
                        ),
                    ]
                },
            }
        }
    },
}
DEVICES = [d["name"] for site in ESTATE["customers"][CUSTOMER]["sites"].values() for d in site["devices"]]


def forms_of(password: str, username: str) -> dict[str, str]:
    """The password as it might leak: plain, base64 (standard and URL-safe, unpadded), HTTP Basic, hex."""
    raw, basic = password.encode(), f"{username}:{password}".encode()
    return {
        "password": password,
        "password base64": base64.b64encode(raw).decode().rstrip("="),
        "password base64url": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "user:password base64": base64.b64encode(basic).decode().rstrip("="),
        "password hex": raw.hex(),
    }


def texts_of(path: Path) -> dict[str, str]:
    """What an engineer could read in `path`: a workbook's cells and comments, a database's SQL dump, else text."""
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path)
        found = {}
        for sheet in book.worksheets:
            cells = [c for row in sheet.iter_rows() for c in row]
            found[f"{path}[{sheet.title}] cells"] = "\n".join(str(c.value) for c in cells if c.value is not None)
            found[f"{path}[{sheet.title}] comments"] = "\n".join(c.comment.text for c in cells if c.comment)
        return found
    if path.suffix in (".sqlite", ".db"):
        with sqlite3.connect(path) as db:
            return {f"{path} (SQL dump)": "\n".join(db.iterdump())}
    return {str(path): path.read_bytes().decode("utf-8", "replace")}


def git_history(repo: Path) -> str:
    done = subprocess.run(["git", "-C", str(repo), "log", "-p", "--all"], capture_output=True, text=True, check=True)
    return done.stdout


@dataclass(frozen=True)
class Runs:
    work: Path
    info: LabInfo
    folders: dict[str, Path]  # run name -> its run folder
    codes: dict[str, int]
    terminal: dict[str, str]  # run name -> what it printed (stdout and stderr)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    work = tmp_path_factory.mktemp("secrets-lab")
    with running_lab(work, ESTATE, max_runtime=300) as info, pytest.MonkeyPatch.context() as env:
        assert (info.username, info.password) == (USERNAME, PASSWORD)  # the lab accepts this test's credentials
        quick = {"ESTATE_CONNECT_TIMEOUT": "5", "ESTATE_COMMAND_TIMEOUT": "10", "ESTATE_UPGRADE_POLL_S": "0.2"}
        for key, value in {**UPGRADE_ENV, **quick, "ESTATE_PROCESSES": "1"}.items():
            env.setenv(key, value)
        env.setenv("ESTATE_USERNAME", USERNAME)
        env.setenv("ESTATE_PASSWORD", PASSWORD)
        env.setenv("HOME", str(work))  # no git configuration of the machine's
        for name in ("CI_NODE_INDEX", "CI_NODE_TOTAL", "ESTATE_SESSION_LOG"):
            env.delenv(name, raising=False)
        common = ["--customer", CUSTOMER, "--inventory", str(work / "inventory"), "--out", str(work / "out")]
        fw = ["--limit", FIREWALL]
        plan = {
            "audit": ["audit", *common],
            "pre-upgrade": ["pre-upgrade", "--target", TARGET, *common],
            "upgrade dry run": ["upgrade", "--target", TARGET, *fw, *common],
            "upgrade --execute": ["upgrade", "--target", TARGET, "--execute", *fw, *common],
            "post-upgrade": ["post-upgrade", *fw, *common],
            "backup": ["backup", *common, "--repo-root", str(work / "backups")],
            "compliance": ["compliance", *common],
        }
        folders, codes, terminal = {}, {}, {}
        for name, args in plan.items():
            if name != "audit":  # the first run keeps the default: no session logs
                env.setenv("ESTATE_SESSION_LOG", "1")
            out, err = _run(args, codes, name)
            terminal[name] = out + err
            folders[name] = run_folder(out)
        yield Runs(work, info, folders, codes, terminal)


def _run(args: list[str], codes: dict[str, int], name: str) -> tuple[str, str]:
    """`estate ARGS` in this process (as the other CLI tests run it), its output captured (capsys is per test)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        codes[name] = main(args)
    return out.getvalue(), err.getvalue()


def test_the_runs_did_their_work(runs: Runs) -> None:
    assert runs.codes["audit"] in (0, 1), runs.terminal["audit"]
    assert runs.codes["upgrade --execute"] == 0, runs.terminal["upgrade --execute"]
    assert runs.codes["post-upgrade"] == 0, runs.terminal["post-upgrade"]
    assert runs.codes["backup"] == 0, runs.terminal["backup"]
    assert runs.codes["compliance"] in (0, 1), runs.terminal["compliance"]
    repo = runs.work / "backups" / CUSTOMER
    assert len(list(repo.rglob("*.cfg"))) == len(DEVICES)


def test_session_logs_are_off_by_default_and_redacted_when_on(runs: Runs) -> None:
    assert not (runs.folders["audit"] / "sessions").exists()
    logs = {p.stem: p.read_text(encoding="utf-8") for p in (runs.folders["backup"] / "sessions").glob("*.log")}
    assert set(logs) == set(DEVICES)
    for device, text in logs.items():
        assert "<removed>" in text, device  # the configuration was printed, and its secrets taken out
    assert "show running-config" in logs["sec-lon1-sw01"]
    assert (runs.folders["upgrade --execute"] / "sessions" / f"{FIREWALL}.log").is_file()


def test_no_secret_in_any_file_or_output(runs: Runs) -> None:
    planted = {
        f"{d.name}/{kind}": v
        for d in load_estate(runs.work / "estate.yaml").devices
        for kind, v in _secrets_of(d).items()
    }
    planted["sec-ams1-jn01/community"] = COMMUNITY
    needles = {**forms_of(PASSWORD, USERNAME), **planted}
    files = [p for root in ("out", "backups") for p in (runs.work / root).rglob("*") if p.is_file()]
    files = [p for p in files if ".git" not in p.parts]  # a repository is read as its history, below
    texts: dict[str, str] = {}
    for path in files:
        texts |= texts_of(path)
    repos = [p.parent for p in (runs.work / "backups").rglob(".git")]
    texts |= {f"{repo} git log -p --all": git_history(repo) for repo in repos}
    texts |= {f"terminal of {name}": text for name, text in runs.terminal.items()}
    kinds = {Path(name.split("[")[0].split(" ")[0]).suffix or name for name in texts}
    assert {".xlsx", ".json", ".xml", ".log", ".sqlite", ".cfg"} <= kinds and repos, sorted(kinds)
    assert len(planted) > 20
    found = {where: [what for what, value in needles.items() if value in text] for where, text in texts.items()}
    assert {where: what for where, what in found.items() if what} == {}
    shapes = {where: leaks(text) for where, text in texts.items()}
    assert {where: what for where, what in shapes.items() if what} == {}
