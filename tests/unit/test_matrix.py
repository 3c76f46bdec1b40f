"""Matrix, local lessons and waiver loading: shipped data loads; each broken file gives one clear line."""

from __future__ import annotations

import copy
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from tasks.errors import MatrixError
from tasks.matrix import (
    Condition,
    IssueSeverity,
    KnownIssue,
    OemRule,
    SourceKind,
    Waiver,
    active_waivers,
    load_matrix,
    load_waivers,
)
from tasks.models import Transceiver
from tasks.versions import parse_version

ROOT = Path(__file__).resolve().parents[2]
PLATFORM = "paloalto_panos"

# --- the shipped matrix ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> Any:
    return load_matrix(PLATFORM, ROOT / "matrices")


def test_shipped_matrix_loads(shipped: Any) -> None:
    assert shipped.platform == PLATFORM
    assert [name.upper() for name in shipped.oem.vendor_names] == ["OEM"]
    # PAN-OS prints a vendor-name in every sfp block (PR #111 samples), so the vendor name decides, not the part.
    assert not shipped.oem.part_number_decides


@pytest.mark.parametrize("part", ["PAN-SFP-PLUS-SR", "PAN-QSFP-40GBASE-SR4", "PAN-QSFP-40GBASE-LM4"])
def test_shipped_src_parts(shipped: Any, part: str) -> None:
    assert any(o.verified for o in shipped.optics_for(part)), part


@pytest.mark.parametrize(
    "part",
    [
        "PAN-SFP-SX",
        "PAN-SFP-LX",
        "PAN-SFP-CU",
        "PAN-SFP-PLUS-LR",
        "PAN-SFP-PLUS-ER",
        "PAN-SFP-PLUS-CU-1M",
        "PAN-SFP-PLUS-CU-3M",
        "PAN-SFP-PLUS-CU-5M",
        "PAN-SFP28-25GBASE-SR",
        "PAN-SFP28-25GBASE-LR",
        "PAN-QSFP-40GBASE-LR4",
        "PAN-QSFP28-100GBASE-SR4",
        "PAN-QSFP28-100GBASE-LR4",
    ],
)
def test_shipped_unverified_parts_are_marked(shipped: Any, part: str) -> None:
    entries = shipped.optics_for(part)
    assert entries, part
    assert all(not e.verified and e.note for e in entries)


@pytest.mark.parametrize("part", ["PAN-SFP28-25GBASE-SR", "PAN-QSFP28-100GBASE-SR4", "PAN-QSFP28-100GBASE-LR4"])
def test_shipped_28g_parts_only_on_models_with_such_ports(shipped: Any, part: str) -> None:
    (entry,) = shipped.optics_for(part)
    assert not entry.fits("PA-3220") and not entry.fits("PA-850") and entry.fits("PA-5250")


def test_shipped_lm4_end_of_sale(shipped: Any) -> None:
    (entry,) = shipped.optics_for("PAN-QSFP-40GBASE-LM4")
    assert entry.end_of_sale == date(2024, 5, 16)


def test_shipped_releases_parse_and_are_ordered(shipped: Any) -> None:
    versions = [parse_version(r.release, shipped.platform) for r in shipped.releases]
    assert versions == sorted(versions)
    assert all(r.ga is not None and r.end_of_life is not None and r.ga < r.end_of_life for r in shipped.releases)
    assert {"9.1", "10.1", "10.2", "11.1"} <= {r.release for r in shipped.releases}


def test_shipped_vendor_issue_and_local_lesson(shipped: Any) -> None:
    by_id = {issue.id: issue for issue in shipped.known_issues}
    vendor = by_id["PANOS-8.0-WRITABLE-3P-SFP"]
    assert (vendor.severity, vendor.from_release, vendor.local) == (IssueSeverity.WARNING, "8.0.0", False)
    assert vendor.source.kind is SourceKind.VENDOR_DOC
    story = by_id["LOCAL-PANOS-10.2-NON-OEM-BOOT-LOOP"]
    assert (story.severity, story.from_release, story.local) == (IssueSeverity.BLOCKER, "10.2.0", True)
    assert story.source.kind is SourceKind.FIELD_REPORT and story.source.bug_id is None
    assert story.condition is Condition.NON_OEM_OPTIC


@pytest.mark.parametrize(
    "version, known",
    [
        ("10.2.4-h4", True),
        ("10.2", True),
        ("9.1.14", True),
        ("12.0.1", False),
        ("7.4.4", False),
        ("ten", False),
    ],
)
def test_knows_release(shipped: Any, version: str, known: bool) -> None:
    assert shipped.knows_release(version) is known


# How each OS reports an optic (vendor-data.md §1.5, §2.5, §3 and the samples under shared/reference/cli) and
# what the rule says of it: the vendor name decides where the OS prints one; a vendor's part number carried by a
# third-party vendor name is a coded optic, third-party; the part decides only where the OS prints no vendor
# name (IOS show inventory without an idprom read, Junos show chassis hardware).
SHIPPED_OEM_CASES = [
    ("paloalto_panos", "OEM", "PAN-SFP-PLUS-SR", True),  # PR #111 sample
    ("paloalto_panos", "OEM", "ANYTHING", True),
    ("paloalto_panos", "FS", "PAN-SFP-PLUS-SR", False),  # coded
    ("paloalto_panos", "FINISAR CORP", "PAN-SFP-PLUS-SR", False),  # coded
    ("paloalto_panos", "FINISAR CORP", "FCBN410QB1C10", False),  # PR #111 third-party sample
    ("paloalto_panos", "", "PAN-SFP-PLUS-SR", False),  # a part alone: PAN-OS prints a vendor-name
    ("fortinet", "FORTINET", "FTLX8574D3BCLFTN", True),  # 91G sample
    ("fortinet", "Fortinet", "LCP-10G3B4QDRZFN", True),  # 3001F sample
    ("fortinet", "FINISAR CORP.", "FTLX8574D3BCLFTN", False),  # FTN-coded by a third party
    ("fortinet", "FS", "FTLC1157RGPLFTN", False),
    ("fortinet", "FINISAR CORP.", "FTLX8571D3BCL", False),
    ("fortinet", "", "FTLX8574D3BCLFTN", False),  # FortiOS prints a vendor name
    ("cisco_ios", "CISCO-FINISAR", "SFP-10G-SR", True),
    ("cisco_ios", "CISCO-AVAGO", "SFP-10G-SR", True),  # IDPROM-3
    ("cisco_ios", "Solid-Optics", "SFP-10G-SR", False),  # Cisco-coded third party (pastebin CZMLWtwG kind)
    ("cisco_ios", "FINISAR CORP.", "Unspecified", False),  # cat4507 third-party sample
    ("cisco_ios", "", "SFP-10G-SR", True),  # idprom not read: show inventory prints no vendor name
    ("cisco_ios", "", "NOT-A-CISCO-PID", False),
    ("cisco_nxos", "CISCO-AVAGO", "QSFP-40G-SR-BD", True),
    ("cisco_nxos", "OEM", "SFP-H10GB-CU1M", False),  # ntc-templates sample 2: a third party with a Cisco PID
    ("cisco_nxos", "UPNET", "SFP+-10G-DA-1", False),
    ("arista_eos", "Arista Networks", "SFP-10G-SR", True),
    ("arista_eos", "PROLABS", "CAB-Q-Q-100G-5MC", False),
    ("juniper_junos", "FINISAR CORP.", "740-021308", True),  # the part column decides on Junos
    ("juniper_junos", "", "740-031980", True),
    ("juniper_junos", "AVAGO", "NON-JNPR", False),
]


@pytest.mark.parametrize(("platform", "vendor", "part", "oem"), SHIPPED_OEM_CASES)
def test_shipped_oem_rules(platform: str, vendor: str, part: str, oem: bool) -> None:
    assert load_matrix(platform, ROOT / "matrices").is_oem(vendor, part) is oem


def test_a_genuine_pairing_makes_that_exact_optic_oem() -> None:
    rule = {
        "vendor_names": ["FORTINET"],
        "part_number_decides": False,
        "genuine": [{"vendor": "AVAGO", "part": "AFBR-5710PZ", "status": "src", "source": "a cited source"}],
    }
    oem = OemRule.model_validate(rule)
    assert oem.marks_oem(" Avago ", "afbr-5710pz") is True
    assert oem.marks_oem("AVAGO", "AFBR-5715PZ") is False
    assert oem.marks_oem("FS", "AFBR-5710PZ") is False


def test_an_unverified_genuine_pairing_needs_a_note() -> None:
    pairing = {"vendor": "AVAGO", "part": "AFBR-5710PZ", "status": "unverified", "source": "s"}
    with pytest.raises(ValueError, match="note"):
        OemRule.model_validate({"vendor_names": ["FORTINET"], "genuine": [pairing]})


# --- broken matrices --------------------------------------------------------------------------------------

VALID: dict[str, Any] = {
    "platform": PLATFORM,
    "oem": {"vendor_names": ["OEM"]},
    "optics": [
        {
            "part": "PAN-SFP-PLUS-SR",
            "type": "10GBASE-SR",
            "description": "d",
            "models": ["*"],
            "status": "src",
            "source": "s",
        }
    ],
    "releases": [{"release": "10.2", "ga": "2022-02-27", "status": "src", "source": "s"}],
    "known_issues": [
        {
            "id": "X-1",
            "title": "t",
            "platform": PLATFORM,
            "from_release": "10.2.0",
            "condition": "non_oem_optic",
            "severity": "blocker",
            "message": "m",
            "source": {"kind": "vendor-doc"},
        }
    ],
}


def _write(directory: Path, data: Any, name: str = f"{PLATFORM}.yaml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    change(data)
    return data


def _error(directory: Path, platform: str = PLATFORM) -> str:
    with pytest.raises(MatrixError) as info:
        load_matrix(platform, directory)
    message = str(info.value)
    assert "\n" not in message, message
    return message


def test_minimal_valid_matrix_loads(tmp_path: Path) -> None:
    _write(tmp_path, VALID)
    assert load_matrix(PLATFORM, tmp_path).optics_for("pan-sfp-plus-sr ")


BROKEN = [
    ("missing field", lambda d: d["optics"][0].pop("models"), "optics[0].models: field required"),
    ("unknown top-level key", lambda d: d.update(bogus=1), "bogus: unknown field"),
    ("unknown nested key", lambda d: d["optics"][0].update(colour="red"), "optics[0].colour: unknown field"),
    (
        "bad release",
        lambda d: d["optics"][0].update(from_release="10.x"),
        "optics[0].from_release: not a PAN-OS version: '10.x'",
    ),
    (
        "bad date",
        lambda d: d["releases"][0].update(ga="2022-13-01"),
        "releases[0].ga: invalid date '2022-13-01'",
    ),
    ("bad severity", lambda d: d["known_issues"][0].update(severity="fatal"), "known_issues[0].severity:"),
    (
        "bad condition",
        lambda d: d["known_issues"][0].update(condition="always"),
        "known_issues[0].condition:",
    ),
    ("bad status", lambda d: d["optics"][0].update(status="maybe"), "optics[0].status:"),
    ("empty models", lambda d: d["optics"][0].update(models=[]), "optics[0].models:"),
    (
        "unverified without note",
        lambda d: d["optics"][0].update(status="unverified"),
        "optics[0]: an unverified optic needs a note",
    ),
    (
        "bug without id",
        lambda d: d["known_issues"][0]["source"].update(kind="bug"),
        "known_issues[0].source: a source of kind 'bug' needs a bug_id",
    ),
    (
        "fixed before from",
        lambda d: d["known_issues"][0].update(fixed_in="10.1.0"),
        "known_issues[0]: fixed_in '10.1.0' is not after from_release '10.2.0'",
    ),
    (
        "reference not a URL",
        lambda d: d["known_issues"][0].update(references=["see wiki"]),
        "known_issues[0].references[0]: not an http(s) URL: 'see wiki'",
    ),
    (
        "local flag in shipped file",
        lambda d: d["known_issues"][0].update(local=True),
        "known_issues[0].local: set by the loader",
    ),
    (
        "platform mismatch",
        lambda d: d.update(platform="fortinet"),
        "platform: platform 'fortinet' does not match",
    ),
    (
        "issue platform mismatch",
        lambda d: d["known_issues"][0].update(platform="fortinet"),
        "known_issues[0].platform:",
    ),
    (
        "duplicate issue id",
        lambda d: d["known_issues"].append(d["known_issues"][0]),
        "known_issues: id 'X-1' appears twice (items 0 and 1)",
    ),
]


@pytest.mark.parametrize("change, expected", [row[1:] for row in BROKEN], ids=[row[0] for row in BROKEN])
def test_broken_matrix_one_line_naming_file_and_path(tmp_path: Path, change: Any, expected: str) -> None:
    path = _write(tmp_path, _broken(change))
    message = _error(tmp_path)
    assert re.match(rf"{re.escape(str(path))}:\d+: ", message), message
    assert expected in message, message


@pytest.mark.parametrize(
    "text, expected",
    [
        ("platform: paloalto_panos\noem: {vendor_names: [OEM]\n", ":3: not valid YAML"),
        ("platform: paloalto_panos\n  oem: x\n", ":2: not valid YAML"),
        ("platform: a\nplatform: b\n", ":2: platform: written twice (first on line 1)"),
        ("", "(top level): expected a mapping, the file is empty"),
        ("- a\n- b\n", "(top level): expected a mapping, the file is a list"),
    ],
    ids=["unclosed flow", "bad indent", "duplicate key", "empty", "list"],
)
def test_yaml_problems_one_line_with_position(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, text)
    message = _error(tmp_path)
    assert message.startswith(f"{path}") and expected in message, message


def test_missing_matrix_file(tmp_path: Path) -> None:
    assert "no matrix for platform 'paloalto_panos'" in _error(tmp_path)


def test_platform_without_version_scheme(tmp_path: Path) -> None:
    assert "no version scheme for platform 'cisco_wlc'" in _error(tmp_path, "cisco_wlc")


# --- local lessons ----------------------------------------------------------------------------------------

LOCAL_ISSUE = {**VALID["known_issues"][0], "id": "LOCAL-1", "source": {"kind": "field-report"}}


def test_local_lessons_merge_and_are_marked(tmp_path: Path) -> None:
    _write(tmp_path, VALID)
    _write(tmp_path / "local", {"platform": PLATFORM, "known_issues": [LOCAL_ISSUE]}, "ours.yaml")
    _write(tmp_path / "local", {"platform": "fortinet", "known_issues": [{"junk": 1}]}, "fortinet.yaml")
    issues = {i.id: i.local for i in load_matrix(PLATFORM, tmp_path).known_issues}
    assert issues == {"X-1": False, "LOCAL-1": True}


def test_local_lesson_error_names_the_local_file(tmp_path: Path) -> None:
    _write(tmp_path, VALID)
    local = _write(
        tmp_path / "local",
        {"platform": PLATFORM, "known_issues": [{**LOCAL_ISSUE, "severity": "x"}]},
        "ours.yaml",
    )
    message = _error(tmp_path)
    assert re.match(rf"{re.escape(str(local))}:\d+: known_issues\[0\]\.severity:", message), message


def test_local_lesson_duplicate_id_names_both_files(tmp_path: Path) -> None:
    shipped = _write(tmp_path, VALID)
    local = _write(
        tmp_path / "local",
        {"platform": PLATFORM, "known_issues": [{**LOCAL_ISSUE, "id": "X-1"}]},
        "ours.yaml",
    )
    message = _error(tmp_path)
    assert re.match(rf"{re.escape(str(local))}:\d+: known_issues\[0\]\.id: 'X-1' is already defined in ", message)
    assert message.endswith(str(shipped)), message


# --- waivers ----------------------------------------------------------------------------------------------

WAIVER = {
    "part": "FTLX8571D3BCL",
    "reason": "tested in lab",
    "approved_by": "J. Doe",
    "expires": "2026-06-30",
}


def test_missing_or_empty_waiver_file_means_no_waivers(tmp_path: Path) -> None:
    assert load_waivers(tmp_path / "acme" / "waivers.yaml") == []
    assert load_waivers(_write(tmp_path, "", "waivers.yaml")) == []


def test_waivers_load(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "waivers": [
                WAIVER,
                {**WAIVER, "part": None, "device": "fw1", "port": "ethernet1/2", "known_issues": ["X-1"]},
            ]
        },
        "waivers.yaml",
    )
    part, device = load_waivers(path)
    assert part.expires == date(2026, 6, 30)
    assert device.known_issues == ["X-1"]


@pytest.mark.parametrize(
    "waiver, expected",
    [
        ({**WAIVER, "expires": "2025-13-01"}, "waivers[0].expires: invalid date '2025-13-01'"),
        ({k: v for k, v in WAIVER.items() if k != "approved_by"}, "waivers[0].approved_by: field required"),
        ({**WAIVER, "device": "fw1"}, "waivers[0]: give either part or device"),
        ({**WAIVER, "port": "ethernet1/1"}, "waivers[0]: port needs a device"),
        ({**WAIVER, "known_issues": "X-1"}, "waivers[0].known_issues:"),
        ({**WAIVER, "approver": "x"}, "waivers[0].approver: unknown field"),
    ],
    ids=[
        "bad date",
        "no approver",
        "part and device",
        "port without device",
        "issues not a list",
        "extra key",
    ],
)
def test_broken_waiver_one_line_naming_file_and_path(tmp_path: Path, waiver: dict[str, Any], expected: str) -> None:
    path = _write(tmp_path, {"waivers": [waiver]}, "waivers.yaml")
    with pytest.raises(MatrixError) as info:
        load_waivers(path)
    message = str(info.value)
    assert "\n" not in message and re.match(rf"{re.escape(str(path))}:\d+: ", message), message
    assert expected in message, message


def test_waiver_yaml_syntax_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "waivers:\n  - part: [x\n", "waivers.yaml")
    with pytest.raises(MatrixError, match=rf"^{re.escape(str(path))}:\d+: not valid YAML"):
        load_waivers(path)


@pytest.mark.parametrize(
    "today, active",
    [(date(2026, 6, 29), True), (date(2026, 6, 30), True), (date(2026, 7, 1), False)],
    ids=["before", "on the expiry date", "after"],
)
def test_expired_waiver_no_longer_applies(today: date, active: bool) -> None:
    waiver = Waiver.model_validate(WAIVER)
    assert waiver.is_active(today) is active
    assert (active_waivers([waiver], today) == [waiver]) is active


@pytest.mark.parametrize(
    "spec, port, part, covers",
    [
        ({"part": "FTLX8571D3BCL"}, "ethernet1/1", "ftlx8571d3bcl", True),
        ({"part": "FTLX8571D3BCL"}, "ethernet1/1", "OTHER", False),
        ({"device": "fw1"}, "ethernet1/9", "ANY", True),
        ({"device": "fw1", "port": "ethernet1/2"}, "ethernet1/2", "ANY", True),
        ({"device": "fw1", "port": "ethernet1/2"}, "ethernet1/3", "ANY", False),
        ({"device": "fw2"}, "ethernet1/2", "ANY", False),
    ],
)
def test_waiver_scope(spec: dict[str, str], port: str, part: str, covers: bool) -> None:
    base = {k: v for k, v in WAIVER.items() if k != "part"}
    waiver = Waiver.model_validate({**base, **spec})
    assert waiver.covers("fw1", Transceiver(port, "10GBASE-SR", "FINISAR CORP.", part)) is covers


# --- OEM rules of other platforms, and narrowed known issues ----------------------------------------------


@pytest.mark.parametrize(
    ("rule", "vendor", "part", "expected"),
    [
        ({"third_party_parts": ["Unspecified"], "vendor_patterns": ["^CISCO-"]}, "CISCO-FINISAR", "SFP-10G-SR", True),
        ({"third_party_parts": ["Unspecified"], "vendor_patterns": ["^CISCO-"]}, "CISCO-FINISAR", "Unspecified", False),
        (
            {"third_party_parts": ["Unspecified"], "vendor_patterns": ["^CISCO-"]},
            "FINISAR CORP.",
            "FTLX8571D3BCL",
            False,
        ),
        ({"third_party_parts": ["Unspecified"], "vendor_patterns": ["^CISCO-"]}, "", "FTLX8571D3BCL", None),
        ({"vendor_names": ["Fortinet"], "part_patterns": ["FTN$"]}, "FINISAR CORP.", "FTLX8574D3BCLFTN", False),
        ({"vendor_names": ["Fortinet"], "part_patterns": ["FTN$"]}, "fortinet ", "FG-TRAN-SX", True),
        ({"vendor_names": ["Fortinet"], "part_patterns": ["FTN$"]}, "", "FTLX8574D3BCLFTN", True),
        (
            {"vendor_names": ["Fortinet"], "part_patterns": ["FTN$"], "part_number_decides": False},
            "",
            "FTLX8574D3BCLFTN",
            False,
        ),
        ({"third_party_parts": ["NON-JNPR"], "part_patterns": ["^740-"]}, "FINISAR CORP", "740-021308", True),
        ({"third_party_parts": ["NON-JNPR"], "part_patterns": ["^740-"]}, "FINISAR CORP", "NON-JNPR", False),
    ],
)
def test_oem_rule_marks(rule: dict, vendor: str, part: str, expected: bool | None) -> None:
    assert OemRule.model_validate(rule).marks_oem(vendor, part) is expected


def test_oem_rule_rejects_a_bad_regex_and_an_empty_rule() -> None:
    with pytest.raises(ValueError, match="not a valid regular expression"):
        OemRule.model_validate({"vendor_patterns": ["(unclosed"]})
    with pytest.raises(ValueError, match="give vendor_names"):
        OemRule.model_validate({"part_number_decides": False})
    with pytest.raises(ValueError, match="give vendor_names"):
        OemRule.model_validate({"part_patterns": ["FTN$"], "part_number_decides": False})


def test_known_issue_parts_and_types_narrow_it() -> None:
    issue = KnownIssue.model_validate(
        {**VALID["known_issues"][0], "condition": "any_optic", "types": ["25GBASE-CR*"], "models": ["FGT_601F"]}
    )
    assert issue.concerns("SFP28-DAC-1M", "25GBASE-CR-1M")
    assert not issue.concerns("SFP28-SR", "25GBASE-SR")
    assert KnownIssue.model_validate(VALID["known_issues"][0]).concerns("anything", "any type")


# --- upgrade-path data (releases' base images and stops, images, upgrade rules) ----------------------------


def test_shipped_matrix_loads_from_the_relative_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    matrix = load_matrix(PLATFORM, Path("matrices"))
    assert matrix.upgrade is not None and matrix.upgrade.images_complete and matrix.images


@pytest.mark.parametrize(
    "version", ["9.1.11-h5", "9.1.14", "9.1.16", "9.1.17", "10.1.9", "10.1.11", "10.1.12", "10.1.14-h13"]
)
def test_shipped_images_cover_the_demo_estate(shipped: Any, version: str) -> None:
    assert shipped.image(version) is not None


def test_shipped_base_images_and_stops(shipped: Any) -> None:
    bases = {r.release: r.base_image for r in shipped.releases}
    assert (bases["7.0"], bases["10.2"], bases["12.1"], bases["12.2"]) == ("7.0.1", "10.2.0", "12.1.2", "12.2.2")
    assert shipped.release("12.2.2").base_image_status == "unverified"
    for release in shipped.releases:
        if parse_version(release.release, shipped.platform) >= parse_version("8.0", shipped.platform):
            assert release.recommended is not None, release.release
            assert shipped.image(release.base_image).base and shipped.image(release.recommended.version)
    assert shipped.image("10.2.4-h4").released == date(2023, 7, 27)


def test_shipped_sizes_src_only_where_read(shipped: Any) -> None:
    sized = {i.version: (i.size_mb, i.size_status) for i in shipped.images if i.size_mb is not None}
    assert sized == {"11.0.0": (1037, "src"), "11.0.1": (492, "src")}
    assert shipped.upgrade.image_size_estimate.status == "unverified" and shipped.upgrade.image_size_estimate.note
    assert shipped.upgrade.durations.status == "unverified" and shipped.upgrade.durations.note


@pytest.mark.parametrize(
    "model, last",
    [("PA-3220", "11.1"), ("PA-5250", "11.2"), ("PA-5280-K2", "10.1"), ("PA-220", "10.2"), ("PA-440", "12.2")],
)
def test_shipped_last_release_by_model(shipped: Any, model: str, last: str) -> None:
    assert shipped.last_release_for(model).last_release == last


def test_shipped_upgrade_rules(shipped: Any) -> None:
    rules = shipped.upgrade.rules
    assert (rules.no_skip_until, rules.skip_from, rules.max_skipped_releases) == ("9.1", "10.1", 3)
    assert rules.release_sequence == ["10.1", "10.2", "11.0", "11.1", "11.2", "12.1"]
    assert rules.base_image_required and rules.base_image_only_as_target and not rules.release_date_rule


IMAGE = {"version": "10.2.4", "released": "2023-03-30", "status": "src"}
UPGRADE_BROKEN = [
    (
        "base image of another release",
        lambda d: d["releases"][0].update(base_image="10.1.0"),
        "releases[0]: base_image '10.1.0' is not a release of 10.2",
    ),
    (
        "image of an unlisted release",
        lambda d: d.update(images=[{**IMAGE, "version": "11.1.0"}]),
        "images: [0] version '11.1.0': feature release not in releases",
    ),
    (
        "image base flag disagrees",
        lambda d: d.update(images=[{**IMAGE, "base": True}]),
        "images: [0] version '10.2.4': base is True but the release's base_image is None",
    ),
    (
        "size without its tag",
        lambda d: d.update(images=[{**IMAGE, "size_mb": 500}]),
        "images[0]: give size_mb and size_status together",
    ),
    (
        "unverified size without note",
        lambda d: d.update(images=[{**IMAGE, "size_mb": 500, "size_status": "unverified"}]),
        "images[0]: an unverified image size needs a note",
    ),
    (
        "skip rules out of order",
        lambda d: d.update(upgrade={"rules": {"no_skip_until": "10.1", "skip_from": "9.1"}}),
        "upgrade.rules: no_skip_until '10.1' is not before skip_from '9.1'",
    ),
    (
        "unknown rule",
        lambda d: d.update(upgrade={"rules": {"skip_everything": True}}),
        "upgrade.rules.skip_everything: unknown field",
    ),
    (
        "recommended not an image of a complete list",
        lambda d: (
            d["releases"][0].update(
                recommended={
                    "version": "10.2.9",
                    "basis": "latest",
                    "as_of": "2026-08-19",
                    "status": "src",
                    "source": "s",
                }
            ),
            d.update(images=[IMAGE], upgrade={"images_complete": True}),
        ),
        "releases[0].recommended.version '10.2.9' is not in images",
    ),
]


@pytest.mark.parametrize("change, expected", [r[1:] for r in UPGRADE_BROKEN], ids=[r[0] for r in UPGRADE_BROKEN])
def test_broken_upgrade_data_one_line(tmp_path: Path, change: Any, expected: str) -> None:
    path = _write(tmp_path, _broken(change))
    message = _error(tmp_path)
    assert re.match(rf"{re.escape(str(path))}:\d+: ", message) and expected in message, message


def test_waiver_duplicate_key_names_file_and_line(tmp_path: Path) -> None:
    text = "waivers:\n  - part: X1\n    reason: lab\n    reason: again\n    approved_by: J\n    expires: 2026-06-30\n"
    path = _write(tmp_path, text, "waivers.yaml")
    with pytest.raises(MatrixError) as info:
        load_waivers(path)
    assert str(info.value) == f"{path}:4: waivers[0].reason: written twice (first on line 3)"


def test_waiver_error_names_the_line_of_the_field(tmp_path: Path) -> None:
    text = "waivers:\n  - part: X1\n    reason: lab\n    approved_by: J\n    expires: 2026-13-01\n"
    path = _write(tmp_path, text, "waivers.yaml")
    with pytest.raises(MatrixError) as info:
        load_waivers(path)
    assert str(info.value) == f"{path}:5: waivers[0].expires: invalid date '2026-13-01'"


def test_unquoted_bad_date_in_a_matrix_is_a_schema_error(tmp_path: Path) -> None:
    text = yaml.safe_dump(VALID, sort_keys=False).replace("ga: '2022-02-27'", "ga: 2022-13-27")
    assert "ga: 2022-13-27" in text
    path = _write(tmp_path, text)
    assert re.match(rf"{re.escape(str(path))}:\d+: releases\[0\]\.ga: invalid date '2022-13-27'", _error(tmp_path))


# --- every shipped matrix: unverified data says what is missing; nothing comes from the lab ------------------

MATRIX_FILES = sorted((ROOT / "matrices").glob("*.yaml")) + sorted((ROOT / "matrices" / "local").glob("*.yaml"))
# A note "names what is missing" when it says what was not read, not confirmed, assumed or to be replaced.
MISSING = re.compile(
    r"\b(not|no|none|missing|unconfirmed|confirm|assumed|inferred|estimate|replace|unverified)\b", re.IGNORECASE
)
# The project's SSH simulator (`lab/`) is never a source of a fact about devices.
LAB = re.compile(r"\blab(?:'s|s)?\b|simulat", re.IGNORECASE)


def _mappings(node: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every mapping in a YAML tree with its path (`optics[3]`)."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        found.append((where, node))
        for key, value in node.items():
            found += _mappings(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _mappings(value, f"{where}[{i}]")
    return found


def test_matrix_files_are_found() -> None:
    assert {p.stem for p in MATRIX_FILES} >= {"paloalto_panos", "fortinet", "cisco_ios", "arista_eos"}


@pytest.mark.parametrize("path", MATRIX_FILES, ids=lambda p: p.name)
def test_every_unverified_entry_has_a_note_naming_what_is_missing(path: Path) -> None:
    bad = [
        f"{where}: note {entry.get('note')!r}"
        for where, entry in _mappings(yaml.safe_load(path.read_text()))
        if entry.get("status") == "unverified" and not MISSING.search(str(entry.get("note") or ""))
    ]
    assert not bad, f"{path.name}: unverified entries without a note saying what source is missing: {bad}"


@pytest.mark.parametrize("path", MATRIX_FILES, ids=lambda p: p.name)
def test_no_matrix_fact_cites_the_lab(path: Path) -> None:
    """Neither a source, a note nor a comment in a matrix may name the lab (the simulator) as where a fact is from."""
    bad = [
        f"{where}.{key}: {value!r}"
        for where, entry in _mappings(yaml.safe_load(path.read_text()))
        for key, value in entry.items()
        if isinstance(value, str) and LAB.search(value)
    ]
    comments = [line.strip() for line in path.read_text().splitlines() if "#" in line and LAB.search(line)]
    assert not bad and not comments, f"{path.name}: cites the lab: {bad + comments}"
