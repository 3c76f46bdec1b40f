"""Every platform end to end, parametrised: netmiko's SSHDetect names it, and `estate audit` over real SSH
judges its optics: OEM PASS, third-party WARN, and FAIL once a blocker known issue applies to the target."""

from __future__ import annotations

import importlib
import random
import shutil
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from netmiko import SSHDetect

from lab import control
from lab.estates.multivendor import sample_device
from tasks.platforms import PLATFORMS
from tests.integration.conftest import running_lab, use_lab_credentials
from tests.integration.test_audit import run_cli, run_folder, sheet_rows

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
ALL = sorted(PLATFORMS)


def platform_estate() -> dict[str, Any]:
    rng = random.Random(7)
    sites = {
        platform: {
            "devices": [
                sample_device(platform, f"{platform.replace('_', '-')}-oem", False, rng),
                sample_device(platform, f"{platform.replace('_', '-')}-3p", True, rng),
            ]
        }
        for platform in ALL
    }
    return {"customers": {"multi": {"sites": sites}}}


@dataclass(frozen=True)
class PlatformLab:
    info: control.LabInfo
    estate: dict[str, Any]
    detected: dict[str, Future[str | None]]


@pytest.fixture(scope="module")
def platform_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlatformLab]:
    estate = platform_estate()
    # SSHDetect waits ~7 s per probe command; probe every platform at once, alongside the other tests.
    with running_lab(tmp_path_factory.mktemp("platform-lab"), estate) as info, ThreadPoolExecutor(len(ALL)) as pool:
        detected = {
            platform: pool.submit(
                lambda port: SSHDetect(
                    device_type="autodetect",
                    host="127.0.0.1",
                    port=port,
                    username=info.username,
                    password=info.password,
                ).autodetect(),
                info.devices[f"{platform.replace('_', '-')}-oem"],
            )
            for platform in ALL
        }
        yield PlatformLab(info, estate, detected)


def _optics(lab: PlatformLab, platform: str, name: str) -> list[dict[str, str]]:
    devices = lab.estate["customers"]["multi"]["sites"][platform]["devices"]
    return next(d for d in devices if d["name"] == name)["optics"]


def _audit(
    lab: PlatformLab, platform: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, dict[tuple[str, str], dict[str, Any]]]:
    assert lab.info.inventory is not None
    code, out, _ = run_cli(
        ["audit", "--inventory", str(lab.info.inventory), "--out", str(tmp_path), "--site", platform, *extra], capsys
    )
    rows = sheet_rows(run_folder(out) / "report.xlsx", "Transceivers")
    return code, {(r["Device"], r["Port"]): r for r in rows}


@pytest.fixture
def credentials(platform_lab: PlatformLab, monkeypatch: pytest.MonkeyPatch) -> None:
    use_lab_credentials(monkeypatch, platform_lab.info)


@pytest.mark.parametrize("platform", ALL)
def test_audit_without_target_warns_on_third_party_optics_only(
    platform_lab: PlatformLab, credentials: None, platform: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, rows = _audit(platform_lab, platform, tmp_path, capsys)
    oem, third = f"{platform.replace('_', '-')}-oem", f"{platform.replace('_', '-')}-3p"
    assert code == 0
    for optic in _optics(platform_lab, platform, oem):
        assert rows[(oem, optic["port"])]["Verdict"] == "PASS", optic
    verdicts = {rows[(third, o["port"])]["Verdict"] for o in _optics(platform_lab, platform, third)}
    assert "WARN" in verdicts and verdicts <= {"PASS", "WARN"}


@pytest.mark.parametrize("platform", ALL)
def test_a_blocker_known_issue_for_the_target_fails_third_party_optics(
    platform_lab: PlatformLab,
    credentials: None,
    platform: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A team's own lesson learned (matrices/local/), from the running release on: a blocker for non-OEM optics.
    matrices = tmp_path / "matrices"
    shutil.copytree(ROOT / "matrices", matrices)
    version = importlib.import_module(f"lab.personalities.{platform}").DEMO_VERSIONS[0]
    lesson = {
        "platform": platform,
        "known_issues": [
            {
                "id": f"TEST-{platform}",
                "title": "test lesson",
                "platform": platform,
                "from_release": version,
                "condition": "non_oem_optic",
                "severity": "blocker",
                "message": "third-party optics go down after this upgrade",
                "source": {"kind": "field-report", "note": "integration test"},
            }
        ],
    }
    (matrices / "local" / f"test-{platform}.yaml").write_text(yaml.safe_dump(lesson, sort_keys=False))
    monkeypatch.setenv("ESTATE_MATRICES", str(matrices))
    code, rows = _audit(platform_lab, platform, tmp_path / "out", capsys, "--target", f"{platform}={version}")
    third = f"{platform.replace('_', '-')}-3p"
    failing = {
        (third, o["port"]) for o in _optics(platform_lab, platform, third) if rows[(third, o["port"])]["OEM"] == "no"
    }
    assert failing, "the third-party device must hold a non-OEM optic"
    assert {k for k, r in rows.items() if r["Verdict"] == "FAIL"} == failing
    assert all("TEST-" in rows[k]["Reason"] for k in failing)
    assert code == 1


@pytest.mark.parametrize("platform", ALL)
def test_sshdetect_names_the_platform(platform_lab: PlatformLab, platform: str) -> None:
    detected = platform_lab.detected[platform].result(timeout=300)
    # netmiko's own detection: real IOS-XE output answers cisco_xe, which netmiko drives with the cisco_ios class.
    assert detected in ({"cisco_ios", "cisco_xe"} if platform == "cisco_ios" else {platform})
