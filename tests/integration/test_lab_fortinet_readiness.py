"""FortiOS readiness end to end: `estate pre-upgrade` against lab FortiGates each failing one check via `state:`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from lab.personalities.fortinet import EXAMPLE_FAILING_STATES
from lab.state import LabInfo
from tasks.checks import readiness as r
from tests.integration.conftest import running_lab, use_lab_credentials
from workflows import cli

pytestmark = pytest.mark.integration

TARGET = "7.4.8"
SKIPPED_ON_FORTIOS = {r.PENDING_CHANGES, r.RUNNING_JOBS}


def _fg(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "platform": "fortinet", "model": "FortiGate-100F", "version": "7.2.6", **extra}


FAILING = {f"fail-{check.replace('_', '-')}": check for check in EXAMPLE_FAILING_STATES if check != r.HA_PEER}
DEVICES = [
    _fg("healthy"),
    _fg("ha-a", model="FortiGate-601F", ha={"peer": "ha-b", "state": "active"}),
    _fg("ha-b", model="FortiGate-601F", ha={"peer": "ha-a", "state": "passive"}),
    _fg("unsynced-a", ha={"peer": "unsynced-b", "state": "active"}, state=EXAMPLE_FAILING_STATES[r.HA_PEER]),
    _fg("unsynced-b", ha={"peer": "unsynced-a", "state": "passive"}),
    *[_fg(name, state=EXAMPLE_FAILING_STATES[check]) for name, check in FAILING.items()],
]
FAILS: dict[str, set[str]] = {name: {check} for name, check in FAILING.items()}
FAILS.update({"healthy": set(), "ha-a": set(), "ha-b": set()})
FAILS.update({"unsynced-a": {r.HA_PEER}, "unsynced-b": {r.HA_PEER}})  # config sync is a property of the pair
STANDALONE = {d["name"] for d in DEVICES if "ha" not in d}
# docs/checks.md: a FortiGuard database is judged only when its service (Attack Definitions for IPS-DB, Application
# Definitions for APP-DB) has a valid contract; with none, content_version is SKIPPED. The lab's default is
# valid contracts; a `state.licenses` list replaces them.
CONTENT_SERVICES = {"Attack Definitions", "Application Definitions"}


def content_unlicensed(device: dict[str, Any]) -> bool:
    licences = (device.get("state") or {}).get("licenses")
    if licences is None:
        return False
    return not {lic["feature"] for lic in licences if lic.get("expires_in_days", 1) >= 0} & CONTENT_SERVICES


UNLICENSED_CONTENT = {d["name"] for d in DEVICES if content_unlicensed(d)}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabInfo]:
    with running_lab(
        tmp_path_factory.mktemp("lab"), {"customers": {"acme": {"sites": {"lon1": {"devices": DEVICES}}}}}
    ) as info:
        yield info


@pytest.fixture(scope="module")
def readiness(lab: LabInfo, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    out = tmp_path_factory.mktemp("out")
    with pytest.MonkeyPatch.context() as patch:
        use_lab_credentials(patch, lab)
        patch.delenv("ESTATE_MIN_CONTENT", raising=False)
        code = cli.main(
            ["pre-upgrade", "--customer", "all", "--target", f"fortinet={TARGET}", "--inventory",
             str(lab.inventory), "--out", str(out)]
        )  # fmt: skip
    assert code == 1  # some devices FAIL, none ERROR
    (folder,) = [p for p in Path(out).iterdir() if p.is_dir()]
    sheet = openpyxl.load_workbook(folder / "report.xlsx", read_only=True)["Readiness"]
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return {str(row[0]): dict(zip(header, (str(c) for c in row), strict=True)) for row in rows[1:]}


def test_a_fortigate_without_content_contracts_is_in_the_lab_estate() -> None:
    assert UNLICENSED_CONTENT  # the licences failing state leaves IPS and application definitions unlicensed


@pytest.mark.parametrize("name", [d["name"] for d in DEVICES])
def test_each_fortigate_fails_exactly_its_check(readiness: dict[str, dict[str, str]], name: str) -> None:
    row = readiness[name]
    for check in r.ALL_CHECKS:
        if check in FAILS[name]:
            expected = "FAIL"
        elif (
            check in SKIPPED_ON_FORTIOS
            or (check == r.HA_PEER and name in STANDALONE)
            or (check == r.CONTENT_VERSION and name in UNLICENSED_CONTENT)
        ):
            expected = "SKIPPED"
        else:
            expected = "PASS"
        assert row[check] == expected, f"{name} {check}: {row[check]}"
