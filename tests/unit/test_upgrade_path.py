"""Upgrade-path engine: table rows derived from the vendors' rules (vendor-data.md §1.3, §2.3), not from output.

PAN-OS rows use the shipped matrix; expected stops are the releases' `recommended` entries in
matrices/paloalto_panos.yaml (9.1 -> 9.1.18, 10.0 -> 10.0.12-h6 latest, 10.1 -> 10.1.14-h13, 11.2 -> 11.2.10-h3,
12.1 -> 12.1.7-h3 preferred) and the base images (X.Y.0, 12.1 -> 12.1.2). A planned path leaving the running
feature release first installs that release's recommended release (PAN-9.1 guide: the latest maintenance release
of the feature release before the next base image), unless the device already runs it or a later one.
FortiOS rows use a small synthetic matrix built here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tasks.checks.upgrade_path import UPGRADE_PATH, UpgradePlan, plan_path, upgrade_path_finding
from tasks.matrix import Matrix, load_matrix
from tasks.models import Severity, Verdict

ROOT = Path(__file__).resolve().parents[2]
PAN = "paloalto_panos"
PASS, FAIL = Verdict.PASS, Verdict.FAIL


@pytest.fixture(scope="module")
def panos() -> Matrix:
    return load_matrix(PAN, ROOT / "matrices")


# (id, model, current, target, via, expected hops (to_version of each), verdict, reason substrings)
PANOS_ROWS: list[tuple[str, str, str, str, Any, list[str], Verdict, list[str]]] = [
    (
        "9.1 to 10.2.4-h4: 9.1's latest maintenance first, then through 10.0 and 10.1",
        "PA-5250",
        "9.1.14",
        "10.2.4-h4",
        None,
        ["9.1.18", "10.0.12-h6", "10.1.14-h13", "10.2.4-h4"],
        PASS,
        [],
    ),
    (
        "the story's forced path breaks both rules",
        "PA-5250",
        "9.1.14",
        "10.2.4-h4",
        "10.1.0,10.2.0",
        ["10.1.0", "10.2.0", "10.2.4-h4"],
        FAIL,
        [
            "9.1.14 → 10.1.0 skips 10.0: PAN-OS through 9.1 does not allow skipping a feature release",
            "10.1.0 is a base image installed as an intermediate hop",
            "10.2.0 is a base image installed as an intermediate hop",
        ],
    ),
    ("10.1 may skip to 11.1", "PA-3220", "10.1.9", "11.1.13-h9", None, ["10.1.14-h13", "11.1.13-h9"], PASS, []),
    ("forced: 10.1 skips to 11.1 directly", "PA-3220", "10.1.9", "11.1.13-h9", [], ["11.1.13-h9"], PASS, []),
    (
        "on the recommended release: no first hop",
        "PA-3220",
        "10.1.14-h13",
        "11.1.13-h9",
        None,
        ["11.1.13-h9"],
        PASS,
        [],
    ),
    (
        "past the recommended release: no first hop",
        "PA-3220",
        "10.1.14-h20",
        "11.1.13-h9",
        None,
        ["11.1.13-h9"],
        PASS,
        [],
    ),
    ("10.1 may skip three releases", "PA-5250", "10.1.12", "11.2.10-h3", None, ["10.1.14-h13", "11.2.10-h3"], PASS, []),
    (
        "10.1 to 12.1 is four skipped: one stop in 11.2",
        "PA-440",
        "10.1.12",
        "12.1.7-h3",
        None,
        ["10.1.14-h13", "11.2.10-h3", "12.1.7-h3"],
        PASS,
        [],
    ),
    (
        "forcing 10.1 to 12.1 in one hop",
        "PA-440",
        "10.1.12",
        "12.1.7-h3",
        [],
        ["12.1.7-h3"],
        FAIL,
        ["skips 10.2, 11.0, 11.1, 11.2 (4 releases): PAN-OS allows skipping at most 3"],
    ),
    (
        "10.0 may not skip (skip needs 10.1)",
        "PA-5250",
        "10.0.12-h6",
        "10.2.4-h4",
        [],
        ["10.2.4-h4"],
        FAIL,
        ["skips 10.1: PAN-OS allows skipping feature releases only from 10.1 or later"],
    ),
    (
        "12.2 is outside the skip sequence: stop in 12.1",
        "PA-440",
        "11.1.13-h9",
        "12.2.2",
        None,
        ["12.1.7-h3", "12.2.2"],
        PASS,
        [],
    ),
    (
        "forcing 11.2 to 12.2 over 12.1",
        "PA-440",
        "11.2.10-h3",
        "12.2.2",
        [],
        ["12.2.2"],
        FAIL,
        ["skips 12.1", "12.2 is not in that sequence"],
    ),
    ("PA-3220 stops at 11.1", "PA-3220", "9.1.11-h5", "11.2.10-h3", None, [], FAIL, ["PA-3220: 11.1"]),
    ("PA-5250 stops at 11.2", "PA-5250", "10.1.12", "12.1.7-h3", None, [], FAIL, ["PA-5250: 11.2"]),
    (
        "a forced hop beyond the model's last release",
        "PA-3220",
        "10.1.9",
        "11.1.13-h9",
        ["11.2.10-h3"],
        ["11.2.10-h3", "11.1.13-h9"],
        FAIL,
        ["beyond the last supported release of PA-3220", "does not go up"],
    ),
    ("downgrade", "PA-5250", "10.1.14-h13", "10.1.9", None, [], FAIL, ["is a downgrade"]),
    ("unknown feature release", "PA-5250", "10.1.9", "12.0.1", None, [], FAIL, ["feature release 12.0 is not"]),
    ("hotfix never published", "PA-5250", "10.1.9", "10.2.4-h5", None, [], FAIL, ["not an image on the vendor"]),
    ("pulled image", "PA-5250", "10.1.9", "11.2.2", None, [], FAIL, ["unknown target release 11.2.2"]),
    ("unparseable target", "PA-5250", "10.1.9", "latest", None, [], FAIL, ["unknown target release 'latest'"]),
    ("unknown current", "PA-5250", "9.2.1", "10.1.9", None, [], FAIL, ["unknown current release 9.2.1"]),
    ("unknown hop", "PA-5250", "9.1.14", "10.0.12-h6", ["10.0.x"], [], FAIL, ["unknown hop release '10.0.x'"]),
    ("one release up", "PA-850", "9.1.16", "10.0.12-h6", None, ["9.1.18", "10.0.12-h6"], PASS, []),
    ("within a release", "PA-5250", "11.1.13-h9", "11.1.16", None, ["11.1.16"], PASS, []),
    ("bare target means its recommended", "PA-3220", "10.1.11", "11.1", None, ["10.1.14-h13", "11.1.13-h9"], PASS, []),
    ("already on target", "PA-440", "10.1.12", "10.1.12", None, [], PASS, []),
    ("12.1 base is the target", "PA-440", "11.2.10-h3", "12.1.2", None, ["12.1.2"], PASS, []),
    (
        "8.0 steps through every release",
        "PA-3220",
        "8.0.3",
        "9.1.18",
        None,
        ["8.0.20", "8.1.24", "9.0.17-h5", "9.1.18"],
        PASS,
        [],
    ),
]


@pytest.mark.parametrize(
    "model, current, target, via, hops, verdict, reasons",
    [row[1:] for row in PANOS_ROWS],
    ids=[row[0] for row in PANOS_ROWS],
)
def test_panos_paths(
    panos: Matrix,
    model: str,
    current: str,
    target: str,
    via: Any,
    hops: list[str],
    verdict: Verdict,
    reasons: list[str],
) -> None:
    plan = plan_path(PAN, model, current, target, panos, via=via)
    assert [hop.to_version for hop in plan.hops] == hops, plan
    assert plan.verdict is verdict, plan.reasons
    for expected in reasons:
        assert any(expected in reason for reason in plan.reasons), (expected, plan.reasons)
    assert bool(plan.reasons) is (verdict is FAIL)


# --- downloads, sizes, reboots, minutes -------------------------------------------------------------------

DOWNLOADS = [
    (
        "each hop into a new release downloads its base first",
        "9.1.14",
        "10.2.4-h4",
        None,
        [["9.1.18"], ["10.0.0", "10.0.12-h6"], ["10.1.0", "10.1.14-h13"], ["10.2.0", "10.2.4-h4"]],
    ),
    (
        "the story's hops: each image once",
        "9.1.14",
        "10.2.4-h4",
        "10.1.0,10.2.0",
        [["10.1.0"], ["10.2.0"], ["10.2.4-h4"]],
    ),
    ("12.1's base is 12.1.2, not 12.1.0", "11.2.10-h3", "12.1.7-h3", None, [["12.1.2", "12.1.7-h3"]]),
    ("the base as target is downloaded once", "11.2.10-h3", "12.1.2", None, [["12.1.2"]]),
    ("same release: no base", "11.1.13-h9", "11.1.16", None, [["11.1.16"]]),
    ("a skip downloads only the landing release's base", "10.1.14-h13", "11.2.10-h3", None, [["11.2.0", "11.2.10-h3"]]),
    ("the running image is not downloaded", "10.2.0", "10.2.4-h4", "10.2.4-h4", [["10.2.4-h4"]]),
]


@pytest.mark.parametrize("current, target, via, expected", [r[1:] for r in DOWNLOADS], ids=[r[0] for r in DOWNLOADS])
def test_downloads_per_hop(panos: Matrix, current: str, target: str, via: Any, expected: list[list[str]]) -> None:
    plan = plan_path(PAN, "PA-440", current, target, panos, via=via)  # PA-440: supported up to 12.2
    assert [[d.version for d in hop.downloads] for hop in plan.hops] == expected
    versions = [d.version for d in plan.downloads]
    assert len(versions) == len(set(versions)) and current not in versions


def test_sizes_summed_once_with_estimates_for_unknown_images(panos: Matrix) -> None:
    plan = plan_path(PAN, "PA-5250", "9.1.14", "10.2.4-h4", panos, via="10.1.0,10.2.0")
    estimate = panos.upgrade.image_size_estimate  # type: ignore[union-attr]
    assert estimate is not None
    # 10.1.0 and 10.2.0 are bases, 10.2.4-h4 is not; no size of their own, so each takes the estimate once.
    assert plan.download_mb == 2 * estimate.base_mb + estimate.other_mb
    assert [d.base for d in plan.downloads] == [True, True, False]
    assert all(d.estimated for d in plan.downloads)
    assert any("estimated (unverified)" in note for note in plan.notes)


def test_known_sizes_are_used(panos: Matrix) -> None:
    plan = plan_path(PAN, "PA-5250", "10.2.18-h9", "11.0.1", panos)
    # [src] PanOS_vm-11.0.0 1037 MB (the base, downloaded first) and 11.0.1 492 MB.
    assert [(d.version, d.size_mb, d.estimated) for d in plan.downloads] == [
        ("11.0.0", 1037, False),
        ("11.0.1", 492, False),
    ]
    assert plan.download_mb == 1529


def test_reboots_and_minutes(panos: Matrix) -> None:
    plan = plan_path(PAN, "PA-5250", "9.1.14", "10.2.4-h4", panos)
    durations = panos.upgrade.durations  # type: ignore[union-attr]
    assert durations is not None
    assert plan.reboots == 4 and all(hop.install and hop.reboot for hop in plan.hops)
    assert plan.minutes == 4 * (durations.install_minutes + durations.reboot_minutes)


def test_refused_plan_has_no_hops_and_is_a_blocker(panos: Matrix) -> None:
    plan = plan_path(PAN, "PA-3220", "10.1.9", "11.2.10-h3", panos)
    assert plan.hops == () and plan.download_mb == 0 and plan.reboots == 0
    finding = upgrade_path_finding(plan)
    assert (finding.check, finding.severity, finding.verdict) == (UPGRADE_PATH, Severity.BLOCKER, FAIL)


def test_passing_plan_finding_shows_the_path(panos: Matrix) -> None:
    plan = plan_path(PAN, "PA-3220", "10.1.14-h13", "11.1.13-h9", panos)
    assert upgrade_path_finding(plan).message == "10.1.14-h13 → 11.1.13-h9"
    assert plan.path == ("10.1.14-h13", "11.1.13-h9")


def test_a_matrix_of_another_platform_is_refused(panos: Matrix) -> None:
    with pytest.raises(ValueError, match="matrix is for 'paloalto_panos', not 'fortinet'"):
        plan_path("fortinet", "FortiGate-60F", "7.0.17", "7.2.11", panos)


# --- FortiOS-shaped data: the release-date rule and per-model paths (synthetic matrix) ---------------------

FORTI = "fortinet"


def _release(name: str) -> dict[str, Any]:
    return {"release": name, "status": "src", "source": "test"}


def _image(version: str, released: str) -> dict[str, Any]:
    return {"version": version, "released": released, "status": "src"}


@pytest.fixture(scope="module")
def fortios() -> Matrix:
    data = {
        "platform": FORTI,
        "oem": {"vendor_names": ["Fortinet"]},
        "releases": [_release(r) for r in ("6.4", "7.0", "7.2", "7.4")],
        "images": [
            _image("6.4.15", "2024-04-10"),
            _image("7.0.17", "2025-01-14"),  # [src] ta-p/349392
            _image("7.2.10", "2024-09-19"),  # [src] ta-p/349392
            _image("7.2.11", "2025-03-20"),
            _image("7.4.8", "2025-05-23"),
        ],
        "upgrade": {
            "os_name": "FortiOS",
            "rules": {"release_date_rule": True},
            "paths": [
                {"models": ["FortiGate-100F"], "versions": ["7.0.17", "7.2.11"], "status": "src", "source": "tool"}
            ],
        },
    }
    return Matrix.model_validate(data, context={"platform": FORTI, "scheme": FORTI})


FORTI_ROWS: list[tuple[str, str, str, str, Any, list[str], Verdict, list[str]]] = [
    (
        "a build released before the running one",
        "FortiGate-60F",
        "7.0.17",
        "7.2.10",
        None,
        ["7.2.10"],
        FAIL,
        ["7.2.10 was released 2024-09-19, before the running 7.0.17 (2025-01-14)", "release-date rule"],
    ),
    ("a later build of the next branch", "FortiGate-60F", "7.0.17", "7.2.11", None, ["7.2.11"], PASS, []),
    (
        "the model's documented path",
        "FortiGate-100F",
        "6.4.15",
        "7.4.8",
        None,
        ["7.0.17", "7.2.11", "7.4.8"],
        PASS,
        [],
    ),
    (
        "a forced hop to an older build",
        "FortiGate-100F",
        "7.0.17",
        "7.4.8",
        ["7.2.10"],
        ["7.2.10", "7.4.8"],
        FAIL,
        ["release-date rule"],
    ),
    ("no downgrade", "FortiGate-60F", "7.2.11", "7.0.17", None, [], FAIL, ["is a downgrade"]),
]


@pytest.mark.parametrize(
    "model, current, target, via, hops, verdict, reasons",
    [row[1:] for row in FORTI_ROWS],
    ids=[row[0] for row in FORTI_ROWS],
)
def test_fortios_paths(
    fortios: Matrix,
    model: str,
    current: str,
    target: str,
    via: Any,
    hops: list[str],
    verdict: Verdict,
    reasons: list[str],
) -> None:
    plan: UpgradePlan = plan_path(FORTI, model, current, target, fortios, via=via)
    assert [hop.to_version for hop in plan.hops] == hops, plan
    assert plan.verdict is verdict, plan.reasons
    for expected in reasons:
        assert any(expected in reason for reason in plan.reasons), (expected, plan.reasons)


def test_fortios_has_no_base_images_and_unknown_sizes(fortios: Matrix) -> None:
    plan = plan_path(FORTI, "FortiGate-60F", "7.0.17", "7.2.11", fortios)
    assert [(d.version, d.size_mb, d.base) for d in plan.downloads] == [("7.2.11", None, False)]
    assert any("image sizes unknown for 7.2.11" in note for note in plan.notes)
    assert plan.minutes == 0 and plan.reboots == 1


# --- the examples that were the module's doctests (the story's path, and the last supported release) -------


def test_the_story_path_is_planned_through_each_recommended_release(panos: Matrix) -> None:
    plan = plan_path(PAN, "PA-5250", "9.1.14", "10.2.4-h4", panos)
    assert (plan.verdict.value, plan.path) == (
        "PASS",
        ("9.1.14", "9.1.18", "10.0.12-h6", "10.1.14-h13", "10.2.4-h4"),
    )
    assert ([d.version for d in plan.hops[-1].downloads], plan.reboots) == (["10.2.0", "10.2.4-h4"], 4)


def test_the_first_hop_names_the_guide_and_the_recommended_release(panos: Matrix) -> None:
    plan = plan_path(PAN, "PA-5250", "9.1.14", "10.2.4-h4", panos)
    (note,) = [n for n in plan.notes if n.startswith("first hop")]
    assert note.startswith("first hop 9.1.14 → 9.1.18:")
    assert "latest maintenance release" in note and "PAN-9.1" in note and "PANV preferred flag" in note
    within = plan_path(PAN, "PA-5250", "10.2.4", "10.2.4-h4", panos)  # the target is in the running release
    assert within.path == ("10.2.4", "10.2.4-h4") and not any(n.startswith("first hop") for n in within.notes)


def test_the_story_path_forced_through_base_images_breaks_three_rules(panos: Matrix) -> None:
    story = plan_path(PAN, "PA-5250", "9.1.14", "10.2.4-h4", panos, via="10.1.0,10.2.0")
    assert (story.verdict.value, len(story.reasons)) == ("FAIL", 3)
    assert story.reasons[0] == (
        "9.1.14 → 10.1.0 skips 10.0: PAN-OS through 9.1 does not allow skipping a feature release"
    )


def test_a_direct_hop_and_a_target_beyond_the_models_last_release(panos: Matrix) -> None:
    assert plan_path(PAN, "PA-3220", "10.1.14-h13", "11.1.13-h9", panos).path == ("10.1.14-h13", "11.1.13-h9")
    assert plan_path(PAN, "PA-3220", "10.1.9", "11.2.10-h3", panos).reason == (
        "11.2.10-h3 is beyond the last supported release of PA-3220: 11.1 (last supported release per model, EOL-HW)"
    )


def test_an_upgrade_path_finding_of_a_device_already_on_its_target() -> None:
    plan = UpgradePlan(PAN, "PA-440", "10.1.9", "10.1.9", (), Verdict.PASS)
    assert upgrade_path_finding(plan).message == "already on 10.1.9"
