"""The post-upgrade comparison rules, table-tested: a baseline snapshot, one change, the rows that are not PASS."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tasks.checks.postupgrade import AREAS, CHECK, Thresholds, compare_snapshots, config_lines, diff_findings
from tasks.models import Severity, Verdict
from tasks.models.snapshot import OpticState, Snapshot

SR = OpticState("PAN-SFP-PLUS-SR", "OEM", "S1")
LR = OpticState("PAN-SFP-PLUS-LR", "OEM", "S2")
CONFIG = "#config-version=FGT601F-7.2.6\nconfig system global\n    set hostname fw1\n    set uuid 1234\nend\n"
BEFORE = Snapshot(
    version="10.1.9",
    interfaces={"ethernet1/1": "up", "ethernet1/2": "up", "ethernet1/3": "down"},
    optics={"ethernet1/17": SR, "ethernet1/18": LR},
    ha_state="active",
    routes=100,
    arp=50,
    sessions=1000,
    config=CONFIG,
)
TARGET = "10.2.4-h4"
AFTER = replace(BEFORE, version=TARGET)


def _snap(**changes: Any) -> Snapshot:
    return replace(AFTER, **changes)


# (case, the after-snapshot, the target, [(area, item, verdict)] of every row that is not PASS)
CASES: list[tuple[str, Snapshot, str | None, list[tuple[str, str, Verdict]]]] = [
    ("unchanged, target reached", AFTER, TARGET, []),
    ("no target known: not judged", BEFORE, None, []),
    ("release not reached", BEFORE, TARGET, [("release", "", Verdict.FAIL)]),
    ("wrong release", _snap(version="10.2.0"), TARGET, [("release", "", Verdict.FAIL)]),
    (
        "link up -> down",
        _snap(interfaces={"ethernet1/1": "down", "ethernet1/2": "up", "ethernet1/3": "down"}),
        TARGET,
        [("interfaces", "ethernet1/1", Verdict.FAIL)],
    ),
    ("link down -> up is info", _snap(interfaces=dict.fromkeys(BEFORE.interfaces, "up")), TARGET, []),
    (
        "interface gone",
        _snap(interfaces={"ethernet1/1": "up", "ethernet1/3": "down"}),
        TARGET,
        [("interfaces", "ethernet1/2", Verdict.FAIL)],
    ),
    ("new interface is info", _snap(interfaces={**BEFORE.interfaces, "ethernet1/9": "up"}), TARGET, []),
    ("optic missing", _snap(optics={"ethernet1/17": SR}), TARGET, [("optics", "ethernet1/18", Verdict.FAIL)]),
    (
        "optic serial changed",
        _snap(optics={"ethernet1/17": replace(SR, serial="S9"), "ethernet1/18": LR}),
        TARGET,
        [("optics", "ethernet1/17", Verdict.WARN)],
    ),
    (
        "optic part changed",
        _snap(optics={"ethernet1/17": SR, "ethernet1/18": replace(LR, part="SFP-10GLR-31", vendor="FS")}),
        TARGET,
        [("optics", "ethernet1/18", Verdict.WARN)],
    ),
    ("new optic is info", _snap(optics={**BEFORE.optics, "ethernet1/19": LR}), TARGET, []),
    ("HA roles swapped: a failover, named but PASS", _snap(ha_state="passive"), TARGET, []),
    ("HA suspended after", _snap(ha_state="suspended"), TARGET, [("ha", "", Verdict.FAIL)]),
    ("HA lost", _snap(ha_state=None), TARGET, [("ha", "", Verdict.FAIL)]),
    ("routes fell 5%: within", _snap(routes=95), TARGET, []),
    ("routes fell 6%", _snap(routes=94), TARGET, [("routes", "", Verdict.WARN)]),
    ("routes fell 21%", _snap(routes=79), TARGET, [("routes", "", Verdict.FAIL)]),
    ("routes grew", _snap(routes=300), TARGET, []),
    ("routes not read after", _snap(routes=None), TARGET, []),
    ("ARP fell 30%", _snap(arp=35), TARGET, [("arp", "", Verdict.WARN)]),
    ("ARP all gone: WARN only by default", _snap(arp=0), TARGET, [("arp", "", Verdict.WARN)]),
    ("sessions fell 40%: after a reboot", _snap(sessions=600), TARGET, []),
    ("sessions fell 60%", _snap(sessions=400), TARGET, [("sessions", "", Verdict.WARN)]),
    ("config line added", _snap(config=CONFIG + "config router static\n"), TARGET, [("config", "", Verdict.WARN)]),
    (
        "volatile lines only",
        _snap(config=CONFIG.replace("7.2.6", "7.4.8").replace("uuid 1234", "uuid 99")),
        TARGET,
        [],
    ),
    ("config not read after", _snap(config=None), TARGET, []),
]


@pytest.mark.parametrize(("case", "after", "target", "expected"), CASES, ids=[c[0] for c in CASES])
def test_compare_rules(
    case: str, after: Snapshot, target: str | None, expected: list[tuple[str, str, Verdict]]
) -> None:
    rows = compare_snapshots(BEFORE, after, target, Thresholds())
    assert [(r.area, r.item, r.verdict) for r in rows if r.verdict is not Verdict.PASS] == expected
    assert sorted({r.area for r in rows}, key=AREAS.index) == list(AREAS)  # every area is on the Diff sheet


def test_rows_say_what_changed() -> None:
    rows = compare_snapshots(BEFORE, _snap(optics={"ethernet1/17": SR}, routes=79), TARGET)
    by_area = {r.area: r for r in rows}
    assert by_area["optics"].message == "optic missing from port ethernet1/18"
    assert by_area["optics"].before == "OEM PAN-SFP-PLUS-LR S2" and by_area["optics"].after is None
    assert by_area["routes"].message == "routes fell 21% (100 -> 79), more than 20%"
    assert (by_area["routes"].before, by_area["routes"].after) == ("100", "79")


def test_thresholds_are_configurable() -> None:
    strict = Thresholds(sessions_warn=10, sessions_fail=30)
    rows = compare_snapshots(BEFORE, _snap(sessions=600), TARGET, strict)
    assert [(r.area, r.verdict) for r in rows if r.verdict is not Verdict.PASS] == [("sessions", Verdict.FAIL)]


def test_config_lines_ignore_volatile_and_blank_lines() -> None:
    assert config_lines(CONFIG) == {"config system global", "    set hostname fw1", "end"}


def test_findings_one_per_problem_or_one_pass() -> None:
    assert [(f.check, f.verdict) for f in diff_findings(compare_snapshots(BEFORE, AFTER, TARGET))] == [
        (CHECK, Verdict.PASS)
    ]
    findings = diff_findings(compare_snapshots(BEFORE, _snap(optics={}, ha_state="suspended"), TARGET))
    assert [(f.verdict, f.severity) for f in findings] == [(Verdict.FAIL, Severity.BLOCKER)] * 3
    assert [f.message for f in findings] == [
        "optics: optic missing from port ethernet1/17",
        "optics: optic missing from port ethernet1/18",
        "ha: HA state suspended: not functional",
    ]


def test_thresholds_of_an_area_without_a_count() -> None:
    with pytest.raises(ValueError, match="'optics'"):
        Thresholds().for_area("optics")
