"""`estate pre-upgrade` over real SSH: FortiGates step through each branch, and a PAN-OS disk holds one hop.

Expectations come from the rules (docs/checks.md) and the estate below: a FortiGate on 7.0.x or 6.4.x going to
7.4.8 stops in every branch on the way (7.2, and 7.0 from 6.4), each stop a named build; a 9.1.14 PA-3220 with
3,000 MB free passes the disk check for 10.2.4-h4, since a hop's images (a base and a maintenance image, 1.1 x
1,650 MB by the matrix's size estimate) are deleted before the next hop's download.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.state import LabInfo
from tests.integration.conftest import running_lab, use_lab_credentials
from tests.integration.test_audit import sheet_rows
from workflows import cli

pytestmark = pytest.mark.integration

DEVICES = [
    {"name": "fgt-70", "platform": "fortinet", "model": "FortiGate-100F", "version": "7.0.13"},
    {"name": "fgt-64", "platform": "fortinet", "model": "FortiGate-100F", "version": "6.4.7"},
    {"name": "pa-91", "platform": "paloalto_panos", "model": "PA-3220", "version": "9.1.14",
     "state": {"disk_free_mb": 3000}},
]  # fmt: skip


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabInfo]:
    with running_lab(
        tmp_path_factory.mktemp("lab"), {"customers": {"acme": {"sites": {"lon1": {"devices": DEVICES}}}}}
    ) as info:
        yield info


@pytest.fixture(scope="module")
def folder(lab: LabInfo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    with pytest.MonkeyPatch.context() as patch:
        use_lab_credentials(patch, lab)
        patch.delenv("ESTATE_MIN_CONTENT", raising=False)
        code = cli.main(
            ["pre-upgrade", "--customer", "all", "--target", "fortinet=7.4.8", "--target", "paloalto_panos=10.2.4-h4",
             "--inventory", str(lab.inventory), "--out", str(out)]
        )  # fmt: skip
    assert code in (0, 1), code  # no device ERROR
    (folder,) = [p for p in Path(out).iterdir() if p.is_dir()]
    return folder


def _branches(hops: str) -> list[str]:
    return [".".join(v.split(".")[:2]) for v in hops.split(" → ")]


def test_fortigates_step_through_each_branch_with_named_builds(folder: Path) -> None:
    paths = {r["Device"]: r for r in sheet_rows(folder / "report.xlsx", "Upgrade path")}
    assert _branches(paths["fgt-70"]["Hops"]) == ["7.2", "7.4"]
    assert _branches(paths["fgt-64"]["Hops"]) == ["7.0", "7.2", "7.4"]
    for name in ("fgt-70", "fgt-64"):
        hops = paths[name]["Hops"].split(" → ")
        assert all(len(v.split(".")) == 3 for v in hops), hops  # each stop a build, not a branch
        assert hops[-1] == "7.4.8" and paths[name]["Verdict"] != "FAIL", paths[name]
    # 6.4.7 has no release date in the matrix: the unchecked release-date rule is a WARN the user sees
    assert paths["fgt-64"]["Verdict"] == "WARN" and "release-date rule not checked" in paths["fgt-64"]["Reason"]


def test_a_pa3220_with_3000_mb_free_passes_the_disk_check_for_the_story_target(folder: Path) -> None:
    readiness = {r["Device"]: r for r in sheet_rows(folder / "report.xlsx", "Readiness")}
    assert readiness["pa-91"]["disk_space"] == "PASS"
    paths = {r["Device"]: r for r in sheet_rows(folder / "report.xlsx", "Upgrade path")}
    assert paths["pa-91"]["Hops"].split(" → ")[0] == "9.1.18"  # 9.1's recommended release first (PAN-9.1 guide)
    assert paths["pa-91"]["Hops"].endswith("10.2.4-h4")
