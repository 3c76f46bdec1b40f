"""tasks/platforms/text.py: `parse_template` returns what ntc-templates' `parse_output` returns, on every fixture."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from ntc_templates.parse import parse_output

from tasks.platforms.text import parse_template

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# tests/fixtures/<platform>/<command with _ for spaces>/<case>.txt: real outputs, some no template knows.
CASES = sorted(FIXTURES.glob("*/*/*.txt"))


def _outcome(parse: Any, platform: str, command: str, text: str) -> tuple[str, Any]:
    try:
        return "records", parse(platform=platform, command=command, data=text)
    except Exception as exc:
        return "error", (type(exc).__name__, str(exc))


def _ours(platform: str, command: str, data: str) -> list[dict[str, Any]]:
    return parse_template(platform, command, data)


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(FIXTURES)) for c in CASES])
def test_records_and_errors_are_those_of_parse_output(case: Path) -> None:
    platform, command, text = case.parts[-3], case.parts[-2].replace("_", " "), case.read_text()
    assert _outcome(_ours, platform, command, text) == _outcome(parse_output, platform, command, text)


def test_a_rejected_output_leaves_the_next_parse_clean() -> None:
    good = next(c for c in CASES if c.parts[-3] == "cisco_ios" and c.parts[-2] == "show_version")
    expected = parse_output(platform="cisco_ios", command="show version", data=good.read_text())
    for text in ("garbage that ends nowhere\n", good.read_text()):
        _outcome(_ours, "cisco_ios", "show version", text)
    assert parse_template("cisco_ios", "show version", good.read_text()) == expected


def test_threads_parse_at_once_without_mixing_records() -> None:
    cases = [c for c in CASES if c.parts[-3] == "cisco_ios" and c.parts[-2] in ("show_version", "show_inventory")]
    jobs = [(c.parts[-2].replace("_", " "), c.read_text()) for c in cases] * 10
    expected = [parse_output(platform="cisco_ios", command=cmd, data=text) for cmd, text in jobs]
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda job: parse_template("cisco_ios", *job), jobs))
    assert got == expected


def test_threads_reaching_their_first_parse_together_look_the_template_up_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import tasks.platforms.text as text_module

    found: list[tuple[str, str]] = []
    start = threading.Barrier(16)

    def find(platform: str, command: str) -> str | None:
        found.append((platform, command))
        time.sleep(0.05)  # the index scan: long enough for every other thread to arrive meanwhile
        return None

    monkeypatch.setattr(text_module, "_templates", {})
    monkeypatch.setattr(text_module, "_find_template", find)

    def first_parse(_: int) -> str | None:
        start.wait()
        return text_module._template("cisco_ios", "show version")

    with ThreadPoolExecutor(16) as pool:
        assert list(pool.map(first_parse, range(16))) == [None] * 16
    assert found == [("cisco_ios", "show version")]


def test_the_index_is_read_once_per_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    import textfsm.clitable

    import tasks.platforms.text as text_module

    reads: list[str] = []
    index_table = textfsm.clitable.IndexTable

    def counting(*args: Any) -> Any:
        reads.append(str(args[-1]))
        return index_table(*args)

    monkeypatch.setattr(text_module, "_templates", {})
    monkeypatch.setattr(text_module, "_indexes", {})
    monkeypatch.setattr(textfsm.clitable, "IndexTable", counting)
    found = {
        (platform, command): text_module._template(platform, command)
        for platform, command in [
            ("cisco_ios", "show version"),
            ("cisco_ios", "show inventory"),
            ("paloalto_panos", "show system info"),
            ("paloalto_panos", "show system state filter sys.s*.p*.phy"),
        ]
    }
    assert len(reads) == 2 and all(path.endswith("index") for path in reads)
    assert str(found[("cisco_ios", "show version")]).endswith("cisco_ios_show_version.textfsm")
    assert str(found[("paloalto_panos", "show system info")]).endswith("paloalto_panos_show_system_info.textfsm")
    assert found[("paloalto_panos", "show system state filter sys.s*.p*.phy")] is None


def test_each_platforms_templates_are_the_ones_clitable_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-platform index finds, for every command estate sends and a few it does not (abbreviated, of
    another platform), the template ntc-templates' own CliTable finds over the whole index."""
    from ntc_templates.parse import _get_template_dir
    from textfsm import clitable

    import tasks.platforms.text as text_module
    from tasks.platforms import platforms

    monkeypatch.setattr(text_module, "_indexes", {})
    folder = _get_template_dir()
    whole = clitable.CliTable("index", folder).index
    checked = 0
    for platform, spec in sorted(platforms().items()):
        commands = {*spec.commands.values(), "sh ver", "show version", "show interfaces", "x"}
        for command in commands:
            row = whole.GetRowMatch({"Command": command, "Platform": platform})
            expected = str(whole.index[row]["Template"]) if row else None
            mine = text_module._index_of(platform)
            got = mine.GetRowMatch({"Command": command, "Platform": platform})
            assert (str(mine.index[got]["Template"]) if got else None) == expected, (platform, command)
            checked += bool(row)
    assert checked >= 12  # most of the commands have a template: the comparison is not between two Nones
