"""Readiness over real SSH: lab devices each failing one check via `state:`, read with netmiko, parsed, judged."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest
from netmiko import ConnectHandler

from lab.personalities.paloalto_panos import EXAMPLE_FAILING_STATES, EXAMPLE_HA_VERSION_MISMATCH
from lab.state import LabInfo
from tasks.checks import readiness as r
from tasks.models import Verdict
from tasks.models.readiness import Content, Licences
from tasks.platforms.paloalto_panos import PLATFORM
from tasks.platforms.paloalto_panos import commands as panos
from tasks.platforms.paloalto_panos import readiness as panos_readiness
from tests.integration.conftest import running_lab

pytestmark = pytest.mark.integration

TARGET_PATH = ["10.2.0", "10.2.4-h4"]  # images a 10.1 -> 10.2.4-h4 upgrade downloads (base included)
MIN_CONTENT = "8500"


def _fw(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "platform": "paloalto_panos", "model": "PA-850", "version": "10.1.9", **extra}


# One device per check it fails; the HA pair's second member reports a peer on another feature release.
FAILING = {f"fail-{check.replace('_', '-')}": check for check in EXAMPLE_FAILING_STATES if check != r.HA_PEER}
DEVICES = [
    _fw("healthy"),
    _fw("ha-a", ha={"peer": "ha-b", "state": "active"}),
    _fw("ha-b", ha={"peer": "ha-a", "state": "passive"}, state=EXAMPLE_HA_VERSION_MISMATCH),
    _fw("unsynced-a", ha={"peer": "unsynced-b", "state": "active"}, state=EXAMPLE_FAILING_STATES[r.HA_PEER]),
    _fw("unsynced-b", ha={"peer": "unsynced-a", "state": "passive"}),
    *[_fw(name, state=EXAMPLE_FAILING_STATES[check]) for name, check in FAILING.items()],
]
FAILS: dict[str, set[str]] = {name: {check} for name, check in FAILING.items()}
FAILS.update({"healthy": set(), "ha-a": set(), "ha-b": {r.HA_PEER}, "unsynced-a": {r.HA_PEER}})
FAILS["unsynced-b"] = {r.HA_PEER}  # config sync is a property of the pair
STANDALONE = {d["name"] for d in DEVICES if "ha" not in d}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabInfo]:
    with running_lab(
        tmp_path_factory.mktemp("lab"), {"customers": {"acme": {"sites": {"lon1": {"devices": DEVICES}}}}}
    ) as info:
        yield info


def _collect(lab: LabInfo, name: str) -> dict[str, str]:
    conn = ConnectHandler(
        device_type="paloalto_panos",
        host="127.0.0.1",
        port=lab.devices[name],
        username=lab.username,
        password=lab.password,
    )
    try:
        return {purpose: conn.send_command(panos.COMMANDS[purpose]) for purpose in panos.READINESS_COMMANDS}
    finally:
        conn.write_channel("exit\n")
        conn.paramiko_cleanup()


def judge(outputs: dict[str, str], today: date) -> dict[str, r.CheckResult]:
    """Every readiness check on one device's outputs, read into its state as the platform reads them."""
    facts = PLATFORM.parse_facts({"facts": outputs["facts"]}, "")
    state = panos_readiness.read(outputs, facts)
    assert isinstance(state.licences, Licences) and isinstance(state.content, Content)
    results = [
        r.check_disk_space(state.disk, r.download_mb(TARGET_PATH, state.images)),
        r.check_ha(state.ha),
        r.check_pending_changes(state.pending_changes),
        r.check_running_jobs(state.jobs),
        r.check_content_version(state.content.version, MIN_CONTENT),
        r.check_licenses(state.licences.licenses, today),
        r.check_ntp(state.ntp),
        r.check_mgmt_resources(state.resources),
        r.check_environmentals(state.sensors),
    ]
    return {result.name: result for result in results}


@pytest.fixture(scope="module")
def verdicts(lab: LabInfo) -> dict[str, dict[str, r.CheckResult]]:
    names = [d["name"] for d in DEVICES]
    with ThreadPoolExecutor(max_workers=6) as pool:
        outputs = dict(zip(names, pool.map(lambda n: _collect(lab, n), names), strict=True))
    today = date.today()
    return {name: judge(out, today) for name, out in outputs.items()}


@pytest.mark.parametrize("name", [d["name"] for d in DEVICES])
def test_each_device_fails_exactly_its_check(verdicts: dict[str, dict[str, r.CheckResult]], name: str) -> None:
    results = verdicts[name]
    assert tuple(results) == r.ALL_CHECKS
    for check, result in results.items():
        if check in FAILS[name]:
            expected = Verdict.FAIL
        elif check == r.HA_PEER and name in STANDALONE:
            expected = Verdict.SKIPPED
        else:
            expected = Verdict.PASS
        assert result.verdict is expected, f"{name} {check}: {result.reason}"


def test_reasons_name_the_cause(verdicts: dict[str, dict[str, r.CheckResult]]) -> None:
    assert "only 700 MB free" in verdicts["fail-disk-space"][r.DISK_SPACE].reason
    assert "another feature release" in verdicts["ha-b"][r.HA_PEER].reason
    assert "not synchronized" in verdicts["unsynced-b"][r.HA_PEER].reason
    assert "Downld ACT" in verdicts["fail-running-jobs"][r.RUNNING_JOBS].reason
    assert "8250-6950" in verdicts["fail-content-version"][r.CONTENT_VERSION].reason
    assert "Premium" in verdicts["fail-licenses"][r.LICENSES].reason
    assert "CPU 93.0%" in verdicts["fail-mgmt-resources"][r.MGMT_RESOURCES].reason
    assert "Fan #2" in verdicts["fail-environmentals"][r.ENVIRONMENTALS].reason
