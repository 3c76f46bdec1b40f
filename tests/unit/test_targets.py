"""`--target`: one release per platform; a bare version goes to the platform whose releases list its train."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tasks.errors import UsageError
from tasks.matrix import load_matrix
from tasks.platforms import PLATFORMS
from workflows.run import parse_targets

MATRICES = {p: load_matrix(p, Path(__file__).resolve().parents[2] / "matrices") for p in PLATFORMS}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (("10.2.4-h4",), {"paloalto_panos": "10.2.4-h4"}),
        (("7.4.8",), {"fortinet": "7.4.8"}),
        (("10.4(5)",), {"cisco_nxos": "10.4(5)"}),
        (("4.31.2F",), {"arista_eos": "4.31.2F"}),
        (("23.2R1.13",), {"juniper_junos": "23.2R1.13"}),
        (("17.12.4",), {"cisco_ios": "17.12.4"}),
        (("10.2.4-h4", "fortinet=7.4.8"), {"paloalto_panos": "10.2.4-h4", "fortinet": "7.4.8"}),
    ],
)
def test_each_version_goes_to_its_platform(values: tuple[str, ...], expected: dict[str, str]) -> None:
    assert parse_targets(values, MATRICES) == expected


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (("99.1.1",), "not a release of any selected platform"),
        (("fortinet=7.4.8", "fortinet=7.2.6"), "fortinet already targets 7.4.8"),
        (("fortinet=9.9.9",), "'9.9.9' is not a known fortinet release"),
        (("cisco_wlc=8.10",), "unknown platform 'cisco_wlc'"),
    ],
)
def test_bad_targets_are_usage_errors(values: tuple[str, ...], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_targets(values, MATRICES)


def test_a_version_two_platforms_could_own_must_name_its_platform() -> None:
    both = {p: MATRICES[p] for p in ("paloalto_panos", "cisco_nxos")}
    with pytest.raises(
        UsageError, match=re.escape("a release of cisco_nxos and paloalto_panos; write PLATFORM=10.2.4")
    ):
        parse_targets(("10.2.4",), both)
