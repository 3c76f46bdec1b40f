"""Integration fixtures: a lab started on free ports for the session, and a helper to run the CLI in-process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from lab import control

OEM_SR = {"type": "10GBASE-SR", "vendor": "OEM", "part": "PAN-SFP-PLUS-SR"}
OEM_LR = {"type": "10GBASE-LR", "vendor": "OEM", "part": "PAN-SFP-PLUS-LR"}
FINISAR = {"type": "10GBASE-SR", "vendor": "FINISAR CORP.", "part": "FTLX8571D3BCL"}
FS = {"type": "10GBASE-LR", "vendor": "FS", "part": "SFP-10GLR-31"}
# A third-party optic coded with PAN's part number: vendor-name FS, vendor-part-number PAN-SFP-PLUS-SR.
FS_CODED = {"type": "10GBASE-SR", "vendor": "FS", "part": "PAN-SFP-PLUS-SR"}


# The first SFP+ cage of each model in the lab's port layouts (lab/personalities/paloalto_panos.py).
FIRST_SFP_PLUS = {"PA-3220": 17, "PA-850": 13, "PA-5220": 5}


def _fw(name: str, model: str, version: str, optics: list[dict[str, str]], **extra: Any) -> dict[str, Any]:
    first = FIRST_SFP_PLUS[model]
    ports = [dict(optic, port=f"ethernet1/{i}", serial=f"{name[-4:]}{i:02d}") for i, optic in enumerate(optics, first)]
    return {
        "name": name,
        "platform": "paloalto_panos",
        "model": model,
        "version": version,
        "optics": ports,
        **extra,
    }


# A small estate covering each case the integration tests assert on.
SMALL_ESTATE: dict[str, Any] = {
    "customers": {
        "alpha": {
            "sites": {
                "lon1": {
                    "devices": [
                        _fw(
                            "alpha-lon1-fw01",
                            "PA-3220",
                            "10.1.9",
                            [OEM_SR, OEM_LR],
                            ha={"peer": "alpha-lon1-fw02", "state": "active"},
                        ),
                        _fw(
                            "alpha-lon1-fw02",
                            "PA-3220",
                            "10.1.9",
                            [OEM_SR, OEM_LR],
                            ha={"peer": "alpha-lon1-fw01", "state": "passive"},
                        ),
                    ]
                },
                "par1": {"devices": [_fw("alpha-par1-fw01", "PA-850", "9.1.14", [OEM_SR])]},
            }
        },
        "beta": {
            "sites": {
                "nyc1": {
                    "devices": [
                        _fw("beta-nyc1-fw01", "PA-5220", "9.1.14", [OEM_SR, FINISAR, FS, FS_CODED]),
                        _fw("beta-nyc1-fw02", "PA-5220", "10.1.9", [OEM_SR, OEM_LR]),
                    ]
                },
            }
        },
        "faulty": {
            "sites": {
                "lab1": {
                    "devices": [
                        _fw(f"faulty-lab1-{fault}", "PA-850", "10.1.9", [OEM_SR], faults=[fault])
                        for fault in ("refuse", "auth_fail", "hang", "drop", "garbage", "slow")
                    ]
                },
            }
        },
    }
}


@dataclass(frozen=True)
class Lab:
    info: control.LabInfo
    estate: Path
    inventory: Path


@pytest.fixture(scope="session")
def small_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    work = tmp_path_factory.mktemp("small-lab")
    with running_lab(work, SMALL_ESTATE) as info:
        yield Lab(info, work / "estate.yaml", work / "inventory")


def use_lab_credentials(monkeypatch: pytest.MonkeyPatch, lab: control.LabInfo) -> None:
    """The lab's credentials in the environment, and no GitLab shard variables leaking in from a CI job."""
    monkeypatch.setenv("ESTATE_USERNAME", lab.username)
    monkeypatch.setenv("ESTATE_PASSWORD", lab.password)
    monkeypatch.delenv("CI_NODE_INDEX", raising=False)
    monkeypatch.delenv("CI_NODE_TOTAL", raising=False)


@pytest.fixture
def lab_env(small_lab: Lab, monkeypatch: pytest.MonkeyPatch) -> Lab:
    """The lab's credentials in the environment, short timeouts and retry waits so faulty devices cost little."""
    use_lab_credentials(monkeypatch, small_lab.info)
    monkeypatch.setenv("ESTATE_CONNECT_TIMEOUT", "5")
    monkeypatch.setenv("ESTATE_COMMAND_TIMEOUT", "3")
    monkeypatch.setenv("ESTATE_RETRY_BACKOFF_S", "0.1")
    return small_lab


@contextmanager
def running_lab(
    root: Path,
    estate: dict[str, Any],
    max_runtime: float = 900,
    plugins: tuple[str, ...] = (),
    matrices: Path | None = None,
) -> Iterator[control.LabInfo]:
    """A lab serving `estate` (written under `root`) on free ports, stopped on exit; its inventory in root/inventory.

    `max_runtime` bounds the lab process even if the test run is killed; keep it above the run's length.
    `plugins` (modules that register a personality) and `matrices` (release facts) go to the lab process.
    """
    (root / "estate.yaml").write_text(yaml.safe_dump(estate, sort_keys=False), encoding="utf-8")
    info = control.start(
        root / "estate.yaml",
        root / "state",
        inventory_out=root / "inventory",
        max_runtime=max_runtime,
        plugins=plugins,
        matrices=matrices,
    )
    try:
        yield info
    finally:
        control.stop(root / "state")


def netmiko_params(lab: control.LabInfo, name: str, device_type: str, **extra: Any) -> dict[str, Any]:
    """ConnectHandler arguments for the lab device `name`."""
    return {
        "device_type": device_type,
        "host": "127.0.0.1",
        "port": lab.devices[name],
        "username": lab.username,
        "password": lab.password,
        **extra,
    }
