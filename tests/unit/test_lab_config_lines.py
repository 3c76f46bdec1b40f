"""The estate file's `config_lines` (lines added to / removed from the served running configuration): validated
with the field named, and applied like `lab ctl set-config`, with or without a running lab."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lab.personalities import configs
from lab.personalities import load_estate as load
from lab.personalities.base import DeviceView
from lab.runtime import DeviceRuntime, edit_lines
from tests.unit.test_lab_estate import error_of, estate, write

SWITCH = {"name": "sw1", "platform": "cisco_ios", "model": "C9300-48P", "version": "17.9.4a"}


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ({"add": "ntp server 1"}, "devices[0].config_lines.add: must be a list"),
        ({"add": [3]}, "devices[0].config_lines.add[0]: must be a string"),
        ({"remove": ["ntp ("]}, "devices[0].config_lines.remove[0]: not a regular expression"),
        ({"delete": ["x"]}, "devices[0].config_lines"),
    ],
)
def test_bad_config_lines_name_the_field(tmp_path: Path, lines: Any, expected: str) -> None:
    assert expected in error_of(tmp_path, estate(dict(SWITCH, config_lines=lines)))


def test_config_lines_change_what_the_switch_serves(tmp_path: Path) -> None:
    lines = {"add": ["logging host 10.9.9.9"], "remove": ["^ntp server "]}
    device = load(write(tmp_path, estate(dict(SWITCH, config_lines=lines)))).devices[0]
    plain = configs.ios_running_config(DeviceView(device, None, "admin", 0.0))
    assert "ntp server 10.20.0.123" in plain.split("\n")
    for runtime in (None, DeviceRuntime(device)):
        served = configs.served(DeviceView(device, None, "admin", 0.0, runtime), plain).split("\n")
        assert "logging host 10.9.9.9" in served and "ntp server 10.20.0.123" not in served
        assert served[served.index("logging host 10.9.9.9") + 1] == "end"  # before the last line, as set-config


def test_set_config_adds_to_the_estate_files_changes(tmp_path: Path) -> None:
    device = load(write(tmp_path, estate(dict(SWITCH, config_lines={"add": ["a 1"]})))).devices[0]
    runtime = DeviceRuntime(device)
    runtime.set_config(["b 2"], [])
    assert runtime.edit_config("x\nend\n") == "x\na 1\nb 2\nend\n"
    assert edit_lines("x\nend", [], []) == "x\nend"
