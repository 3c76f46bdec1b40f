"""Version comparison with the PAN-OS scheme: the examples tasks/versions.py showed before it named no platform."""

from __future__ import annotations

import pytest

from tasks.versions import compare, feature_release, is_at_least, is_at_most, is_before, parse_version

PAN = "paloalto_panos"


def test_parse_and_order() -> None:
    assert parse_version("9.1.14", PAN).key == (9, 1, 14, 0)
    assert parse_version("10.2.4-h4", PAN) < parse_version("10.2.10", PAN)
    assert sorted(["11.1.4-h7", "9.1.14", "10.2.4-h4", "10.2.4"], key=lambda v: parse_version(v, PAN)) == [
        "9.1.14",
        "10.2.4",
        "10.2.4-h4",
        "11.1.4-h7",
    ]


def test_feature_release_and_compare() -> None:
    assert (feature_release("11.1.4-h7", PAN), feature_release("10.2", PAN)) == ("11.1", "10.2")
    assert (
        compare("10.2.4-h4", "10.2.4", PAN),
        compare("9.1.14", "10.0.12-h3", PAN),
        compare("10.2", "10.2.0", PAN),
    ) == (
        1,
        -1,
        0,
    )


def test_bounds() -> None:
    assert (is_at_least("10.2.4-h4", "10.2.0", PAN), is_at_least("10.1.14-h20", "10.2", PAN)) == (True, False)
    assert is_at_least("10.2.0", "10.2", PAN)
    assert (is_at_most("11.1.4-h7", "11.1", PAN), is_at_most("11.2.0", "11.1", PAN)) == (True, False)
    assert not is_at_most("10.2.4-h4", "10.2.4", PAN)
    assert (is_before("10.2.3-h9", "10.2.4", PAN), is_before("10.2.4", "10.2.4", PAN)) == (True, False)


def test_versions_of_two_schemes_do_not_mix() -> None:
    with pytest.raises(ValueError, match="is a paloalto_panos version, not fortinet"):
        parse_version(parse_version("10.2.4", PAN), "fortinet")
    with pytest.raises(ValueError, match=r"no version scheme for platform 'cisco_wlc' \(known: arista_eos, "):
        parse_version("1.2", "cisco_wlc")


def test_a_version_is_parsed_once_and_another_parser_parses_anew(monkeypatch: pytest.MonkeyPatch) -> None:
    import tasks.versions as versions

    first = parse_version("10.2.4-h4", "paloalto_panos")
    assert parse_version("10.2.4-h4", "paloalto_panos") is first
    calls: list[str] = []

    def parser(text: str) -> versions.Version:
        calls.append(text)
        return versions.SCHEMES["paloalto_panos"](text)

    monkeypatch.setitem(versions.SCHEMES._parsers, "again", parser)
    parse_version("10.2.4-h4", "again")
    parse_version("10.2.4-h4", "again")
    assert calls == ["10.2.4-h4"]
    with pytest.raises(ValueError, match="expected a string"):
        parse_version(["10.2.4"], "paloalto_panos")  # type: ignore[arg-type]
