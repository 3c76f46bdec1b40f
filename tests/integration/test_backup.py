"""`estate backup` over real SSH against a lab of its own (six platforms, two customers, one unreachable device):
the first run commits every reachable device, the second commits nothing, and after `lab ctl set-config` on one
device the third commits exactly its file; each commit is pushed to a local bare repository. No planted secret
and no lab credential appears in any repository's history, the run folders or their logs.

Expectations come from the estate file below (devices, sites, the `config_lines` change), not from the code.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lab import control
from lab.estate import Device
from lab.personalities import configs, load_estate
from lab.personalities.fortinet import snapshot as fortinet_lab
from lab.personalities.paloalto_panos import snapshot as panos_lab
from lab.state import LabInfo
from tests.integration.conftest import running_lab, use_lab_credentials
from tests.integration.test_audit import run_cli, run_folder, sheet_rows
from tests.integration.test_report_browser import rebuilds_its_page
from tests.leaks import leaks

pytestmark = pytest.mark.integration

JUNOS_COMMUNITY = "pl4nted-c0mm-jn01"  # a secret the estate file adds (the lab's baseline is SNMPv3 only)
JUNOS_ADDED = f"set snmp community {JUNOS_COMMUNITY} authorization read-only"
JUNOS_REMOVED = "^set system services netconf"
CHANGED_DEVICE = "acme-lon1-nx01"
CHANGED_LINE = "ntp server 10.99.0.1 use-vrf management"
UNREACHABLE = "acme-lon1-sw02"

ESTATE: dict[str, Any] = {
    "customers": {
        "acme": {
            "sites": {
                "lon1": {
                    "devices": [
                        {"name": "acme-lon1-sw01", "platform": "cisco_ios", "model": "C9300-48P", "version": "17.9.4a"},
                        {
                            "name": CHANGED_DEVICE,
                            "platform": "cisco_nxos",
                            "model": "N9K-C93180YC-FX3",
                            "version": "10.4(5)",
                        },
                        {
                            "name": UNREACHABLE,
                            "platform": "cisco_ios",
                            "model": "C9300-48P",
                            "version": "17.9.4a",
                            "faults": ["refuse"],
                        },
                    ]
                },
                "ams1": {
                    "devices": [
                        {
                            "name": "acme-ams1-ar01",
                            "platform": "arista_eos",
                            "model": "DCS-7010T-48",
                            "version": "4.28.3M",
                        },
                        {
                            "name": "acme-ams1-jn01",
                            "platform": "juniper_junos",
                            "model": "QFX5120-48Y-8C",
                            "version": "22.4R3-S2.11",
                            "config_lines": {"add": [JUNOS_ADDED], "remove": [JUNOS_REMOVED]},
                        },
                    ]
                },
            }
        },
        "globex": {
            "sites": {
                "nyc1": {
                    "devices": [
                        {
                            "name": "globex-nyc1-fw01",
                            "platform": "paloalto_panos",
                            "model": "PA-3250",
                            "version": "9.1.17",
                        },
                        {
                            "name": "globex-nyc1-fg01",
                            "platform": "fortinet",
                            "model": "FortiGate-60F",
                            "version": "7.4.8",
                        },
                        {  # multi-VDOM: `show` prints the `config global` and `config vdom` blocks
                            "name": "globex-nyc1-fg02",
                            "platform": "fortinet",
                            "model": "FortiGate-60F",
                            "version": "7.4.8",
                            "vdoms": ["root", "cust-a"],
                        },
                    ]
                }
            }
        },
    }
}


def _devices() -> list[tuple[str, str, dict[str, Any]]]:
    """(customer, site, device) of the estate above."""
    return [
        (customer, site, device)
        for customer, body in ESTATE["customers"].items()
        for site, sbody in body["sites"].items()
        for device in sbody["devices"]
    ]


def expected_files(customer: str) -> set[str]:
    """The files a customer's repository must hold: every device that answers, as `<site>/<device>.cfg`."""
    return {
        f"{site}/{device['name']}.cfg"
        for c, site, device in _devices()
        if c == customer and "refuse" not in device.get("faults", [])
    }


def failed_count(customer: str) -> int:
    return sum(1 for c, _, device in _devices() if c == customer and "refuse" in device.get("faults", []))


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin"}
    ).stdout


def commits(repo: Path, ref: str = "HEAD") -> list[str]:
    return git(repo, "log", "--format=%H", ref).split()


def planted_secrets(estate_file: Path) -> dict[str, str]:
    """Every secret the lab plants in the served configurations, by device and kind."""
    found: dict[str, str] = {}
    for device in load_estate(estate_file).devices:
        found |= {f"{device.name}/{kind}": value for kind, value in _secrets_of(device).items()}
    found["acme-ams1-jn01/added_community"] = JUNOS_COMMUNITY
    return found


def _secrets_of(device: Device) -> dict[str, str]:
    if device.platform == "paloalto_panos":
        return panos_lab.config_secrets(device)
    if device.platform == "fortinet":
        return fortinet_lab.config_secrets(device)
    return configs.config_secrets(device)


@pytest.fixture(scope="module")
def backup_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabInfo, Path]]:
    work = tmp_path_factory.mktemp("backup-lab")
    with running_lab(work, ESTATE) as info:
        yield info, work


def _backup(work: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, Path, dict[str, Any]]:
    args = ["backup", "--customer", "all", "--inventory", str(work / "inventory"), "--out", str(work / "out")]
    code, out, err = run_cli([*args, "--repo-root", str(work / "backups")], capsys)
    assert err == ""
    folder = run_folder(out)
    assert rebuilds_its_page(folder)  # with its Backup table, from results.json
    hosts = json.loads((folder / "results.json").read_text(encoding="utf-8"))["hosts"]
    return code, folder, hosts


def test_three_backups_commit_everything_then_nothing_then_one_file(
    backup_lab: tuple[LabInfo, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    info, work = backup_lab
    use_lab_credentials(monkeypatch, info)
    monkeypatch.setenv("ESTATE_CONNECT_TIMEOUT", "5")
    monkeypatch.setenv("ESTATE_COMMAND_TIMEOUT", "10")
    monkeypatch.setenv("HOME", str(work))  # no git configuration: the identity is estate's own, per commit
    customers = sorted(ESTATE["customers"])
    remotes = work / "remotes"
    for customer in customers:
        subprocess.run(["git", "init", "-q", "--bare", str(remotes / f"{customer}.git")], check=True)
    monkeypatch.setenv("ESTATE_BACKUP_REMOTE", str(remotes / "{customer}.git"))
    repos = {c: work / "backups" / c for c in customers}

    # 1: every reachable device is committed, once per customer; the unreachable one is an ERROR row.
    code, first, hosts = _backup(work, capsys)
    assert code == 2  # a device could not be checked
    for customer, repo in repos.items():
        assert len(commits(repo)) == 1
        assert set(git(repo, "ls-tree", "-r", "--name-only", "HEAD").split()) == expected_files(customer)
        n = len(expected_files(customer))
        subject = git(repo, "log", "-1", "--format=%s").strip()
        assert subject == f"estate backup {first.name}: {n} changed, 0 unchanged, {failed_count(customer)} failed"
        assert git(repo, "log", "-1", "--format=%an <%ae>").strip() == "estate <estate@localhost>"
        assert commits(remotes / f"{customer}.git", "main") == commits(repo)
    assert hosts[UNREACHABLE]["status"] == "error"
    assert hosts[UNREACHABLE]["backup"]["status"] == "failed"
    assert {name for name, h in hosts.items() if h["backup"]["status"] == "changed"} == {
        device["name"] for _, _, device in _devices() if device["name"] != UNREACHABLE
    }
    rows = {row["Device"]: row for row in sheet_rows(first / "report.xlsx", "Backup")}
    assert rows["acme-lon1-sw01"]["Status"] == "changed" and rows["acme-lon1-sw01"]["Lines added"] > 10
    assert rows["acme-lon1-sw01"]["Commit"] == commits(repos["acme"])[0][:12]
    assert rows[UNREACHABLE]["Status"] == "failed" and rows[UNREACHABLE]["Commit"] is None
    junos = (repos["acme"] / "ams1" / "acme-ams1-jn01.cfg").read_text(encoding="utf-8")
    assert "set snmp community <removed> authorization read-only" in junos  # the estate's config_lines
    assert "set system services netconf" not in junos

    # 2: nothing changed on any device: no commit anywhere, every file unchanged.
    code, second, hosts = _backup(work, capsys)
    assert code == 2
    for repo in repos.values():
        assert len(commits(repo)) == 1
    assert {h["backup"]["status"] for n, h in hosts.items() if n != UNREACHABLE} == {"unchanged"}
    assert {row["Commit"] for row in sheet_rows(second / "report.xlsx", "Backup")} == {None}

    # 3: one device's configuration changes in the running lab: one commit holding exactly its file.
    control.ctl(work / "state", "set-config", CHANGED_DEVICE, "--add", CHANGED_LINE)
    code, third, hosts = _backup(work, capsys)
    acme, globex = repos["acme"], repos["globex"]
    assert len(commits(acme)) == 2 and len(commits(globex)) == 1
    assert git(acme, "show", "--name-only", "--format=", "HEAD").split() == [f"lon1/{CHANGED_DEVICE}.cfg"]
    assert f"+{CHANGED_LINE}" in git(acme, "log", "-p").split("\n")
    n = len(expected_files("acme"))
    assert git(acme, "log", "-1", "--format=%s").strip() == (
        f"estate backup {third.name}: 1 changed, {n - 1} unchanged, {failed_count('acme')} failed"
    )
    assert hosts[CHANGED_DEVICE]["backup"] == {
        "status": "changed",
        "file": f"lon1/{CHANGED_DEVICE}.cfg",
        "added": 1,
        "removed": 0,
        "commit": commits(acme)[0],
        "repository": str(acme),
        "reason": None,
    }
    assert commits(remotes / "acme.git", "main") == commits(acme)

    # No planted secret, no lab credential, no secret-shaped text: in any history, run folder or log.
    secrets = planted_secrets(work / "estate.yaml")
    assert len(secrets) > 30
    texts = {f"{repo} history": git(repo, "log", "-p", "--all") for repo in [*repos.values(), *remotes.iterdir()]}
    files = [p for p in [*(work / "backups").rglob("*"), *(work / "out").rglob("*")] if p.is_file()]
    texts |= {str(p): p.read_bytes().decode("utf-8", "replace") for p in files}
    assert any(path.endswith("run.log") for path in texts)
    for where, text in texts.items():
        assert [kind for kind, value in secrets.items() if value in text] == [], where
        assert info.password not in text, where
        assert leaks(text) == [], where
