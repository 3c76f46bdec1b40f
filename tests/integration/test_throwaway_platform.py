"""docs/adding-a-platform.md, proven: a platform defined entirely inside tests/ is audited over SSH in the lab.

TinyOS (tests/throwaway/) brings its platform object, its lab personality and its matrix; the test registers
the platform, starts the lab with the personality as a plug-in, points estate at the matrix with
ESTATE_MATRICES, and runs `estate audit` and `estate pre-upgrade` in-process. No shared module knows TinyOS.
Expectations come from the estate below and the rules of tests/throwaway/matrices/tiny_os.yaml.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.state import LabInfo
from tasks.platforms import register, unregister
from tests.integration.conftest import running_lab, use_lab_credentials
from tests.integration.test_audit import run_cli, run_folder, sheet_rows
from tests.throwaway.platform import PLATFORM

pytestmark = pytest.mark.integration

MATRICES = Path(__file__).resolve().parents[1] / "throwaway" / "matrices"
OEM = {"port": "port1", "type": "10GBASE-SR", "vendor": "TINY", "part": "TINY-SR", "serial": "T0001"}
THIRD_PARTY = {"port": "port2", "type": "10GBASE-SR", "vendor": "FS", "part": "SFP-10GSR-85", "serial": "F0002"}
ESTATE = {
    "customers": {
        "tinyco": {
            "sites": {
                "hq": {
                    "devices": [
                        {"name": "tiny-oem", "platform": "tiny_os", "model": "TINY-1", "version": "1.0.3",
                         "optics": [OEM]},
                        {"name": "tiny-3p", "platform": "tiny_os", "model": "TINY-1", "version": "1.0.3",
                         "optics": [OEM, THIRD_PARTY]},
                    ]
                }
            }
        }
    }
}  # fmt: skip


@pytest.fixture(scope="module")
def tiny_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, LabInfo]]:
    root = tmp_path_factory.mktemp("throwaway")
    register(PLATFORM)
    try:
        with running_lab(root, ESTATE, plugins=("tests.throwaway.personality",), matrices=MATRICES) as info:
            yield root, info
    finally:
        unregister(PLATFORM.device_type)


@pytest.fixture
def tiny_env(tiny_lab: tuple[Path, LabInfo], monkeypatch: pytest.MonkeyPatch) -> Path:
    root, info = tiny_lab
    use_lab_credentials(monkeypatch, info)
    monkeypatch.setenv("ESTATE_MATRICES", str(MATRICES))
    return root


def _audit(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, Path]:
    args = ["audit", "--inventory", str(root / "inventory"), "--out", str(tmp_path), *extra]
    code, out, err = run_cli(args, capsys)
    assert err == "", err
    return code, run_folder(out)


def test_the_throwaway_platform_is_audited_over_ssh(
    tiny_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, folder = _audit(tiny_env, tmp_path, capsys)
    assert code == 0  # a third-party optic WARNs: works today, not on the vendor's list
    hosts = json.loads((folder / "results.json").read_text(encoding="utf-8"))["hosts"]
    assert {name: host["verdict"] for name, host in hosts.items()} == {"tiny-oem": "PASS", "tiny-3p": "WARN"}
    assert hosts["tiny-oem"]["facts"]["version"] == "1.0.3" and hosts["tiny-oem"]["facts"]["model"] == "TINY-1"
    optics = {(row["Device"], row["Port"]): row for row in sheet_rows(folder / "report.xlsx", "Transceivers")}
    assert set(optics) == {("tiny-oem", "port1"), ("tiny-3p", "port1"), ("tiny-3p", "port2")}
    third = optics[("tiny-3p", "port2")]
    seen = (third["Vendor"], third["Part number"], third["OEM"], third["Verdict"])
    assert seen == ("FS", "SFP-10GSR-85", "no", "WARN")
    assert "not on Tiny's supported list" in third["Reason"]  # the platform's vendor name, from its Platform


def test_its_known_issue_blocks_the_target(tiny_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, folder = _audit(tiny_env, tmp_path, capsys, "--target", "tiny_os=2.0.1")
    assert code == 1
    hosts = json.loads((folder / "results.json").read_text(encoding="utf-8"))["hosts"]
    assert {name: host["verdict"] for name, host in hosts.items()} == {"tiny-oem": "PASS", "tiny-3p": "FAIL"}
    failing = [t for t in hosts["tiny-3p"]["transceivers"] if t["verdict"] == "FAIL"]
    assert [t["port"] for t in failing] == ["port2"] and "TINY-2.0-THIRD-PARTY" in failing[0]["reason"]


def test_a_capability_it_lacks_is_skipped_with_its_reason(
    tiny_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["pre-upgrade", "--inventory", str(tiny_env / "inventory"), "--out", str(tmp_path), "--target", "2.0.1"]
    code, out, err = run_cli(args, capsys)
    assert code == 1, err  # tiny-3p: its third-party optic blocks 2.0.1
    hosts = json.loads((run_folder(out) / "results.json").read_text(encoding="utf-8"))["hosts"]
    readiness = [f for f in hosts["tiny-oem"]["findings"] if f["check"] == "disk_space"]
    assert [(f["verdict"], f["message"]) for f in readiness] == [("SKIPPED", PLATFORM.readiness.reason)]
    assert hosts["tiny-oem"]["plan"]["path"] == ["1.0.3", "2.0.1"] and hosts["tiny-oem"]["snapshot"] == {}
