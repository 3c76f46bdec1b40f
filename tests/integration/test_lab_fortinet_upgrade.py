"""`estate upgrade --execute` on FortiGates of the lab: `execute restore image` from the customer's image server.

The estate below says what must happen: every unit is on 7.2.6 and targets 7.4.8 (a path the FortiOS matrix
allows in one hop). acme's units (one without VDOMs, one with) fetch from acme's server and end on 7.4.8; the
multi-VDOM unit takes the command only inside `config global` (the lab refuses it elsewhere, as a real unit
does); globex's unit is armed with the lab's `download_fail` fault (the transfer times out): it fails its
install naming that and stays on 7.2.6; initech has no image server: its install fails naming the setting.
The lab is this module's own: an execute changes its devices.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lab import control
from lab.state import LabInfo
from tests.integration.conftest import running_lab

pytestmark = pytest.mark.integration

ESTATE_BIN = Path(sys.executable).parent / "estate"
MATRICES = Path(__file__).resolve().parents[2] / "matrices"
FROM, TARGET = "7.2.6", "7.4.8"
CONFIG = """\
user_defined:
  estate:
    upgrade:
      image_servers:
        acme: {address: 192.0.2.10}
        globex: {address: 198.51.100.7, file: "FGT_{model}-v{version}.M-build2795-FORTINET.out"}
"""


def _fg(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "platform": "fortinet", "model": "FortiGate-601F", "version": FROM, **extra}


def _customer(site: str, *devices: dict[str, Any]) -> dict[str, Any]:
    return {"sites": {site: {"devices": list(devices)}}}


ESTATE = {
    "defaults": {"reboot_s": 2},
    "customers": {
        "acme": {
            "sites": {
                "fra1": {"devices": [_fg("acme-fra1-fw01")]},
                "ber1": {"devices": [_fg("acme-ber1-fw01", vdoms=["root", "cust-a"])]},
            }
        },
        "globex": _customer("par1", _fg("globex-par1-fw01")),  # armed with download_fail before the execute
        "initech": _customer("ams1", _fg("initech-ams1-fw01")),
    },
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabInfo, Path]]:
    root = tmp_path_factory.mktemp("fos-upgrade-lab")
    with running_lab(root, ESTATE, max_runtime=600) as info:
        yield info, root


def _estate(lab: tuple[LabInfo, Path], *args: str) -> tuple[int, dict[str, Any], str]:
    """Run the CLI; its exit code, the hosts of the run folder's results.json, and its output."""
    info, root = lab
    (root / "config.yaml").write_text(CONFIG, encoding="utf-8")
    env = dict(
        os.environ,
        ESTATE_USERNAME=info.username,
        ESTATE_PASSWORD=info.password,
        ESTATE_MATRICES=str(MATRICES),
        ESTATE_UPGRADE_POLL_S="0.5",
        ESTATE_UPGRADE_REBOOT_TIMEOUT_S="60",
        ESTATE_UPGRADE_JOB_TIMEOUT_S="30",
    )
    common = [
        "--customer",
        "all",
        "--target",
        TARGET,
        "--inventory",
        str(root / "inventory"),
        "--out",
        str(root / "out"),
    ]
    done = subprocess.run(
        [str(ESTATE_BIN), *args, *common, "--config", str(root / "config.yaml")],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    last = [line for line in done.stdout.splitlines() if line.startswith("run folder: ")]
    assert last, output
    results = json.loads((Path(last[-1].removeprefix("run folder: ")) / "results.json").read_text(encoding="utf-8"))
    return done.returncode, results["hosts"], output


def _install(host: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in host["upgrade"]["steps"] if s["kind"] == "install")


def test_fortigates_are_upgraded_from_their_customers_image_server(lab: tuple[LabInfo, Path]) -> None:
    code, _, output = _estate(lab, "pre-upgrade")
    assert code == 0, output

    code, dry, output = _estate(lab, "upgrade")
    assert code == 0, output
    assert _install(dry["acme-fra1-fw01"])["command"] == (
        "execute restore image tftp FGT_601F-v7.4.8-FORTINET.out 192.0.2.10"
    )
    assert _install(dry["globex-par1-fw01"])["command"] == (
        "execute restore image tftp FGT_601F-v7.4.8.M-build2795-FORTINET.out 198.51.100.7"
    )
    assert _install(dry["initech-ams1-fw01"])["command"] == (
        "execute restore image tftp <image of 7.4.8> <image server>"
    )
    info, _ = lab
    assert {d["version"] for d in control.status_json(info.state_dir)} == {FROM}  # the dry run changed nothing

    control.ctl(info.state_dir, "fault", "globex-par1-fw01", "download_fail")
    code, hosts, output = _estate(lab, "upgrade", "--execute")
    assert code != 0, output  # two devices failed
    for name in ("acme-fra1-fw01", "acme-ber1-fw01"):
        upgrade = hosts[name]["upgrade"]
        assert upgrade["status"] == "UPGRADED", (name, upgrade)
        assert [s["result"] for s in upgrade["steps"]] == ["OK"] * 4
        assert "going down" in _install(hosts[name])["message"]
    globex = hosts["globex-par1-fw01"]["upgrade"]
    assert globex["status"] == "FAILED"
    assert "Transfer timed out." in _install(hosts["globex-par1-fw01"])["message"]
    initech = _install(hosts["initech-ams1-fw01"])
    assert initech["result"] == "FAILED"
    assert initech["message"].startswith("no image server: set upgrade.image_server in config.yaml")

    devices = {d["name"]: d for d in control.status_json(info.state_dir)}
    assert {name: (d["version"], d["state"]) for name, d in devices.items()} == {
        "acme-fra1-fw01": (TARGET, "up"),
        "acme-ber1-fw01": (TARGET, "up"),
        "globex-par1-fw01": (FROM, "up"),
        "initech-ams1-fw01": (FROM, "up"),
    }
    # Every unit ends on FortiOS's `output more`, as it began (tests/integration/test_fortinet_console.py): the
    # units that reboot into the new image had it set back before `execute restore image`, whose reboot ends
    # the session without its close.
    for name, device in devices.items():
        console = [r for r in device["requests"] if r.startswith(("console output ", "restore-image "))]
        modes = [r for r in console if r.startswith("console output ")]
        assert modes and modes[-1] == "console output more", (name, console)
        if name in ("acme-fra1-fw01", "acme-ber1-fw01"):
            before = console[: console.index(f"restore-image {TARGET}")]
            assert before and before[-1] == "console output more", (name, console)
