"""`estate compliance` on the demo estate marks exactly the devices the estate file makes non-compliant.

The demo's `config_lines` change what a few devices serve; the generator's table (lab.estates.make_demo
.NON_COMPLIANT) says which shipped rule each change breaks. The expectation is read from the estate file (which
devices carry which change) and that table: each changed device fails exactly its rule among the configuration
rules of its platform's rule file, and every other reachable demo device passes them all (the lab's baseline is
compliant).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from lab import control
from lab.estates.make_demo import NON_COMPLIANT
from tests.integration.conftest import use_lab_credentials
from tests.integration.test_demo import DEMO, demo_devices

pytestmark = pytest.mark.integration

RULES = Path(__file__).resolve().parents[2] / "compliance"


def _config_rules(platform: str) -> set[str]:
    """The ids of the configuration rules in a platform's shipped rule file (not software or optics)."""
    rules = yaml.safe_load((RULES / f"{platform}.yaml").read_text(encoding="utf-8"))["rules"]
    return {str(r["id"]) for r in rules}


def _broken_rule(device: dict[str, Any]) -> str:
    """The rule the device's `config_lines` break, by the generator's table."""
    (rule,) = [rule for rule, lines in NON_COMPLIANT[device["platform"]] if lines == device["config_lines"]]
    return rule


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    work = tmp_path_factory.mktemp("demo-compliance")
    info = control.start(DEMO, work / "state", inventory_out=work / "inventory", max_runtime=600)
    try:
        with pytest.MonkeyPatch.context() as mp:
            use_lab_credentials(mp, info)
            mp.setenv("ESTATE_CONNECT_TIMEOUT", "5")
            mp.setenv("ESTATE_COMMAND_TIMEOUT", "10")
            from workflows.cli import main

            code = main(["compliance", "--customer", "all", "--inventory", str(work / "inventory"), "--out", str(work)])
        assert code == 2  # the demo's two fault devices cannot be checked
        folder = next(work.glob("*-compliance-all"))
        yield json.loads((folder / "results.json").read_text(encoding="utf-8"))
    finally:
        control.stop(work / "state")


def test_compliance_marks_exactly_the_devices_the_estate_file_made_non_compliant(demo_run: dict[str, Any]) -> None:
    devices = {d["name"]: d for d in demo_devices()}
    changed = {name: _broken_rule(d) for name, d in devices.items() if d.get("config_lines")}
    assert {devices[name]["platform"] for name in changed} >= {
        "paloalto_panos", "fortinet", "cisco_ios", "cisco_nxos", "arista_eos", "juniper_junos",
    }  # fmt: skip
    assert len(set(changed.values())) >= 6  # several rules, not only one
    checked = {name: host for name, host in demo_run["hosts"].items() if host["status"] == "ok"}
    assert set(checked) == {name for name, d in devices.items() if not d.get("faults")}
    failing = {
        name: {
            r["rule"]
            for r in host["compliance"]
            if r["rule"] in _config_rules(host["platform"]) and r["verdict"] in ("FAIL", "WARN")
        }
        for name, host in checked.items()
    }
    assert {name: rules for name, rules in failing.items() if rules} == {name: {rule} for name, rule in changed.items()}
