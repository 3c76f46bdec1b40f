"""Tests of lab.releases: the lab prints the release facts of matrices/, and invents none."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml

from lab import releases
from lab.estate import Device, DeviceState
from lab.personalities import fortinet as lab_fortinet
from lab.personalities import paloalto_panos as lab_panos
from lab.personalities.base import DeviceView

MATRICES = Path(__file__).resolve().parents[2] / "matrices"


@pytest.fixture
def own_matrices(tmp_path: Path) -> Iterator[Path]:
    releases.use_matrices(tmp_path)
    yield tmp_path
    releases.use_matrices(releases.DEFAULT_MATRICES)


def _software_rows(device: Device) -> dict[str, list[str]]:
    text = lab_panos.request_system_software_info(DeviceView(device, None, "admin", 0.0), {})
    rows = [line.split() for line in text.splitlines()[2:]]
    return {row[0]: row[1:] for row in rows}


def _matrix_image(platform: str, version: str) -> dict[str, object]:
    data = yaml.safe_load((MATRICES / f"{platform}.yaml").read_text(encoding="utf-8"))
    return next(image for image in data["images"] if str(image["version"]) == version)


def test_panos_prints_the_matrix_date_and_size_of_an_image_it_lists() -> None:
    image = _matrix_image("paloalto_panos", "11.0.0")
    device = Device("fw1", "paloalto_panos", "PA-850", "10.2.4-h4", "acme", "lon1")
    rows = _software_rows(device)
    released = image["released"]
    assert isinstance(released, date)
    assert rows["11.0.0"] == [f"{image['size_mb']}MB", f"{released:%Y/%m/%d}", "no", "no"]
    assert rows["10.2.4-h4"][-2:] == ["yes", "yes"]
    assert len(rows) >= 500  # every image the matrix lists: the update server's list


def test_panos_without_a_date_or_size_prints_unknown_and_a_blank(own_matrices: Path) -> None:
    (own_matrices / "paloalto_panos.yaml").write_text(
        "images:\n  - {version: 10.2.0, released: 2022-03-01, base: true, size_mb: 1200}\n  - {version: 10.2.1}\n",
        encoding="utf-8",
    )
    device = Device("fw1", "paloalto_panos", "PA-850", "10.2.1", "acme", "lon1", state=DeviceState(images=("9.9.9",)))
    rows = _software_rows(device)
    assert rows["10.2.0"] == ["1200MB", "2022/03/01", "no", "no"]
    assert rows["10.2.1"] == ["unknown", "yes", "yes"]  # no size (blank column) and no date
    assert rows["9.9.9"] == ["unknown", "yes", "no"]


def test_fortios_build_and_date_come_from_the_matrix(own_matrices: Path) -> None:
    (own_matrices / "fortinet.yaml").write_text(
        'images:\n  - {version: 7.4.8, released: 2025-05-23, note: "build 2795; build date"}\n'
        "  - {version: 7.2.10, released: 2024-09-19}\n",
        encoding="utf-8",
    )
    assert lab_fortinet.build_info("7.4.8")[:2] == (2795, "250523")
    assert lab_fortinet.build_info("7.2.10")[:2] == (0, "240919")
    assert lab_fortinet.build_info("7.0.17")[:2] == (0, "000000")  # not in this matrix: nothing invented


def test_the_repo_matrix_is_the_default() -> None:
    assert releases.matrices_dir() == MATRICES
    image = _matrix_image("fortinet", "7.4.8")
    assert lab_fortinet.build_info("7.4.8")[1] == f"{image['released']:%y%m%d}"
