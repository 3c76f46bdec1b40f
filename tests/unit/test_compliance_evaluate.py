"""Rule evaluation on real configurations: the shipped rules over each `<case>.compliance.yaml` fixture's
configuration (a new case is a new pair of files), golden sections, waivers, and the software check.

Each case's expected verdicts were written from reading the configuration (the comment in its file says
what is there), not from running the code.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import pytest
import yaml
from nornir.core.inventory import Defaults, Group, Host, ParentGroups

from tasks.compliance.evaluate import evaluate, golden, waive
from tasks.compliance.render import render_golden
from tasks.compliance.rules import LoadedRule, Rule, RuleWaiver, load_rules
from tasks.compliance.standards import Standards, software_result
from tasks.matrix import load_matrix
from tasks.models import Unsupported, Verdict
from tasks.models.compliance import RuleResult
from tasks.platforms import get_platform
from tasks.platforms.base import ConfigForm

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
# Beside a parser fixture (`<platform>/<command>/<case>.compliance.yaml`), or, for a configuration no parser test
# reads, under `compliance/<platform>/<command>/` with its `.source`.
CASES = sorted([*FIXTURES.glob("*/*/*.compliance.yaml"), *FIXTURES.glob("compliance/*/*/*.compliance.yaml")])


def _lines(platform: str, text: str) -> list[str]:
    """The configuration as the compliance run reads it: sanitised when the platform can, in its line form."""
    capability = get_platform(platform)
    form = capability.compliance
    assert isinstance(form, ConfigForm)
    sanitise = capability.sanitise_config
    return form.lines(text if isinstance(sanitise, Unsupported) else sanitise(text))


def _platform(path: Path) -> str:
    parts = path.relative_to(FIXTURES).parts
    return parts[1] if parts[0] == "compliance" else parts[0]


def _case(path: Path) -> tuple[str, str, dict[str, Any]]:
    platform = _platform(path)
    text = path.with_name(path.name.removesuffix(".compliance.yaml") + ".txt").read_text(encoding="utf-8")
    return platform, text, yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", CASES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_shipped_rules_on_a_real_configuration(path: Path, tmp_path: Path) -> None:
    platform, text, expected = _case(path)
    lines = _lines(platform, text)
    rules = [r.rule for r in load_rules(ROOT / "compliance", [platform], tmp_path, []).shipped[platform]]
    results = {rule.id: evaluate(rule, lines) for rule in rules if rule.kind.value != "golden"}
    assert {rule: result.verdict.value for rule, result in results.items()} == expected["verdicts"]
    for rule, extra in expected.get("extra", {}).items():
        assert list(results[rule].extra) == extra
    for rule, missing in expected.get("missing", {}).items():
        assert list(results[rule].missing) == missing
    form = expected.get("config_lines", {})
    assert set(form.get("present", [])) <= set(lines)
    assert not set(form.get("absent", [])) & set(lines)
    source = path.with_name(path.name.removesuffix(".compliance.yaml") + ".source")
    assert source.is_file()  # where the configuration comes from


def test_there_is_a_case_per_platform_that_has_a_sample() -> None:
    assert {_platform(p) for p in CASES} >= {
        "paloalto_panos",
        "fortinet",
        "cisco_ios",
        "cisco_nxos",
        "arista_eos",
    }  # fmt: skip  (no public Junos `display set` sample yet: its line form is a doctest)


def test_a_golden_section_reports_missing_and_extra_lines_on_a_real_panos_config() -> None:
    text = (FIXTURES / "paloalto_panos" / "show_config_running" / "netutils_basic_brace.txt").read_text()
    lines = _lines("paloalto_panos", text)
    rule = Rule(
        id="panorama", feature="panorama", kind="golden", template="t", section="^set deviceconfig system panorama"
    )
    prefix = "set deviceconfig system panorama local-panorama"
    intended = [f"{prefix} panorama-server 10.0.0.1", f"{prefix} panorama-server-2 10.0.0.3"]
    result = golden(rule, lines, intended)
    assert result.verdict is Verdict.FAIL
    assert result.missing == (f"{prefix} panorama-server-2 10.0.0.3",)
    assert result.extra == (f"{prefix} panorama-server-2 10.0.0.2",)
    assert golden(
        rule, lines, [f"{prefix} panorama-server 10.0.0.1", f"{prefix} panorama-server-2 10.0.0.2"]
    ).verdict is (Verdict.PASS)


def test_a_golden_section_in_fortios_path_form_compares_the_rendered_block(tmp_path: Path) -> None:
    text = (FIXTURES / "fortinet" / "show" / "oxidized_FortiGate-91G_7.4.7.txt").read_text()
    lines = _lines("fortinet", text)
    block = 'config system global\n    set timezone "Europe/Berlin"\n    set hostname "TEST-FW1234"\nend\n'
    intended = _lines("fortinet", block)
    rule = Rule(
        id="global",
        feature="system",
        kind="golden",
        template="t",
        section="^config system global > set (hostname|timezone)",
    )
    result = golden(rule, lines, intended)
    assert result.verdict is Verdict.FAIL and result.missing == ("config system global",)
    assert result.extra == ()
    warn = Rule(
        id="w", feature="x", kind="golden", template="t", section="^config system global > set alias", severity="warn"
    )
    assert golden(warn, lines, []).verdict is Verdict.WARN


def _host(data: dict[str, Any], group_data: dict[str, Any]) -> Host:
    group = Group("site-lon1", data=group_data)
    return Host("sw1", data=data, groups=ParentGroups([group]), defaults=Defaults())


def test_a_golden_template_is_rendered_from_host_and_group_data(tmp_path: Path) -> None:
    (tmp_path / "ntp.j2").write_text(
        "{% for s in host.ntp_servers %}ntp server {{ s }}\n{% endfor %}", encoding="utf-8"
    )
    rule = Rule(id="ntp-golden", feature="ntp", kind="golden", template="ntp.j2", section="^ntp server")
    loaded = LoadedRule(rule, "x.yaml", tmp_path)
    task = SimpleNamespace(host=_host({}, {"ntp_servers": ["10.0.0.1", "10.0.0.2"]}))
    assert render_golden(task, loaded) == "ntp server 10.0.0.1\nntp server 10.0.0.2\n"  # type: ignore[arg-type]
    own = SimpleNamespace(host=_host({"ntp_servers": ["10.9.9.9"]}, {"ntp_servers": ["10.0.0.1"]}))
    assert render_golden(own, loaded) == "ntp server 10.9.9.9\n"  # type: ignore[arg-type]
    bare = SimpleNamespace(host=_host({}, {}))
    assert isinstance(render_golden(bare, loaded), jinja2.UndefinedError)  # type: ignore[arg-type]


def test_a_waiver_makes_a_fail_a_warn_and_an_expired_one_is_only_mentioned() -> None:
    failed = RuleResult("snmp-no-community", "snmp", "forbidden", Verdict.FAIL, "1 forbidden line present")
    waiver = RuleWaiver(rule="snmp-no-community", reason="legacy NMS", approved_by="cab", expires=date(2026, 1, 1))
    assert waive(failed, waiver).verdict is Verdict.WARN
    expired = waive(failed, None, waiver)
    assert expired.verdict is Verdict.FAIL and "waiver expired 2026-01-01" in expired.message
    passed = RuleResult("r", "f", "required", Verdict.PASS, "present")
    assert waive(passed, waiver) == passed


@pytest.mark.parametrize(
    ("version", "today", "approved", "verdict", "phrase"),
    [
        (
            "9.1.14",
            date(2026, 11, 30),
            None,
            Verdict.FAIL,
            "end of life",
        ),  # matrices: PAN-OS 9.1 end of life 2024-06-30
        ("11.1.4-h7", date(2026, 11, 30), None, Verdict.PASS, "supported until"),
        ("11.1.4-h7", date(2026, 11, 30), ["10.2.*"], Verdict.FAIL, "not one of the customer's approved releases"),
        ("11.1.4-h7", date(2026, 11, 30), ["11.1.*"], Verdict.PASS, "approved"),
    ],
)
def test_software_past_end_of_life_or_not_approved_is_a_fail(
    version: str, today: date, approved: list[str] | None, verdict: Verdict, phrase: str
) -> None:
    matrix = load_matrix("paloalto_panos", ROOT / "matrices")
    standards = Standards(approved_releases={"paloalto_panos": approved} if approved is not None else {})
    result = software_result(version, "paloalto_panos", matrix, standards, today)
    assert result.verdict is verdict and phrase in result.message
