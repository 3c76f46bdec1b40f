"""`estate compliance` on the demo estate marks exactly the devices the estate file makes non-compliant.

The demo's `config_lines` remove each chosen device's NTP servers from the configuration it serves; the expected
devices are read from the estate file, and the rule from each platform's shipped rule file (the required rule of
feature `ntp`). Every other reachable demo device serves its NTP servers and passes that rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from lab import control
from tests.integration.conftest import use_lab_credentials
from tests.integration.test_demo import DEMO, demo_devices

pytestmark = pytest.mark.integration

RULES = Path(__file__).resolve().parents[2] / "compliance"


def _ntp_rule(platform: str) -> str:
    rules = yaml.safe_load((RULES / f"{platform}.yaml").read_text(encoding="utf-8"))["rules"]
    (rule,) = [r["id"] for r in rules if r["feature"] == "ntp" and r["kind"] == "required"]
    return str(rule)


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
    changed = {name for name, d in devices.items() if d.get("config_lines")}
    assert {devices[name]["platform"] for name in changed} >= {
        "paloalto_panos", "fortinet", "cisco_ios", "cisco_nxos", "arista_eos", "juniper_junos",
    }  # fmt: skip
    checked = {name: host for name, host in demo_run["hosts"].items() if host["status"] == "ok"}
    assert set(checked) == {name for name, d in devices.items() if not d.get("faults")}
    failing = {
        name
        for name, host in checked.items()
        for r in host["compliance"]
        if r["rule"] == _ntp_rule(host["platform"]) and r["verdict"] == "FAIL"
    }
    assert failing == changed
