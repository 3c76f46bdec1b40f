"""A platform defined in tests (tests/throwaway/personality.py) is served over SSH by a lab started with --plugin."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from netmiko import ConnectHandler

from lab.state import LabInfo
from tests.integration.conftest import netmiko_params, running_lab

pytestmark = pytest.mark.integration

ESTATE = {
    "customers": {
        "acme": {
            "sites": {
                "lon1": {"devices": [{"name": "tiny1", "platform": "tiny_os", "model": "TINY-1", "version": "1.1"}]}
            }
        }
    }
}
MATRIX = "images:\n  - {version: '1.0', released: 2024-01-02, size_mb: 42}\n  - {version: '1.1'}\n"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabInfo]:
    root = tmp_path_factory.mktemp("lab_plugin")
    (root / "matrices").mkdir()
    (root / "matrices" / "tiny_os.yaml").write_text(MATRIX, encoding="utf-8")
    with running_lab(root, ESTATE, plugins=("tests.throwaway.personality",), matrices=root / "matrices") as info:
        yield info


def test_the_plugin_platform_is_served_with_its_matrix(lab: LabInfo) -> None:
    with ConnectHandler(**netmiko_params(lab, "tiny1", "generic")) as conn:
        facts = conn.send_command("show version").strip().splitlines()
        assert facts[0] == "Hostname: tiny1" and facts[1] == "Model: TINY-1" and facts[-1] == "Version: 1.1"
        assert conn.send_command("show software").strip().splitlines() == ["1.0 42MB 2024-01-02", "1.1 - unknown *"]


def test_a_missing_plugin_is_a_one_line_error(tmp_path: Path) -> None:
    from lab import control

    (tmp_path / "e.yaml").write_text("customers: {}\n", encoding="utf-8")
    with pytest.raises(ModuleNotFoundError, match=r"tests\.throwaway\.nope"):
        control.start(tmp_path / "e.yaml", tmp_path / "state", plugins=("tests.throwaway.nope",))
