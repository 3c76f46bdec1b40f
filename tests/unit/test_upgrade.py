"""The upgrade's gate (which pre-upgrade run it starts from) and what it does with each device."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from reports.json_report import write_results_json
from tasks.errors import UsageError
from tasks.models import Facts, Finding, HostRecord, RunInfo, RunResult, Severity, Verdict
from tasks.models.plan import Download, Hop, UpgradePlan
from tasks.models.upgrade import ImageServer, StepKind, StepResult, UpgradeStatus
from workflows.upgrade import (
    UpgradeOptions,
    check_from_run,
    check_options,
    find_preupgrade,
    force_warnings,
    plan_device,
)

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
PAN = "paloalto_panos"
TARGETS = {PAN: "10.2.4-h4"}
PLAN = UpgradePlan(PAN, "PA-850", "10.1.9", "10.2.4-h4", (Hop("10.1.9", "10.2.4-h4", (Download("10.2.4-h4", 600),)),),
                   Verdict.PASS)  # fmt: skip


def _host(name: str, verdict: Verdict = Verdict.PASS, platform: str = PAN) -> HostRecord:
    finding = Finding("disk_space", Severity.BLOCKER, verdict, "only 500 MB free")
    facts = Facts(name, "PA-850", "1", "10.1.9")
    return HostRecord(name, "acme", "lon1", platform, facts=facts, findings=[finding], plan=PLAN)


def _run(out: Path, hours_ago: float, target: str = "10.2.4-h4", hosts: tuple[str, ...] = ("fw1", "fw2"),
         command: str = "pre-upgrade") -> Path:  # fmt: skip
    started = NOW - timedelta(hours=hours_ago)
    rid = f"{started:%Y%m%dT%H%M%SZ}-{command}-acme"
    folder = out / rid
    folder.mkdir(parents=True)
    info = RunInfo(rid, command, ["acme"], target, started.isoformat(timespec="seconds"))
    write_results_json(RunResult(info, [_host(h) for h in hosts]), folder / "results.json")
    return folder


def test_the_newest_covering_run_of_the_same_target_is_chosen(tmp_path: Path) -> None:
    _run(tmp_path, 5)
    newest = _run(tmp_path, 2)
    _run(tmp_path, 1, hosts=("fw1",))  # newer, but does not cover fw2
    _run(tmp_path, 0.5, target="11.1.4-h7")  # newer, another target
    _run(tmp_path, 0.2, command="audit")  # newer, not a pre-upgrade
    found = find_preupgrade(tmp_path, ["fw1", "fw2"], TARGETS, NOW, 24)
    assert found is not None and found[0] == newest


def test_no_run_young_enough_means_none(tmp_path: Path) -> None:
    _run(tmp_path, 30)
    assert find_preupgrade(tmp_path, ["fw1"], TARGETS, NOW, 24) is None
    assert find_preupgrade(tmp_path / "missing", ["fw1"], TARGETS, NOW, 24) is None


def _read(folder: Path) -> RunResult:
    from reports.runfolder import read_run

    return read_run(folder)


def test_from_run_too_old_says_its_age_and_the_limit(tmp_path: Path) -> None:
    folder = _run(tmp_path, 30)
    with pytest.raises(UsageError, match=r"30\.0 h old, older than upgrade.max_preupgrade_age_h \(24 h\)"):
        check_from_run(folder, _read(folder), ["fw1"], TARGETS, NOW, 24)


def test_from_run_of_another_target_or_command_or_hosts_is_refused(tmp_path: Path) -> None:
    other = _run(tmp_path, 1, target="11.1.4-h7")
    with pytest.raises(UsageError, match=r"another target \(paloalto_panos: 11.1.4-h7\)"):
        check_from_run(other, _read(other), ["fw1"], TARGETS, NOW, 24)
    audit = _run(tmp_path, 2, command="audit")
    with pytest.raises(UsageError, match=r"not a pre-upgrade run folder \(its command: audit\)"):
        check_from_run(audit, _read(audit), ["fw1"], TARGETS, NOW, 24)
    good = _run(tmp_path, 3)
    with pytest.raises(UsageError, match=r"does not cover 1 selected devices, e\.g\. fw9"):
        check_from_run(good, _read(good), ["fw1", "fw9"], TARGETS, NOW, 24)
    check_from_run(good, _read(good), ["fw1", "fw2"], TARGETS, NOW, 24)  # fits: no error


def test_bad_upgrade_flags_are_one_line_each(tmp_path: Path) -> None:
    check_options(UpgradeOptions(execute=True))  # fine
    with pytest.raises(UsageError, match=r"^--resume x: not a run folder$"):
        check_options(UpgradeOptions(resume=Path("x")))
    with pytest.raises(UsageError, match=r"^--resume: continues the run as it was planned; --from-run and --force"):
        check_options(UpgradeOptions(resume=tmp_path, force=True))
    with pytest.raises(UsageError, match="--max-per-site"):
        check_options(UpgradeOptions(max_per_site=0))


def test_no_go_is_skipped_with_its_first_reason_and_force_lets_it_through_without_the_recheck() -> None:
    no_go = _host("fw1", Verdict.FAIL)
    skipped = plan_device(no_go, force=False)
    assert (skipped.status, skipped.reason) == (UpgradeStatus.SKIPPED, "NO-GO: disk_space: only 500 MB free")
    forced = plan_device(no_go, force=True)
    assert forced.status is UpgradeStatus.DRY_RUN and "NO-GO: disk_space" in forced.forced
    recheck = [s for s in forced.steps if s.kind is StepKind.RECHECK]
    assert recheck and all(s.result is StepResult.SKIPPED for s in recheck)
    go = plan_device(_host("fw2"), force=False)
    assert go.status is UpgradeStatus.DRY_RUN and not go.forced
    assert {s.result for s in go.steps} == {StepResult.DRY_RUN}


def test_a_platform_without_upgrade_is_skipped_with_its_reason_even_when_forced() -> None:
    switch = _host("sw1", platform="cisco_nxos")
    device = plan_device(switch, force=True)
    assert (device.status, device.reason) == (UpgradeStatus.SKIPPED, "upgrade not supported for NX-OS yet")


def test_force_warns_naming_what_the_gate_would_have_skipped_and_the_skipped_recheck() -> None:
    records = {}
    for host in (_host("fw1", Verdict.FAIL), _host("fw2")):
        records[host.name] = replace(host, upgrade=plan_device(host, force=True))
    lines = force_warnings(records)
    assert lines[0].startswith("--force: the gate would have skipped 1 devices, shown anyway: fw1 (")
    assert "NO-GO: disk_space: only 500 MB free" in lines[0] and "fw2" not in lines[0]
    assert lines[1] == "--force: known-issue re-check skipped for 2 devices: fw1, fw2"
    assert force_warnings({"fw2": replace(_host("fw2"), upgrade=plan_device(_host("fw2"), force=False))}) == []


FOS_HOP = Hop("7.2.6", "7.4.8", (Download("7.4.8", 90),))
FOS_PLAN = UpgradePlan("fortinet", "FortiGate-60F", "7.2.6", "7.4.8", (FOS_HOP,), Verdict.PASS)


def test_the_dry_run_names_the_image_and_server_of_the_customer_when_configured_else_placeholders() -> None:
    facts = Facts("fw3", "FortiGate-60F", "1", "7.2.6")
    fortigate = HostRecord("fw3", "acme", "fra1", "fortinet", facts=facts, findings=[], plan=FOS_PLAN)
    configured = plan_device(fortigate, force=False, image_server=ImageServer("192.0.2.10"))
    install = next(s for s in configured.steps if s.kind is StepKind.INSTALL)
    assert install.command == "execute restore image tftp FGT_60F-v7.4.8-FORTINET.out 192.0.2.10"
    unset = next(s for s in plan_device(fortigate, force=False).steps if s.kind is StepKind.INSTALL)
    assert unset.command == "execute restore image tftp <image of 7.4.8> <image server>"
    panos = plan_device(_host("fw2"), force=False, image_server=ImageServer("192.0.2.10"))
    assert panos.steps == plan_device(_host("fw2"), force=False).steps  # it downloads its own images
