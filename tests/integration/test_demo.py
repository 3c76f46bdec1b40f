"""The demo's promise: one audit of the demo estate covers every platform in one workbook; against the demo's
targets every optic gets the verdict the estate file and the matrices prescribe (PAN-OS fails exactly its
third-party optics, every other third-party optic is flagged, an OEM optic passes unless a known issue hits it)."""

from __future__ import annotations

import fnmatch
import functools
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from lab import control
from tasks.platforms import PLATFORMS
from tasks.versions import is_at_least, is_before
from tests.integration.conftest import use_lab_credentials
from tests.integration.test_audit import run_cli, run_folder, sheet_rows
from workflows.settings import usable_cores

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


@functools.cache
def _matrix_yaml(platform: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / "matrices" / f"{platform}.yaml").read_text())


def _upper(values: list[str] | None) -> set[str]:
    return {v.strip().upper() for v in values or []}


def third_party(device: dict[str, Any], optic: dict[str, str]) -> bool:
    """The documented OEM rule (README, "How each OS gives a third-party optic away") applied to the estate file's
    vendor and part, with the `oem:` data of the platform's matrix: a placeholder part is third-party; an exact
    genuine pairing is OEM; where a vendor name is printed and the matrix names the OEM ones, the vendor name
    decides (a vendor part under another vendor name is coded, third-party); otherwise the part decides, and only
    where the matrix says so."""
    matrix = _matrix_yaml(device["platform"])
    oem = matrix["oem"]
    vendor, part = optic["vendor"].strip(), optic["part"].strip()
    if part.upper() in _upper(oem.get("third_party_parts")):
        return True
    if any((vendor.upper(), part.upper()) == (g["vendor"].upper(), g["part"].upper()) for g in oem.get("genuine", [])):
        return False
    if vendor and (oem.get("vendor_names") or oem.get("vendor_patterns")):
        named = vendor.upper() in _upper(oem.get("vendor_names"))
        return not (named or any(re.search(pat, vendor, re.I) for pat in oem.get("vendor_patterns", [])))
    if not oem.get("part_number_decides", True):
        return True
    listed = part.upper() in _upper([o["part"] for o in matrix.get("optics", [])])
    return not (listed or any(re.search(pat, part, re.I) for pat in oem.get("part_patterns", [])))


def _known_issues(platform: str) -> list[dict[str, Any]]:
    """The platform's known issues: its matrix and the team's local lessons (matrices/local/*.yaml)."""
    issues = list(_matrix_yaml(platform).get("known_issues", []))
    for local in sorted((ROOT / "matrices" / "local").glob("*.yaml")):
        lessons = yaml.safe_load(local.read_text())
        if lessons.get("platform") == platform:
            issues += lessons.get("known_issues", [])
    return issues


# The keys a known issue may carry that this test knows how to read; a new scope key must be taught here.
ISSUE_KEYS = {"id", "title", "platform", "message", "references", "source", "local", "severity"}
ISSUE_KEYS |= {"models", "parts", "types", "ports", "condition", "from_release", "fixed_in"}
ISSUE_VERDICT = {"blocker": "FAIL", "warning": "WARN"}
RANK = {"PASS": 0, "WARN": 1, "FAIL": 2}


def _globs(values: list[str] | None, text: str) -> bool:
    """Empty or missing globs match anything; otherwise any glob matches `text`, case-insensitively."""
    return not values or any(fnmatch.fnmatch(text.upper(), g.upper()) for g in values)


def applicable_issues(device: dict[str, Any], optic: dict[str, str], targets: dict[str, str]) -> list[dict[str, Any]]:
    """The known issues (matrix and local lessons) whose range holds the platform's target (from_release <= target
    < fixed_in), whose model, part, type and port globs match and whose condition holds for this optic."""
    platform, target = device["platform"], targets.get(device["platform"])
    applicable = []
    for issue in _known_issues(platform) if target else []:
        assert set(issue) <= ISSUE_KEYS, f"{issue['id']}: keys this test does not read: {set(issue) - ISSUE_KEYS}"
        fixed = issue.get("fixed_in")
        in_range = is_at_least(target, issue["from_release"], platform) and (
            fixed is None or is_before(target, fixed, platform)
        )
        holds = issue["condition"] == "any_optic" or (
            issue["condition"] == "non_oem_optic" and third_party(device, optic)
        )
        if (
            in_range
            and holds
            and _globs(issue.get("models"), device["model"])
            and _globs(issue.get("parts"), optic["part"])
            and _globs(issue.get("types"), optic["type"])
            and _globs(issue.get("ports"), optic["port"])
        ):
            applicable.append(issue)
    return applicable


def expected_verdict(device: dict[str, Any], optic: dict[str, str], targets: dict[str, str]) -> str:
    """A third-party optic WARNs (works today, unsupported), the vendor's own PASSes (the demo's OEM optics are
    its supported parts); each applicable known issue makes it FAIL (blocker) or WARN (warning); the worst
    counts."""
    verdicts = ["WARN" if third_party(device, optic) else "PASS"]
    verdicts += [ISSUE_VERDICT[issue["severity"]] for issue in applicable_issues(device, optic, targets)]
    return max(verdicts, key=RANK.__getitem__)


# The run with the default process count (the usable cores) and with one process: each must give the verdicts the
# estate file gives, so the two give the same (issue 12).
PROCESSES = {"default-processes": [], "one-process": ["--processes", "1"]}


@pytest.mark.parametrize("processes", list(PROCESSES))
def test_demo_covers_every_platform_and_flags_exactly_the_third_party_optics(
    demo_lab: control.LabInfo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    processes: str,
) -> None:
    use_lab_credentials(monkeypatch, demo_lab)
    monkeypatch.delenv("ESTATE_PROCESSES", raising=False)
    assert demo_lab.inventory is not None
    flags = demo_targets()
    targets = dict(f.split("=", 1) if "=" in f else ("paloalto_panos", f) for f in flags if f != "--target")
    code, out, _ = run_cli(
        ["audit", "--customer", "all", *flags, "--inventory", str(demo_lab.inventory), "--out", str(tmp_path)]
        + PROCESSES[processes],
        capsys,
    )
    spread = re.search(r"spread over (\d+) processes", (run_folder(out) / "run.log").read_text("utf-8"))
    cores = usable_cores()
    used = int(spread[1]) if spread else 1
    assert used == (cores if processes == "default-processes" else 1)
    devices = demo_devices()
    reachable = [d for d in devices if not d.get("faults")]
    faulty = {d["name"] for d in devices if d.get("faults")}
    assert len(devices) >= 250
    assert code == (2 if faulty else 1)

    workbook = run_folder(out) / "report.xlsx"
    assert {r["Platform"] for r in sheet_rows(workbook, "Devices")} == set(PLATFORMS)
    rows = {(r["Device"], r["Port"]): r for r in sheet_rows(workbook, "Transceivers")}
    assert len(rows) == sum(len(d.get("optics", [])) for d in reachable)
    expected = {
        (device["name"], optic["port"]): expected_verdict(device, optic, targets)
        for device in reachable
        for optic in device.get("optics", [])
    }
    assert {key: rows[key]["Verdict"] for key in expected} == expected
    # Each optic's reason names exactly the known issues that apply to it (none evaluated without a target).
    named, hit = {}, {}
    for device in reachable:
        ids = {issue["id"] for issue in _known_issues(device["platform"])}
        for optic in device.get("optics", []):
            key = (device["name"], optic["port"])
            named[key] = {i for i in ids if f"[{i}]" in rows[key]["Reason"]}
            hit[key] = {issue["id"] for issue in applicable_issues(device, optic, targets)}
    assert named == hit
    assert any(hit.values())  # not vacuous: the demo's targets put optics in known issues' ranges
    assert {r["Device"] for r in sheet_rows(workbook, "Errors")} == faulty
    third_party_platforms = {d["platform"] for d in reachable for o in d.get("optics", []) if third_party(d, o)}
    assert third_party_platforms == set(PLATFORMS)
