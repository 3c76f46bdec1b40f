"""Optic checks, table-tested: each row names the rule it exercises and the outcome that rule prescribes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tasks.checks.optics import (
    KNOWN_ISSUE,
    OPTIC_SUPPORT,
    judge_optic,
    judge_optics,
    optic_findings,
)
from tasks.matrix import IssueSeverity, Matrix, Waiver, load_matrix
from tasks.models import Finding, OpticVerdict, Severity, Support, Transceiver, Verdict, worst
from tasks.versions import is_at_least

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 3, 1)
DEVICE = "acme-lon1-fw01"

# What each rule prescribes, written once: the rows below refer to these, not to literal verdicts.
SUPPORT_VERDICT = {Support.YES: Verdict.PASS, Support.WAIVED: Verdict.WARN, Support.NO: Verdict.WARN}
ISSUE_VERDICT = {IssueSeverity.BLOCKER: Verdict.FAIL, IssueSeverity.WARNING: Verdict.WARN}
ACCEPTED_ISSUE_VERDICT = Verdict.WARN

MATRIX = Matrix.model_validate(
    {
        "platform": "paloalto_panos",
        "oem": {
            "vendor_names": ["OEM"],
            "genuine": [{"vendor": "ACME OPTICS", "part": "PAN-A", "status": "src", "source": "s"}],
        },
        "optics": [
            {
                "part": "PAN-A",
                "type": "10GBASE-SR",
                "description": "d",
                "models": ["PA-32*"],
                "status": "src",
                "source": "s",
            },
            {
                "part": "PAN-B",
                "type": "40GBASE-SR4",
                "description": "d",
                "models": ["PA-52*"],
                "status": "src",
                "source": "s",
                "from_release": "10.1",
                "until_release": "11.1",
            },
        ],
        "known_issues": [
            {
                "id": "BOOT",
                "title": "t",
                "platform": "paloalto_panos",
                "from_release": "10.2.0",
                "fixed_in": "11.1.0",
                "models": ["PA-32*"],
                "condition": "non_oem_optic",
                "severity": "blocker",
                "message": "may not boot",
                "source": {"kind": "field-report"},
                "local": True,
            },
            {
                "id": "WRITABLE",
                "title": "t",
                "platform": "paloalto_panos",
                "from_release": "8.0.0",
                "condition": "non_oem_optic",
                "severity": "warning",
                "message": "may stop working",
                "source": {"kind": "vendor-doc"},
            },
        ],
    },
    context={"platform": "paloalto_panos", "scheme": "paloalto_panos", "allow_local": True},
)
ISSUES = {issue.id: issue for issue in MATRIX.known_issues}

OEM_A = Transceiver("ethernet1/1", "10000B-SR", "OEM", "PAN-A", "S1")
CODED_A = Transceiver("ethernet1/1", "10000B-SR", "FINISAR CORP.", "PAN-A", "S2")  # third party, PAN's part
GENUINE_A = Transceiver("ethernet1/3", "10000B-SR", "ACME OPTICS", "PAN-A", "S5")  # the matrix's genuine pairing
OEM_B = Transceiver("ethernet1/5", "QSFP-Plus-Fiber", "OEM", "PAN-B", "S3")
OEM_UNKNOWN = Transceiver("ethernet1/6", "10000B-LR", "OEM", "PAN-NOT-LISTED", "S4")
THIRD = Transceiver("ethernet1/2", "10GBASE-LR", "FINISAR CORP.", "FTLX1471D3BCL", "X9")


def waiver(**spec: Any) -> Waiver:
    base = {"reason": "lab-tested", "approved_by": "CAB-42", "expires": "2026-12-31"}
    return Waiver.model_validate({**base, **spec})


@dataclass(frozen=True)
class Row:
    rule: str
    transceiver: Transceiver
    model: str = "PA-3220"
    version: str = "10.1.9"
    target: str | None = None
    waivers: tuple[Waiver, ...] = ()
    today: date = TODAY
    oem: bool = False
    supported: Support = Support.NO
    issues: tuple[str, ...] = ()  # known issues that apply, unaccepted
    accepted: tuple[str, ...] = ()  # known issues that apply, accepted by a waiver
    reason_has: tuple[str, ...] = field(default_factory=tuple)

    def expected(self) -> Verdict:
        """The verdict the rules prescribe: the support verdict, worsened by each applicable known issue."""
        verdicts = [SUPPORT_VERDICT[self.supported]]
        verdicts += [ISSUE_VERDICT[ISSUES[i].severity] for i in self.issues]
        verdicts += [ACCEPTED_ISSUE_VERDICT for _ in self.accepted]
        return worst(verdicts)


ROWS = [
    Row("OEM part listed for the model", OEM_A, oem=True, supported=Support.YES, reason_has=("supported",)),
    Row(
        "a third-party vendor name with a listed PAN part is a coded optic, third-party",
        CODED_A,
        reason_has=("third-party optic (FINISAR CORP.) coded as PAN-A",),
    ),
    Row(
        "a coded optic whose part is listed for other models only is still named coded",
        CODED_A,
        model="PA-5220",
        reason_has=("third-party optic (FINISAR CORP.) coded as PAN-A",),
    ),
    Row(
        "the matrix's genuine pairing of vendor name and part is OEM (PR #111 caveat)",
        GENUINE_A,
        oem=True,
        supported=Support.YES,
    ),
    Row(
        "third-party part, no target: works today, not supported",
        THIRD,
        reason_has=("works today, not on PAN's supported list",),
    ),
    Row(
        "OEM part listed for other models only",
        OEM_A,
        model="PA-5220",
        oem=True,
        reason_has=("OEM part PAN-A", "not for PA-5220"),
    ),
    Row("OEM vendor name, part not in the matrix", OEM_UNKNOWN, oem=True, reason_has=("not in the matrix",)),
    Row(
        "before the part's from_release",
        OEM_B,
        model="PA-5220",
        version="10.0.5",
        oem=True,
        reason_has=("only from 10.1 until 11.1",),
    ),
    Row(
        "until_release is inclusive of its feature release",
        OEM_B,
        model="PA-5220",
        version="11.1.4-h7",
        oem=True,
        supported=Support.YES,
    ),
    Row(
        "supported today but not on the target",
        OEM_B,
        model="PA-5220",
        version="11.1.4-h7",
        target="11.2.0",
        oem=True,
        reason_has=("11.2.0",),
    ),
    Row(
        "part waiver",
        THIRD,
        waivers=(waiver(part="FTLX1471D3BCL"),),
        supported=Support.WAIVED,
        reason_has=("lab-tested", "CAB-42", "2026-12-31"),
    ),
    Row(
        "expired waiver no longer applies",
        THIRD,
        waivers=(waiver(part="FTLX1471D3BCL"),),
        today=date(2027, 1, 1),
    ),
    Row(
        "waiver applies through its expiry date",
        THIRD,
        waivers=(waiver(part="FTLX1471D3BCL"),),
        today=date(2026, 12, 31),
        supported=Support.WAIVED,
    ),
    Row("device waiver", THIRD, waivers=(waiver(device=DEVICE),), supported=Support.WAIVED),
    Row(
        "device+port waiver on that port",
        THIRD,
        waivers=(waiver(device=DEVICE, port="ethernet1/2"),),
        supported=Support.WAIVED,
    ),
    Row("device+port waiver on another port", THIRD, waivers=(waiver(device=DEVICE, port="ethernet1/3"),)),
    Row("another device's waiver", THIRD, waivers=(waiver(device="other-fw"),)),
    Row(
        "target in a blocker's range, non-OEM",
        THIRD,
        target="10.2.0",
        issues=("BOOT", "WRITABLE"),
        reason_has=("may not boot [BOOT] (local lesson learned)", "may stop working [WRITABLE]"),
    ),
    Row("target at the blocker's fix release", THIRD, target="11.1.0", issues=("WRITABLE",)),
    Row("target before the blocker", THIRD, target="10.1.14-h20", issues=("WRITABLE",)),
    Row("target before every issue", THIRD, version="7.1.26", target="7.1.26"),
    Row("blocker on other models only", THIRD, model="PA-5220", target="10.2.4-h4", issues=("WRITABLE",)),
    Row(
        "OEM optic: non-OEM condition does not hold",
        OEM_A,
        target="10.2.4-h4",
        oem=True,
        supported=Support.YES,
    ),
    Row(
        "coded PAN part: the non-OEM blocker holds",
        CODED_A,
        target="10.2.4-h4",
        issues=("BOOT", "WRITABLE"),
        reason_has=("may not boot [BOOT]", "third-party optic (FINISAR CORP.) coded as PAN-A"),
    ),
    Row(
        "genuine pairing: non-OEM condition does not hold",
        GENUINE_A,
        target="10.2.4-h4",
        oem=True,
        supported=Support.YES,
    ),
    Row(
        "waiver without issue ids does not accept the blocker",
        THIRD,
        target="10.2.4-h4",
        waivers=(waiver(part="FTLX1471D3BCL"),),
        supported=Support.WAIVED,
        issues=("BOOT", "WRITABLE"),
    ),
    Row(
        "waiver listing the blocker accepts it only",
        THIRD,
        target="10.2.4-h4",
        waivers=(waiver(part="FTLX1471D3BCL", known_issues=["BOOT"]),),
        supported=Support.WAIVED,
        issues=("WRITABLE",),
        accepted=("BOOT",),
        reason_has=("BOOT", "accepted by"),
    ),
    Row(
        "expired waiver accepts nothing",
        THIRD,
        target="10.2.4-h4",
        today=date(2027, 1, 1),
        waivers=(waiver(part="FTLX1471D3BCL", known_issues=["BOOT", "WRITABLE"]),),
        issues=("BOOT", "WRITABLE"),
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.rule for r in ROWS])
def test_judge_optic(row: Row) -> None:
    result = judge_optic(
        row.model, row.version, row.transceiver, MATRIX, list(row.waivers), DEVICE, row.target, row.today
    )
    assert result.oem is row.oem
    assert result.supported is row.supported
    assert result.verdict is row.expected(), result.reason
    assert set(result.issue_ids) == set(row.issues) | set(row.accepted)
    decided_by_issue = any(
        ISSUE_VERDICT[ISSUES[i].severity].rank >= SUPPORT_VERDICT[row.supported].rank for i in row.issues
    )
    assert result.check == (KNOWN_ISSUE if decided_by_issue else OPTIC_SUPPORT)
    for fragment in row.reason_has:
        assert fragment in result.reason, result.reason
    assert "\n" not in result.reason


def test_no_target_evaluates_no_known_issue() -> None:
    (result,) = judge_optics("PA-3220", "10.2.4-h4", [THIRD], MATRIX, [], DEVICE, None, TODAY)
    assert result.issue_ids == ()
    assert result.verdict is SUPPORT_VERDICT[Support.NO]


def test_judge_optics_keeps_order_and_results_json_shape() -> None:
    results = judge_optics("PA-3220", "10.1.9", [THIRD, OEM_A], MATRIX, [], DEVICE, None, TODAY)
    assert [r.transceiver.port for r in results] == ["ethernet1/2", "ethernet1/1"]
    assert set(results[0].to_dict()) == {
        "port",
        "type",
        "vendor",
        "part",
        "serial",
        "oem",
        "supported",
        "verdict",
        "reason",
    }


@pytest.mark.parametrize("version, target", [("ten", None), ("10.1.9", "10.2.latest")])
def test_bad_version_is_a_value_error_naming_it(version: str, target: str | None) -> None:
    bad = version if version == "ten" else target
    with pytest.raises(ValueError, match=repr(bad)):
        judge_optic("PA-3220", version, THIRD, MATRIX, [], DEVICE, target, TODAY)


# --- findings ---------------------------------------------------------------------------------------------


def _verdicts(transceivers: list[Transceiver], target: str | None = None) -> list[OpticVerdict]:
    return judge_optics("PA-3220", "10.1.9", transceivers, MATRIX, [], DEVICE, target, TODAY)


def test_findings_all_supported_is_one_pass() -> None:
    (finding,) = optic_findings(_verdicts([OEM_A, GENUINE_A]))
    assert (finding.check, finding.verdict, finding.severity) == (OPTIC_SUPPORT, Verdict.PASS, Severity.INFO)
    assert finding.message.startswith("2 optics, all supported")


def test_findings_no_optics_is_skipped() -> None:
    (finding,) = optic_findings([])
    assert finding.verdict is Verdict.SKIPPED


def test_findings_one_per_optic_that_did_not_pass() -> None:
    verdicts = _verdicts([OEM_A, THIRD, OEM_UNKNOWN], target="10.2.4-h4")
    findings = optic_findings(verdicts, target="10.2.4-h4")
    not_passing = [v for v in verdicts if v.verdict is not Verdict.PASS]
    assert len(findings) == len(not_passing) == 2
    for finding, verdict in zip(findings, not_passing, strict=True):
        assert finding.verdict is verdict.verdict
        assert verdict.transceiver.port in finding.message and verdict.transceiver.part in finding.message
        expected_severity = Severity.BLOCKER if verdict.verdict is Verdict.FAIL else Severity.WARNING
        assert finding.severity is expected_severity
    by_port = {f.message.split(":")[0]: f for f in findings}
    assert by_port["ethernet1/2"].check == KNOWN_ISSUE  # the blocker decided it
    assert by_port["ethernet1/6"].check == OPTIC_SUPPORT  # OEM: no known issue applies
    assert worst(f.verdict for f in findings) is ISSUE_VERDICT[IssueSeverity.BLOCKER]


def test_findings_accept_plain_optic_verdicts() -> None:
    plain = OpticVerdict(THIRD, False, Support.NO, Verdict.WARN, "works today, not on PAN's supported list")
    assert optic_findings([plain]) == [
        Finding(
            OPTIC_SUPPORT,
            Severity.WARNING,
            Verdict.WARN,
            "ethernet1/2: FTLX1471D3BCL (FINISAR CORP.): works today, not on PAN's supported list",
        )
    ]


# --- the story, on the shipped matrix ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> Matrix:
    return load_matrix("paloalto_panos", ROOT / "matrices")


@pytest.mark.parametrize(
    "target, expected",
    [(None, Verdict.WARN), ("10.1.0", Verdict.WARN), ("10.2.0", Verdict.FAIL), ("10.2.4-h4", Verdict.FAIL)],
)
def test_story_third_party_sfp_on_the_path_to_10_2(shipped: Matrix, target: str | None, expected: Verdict) -> None:
    """9.1.x -> 10.1.0 -> 10.2.0: the local lesson (blocker from 10.2.0) fails the device from 10.2.0 on."""
    story = next(i for i in shipped.known_issues if i.local)
    blocker_applies = target is not None and is_at_least(target, story.from_release, "paloalto_panos")
    assert expected is (ISSUE_VERDICT[story.severity] if blocker_applies else SUPPORT_VERDICT[Support.NO])
    (result,) = judge_optics("PA-3220", "9.1.14", [THIRD], shipped, [], DEVICE, target, TODAY)
    assert result.verdict is expected
    assert ("(local lesson learned)" in result.reason) is blocker_applies
    pan_sr = Transceiver("ethernet1/1", "10000B-SR", "OEM", "PAN-SFP-PLUS-SR")
    (oem,) = judge_optics("PA-3220", "9.1.14", [pan_sr], shipped, [], DEVICE, target, TODAY)
    assert oem.verdict is Verdict.PASS


@pytest.mark.parametrize("target", [None, "10.2.4-h4"])
def test_story_fs_optic_coded_as_a_pan_part_is_third_party(shipped: Matrix, target: str | None) -> None:
    """FS sells optics coded with PAN's part number: the vendor name says FS, so the 10.2 blocker holds."""
    story = next(i for i in shipped.known_issues if i.local)
    expected = SUPPORT_VERDICT[Support.NO] if target is None else ISSUE_VERDICT[story.severity]
    coded = Transceiver("ethernet1/1", "10000B-SR", "FS", "PAN-SFP-PLUS-SR", "F1")
    (result,) = judge_optics("PA-3220", "10.1.9", [coded], shipped, [], DEVICE, target, TODAY)
    assert (result.oem, result.supported, result.verdict) == (False, Support.NO, expected)
    assert "third-party optic (FS) coded as PAN-SFP-PLUS-SR" in result.reason
    assert (story.id in result.issue_ids) is (target is not None)


# --- FortiOS bug 1015698 on what a real unit prints -----------------------------------------------------------
# The rule (FortiOS 7.4.x release notes, bug 1015698): on a FortiGate-601F, ports X5-X8 with a 25G SFP28 DAC go
# down after upgrading to 7.4.4 or later. A real 7.4 unit prints 25G modules as 10G (bug 1013010), so the printed
# type cannot identify the DAC: the port decides. Port names as FortiOS prints them (`x1`, `x2` on the real 501E
# in tests/fixtures/fortinet/get_system_interface_transceiver/).


@pytest.fixture(scope="module")
def fortinet() -> Matrix:
    return load_matrix("fortinet", ROOT / "matrices")


# A module in x5 as a 7.4 unit would print a 25G module: a 10G type (bug 1013010), Fortinet-coded part.
AS_PRINTED = Transceiver("x5", "10GBASE-SR", "FORTINET", "FTLX8574D3BCLFTN", "NB00001")


@pytest.mark.parametrize(
    "model, port, target, fires",
    [
        ("FortiGate-601F", "x5", "7.4.8", True),  # the ports named by the bug, printed type 10G
        ("FortiGate-601F", "x8", "7.4.4", True),  # from 7.4.4 on
        ("FortiGate-601F", "x5", "7.4.3", False),  # before 7.4.4
        ("FortiGate-601F", "x1", "7.4.8", False),  # not one of X5-X8
        ("FortiGate-1801F", "x5", "7.4.8", False),  # another model
    ],
)
def test_fortios_1015698_keyed_on_the_601f_ports_not_a_type_string(
    fortinet: Matrix, model: str, port: str, target: str, fires: bool
) -> None:
    optic = Transceiver(port, AS_PRINTED.type, AS_PRINTED.vendor, AS_PRINTED.part, AS_PRINTED.serial)
    (result,) = judge_optics(model, "7.2.6", [optic], fortinet, [], DEVICE, target, TODAY)
    assert ("1015698" in result.reason) is fires
    if fires:
        assert result.verdict is Verdict.WARN and "check it by hand" in result.reason


def test_fortios_1015698_a_known_fortinet_dac_part_in_x5_is_a_blocker(fortinet: Matrix) -> None:
    dac = Transceiver("x5", "10GBASE-CR", "FORTINET", "FN-CABLE-SFP28-1", "DAC1")
    (result,) = judge_optics("FortiGate-601F", "7.2.6", [dac], fortinet, [], DEVICE, "7.4.8", TODAY)
    assert result.verdict is Verdict.FAIL and "FOS-1015698-601F-25G-DAC" in result.issue_ids
