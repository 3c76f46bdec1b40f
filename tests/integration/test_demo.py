"""The demo's promise: auditing the demo estate against 10.2.4-h4 fails exactly its non-OEM optics."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from lab import control
from tests.integration.test_audit import run_cli, run_folder, sheet_rows

pytestmark = pytest.mark.integration

DEMO = Path(__file__).resolve().parents[2] / "lab" / "estates" / "demo.yaml"


@pytest.fixture(scope="module")
def demo_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[control.LabInfo]:
    work = tmp_path_factory.mktemp("demo-lab")
    info = control.start(DEMO, work / "state", inventory_out=work / "inventory", max_runtime=600)
    try:
        yield info
    finally:
        control.stop(work / "state")


def demo_devices() -> list[dict]:
    estate = yaml.safe_load(DEMO.read_text())
    return [
        dict(device, customer=customer)
        for customer, cdata in estate["customers"].items()
        for sdata in cdata["sites"].values()
        for device in sdata["devices"]
    ]


def test_demo_fail_optics_are_exactly_the_non_oem_optics(
    demo_lab: control.LabInfo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESTATE_USERNAME", demo_lab.username)
    monkeypatch.setenv("ESTATE_PASSWORD", demo_lab.password)
    assert demo_lab.inventory is not None
    code, out, _ = run_cli(
        [
            "audit",
            "--customer",
            "all",
            "--target",
            "10.2.4-h4",
            "--inventory",
            str(demo_lab.inventory),
            "--out",
            str(tmp_path),
        ],
        capsys,
    )
    devices = demo_devices()
    reachable = [d for d in devices if not d.get("faults")]
    non_oem = {(d["name"], o["port"]) for d in reachable for o in d.get("optics", []) if o["vendor"] != "OEM"}
    assert len(devices) >= 100 and non_oem, "the demo estate must have 100+ devices and some non-OEM optics"
    faulty = {d["name"] for d in devices if d.get("faults")}
    assert code == (2 if faulty else 1)

    workbook = run_folder(out) / "report.xlsx"
    rows = sheet_rows(workbook, "Transceivers")
    assert {(r["Device"], r["Port"]) for r in rows if r["Verdict"] == "FAIL"} == non_oem
    assert len(rows) == sum(len(d.get("optics", [])) for d in reachable)
    assert {r["Device"] for r in sheet_rows(workbook, "Errors")} == faulty
    blocking = {d for d, _ in non_oem}
    devices_sheet = {r["Device"]: r["Verdict"] for r in sheet_rows(workbook, "Devices")}
    assert {d for d, v in devices_sheet.items() if v == "FAIL"} == blocking
