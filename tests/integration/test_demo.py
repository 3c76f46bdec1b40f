"""The demo's promise: one audit of the demo estate covers every platform in one workbook; against the demo's
targets, PAN-OS fails exactly its non-OEM optics, every other third-party optic is flagged, OEM optics are not."""

from __future__ import annotations

import fnmatch
import functools
import importlib
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from lab import control
from tasks.platforms import PLATFORMS
from tests.integration.conftest import use_lab_credentials
from tests.integration.test_audit import run_cli, run_folder, sheet_rows

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "lab" / "estates" / "demo.yaml"


def demo_targets() -> list[str]:
    """The --target flags `make demo` passes, read from the Makefile (so the test follows the demo)."""
    text = (ROOT / "Makefile").read_text()
    block = re.search(r"^DEMO_TARGETS \?=(.*?)(?<!\\)$", text, re.S | re.M)
    assert block, "Makefile: DEMO_TARGETS not found"
    return shlex.split(block.group(1).replace("\\\n", " "))


@pytest.fixture(scope="module")
def demo_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[control.LabInfo]:
    work = tmp_path_factory.mktemp("demo-lab")
    info = control.start(DEMO, work / "state", inventory_out=work / "inventory", max_runtime=600)
    try:
        yield info
    finally:
        control.stop(work / "state")


def demo_devices() -> list[dict[str, Any]]:
    estate = yaml.safe_load(DEMO.read_text())
    return [
        dict(device, customer=customer)
        for customer, cdata in estate["customers"].items()
        for sdata in cdata["sites"].values()
        for device in sdata["devices"]
    ]


def third_party(device: dict[str, Any], optic: dict[str, str]) -> bool:
    """From the estate generator's own lists, not from the matrices the audit uses."""
    if device["platform"] == "paloalto_panos":
        return optic["vendor"] != "OEM"
    module = importlib.import_module(f"lab.personalities.{device['platform']}")
    return {"vendor": optic["vendor"], "part": optic["part"], "type": optic["type"]} in [
        {k: o[k] for k in ("vendor", "part", "type")} for o in module.DEMO_THIRD_PARTY_OPTICS
    ]


@functools.cache
def _matrix_yaml(platform: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / "matrices" / f"{platform}.yaml").read_text())


def any_optic_issue(device: dict[str, Any], optic: dict[str, str], targets: dict[str, str]) -> bool:
    """Whether a shipped any_optic known issue (e.g. a DAC bug) names this model and optic type, part and port (each
    scope a list of globs, absent = any): read from YAML."""
    if device["platform"] not in targets:
        return False
    matrix = _matrix_yaml(device["platform"])

    def scoped(issue: dict[str, Any], key: str, value: str) -> bool:
        return any(fnmatch.fnmatch(value.upper(), g.upper()) for g in issue.get(key) or ["*"])

    return any(
        issue["condition"] == "any_optic"
        and scoped(issue, "models", device["model"])
        and scoped(issue, "types", optic["type"])
        and scoped(issue, "parts", optic["part"])
        and scoped(issue, "ports", optic["port"])
        for issue in matrix.get("known_issues", [])
    )


def test_demo_covers_every_platform_and_flags_exactly_the_third_party_optics(
    demo_lab: control.LabInfo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_lab_credentials(monkeypatch, demo_lab)
    assert demo_lab.inventory is not None
    flags = demo_targets()
    targets = dict(f.split("=", 1) if "=" in f else ("paloalto_panos", f) for f in flags if f != "--target")
    code, out, _ = run_cli(
        ["audit", "--customer", "all", *flags, "--inventory", str(demo_lab.inventory), "--out", str(tmp_path)], capsys
    )
    devices = demo_devices()
    reachable = [d for d in devices if not d.get("faults")]
    faulty = {d["name"] for d in devices if d.get("faults")}
    assert len(devices) >= 250
    assert code == (2 if faulty else 1)

    workbook = run_folder(out) / "report.xlsx"
    assert {r["Platform"] for r in sheet_rows(workbook, "Devices")} == set(PLATFORMS)
    rows = {(r["Device"], r["Port"]): r for r in sheet_rows(workbook, "Transceivers")}
    assert len(rows) == sum(len(d.get("optics", [])) for d in reachable)
    for device in reachable:
        for optic in device.get("optics", []):
            verdict = rows[(device["name"], optic["port"])]["Verdict"]
            where = f"{device['name']} {optic['port']} {optic['part']}"
            if device["platform"] == "paloalto_panos":
                assert verdict == ("FAIL" if third_party(device, optic) else "PASS"), where
            elif third_party(device, optic):
                assert verdict in ("WARN", "FAIL"), where
            elif not any_optic_issue(device, optic, targets):
                assert verdict == "PASS", where
    assert {r["Device"] for r in sheet_rows(workbook, "Errors")} == faulty
    third_party_platforms = {d["platform"] for d in reachable for o in d.get("optics", []) if third_party(d, o)}
    assert third_party_platforms == set(PLATFORMS)
