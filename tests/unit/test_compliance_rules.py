"""The rule loader: shipped and customer rule files, overrides, scope, and one-line errors for bad files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tasks.compliance.rules import CUSTOMER_FILE, load_rules
from tasks.errors import InputError, RulesError

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "compliance"
PLATFORMS = ("paloalto_panos", "fortinet", "cisco_ios", "cisco_nxos", "arista_eos", "juniper_junos")
FEATURES = {"ntp", "syslog", "snmp", "management", "banner", "aaa"}  # what every shipped rule set covers

GOOD = """\
rules:
  - id: ntp-servers
    feature: ntp
    kind: required
    match: ['^ntp server \\S+']
"""


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_platform_ships_a_rule_set_covering_the_usual_features(platform: str, tmp_path: Path) -> None:
    book = load_rules(SHIPPED, [platform], tmp_path, [])
    rules = book.shipped[platform]
    assert {r.rule.feature for r in rules} >= FEATURES
    assert all(r.rule.source or r.rule.kind.value == "golden" for r in rules)  # each says where its syntax is from


# (file text, the rule named, the field's line, a phrase of the problem)
BAD = [
    ("rules:\n  - id: ntp\n    feature: ntp\n    kind: required\n    match: ['(']\n", "ntp", 5, "regular expression"),
    ("rules:\n  - id: bad-kind\n    feature: x\n    kind: wanted\n    match: [a]\n", "bad-kind", 4, "kind"),
    ("rules:\n  - id: g\n    feature: ntp\n    kind: golden\n    section: '^ntp'\n", "g", 2, "template"),
    ("rules:\n  - id: f\n    feature: x\n    kind: forbidden\n", "f", 2, "needs match"),
    ("rules:\n  - id: a\n    feature: x\n    kind: required\n    match: [a]\n    colour: red\n", "a", 6,
     "unknown field"),
    ("rules:\n  - id: d\n    feature: x\n    kind: required\n    match: [a]\n"
     "  - id: d\n    feature: y\n    kind: required\n    match: [b]\n", "d", 6, "written twice"),
    ("rules:\n  - id: t\n    feature: ntp\n    kind: golden\n    template: nowhere.j2\n    section: x\n", "t", 5,
     "template not found"),
    ("rules:\n  - id: s\n    feature: x\n    kind: required\n    match: [a]\n    section: '('\n", "s", 6, "regular"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "rule", "line", "phrase"), BAD, ids=[case[1] for case in BAD])
def test_a_bad_shipped_file_is_one_line_naming_file_line_and_rule(
    tmp_path: Path, text: str, rule: str, line: int, phrase: str
) -> None:
    _write(tmp_path / "rules", "cisco_ios.yaml", text)
    with pytest.raises(RulesError) as caught:
        load_rules(tmp_path / "rules", ["cisco_ios"], tmp_path / "inventory", [])
    message = str(caught.value)
    assert isinstance(caught.value, InputError)  # exit 3
    assert "\n" not in message
    assert f"cisco_ios.yaml:{line}:" in message and f"{rule!r}" in message and phrase in message


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("rules:\n  - id: ntp\n    feature: a\n    kind: required\n    match: [a]\n  ntp: 1\n", "not valid YAML"),
        ("rules: [1, 2]\nrules: []\n", "written twice"),
        ("- id: x\n", "expected a mapping"),
        ("platform: fortinet\nrules: []\n", "for 'cisco_ios'"),
    ],
)
def test_a_broken_file_is_one_line_naming_the_file(tmp_path: Path, text: str, phrase: str) -> None:
    _write(tmp_path / "rules", "cisco_ios.yaml", text)
    with pytest.raises(RulesError) as caught:
        load_rules(tmp_path / "rules", ["cisco_ios"], tmp_path / "inventory", [])
    assert "cisco_ios.yaml" in str(caught.value) and phrase in str(caught.value) and "\n" not in str(caught.value)


def test_customer_rules_replace_by_id_and_extend_for_that_customer_only(tmp_path: Path) -> None:
    rules, inventory = tmp_path / "rules", tmp_path / "inventory"
    _write(rules, "cisco_ios.yaml", GOOD)
    own = (
        "rules:\n"
        "  - id: ntp-servers\n    feature: ntp\n    kind: required\n    match: ['^ntp server 10\\.1\\.']\n"
        "  - id: acme-domain\n    feature: dns\n    kind: required\n    match: ['^ip domain name acme']\n"
        "    applies_to: {platforms: [cisco_ios], roles: [core]}\n"
    )
    _write(inventory / "acme", CUSTOMER_FILE, own)
    book = load_rules(rules, ["cisco_ios"], inventory, ["acme", "other"])
    acme = {r.id: r for r in book.rules_for("cisco_ios", "acme")}
    other = {r.id: r for r in book.rules_for("cisco_ios", "other")}
    assert sorted(acme) == ["acme-domain", "ntp-servers"] and sorted(other) == ["ntp-servers"]
    assert acme["ntp-servers"].rule.match == ["^ntp server 10\\.1\\."] and acme["ntp-servers"].customer == "acme"
    assert other["ntp-servers"].rule.match == ["^ntp server \\S+"]
    assert acme["acme-domain"].rule.applies_to.covers("core", [], "lon1")
    assert not acme["acme-domain"].rule.applies_to.covers("access", [], "lon1")
    assert book.rules_for("arista_eos", "acme") == []  # the customer's rule names its platform


def test_a_new_customer_rule_must_name_its_platforms(tmp_path: Path) -> None:
    _write(tmp_path / "rules", "cisco_ios.yaml", GOOD)
    own = "rules:\n  - id: mine\n    feature: x\n    kind: required\n    match: [a]\n"
    path = _write(tmp_path / "inventory" / "acme", CUSTOMER_FILE, own)
    with pytest.raises(RulesError, match=r"compliance.yaml:2: rules\[0\].applies_to: rule 'mine': .*platforms"):
        load_rules(tmp_path / "rules", ["cisco_ios"], tmp_path / "inventory", ["acme"])
    assert path.is_file()


def test_waivers_apply_to_their_rule_and_device_until_they_expire(tmp_path: Path) -> None:
    _write(tmp_path / "rules", "cisco_ios.yaml", GOOD)
    own = (
        "waivers:\n  - rule: ntp-servers\n    device: sw1\n    reason: isolated lab\n"
        "    approved_by: change board\n    expires: 2026-06-30\n"
    )
    _write(tmp_path / "inventory" / "acme", CUSTOMER_FILE, own)
    book = load_rules(tmp_path / "rules", ["cisco_ios"], tmp_path / "inventory", ["acme"])
    assert book.waiver_for("acme", "ntp-servers", "sw1", date(2026, 6, 30)) is not None
    assert book.waiver_for("acme", "ntp-servers", "sw2", date(2026, 6, 1)) is None
    assert book.waiver_for("acme", "ntp-servers", "sw1", date(2026, 7, 1)) is None
    assert book.expired_waiver("acme", "ntp-servers", "sw1", date(2026, 7, 1)) is not None
    assert book.expired_waiver("acme", "ntp-servers", "sw1", date(2026, 6, 1)) is None


def test_a_waiver_without_its_reason_names_the_rule(tmp_path: Path) -> None:
    _write(tmp_path / "rules", "cisco_ios.yaml", GOOD)
    own = "waivers:\n  - rule: ntp-servers\n    approved_by: cab\n    expires: 2026-06-30\n"
    _write(tmp_path / "inventory" / "acme", CUSTOMER_FILE, own)
    with pytest.raises(RulesError, match=r"compliance.yaml:2: waivers\[0\].reason: rule 'ntp-servers': field required"):
        load_rules(tmp_path / "rules", ["cisco_ios"], tmp_path / "inventory", ["acme"])


def test_a_missing_rules_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="no such rules folder"):
        load_rules(tmp_path / "nowhere", ["cisco_ios"], tmp_path, [])
