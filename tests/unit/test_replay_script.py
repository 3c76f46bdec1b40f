"""scripts/replay.py's pure helpers: the fast estate copy, the held-back devices with their optics, run folders."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "replay.py"


@pytest.fixture(scope="module")
def replay() -> ModuleType:
    spec = importlib.util.spec_from_file_location("replay_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_fast_estate_sets_the_default_reboot_and_keeps_the_devices(replay: ModuleType, tmp_path: Path) -> None:
    source = tmp_path / "src" / "demo.yaml"
    source.parent.mkdir()
    devices = [{"name": "fw1", "platform": "paloalto_panos", "model": "PA-3250", "version": "9.1.17"}]
    source.write_text(yaml.safe_dump({"customers": {"c": {"sites": {"s": {"devices": devices}}}}}))
    copy = replay.fast_estate(source, 1.5, tmp_path)
    data = yaml.safe_load(copy.read_text())
    assert data["defaults"] == {"reboot_s": 1.5}
    assert data["customers"]["c"]["sites"]["s"]["devices"] == devices
    assert "defaults" not in yaml.safe_load(source.read_text())  # the demo estate itself is left alone


def _optic(port: str, vendor: str, verdict: str) -> dict[str, object]:
    return {"port": port, "vendor": vendor, "part": "P1", "oem": vendor == "OEM", "verdict": verdict}


def test_held_back_are_the_no_go_devices_with_a_known_issue_named_with_their_third_party_optics(
    replay: ModuleType,
) -> None:
    blocker = {"check": "known_issue", "verdict": "FAIL"}
    pre = {
        "fw1": {"findings": [blocker], "transceivers": [_optic("e1/1", "FS", "FAIL"), _optic("e1/2", "OEM", "PASS")]},
        "fw2": {"findings": [{"check": "pending_changes", "verdict": "FAIL"}], "transceivers": []},
        "fw3": {"findings": [], "transceivers": [_optic("e1/1", "FS", "WARN")]},
    }
    upgrade = {
        "fw1": {"upgrade": {"status": "SKIPPED", "reason": "NO-GO: known_issue: …"}},
        "fw2": {"upgrade": {"status": "SKIPPED", "reason": "NO-GO: pending_changes: …"}},
        "fw3": {"upgrade": {"status": "UPGRADED"}},
    }
    assert replay.held_back_optics(pre, upgrade) == {"fw1": ["e1/1 FS P1"]}


def test_run_folder_is_the_last_one_named_and_a_run_without_one_is_an_error(replay: ModuleType) -> None:
    out = "gate: fresh pre-upgrade run folder: x\nrun folder: /tmp/a\nPASS 1\nrun folder: /tmp/b\n"
    assert replay.run_folder(out) == Path("/tmp/b")
    with pytest.raises(replay.ReplayError):
        replay.run_folder("estate: internal error")
