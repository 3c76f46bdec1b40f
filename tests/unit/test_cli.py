"""The CLI's input handling: every bad flag or file is exit 3 with one line, and nothing is written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rich.console import Console

from tasks.models import Finding, HostRecord, RunInfo, RunResult, Severity, Verdict
from workflows.cli import main, print_summary
from workflows.run import RunOutcome

REPO = Path(__file__).resolve().parents[2]
INVENTORY = REPO / "inventory"


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESTATE_USERNAME", "ops")
    monkeypatch.setenv("ESTATE_PASSWORD", "pw-from-env")
    monkeypatch.delenv("CI_NODE_INDEX", raising=False)
    monkeypatch.delenv("CI_NODE_TOTAL", raising=False)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_inventory_check_prints_counts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["inventory", "check", "--inventory", str(INVENTORY)], capsys)
    assert code == 0
    assert "inventory OK: 1 customers, 3 hosts" in out
    assert "example-corp" in out and "paloalto_panos" in out


def test_inventory_check_needs_no_credentials(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ESTATE_PASSWORD")
    assert run(["inventory", "check", "--inventory", str(INVENTORY)], capsys)[0] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["audit", "--bogus"], "unrecognized arguments: --bogus"),
        (["audit", "--target", "99.9.9"], "--target 99.9.9: not a release of any selected platform"),
        (["audit", "--target", "cisco_wlc=8.10"], "--target cisco_wlc=8.10: unknown platform 'cisco_wlc'"),
        (["audit", "--target", "10.2.x"], "--target 10.2.x: not a release"),
        (["audit", "--shard", "3/2"], "--shard: expected K/N with 1 <= K <= N, got '3/2'"),
        (["audit", "--customer", "nope"], "--customer: no customer 'nope' in the inventory (customers: example-corp)"),
        (["audit", "--site", "mars1"], "--site: unknown 'mars1'"),
        (["audit", "--workers", "0"], "--workers: must be 1 to 1000, got 0"),
        (["audit", "--workers", "1001"], "--workers: must be 1 to 1000, got 1001"),
        (["audit", "--processes", "0"], "--processes: must be 1 to 64, got 0"),
        (["pre-upgrade", "--target", "10.2.4-h4", "--via", ""], "--via: expected releases separated by commas"),
        (["pre-upgrade", "--target", "10.2.4-h4", "--via", "10.1.9,"], "--via: expected releases separated by"),
        (["audit", "--filter", "model"], "--filter: expected key=value, got 'model'"),
        (["audit", "--limit", "nothing-matches*"], "the selection matches no host"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_flags_are_one_line_exit_3_and_write_nothing(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "output"
    extra = ["--inventory", str(INVENTORY), "--out", str(out_dir)] if args[0] in ("audit", "pre-upgrade") else []
    code, _, err = run([*args, *extra], capsys)
    assert code == 3
    assert message in err, err
    assert len(err.strip().splitlines()) == 1
    assert not out_dir.exists()


def test_broken_config_file_names_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("user_defined:\n  estate:\n    command_timeout: soon\n")
    code, _, err = run(["audit", "--config", str(config), "--inventory", str(INVENTORY)], capsys)
    assert code == 3
    assert f"{config}:3: user_defined.estate.command_timeout: expected float, got 'soon'" in err


def test_broken_lab_estate_names_file_and_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    estate = tmp_path / "estate.yaml"
    estate.write_text("customers:\n  acme:\n    sites:\n      lon1:\n        devices:\n          - name: fw1\n")
    code, _, err = run(["lab", "up", "--estate", str(estate)], capsys)
    assert code == 3
    assert str(estate) in err and "devices[0]" in err and "platform" in err


def _outcome(go_no_go: bool) -> RunOutcome:
    def record(name: str, site: str, verdict: Verdict, message: str = "ok") -> HostRecord:
        findings = [Finding("ntp_sync", Severity.BLOCKER, verdict, message)]
        return HostRecord(name, "acme", site, "paloalto_panos", findings=findings)

    hosts = [
        record("acme-lon1-fw01", "lon1", Verdict.PASS),
        record("acme-lon1-fw02", "lon1", Verdict.FAIL, "not synchronised"),
        record("acme-par1-fw01", "par1", Verdict.PASS),
        HostRecord("acme-par2-fw01", "acme", "par2", "paloalto_panos", status="error", error_stage="login", error="no"),
    ]
    result = RunResult(RunInfo("r", "pre-upgrade", ["acme"], "10.2.4-h4", ""), hosts)
    return RunOutcome(result, Path("output/r"), 2, go_no_go=go_no_go)


def test_the_terminal_shows_the_go_no_go_of_the_summary_sheet() -> None:
    console = Console(record=True, width=200)
    print_summary(_outcome(go_no_go=True), console)
    text = console.export_text()
    assert "GO 1 sites, NO-GO 2 sites (devices: GO 2, NO-GO 2)" in text
    assert "acme-lon1-fw02: ntp_sync: not synchronised" in text
    assert "acme-par2-fw01: could not be checked: login: no" in text
    assert text.strip().splitlines()[-1] == "run folder: output/r"


def test_the_terminal_counts_skipped_devices_apart_from_pass() -> None:
    skipped = HostRecord("acme-lon1-sw01", "acme", "lon1", "cisco_ios", findings=[Finding("ha", Severity.INFO,
                         Verdict.SKIPPED, "standalone")])  # fmt: skip
    passed = HostRecord("acme-lon1-fw01", "acme", "lon1", "cisco_ios", findings=[Finding("ha", Severity.INFO,
                        Verdict.PASS, "ok")])  # fmt: skip
    result = RunResult(RunInfo("r", "audit", ["acme"], None, ""), [skipped, passed])
    console = Console(record=True, width=200)
    print_summary(RunOutcome(result, Path("output/r"), 0), console)
    assert "PASS 1  WARN 0  FAIL 0  ERROR 0  SKIPPED 1" in console.export_text()


def test_a_run_that_decides_no_upgrade_shows_blockers_and_errors_instead() -> None:
    console = Console(record=True, width=200)
    print_summary(_outcome(go_no_go=False), console)
    text = console.export_text()
    assert "NO-GO" not in text
    assert "1 devices block the upgrade" in text and "1 devices could not be checked" in text


def test_host_written_twice_is_exit_3_naming_file_line_and_host(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "acme").mkdir()
    (tmp_path / "groups.yaml").write_text("paloalto_panos: {platform: paloalto_panos}\n")
    host = "  hostname: 192.0.2.{n}\n  groups: [paloalto_panos]\n  data: {{site: lon1, role: edge-fw}}\n"
    hosts = tmp_path / "acme" / "hosts.yaml"
    hosts.write_text(
        "acme-fw1:\n" + host.format(n=1) + "acme-fw2:\n" + host.format(n=2) + "acme-fw1:\n" + host.format(n=3)
    )
    code, out, err = run(["inventory", "check", "--inventory", str(tmp_path)], capsys)
    assert code == 3
    assert err.strip() == f"estate: {hosts}:9: acme-fw1: written twice (first on line 1)", err
    assert len(err.strip().splitlines()) == 1 and "OK" not in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "is a folder, not a file"),
        (b"user_defined:\n  estate:\n    output: \xff\n", "not UTF-8 text"),
        (b"user_defined:\n  - estate\n", ":1: user_defined: expected a mapping, got list"),
        (b"user_defined:\n  estate: [inventory]\n", ":2: user_defined.estate: expected a mapping, got list"),
        (b"runner:\n  plugin: turbo\n", ":2: runner.plugin: unknown runner 'turbo' (registered: "),
        (b"runner: {plugin: threaded}\nrunner: {plugin: serial}\n", ":2: runner: written twice (first on line 1)"),
    ],
    ids=["folder", "not utf-8", "user_defined list", "estate list", "unknown runner", "duplicate key"],
)
def test_bad_config_file_is_one_line_exit_3(
    content: bytes | None, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.yaml"
    if content is None:
        config.mkdir()
    else:
        config.write_bytes(content)
    code, _, err = run(["inventory", "check", "--config", str(config), "--inventory", str(INVENTORY)], capsys)
    assert code == 3
    assert err.startswith(f"estate: {config}") and message in err, err
    assert len(err.strip().splitlines()) == 1


def test_environment_error_names_the_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESTATE_WORKERS", "abc")
    code, _, err = run(["inventory", "check", "--inventory", str(INVENTORY)], capsys)
    assert code == 3
    assert err.strip() == "estate: ESTATE_WORKERS (environment): expected int, got 'abc'", err


def _boom(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("boom\nsecond line")


def test_a_crash_before_the_run_is_exit_4_with_one_line_naming_the_crash_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("workflows.audit.prepare", _boom)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    code, out, err = run(["audit", "--inventory", str(INVENTORY), "--out", str(tmp_path / "output")], capsys)
    assert code == 4
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("estate: internal error: RuntimeError: boom (traceback in "), err
    crash_log = Path(err.strip().rpartition("(traceback in ")[2].rstrip(")"))
    assert crash_log.parent == tmp_path
    assert "Traceback" in crash_log.read_text() and "RuntimeError: boom" in crash_log.read_text()
    assert "Traceback" not in out


def test_a_crash_during_the_run_is_exit_4_with_the_traceback_in_run_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("workflows.run._run_hosts", _boom)
    code, _, err = run(["audit", "--inventory", str(INVENTORY), "--out", str(tmp_path / "output")], capsys)
    assert code == 4
    (run_dir,) = (tmp_path / "output").iterdir()
    assert err.strip().splitlines() == [
        f"estate: internal error: RuntimeError: boom (traceback in {run_dir / 'run.log'})"
    ], err
    text = (run_dir / "run.log").read_text()
    assert "internal error: RuntimeError: boom" in text and "Traceback (most recent call last)" in text


def test_with_verbose_a_crash_shows_its_traceback_then_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("workflows.run._run_hosts", _boom)
    code, _, err = run(["audit", "-v", "--inventory", str(INVENTORY), "--out", str(tmp_path / "output")], capsys)
    assert code == 4
    assert "Traceback (most recent call last)" in err, err
    assert err.strip().splitlines()[-1].startswith("estate: internal error: RuntimeError: boom"), err


def _one_line_exit_3(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = run(args, capsys)
    assert code == 3, (out, err)
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err.strip()


def test_report_merge_of_a_file_is_one_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shard = tmp_path / "report.xlsx"
    shard.write_text("not a run folder")
    out_dir = tmp_path / "merged"
    err = _one_line_exit_3(["report", "merge", str(shard), "--out", str(out_dir)], capsys)
    assert err == f"estate: {shard}: a file, not a run folder (give the folder that holds results.json)"
    assert not out_dir.exists()


@pytest.mark.parametrize("command", [["audit"], ["pre-upgrade", "--target", "10.2.4-h4"], ["report", "merge", "x"]])
def test_out_naming_an_existing_file_is_one_line(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "output"
    out_file.write_text("a file")
    inventory = [] if command[0] == "report" else ["--inventory", str(INVENTORY)]
    for out in (out_file, out_file / "sub"):
        err = _one_line_exit_3([*command, *inventory, "--out", str(out)], capsys)
        assert err == f"estate: --out: {out_file} is a file, not a folder"
    assert out_file.read_text() == "a file" and list(tmp_path.iterdir()) == [out_file]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ESTATE_MIN_CONTENT", "abc", "ESTATE_MIN_CONTENT (environment): expected a content version such as 8635"),
        ("ESTATE_WORKERS", "5000", "ESTATE_WORKERS (environment): must be 1 to 1000, got 5000"),
        ("ESTATE_PROCESSES", "65", "ESTATE_PROCESSES (environment): must be 1 to 64, got 65"),
        ("ESTATE_OUTPUT", "FILE", "ESTATE_OUTPUT (environment): {file} is a file, not a folder"),
    ],
)
def test_a_bad_environment_variable_is_named_before_anything_runs(
    variable: str,
    value: str,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    file = tmp_path / "a-file"
    file.write_text("")
    monkeypatch.setenv(variable, str(file) if value == "FILE" else value)
    monkeypatch.chdir(tmp_path)  # no config.yaml here: the value can only come from the environment
    out_dir = tmp_path / "output"
    args = ["pre-upgrade", "--target", "10.2.4-h4", "--inventory", str(INVENTORY)]
    err = _one_line_exit_3([*args, *(["--out", str(out_dir)] if variable != "ESTATE_OUTPUT" else [])], capsys)
    assert err.startswith(f"estate: {message.format(file=file)}"), err
    assert "config.yaml" not in err and not out_dir.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("user_defined:\n  estate:\n    min_content: abc\n", ":3: user_defined.estate.min_content: expected a content"),
        ("user_defined:\n  estate:\n    workers: 5000\n", ":3: user_defined.estate.workers: must be 1 to 1000"),
        ("user_defined:\n  estate:\n    processes: 99\n", ":3: user_defined.estate.processes: must be 1 to 64"),
        ("runner:\n  options:\n    num_workers: 0\n", ":3: runner.options.num_workers: must be greater than 0"),
    ],
)
def test_a_bad_config_value_names_file_line_and_key(
    text: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(text)
    out_dir = tmp_path / "output"
    args = ["audit", "--config", str(config), "--inventory", str(INVENTORY), "--out", str(out_dir)]
    assert _one_line_exit_3(args, capsys).startswith(f"estate: {config}{message}")
    assert not out_dir.exists()


def test_bad_connection_options_in_an_inventory_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inventory)
    defaults = inventory / "defaults.yaml"
    defaults.write_text("port: 22\nconnection_options: {netmiko: 5}\n")
    out_dir = tmp_path / "output"
    err = _one_line_exit_3(["audit", "--inventory", str(inventory), "--out", str(out_dir)], capsys)
    assert err.startswith(f"estate: {defaults}:2: connection_options.netmiko: input should be a valid dictionary")
    assert not out_dir.exists()


@pytest.mark.parametrize("command", [["audit"], ["pre-upgrade", "--target", "10.2.4-h4"]])
def test_an_unknown_customer_is_named_before_credentials_are_asked_for(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ESTATE_USERNAME")
    monkeypatch.delenv("ESTATE_PASSWORD")
    out_dir = tmp_path / "output"
    args = [*command, "--customer", "nobody", "--inventory", str(INVENTORY), "--out", str(out_dir)]
    err = _one_line_exit_3(args, capsys)
    assert err == "estate: --customer: no customer 'nobody' in the inventory (customers: example-corp)"
    assert not out_dir.exists()


def test_only_the_selected_customers_need_credentials(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    inventory = tmp_path / "inventory"
    shutil.copytree(INVENTORY, inventory)
    shutil.copytree(INVENTORY / "example-corp", inventory / "other-corp")
    hosts = inventory / "other-corp" / "hosts.yaml"
    hosts.write_text(hosts.read_text().replace("example-corp", "other-corp"))
    groups = inventory / "other-corp" / "groups.yaml"
    groups.write_text(groups.read_text().replace("example-corp", "other-corp"))
    monkeypatch.delenv("ESTATE_USERNAME")
    monkeypatch.delenv("ESTATE_PASSWORD")
    monkeypatch.setenv("ESTATE_OTHER_CORP_USERNAME", "ops")
    monkeypatch.setenv("ESTATE_OTHER_CORP_PASSWORD", "pw")
    monkeypatch.setattr("workflows.audit.execute", lambda *args, **kwargs: _boom())  # stop before connecting
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    code, _, err = run(["audit", "--customer", "other-corp", "--inventory", str(inventory)], capsys)
    assert code == 4 and "RuntimeError: boom" in err  # prepare() passed: credentials of other-corp were enough
    err = _one_line_exit_3(["audit", "--customer", "all", "--inventory", str(inventory)], capsys)
    assert "credentials for customer example-corp: ESTATE_USERNAME is not set" in err


def test_lab_ctl_without_a_running_lab_is_one_line_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab", "ctl", "replace-optics", "fw1", "--state-dir", str(tmp_path)]) == 3
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no lab is running" in err


def test_lab_status_json_without_a_running_lab_is_an_empty_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lab", "status", "--json", "--state-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == "[]"


@pytest.mark.parametrize(("argv", "code"), [(["--help"], 0), (["audit", "--no-such-flag"], 3)])
def test_the_command_exits_with_mains_code(argv: list[str], code: int) -> None:
    """`python -m workflows` (as the `estate` script, `workflows.command:main`) exits with what the CLI's main()
    returns, after its gc.freeze()."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "workflows", *argv], capture_output=True, text=True, timeout=120)
    assert done.returncode == code, done.stderr
