"""The backup workflow without devices: storing, committing and pushing collected configurations (real git, local
repositories only), the reasons a device cannot be backed up, and the input checks that make exit 3."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from reports.backup import backup_sheet
from tasks.errors import UsageError
from tasks.models import HostRecord, RunInfo, RunResult, Verdict
from tasks.models.backup import BackupStatus
from tasks.platforms import register, unregister
from tasks.platforms.base import Backup, Platform
from tasks.versions import dotted
from workflows.backup import Configs, cannot_back_up, check_backup_input, store
from workflows.cli import main


@pytest.fixture(autouse=True)
def no_git_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine without git configuration: estate must bring its own identity."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GIT_AUTHOR_NAME", raising=False)
    monkeypatch.delenv("GIT_COMMITTER_EMAIL", raising=False)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def host(name: str, site: str = "lon1", customer: str = "acme", **fields: object) -> HostRecord:
    return HostRecord(name, customer, site, "os", **fields)  # type: ignore[arg-type]


def result(run_id: str, *hosts: HostRecord) -> RunResult:
    return RunResult(RunInfo(run_id, "backup", ["acme"], None, ""), list(hosts))


def configs(**texts: str) -> Configs:
    store_ = Configs()
    for name, text in texts.items():
        store_.put(name.replace("_", "-"), text)
    return store_


def test_first_run_commits_every_device_and_the_second_nothing(tmp_path: Path) -> None:
    hosts = (host("sw-1"), host("sw-2", site="par1"))
    texts = configs(sw_1="hostname sw-1\nntp server 10.0.0.1", sw_2="hostname sw-2")
    first = store(result("run-1", *hosts), texts, tmp_path, None)
    repo = tmp_path / "acme"
    assert git(repo, "log", "--format=%s%n%an <%ae>").split("\n")[:2] == [
        "estate backup run-1: 2 changed, 0 unchanged, 0 failed",
        "estate <estate@localhost>",
    ]
    assert (repo / "lon1" / "sw-1.cfg").read_text() == "hostname sw-1\nntp server 10.0.0.1\n"
    assert [(h.backup.status, h.backup.added) for h in first.hosts if h.backup] == [
        (BackupStatus.CHANGED, 2),
        (BackupStatus.CHANGED, 1),
    ]
    second = store(result("run-2", *hosts), texts, tmp_path, None)
    assert len(git(repo, "log", "--format=%H").split()) == 1
    assert {h.backup.status for h in second.hosts if h.backup} == {BackupStatus.UNCHANGED}
    assert {h.backup.commit for h in second.hosts if h.backup} == {""}


def test_a_change_commits_only_its_file_and_counts_lines(tmp_path: Path) -> None:
    hosts = (host("sw-1"), host("sw-2"))
    store(result("run-1", *hosts), configs(sw_1="a\nb\nc", sw_2="x"), tmp_path, None)
    after = store(result("run-2", *hosts), configs(sw_1="a\nB\nc\nd", sw_2="x"), tmp_path, None)
    repo = tmp_path / "acme"
    assert git(repo, "show", "--name-only", "--format=%s", "HEAD").split("\n")[:3] == [
        "estate backup run-2: 1 changed, 1 unchanged, 0 failed",
        "",
        "lon1/sw-1.cfg",
    ]
    changed = after.hosts[0].backup
    assert changed is not None and (changed.added, changed.removed) == (2, 1)
    assert changed.commit == git(repo, "rev-parse", "HEAD").strip()
    rows = backup_sheet(after).rows
    assert rows[0][3:8] == ("lon1/sw-1.cfg", "changed", 2, 1, changed.commit[:12])
    assert rows[1][4:8] == ("unchanged", 0, 0, None)


def test_a_device_not_read_is_failed_nothing_written_and_the_old_file_kept(tmp_path: Path) -> None:
    store(result("run-1", host("sw-1"), host("sw-2")), configs(sw_1="a", sw_2="b"), tmp_path, None)
    down = host("sw-2", status="error", error_stage="connect", error="refused")
    after = store(result("run-2", host("sw-1"), down, host("sw-3")), configs(sw_1="a", sw_3="c"), tmp_path, None)
    repo = tmp_path / "acme"
    assert git(repo, "log", "-1", "--format=%B").strip().split("\n") == [
        "estate backup run-2: 1 changed, 1 unchanged, 1 failed",
        "",
        "changed: lon1/sw-3.cfg",
        "failed: sw-2",
    ]
    assert (repo / "lon1" / "sw-2.cfg").read_text() == "b\n"  # the last good backup stays
    failed = after.hosts[1]
    assert failed.verdict is Verdict.ERROR and failed.backup is not None
    assert (failed.backup.status, failed.backup.reason) == (BackupStatus.FAILED, "refused")
    assert "refused" not in git(repo, "log", "-p", "--all")  # reasons stay in the run folder


def test_every_customer_gets_its_own_repository(tmp_path: Path) -> None:
    hosts = (host("sw-1"), host("fw-1", customer="globex"))
    store(result("run-1", *hosts), configs(sw_1="a", fw_1="b"), tmp_path, None)
    assert git(tmp_path / "acme", "ls-files").split() == ["lon1/sw-1.cfg"]
    assert git(tmp_path / "globex", "ls-files").split() == ["lon1/fw-1.cfg"]


def test_push_to_a_bare_repository_per_customer_and_a_refused_push_is_a_warning(tmp_path: Path) -> None:
    bare = tmp_path / "remote-acme.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    remote = str(tmp_path / "remote-{customer}.git")
    store(result("run-1", host("sw-1")), configs(sw_1="a"), tmp_path / "b", remote)
    assert git(bare, "rev-parse", "main") == git(tmp_path / "b" / "acme", "rev-parse", "HEAD")
    pushed = store(result("run-2", host("fw-1", customer="globex")), configs(fw_1="b"), tmp_path / "b", remote)
    warnings = [f for f in pushed.hosts[0].findings if f.verdict is Verdict.WARN]
    assert len(warnings) == 1 and "remote-globex.git" in warnings[0].message
    assert pushed.hosts[0].backup is not None and pushed.hosts[0].backup.status is BackupStatus.CHANGED


@pytest.fixture
def bare_platform() -> Iterator[str]:
    """A platform with a backup command but no sanitiser."""
    register(
        Platform(
            device_type="bare_os",
            os_name="BareOS",
            vendor="Bare",
            commands={"facts": "show facts", "config": "show config"},
            facts_commands=("facts",),
            transceiver_commands=(),
            parse_facts=lambda outputs, prompt: None,  # type: ignore[arg-type,return-value]
            parse_transceivers=lambda outputs: [],
            parse_version=dotted("bare_os"),
            backup=Backup("config", lambda text: text),
        )
    )
    yield "bare_os"
    unregister("bare_os")


def test_a_platform_without_a_sanitiser_or_backup_says_why(bare_platform: str) -> None:
    reason = cannot_back_up(bare_platform)
    assert reason == "no configuration sanitiser for BareOS yet: its configuration would be stored with its secrets"


def test_input_checks(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="is a file, not a folder"):
        check_backup_input(tmp_path / "file", None, ["acme"])
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "acme").write_text("x")
    with pytest.raises(UsageError, match="root/acme is a file"):
        check_backup_input(tmp_path / "root", None, ["acme"])
    with pytest.raises(UsageError, match=r"backup.remote: https://<removed>@git.example.net/\{site\}.git"):
        check_backup_input(tmp_path, "https://u:pw@git.example.net/{site}.git", ["acme"])
    check_backup_input(tmp_path / "new", "/srv/{customer}.git", ["acme"])
    assert not (tmp_path / "new").exists()  # checked, not made


def test_cli_bad_repo_root_and_config_are_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("x")
    out = tmp_path / "out"
    assert main(["backup", "--repo-root", str(tmp_path / "file" / "sub"), "--out", str(out)]) == 3
    err = capsys.readouterr().err
    assert err.strip() == f"estate: --repo-root: {tmp_path / 'file'} is a file, not a folder"
    config = tmp_path / "config.yaml"
    config.write_text(f"user_defined:\n  estate:\n    backup:\n      root: {tmp_path / 'file'}\n")
    assert main(["backup", "--config", str(config), "--out", str(out)]) == 3
    err = capsys.readouterr().err
    assert err.startswith(f"estate: {config}:4: user_defined.estate.backup.root") and len(err.splitlines()) == 1
    config.write_text("user_defined:\n  estate:\n    backup:\n      remotes: x\n")
    assert main(["backup", "--config", str(config), "--out", str(out)]) == 3
    assert "backup.remotes: unknown setting (known: root, remote)" in capsys.readouterr().err
    assert not out.exists()


def test_a_repository_that_cannot_be_written_fails_its_customers_devices_only(tmp_path: Path) -> None:
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "lon1").write_text("a file where the site folder goes")
    hosts = (host("sw-1"), host("fw-1", customer="globex"))
    after = store(result("run-1", *hosts), configs(sw_1="a", fw_1="b"), tmp_path, None)
    acme, globex = after.hosts
    assert acme.verdict is Verdict.ERROR and acme.backup is not None and acme.backup.status is BackupStatus.FAILED
    assert str(tmp_path / "acme") in acme.error
    assert globex.backup is not None and globex.backup.status is BackupStatus.CHANGED


def test_backup_settings_from_config_then_environment(tmp_path: Path) -> None:
    from workflows.settings import Settings, load_settings

    assert (Settings().backup_root, Settings().backup_remote) == (Path("backups"), None)
    config = tmp_path / "config.yaml"
    config.write_text("user_defined:\n  estate:\n    backup: {root: /srv/backups, remote: '/srv/{customer}.git'}\n")
    from_file = load_settings(config, {})
    assert (from_file.backup_root, from_file.backup_remote) == (Path("/srv/backups"), "/srv/{customer}.git")
    from_env = load_settings(config, {"ESTATE_BACKUP_ROOT": str(tmp_path / "b"), "ESTATE_BACKUP_REMOTE": "git@h:x.git"})
    assert (from_env.backup_root, from_env.backup_remote) == (tmp_path / "b", "git@h:x.git")
