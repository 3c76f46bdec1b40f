"""Compliance judges a device's newest backup when it is younger than `compliance.max_backup_age_h`, else the
configuration read from the device now: a change made after the backup is seen only in the second case."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lab import control
from tests.integration.conftest import OEM_SR, _fw, running_lab, use_lab_credentials
from tests.integration.test_audit import run_cli

pytestmark = pytest.mark.integration

DEVICE = "gamma-lon1-fw01"
ESTATE: dict[str, Any] = {
    "customers": {"gamma": {"sites": {"lon1": {"devices": [_fw(DEVICE, "PA-3220", "10.1.9", [OEM_SR])]}}}}
}
RULE = "ntp-servers"  # compliance/paloalto_panos.yaml: required, met by the lab's ntp-server-address lines


def _rule_verdict(out_dir: Path) -> tuple[str, str]:
    """The newest compliance run's verdict of RULE on DEVICE, and its run.log."""
    run_dir = sorted(out_dir.glob("*-compliance-*"))[-1]
    host = json.loads((run_dir / "results.json").read_text())["hosts"][DEVICE]
    verdict = next(entry["verdict"] for entry in host["compliance"] if entry["rule"] == RULE)
    return verdict, (run_dir / "run.log").read_text()


def test_a_young_backup_is_judged_and_an_old_one_is_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_lab(tmp_path, ESTATE) as info:
        use_lab_credentials(monkeypatch, info)
        out = tmp_path / "out"
        where = ["--customer", "gamma", "--inventory", str(tmp_path / "inventory"), "--out", str(out)]
        code, _, err = run_cli(["backup", *where, "--repo-root", str(tmp_path / "backups")], capsys)
        assert code == 0, err
        # after the backup, the device loses its NTP servers
        control.ctl(info.state_dir, "set-config", DEVICE, "--remove", r"^\s*ntp-server-address ")

        run_cli(["compliance", *where], capsys)
        verdict, log = _rule_verdict(out)
        assert verdict == "PASS", "the backup (taken before the change) is judged"
        assert "configuration of 1 of 1 devices from backups younger than 24 h" in log

        monkeypatch.setenv("ESTATE_COMPLIANCE_MAX_BACKUP_AGE_H", "0.0001")  # the backup is now too old
        run_cli(["compliance", *where], capsys)
        verdict, log = _rule_verdict(out)
        assert verdict == "FAIL", "the device's configuration read now is judged"
        assert "configuration read from every device (no backup younger than 0.0001 h)" in log
