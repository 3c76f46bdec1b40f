"""Tests of lab plug-ins: a personality registered from outside lab/ is looked up, validated and served."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from lab import control, personalities
from lab.__main__ import _parser
from lab.personalities.base import DeviceView
from tests.throwaway import personality as tiny_os


def test_a_registered_personality_is_looked_up() -> None:
    assert personalities.get("tiny_os") is tiny_os.PERSONALITY
    assert "tiny_os" in personalities.supported()
    personalities.register(tiny_os.PERSONALITY)  # registering the same one again is harmless


def test_another_personality_cannot_take_a_known_name() -> None:
    with pytest.raises(ValueError, match="'paloalto_panos' is already registered"):
        personalities.register(replace(tiny_os.PERSONALITY, platform="paloalto_panos"))
    with pytest.raises(ValueError, match="'tiny_os' is already registered"):
        personalities.register(replace(tiny_os.PERSONALITY))


def test_an_estate_may_use_a_registered_platform(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text(
        "customers:\n  acme:\n    sites:\n      lon1:\n        devices:\n"
        "          - {name: t1, platform: tiny_os, model: TINY-1, version: '1.0'}\n"
        "          - {name: t2, platform: tiny_os, model: TINY-9, version: '1.0'}\n",
        encoding="utf-8",
    )
    with pytest.raises(personalities.estate.EstateFileError, match=r"e\.yaml:7: .*devices\[1\]\.model: unknown TinyOS"):
        personalities.load_estate(path)
    path.write_text(path.read_text(encoding="utf-8").replace("TINY-9", "TINY-1"), encoding="utf-8")
    (t1, _) = personalities.load_estate(path).devices
    shell = personalities.get("tiny_os").new_shell(DeviceView(t1, None, "admin", 0.0))
    assert "Model: TINY-1\nSerial: " in shell.handle("show version").text
    assert shell.handle("show version").text.endswith("Version: 1.0\n")


def test_state_keys_a_platform_does_not_read_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text(
        "customers:\n  acme:\n    sites:\n      lon1:\n        devices:\n"
        "          - name: t1\n            platform: tiny_os\n            model: TINY-1\n            version: '1.0'\n"
        "            state: {ntp_synced: false}\n",
        encoding="utf-8",
    )
    with pytest.raises(
        personalities.estate.EstateFileError, match=r":10: .*state\.ntp_synced: unknown field for tiny_os"
    ):
        personalities.load_estate(path)


def test_plugins_and_matrices_reach_the_serving_process(tmp_path: Path) -> None:
    cmd = control.serve_command(
        tmp_path / "e.yaml",
        tmp_path,
        None,
        None,
        None,
        plugins=("tests.throwaway.personality", "x.y"),
        matrices=tmp_path,
    )
    assert cmd[cmd.index("--matrices") + 1] == str(tmp_path)
    assert [cmd[i + 1] for i, word in enumerate(cmd) if word == "--plugin"] == ["tests.throwaway.personality", "x.y"]
    args = _parser().parse_args(["serve", "--plugin", "a.b", "--plugin", "c", "--matrices", str(tmp_path)])
    assert (args.plugin, args.matrices) == (["a.b", "c"], tmp_path)
