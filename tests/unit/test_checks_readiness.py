"""Readiness checks as tables: each row states the rule it exercises and the verdict that rule gives."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from tasks.checks import readiness as r
from tasks.checks.readiness import CheckResult
from tasks.models import Severity, Verdict
from tasks.models.readiness import (
    Content,
    ContentPackage,
    DiskUsage,
    HaStatus,
    Job,
    License,
    NotReported,
    NtpServer,
    NtpStatus,
    Resources,
    Sensor,
    SoftwareImage,
)

TODAY = date(2025, 6, 1)
P, W, F, S, E = Verdict.PASS, Verdict.WARN, Verdict.FAIL, Verdict.SKIPPED, Verdict.ERROR


def repo(avail_mb: float) -> DiskUsage:
    return DiskUsage("/opt/panrepo", "/dev/sda6", 12288, 12288 - avail_mb, avail_mb, 50)


DOCS = Path(__file__).resolve().parents[2] / "docs" / "checks.md"


def documented_checks() -> list[tuple[str, str]]:
    """(name, constant) of each row of the PAN-OS table in docs/checks.md: `| `disk_space` (`DISK_SPACE`) |`."""
    return re.findall(r"^\| `([a-z_]+)` \(`([A-Z_]+)`\) \|", DOCS.read_text(), re.MULTILINE)


def test_the_checks_are_those_docs_checks_md_documents_in_its_order() -> None:
    documented = documented_checks()
    assert len(documented) >= 9  # the table was read, not an empty match
    assert tuple(name for name, _ in documented) == r.ALL_CHECKS
    assert all(getattr(r, constant) == name for name, constant in documented)


def test_the_fortios_table_documents_the_same_checks() -> None:
    fortios = DOCS.read_text().split("## FortiOS", 1)[1]
    rows = re.findall(r"^\| `([a-z_]+)` \|", fortios, re.MULTILINE)
    assert tuple(rows) == tuple(name for name, _ in documented_checks())


@pytest.mark.parametrize(
    "avail, required, verdict, says",
    [
        (2000, 1500, P, "2000 MB free"),  # 2000 > 1.1 x 1500 = 1650
        (1600, 1500, F, "only 1600 MB free"),  # 1600 <= 1650
        (1650, 1500, F, "1650 MB"),  # equal is not enough: free must exceed 1.1 x size
        (100, 0, P, "nothing to download"),
        (3000, None, F, "3072 MB (default"),  # no image list: PUA's 3 GB
        (3100, None, P, "3100 MB free"),
    ],
)
def test_disk_space(avail: float, required: float | None, verdict: Verdict, says: str) -> None:
    result = r.check_disk_space(repo(avail), required)
    assert (result.name, result.verdict) == (r.DISK_SPACE, verdict)
    assert says in result.reason


def test_disk_space_missing_mount_is_error() -> None:
    result = r.check_disk_space(NotReported("/opt/panrepo not in the disk-space output"), 100)
    assert (result.verdict, result.reason) == (E, "/opt/panrepo not in the disk-space output")


def test_disk_space_names_the_filesystem_the_platform_reports() -> None:
    assert "free on /opt/panrepo," in r.check_disk_space(repo(2000), 1500).reason


def test_download_mb_counts_only_images_not_on_disk_base_included() -> None:
    software = [SoftwareImage("10.2.0", 1100, "", False, False), SoftwareImage("10.1.9", 480, "", True, True)]
    assert r.download_mb(["10.2.0", "10.2.4-h4", "10.1.9"], software, {"10.2.4-h4": 590}) == 1690
    with pytest.raises(ValueError, match=r"'11\.1\.0'"):
        r.download_mb(["11.1.0"], software)


HA_OK = HaStatus(True, "Active-Passive", "active", "passive", "up", "Complete", "synchronized", "10.2.4", "10.2.4")


@pytest.mark.parametrize(
    "change, verdict, says",
    [
        ({}, P, "active/passive"),
        ({"enabled": False}, S, "standalone"),
        ({"peer_connection": "down"}, F, "peer connection down"),
        ({"peer_connection": None}, F, "peer connection unknown"),
        ({"config_sync": "not synchronized"}, F, "running configuration not synchronized"),
        ({"peer_state": "active"}, F, "states active/active"),
        ({"peer_state": "suspended"}, F, "states active/suspended"),
        ({"local_state": "active-primary", "peer_state": "active-secondary"}, P, ""),
        # An OS's own pair names count only when its parser says so (HaStatus.healthy_pairs).
        ({"local_state": "primary", "peer_state": "secondary"}, F, "states primary/secondary"),
        (
            {
                "local_state": "primary",
                "peer_state": "secondary",
                "healthy_pairs": (frozenset({"primary", "secondary"}),),
            },
            P,
            "primary/secondary, peer up",
        ),
        ({"peer_version": "10.1.9"}, F, "another feature release"),
        ({"peer_version": "10.2.4-h4"}, W, "peer runs 10.2.4-h4"),  # same feature release: works, but say it
    ],
)
def test_ha(change: dict[str, object], verdict: Verdict, says: str) -> None:
    result = r.check_ha(dataclasses.replace(HA_OK, **change))  # type: ignore[arg-type]
    assert (result.name, result.verdict) == (r.HA_PEER, verdict)
    assert says in result.reason


@pytest.mark.parametrize("pending, verdict", [(True, F), (False, P)])
def test_pending_changes(pending: bool, verdict: Verdict) -> None:
    assert r.check_pending_changes(pending) == CheckResult(
        r.PENDING_CHANGES, verdict, r.check_pending_changes(pending).reason
    )


@pytest.mark.parametrize(
    "statuses, verdict",
    [
        ([], P),
        (["FIN", "FIN"], P),
        (["FIN", "ACT"], F),  # a job still running
        (["PEND"], F),  # a queued job
    ],
)
def test_running_jobs(statuses: list[str], verdict: Verdict) -> None:
    jobs = [Job(i, "Downld", status, "OK" if status == "FIN" else "PEND") for i, status in enumerate(statuses)]
    assert r.check_running_jobs(jobs).verdict is verdict


@pytest.mark.parametrize(
    "have, minimum, verdict",
    [
        ("8635-7675", "8520", P),
        ("8520-7000", "8520-6000", P),  # the content release decides, not the threat build
        ("8519-9999", "8520", F),
        ("8635-7675", None, S),  # no minimum for the target
        (None, "8520", E),
    ],
)
def test_content_version(have: str | None, minimum: str | None, verdict: Verdict) -> None:
    assert r.check_content_version(have, minimum).verdict is verdict


@pytest.mark.parametrize("have, minimum", [("8635-7675", "8520"), ("8519-9999", "8520"), ("8635-7675", None)])
def test_content_version_names_the_engineers_configured_minimum_not_the_targets(have: str, minimum: str | None) -> None:
    """The minimum is the engineer's setting (config.yaml `min_content`, env ESTATE_MIN_CONTENT), not a vendor
    minimum for the target release: the reason names where it comes from."""
    reason = r.check_content_version(have, minimum).reason
    assert "min_content" in reason and "ESTATE_MIN_CONTENT" in reason
    assert "target" not in reason


def lic(feature: str, days: int | None, expired: bool = False) -> License:
    return License(feature, feature, None if days is None else TODAY + timedelta(days=days), expired)


@pytest.mark.parametrize(
    "licences, verdict, says",
    [
        ([lic("Premium", 900), lic("Threat Prevention", 900), lic("GlobalProtect Portal", None)], P, "3 licences"),
        ([lic("Premium", -1), lic("Threat Prevention", 900)], F, "support expired"),
        ([lic("Premium", 100, expired=True)], F, "support expired"),  # the device says so
        ([lic("Threat Prevention", 900)], F, "no support licence"),
        ([lic("Premium", 900), lic("Threat Prevention", 20)], W, "in 20 days"),
        ([lic("Premium", 30)], W, "in 30 days"),  # 30 days is within the window
        ([lic("Premium", 31)], P, ""),
        ([lic("Premium", 900), lic("WildFire License", -5)], W, "WildFire License expired"),
        ([lic("Premium", -5), lic("Platinum", 400)], W, "Premium expired"),  # another support licence is valid
    ],
)
def test_licenses(licences: list[License], verdict: Verdict, says: str) -> None:
    result = r.check_licenses(licences, TODAY)
    assert (result.name, result.verdict) == (r.LICENSES, verdict)
    assert says in result.reason


@pytest.mark.parametrize(
    "ntp, verdict",
    [
        (NtpStatus(True, "10.0.0.1", (NtpServer("10.0.0.1", "synched", True),)), P),
        (NtpStatus(False, None, (NtpServer("10.0.0.1", "rejected", True),)), F),
        (NtpStatus(False, None, ()), W),  # nothing configured: free-running clock
    ],
)
def test_ntp(ntp: NtpStatus, verdict: Verdict) -> None:
    assert r.check_ntp(ntp).verdict is verdict


@pytest.mark.parametrize(
    "cpu, mem, limits, verdict",
    [
        (10.0, 50.0, {}, P),
        (80.0, 90.0, {}, P),  # at the threshold is still fine
        (80.1, 50.0, {}, F),
        (10.0, 90.5, {}, F),
        (50.0, 50.0, {"cpu_max_pct": 40.0}, F),  # thresholds are parameters
        (50.0, 95.0, {"mem_max_pct": 96.0}, P),
    ],
)
def test_mgmt_resources(cpu: float, mem: float, limits: dict[str, float], verdict: Verdict) -> None:
    assert r.check_mgmt_resources(Resources(cpu, mem, 16000.0, (0.1, 0.1, 0.1)), **limits).verdict is verdict


def test_mgmt_resources_says_when_the_cpu_is_not_a_current_reading() -> None:
    """A since-boot average is still judged (a plane busy on average since boot is busy), but the reason says
    what the figure is, so a low average is not read as an idle plane."""
    basis = "average since boot: one top frame"
    busy = r.check_mgmt_resources(Resources(88.3, 50.0, 16000.0, (5.6, 5.8, 5.9), basis))
    calm = r.check_mgmt_resources(Resources(7.0, 50.0, 16000.0, (0.1, 0.1, 0.1), basis))
    assert busy.verdict is F and basis in busy.reason
    assert calm.verdict is P and basis in calm.reason
    current = r.check_mgmt_resources(Resources(7.0, 50.0, 16000.0, (0.1, 0.1, 0.1)))
    assert "since boot" not in current.reason


@pytest.mark.parametrize(
    "alarms, verdict",
    [
        ([False, False], P),
        ([False, True], F),
        ([], S),  # a VM reports no readings
    ],
)
def test_environmentals(alarms: list[bool], verdict: Verdict) -> None:
    sensors = [
        Sensor("Fan Speed", "1", f"Fan #{i} RPM", alarm, "0" if alarm else "5000") for i, alarm in enumerate(alarms)
    ]
    assert r.check_environmentals(sensors).verdict is verdict


@pytest.mark.parametrize(
    "verdict, severity", [(F, Severity.BLOCKER), (W, Severity.WARNING), (P, Severity.INFO), (S, Severity.INFO)]
)
def test_finding(verdict: Verdict, severity: Severity) -> None:
    finding = CheckResult(r.NTP_SYNC, verdict, "why").finding()
    assert (finding.check, finding.severity, finding.verdict, finding.message) == (r.NTP_SYNC, severity, verdict, "why")


@pytest.mark.parametrize(
    "content, minimum, verdict, says",
    [
        (Content(version="8635-7675"), "8635", P, "meets the configured minimum (min_content"),
        (Content(version="8520-7000"), "8635", F, "below the configured minimum (min_content"),
        (Content(by_age=True, packages=(ContentPackage("IPS-DB", "1.0", TODAY - timedelta(days=3)),)), None, P, ""),
        (Content(by_age=True, packages=(ContentPackage("IPS-DB", "1.0", TODAY - timedelta(days=90)),)), None, F, ""),
        (Content(by_age=True), None, E, "no content package versions reported"),
    ],
)
def test_content_is_judged_by_version_or_by_age_as_the_state_says(
    content: Content, minimum: str | None, verdict: Verdict, says: str
) -> None:
    result = r.check_content(content, TODAY, minimum)
    assert result.verdict is verdict and says in result.reason


FRESH, STALE = TODAY - timedelta(days=3), TODAY - timedelta(days=90)


@pytest.mark.parametrize(
    "packages, verdict, says",
    [
        # licensed (a contract valid today): judged by age
        ([ContentPackage("IPS-DB", "1.0", STALE, "IPS", TODAY + timedelta(days=100))], F, "stale content: IPS-DB"),
        ([ContentPackage("IPS-DB", "1.0", FRESH, "IPS", TODAY + timedelta(days=100))], P, "IPS-DB 1.0"),
        # not licensed (no contract, or it expired): not a blocker, and the reason says why it is not judged
        ([ContentPackage("IPS-DB", "1.0", STALE, "IPS", None)], S, "not licensed, so not judged: IPS-DB (IPS: no"),
        ([ContentPackage("IPS-DB", "1.0", STALE, "IPS", TODAY - timedelta(days=1))], S, "IPS expired"),
        # only the licensed one decides
        (
            [
                ContentPackage("IPS-DB", "1.0", FRESH, "IPS", TODAY + timedelta(days=100)),
                ContentPackage("APP-DB", "1.0", STALE, "Apps", None),
            ],
            P,
            "not licensed, so not judged: APP-DB",
        ),
        # the OS did not say which contract covers it: judged
        ([ContentPackage("IPS-DB", "1.0", STALE)], F, "stale content"),
    ],
)
def test_content_age_judges_only_licensed_packages(packages: list[ContentPackage], verdict: Verdict, says: str) -> None:
    result = r.check_content_age(packages, TODAY)
    assert result.verdict is verdict and says in result.reason, result.reason
