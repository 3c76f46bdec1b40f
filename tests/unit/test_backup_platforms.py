"""What a backup stores per platform: the sanitiser and `strip_volatile` on real samples, table-tested, and on
the lab's generated configurations (no planted secret survives; two reads store the same text)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from lab.estate import Device
from lab.personalities import configs
from lab.personalities.base import DeviceView
from tasks.models import Unsupported
from tasks.platforms import get_platform, platforms
from tasks.platforms.base import Backup
from tasks.platforms.text import REMOVED
from tests.leaks import leaks

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# The real running-configuration samples: tests/fixtures/<platform>/backup/<command>/<case>.txt, its .source and
# a .yaml of what a backup must take out (a folder apart from the parsers' fixtures: the expectation differs).
CASES = sorted(FIXTURES.glob("*/backup/*/*.txt"))


def backup_text(platform: str, raw: str) -> str:
    """What `estate backup` stores for `raw`: sanitised first, then without volatile lines."""
    capability = get_platform(platform)
    assert isinstance(capability.backup, Backup) and not isinstance(capability.sanitise_config, Unsupported)
    return capability.backup.strip_volatile(capability.sanitise_config(raw))


def _trimmed(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def test_every_sample_case_is_found() -> None:
    assert {p.parts[-4] for p in CASES} == {"cisco_ios", "cisco_nxos", "arista_eos", "juniper_junos"}


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parts[-4]}/{p.stem}")
def test_real_sample_keeps_all_but_framing_volatile_lines_and_secrets(case: Path) -> None:
    expected: dict[str, Any] = yaml.safe_load(case.with_suffix(".yaml").read_text(encoding="utf-8"))
    assert case.with_suffix(".source").is_file()
    raw = case.read_text(encoding="utf-8")
    stored = backup_text(case.parts[-4], raw)
    for secret in expected["secrets"]:
        assert secret not in stored
    for line in expected["volatile"]:
        assert line not in stored.split("\n")
    dropped = {line.strip() for line in [*expected["framing"], *expected["volatile"]]}
    wanted = _trimmed([line for line in raw.replace("\r", "").split("\n") if line.strip() not in dropped])
    got = stored.split("\n")
    assert len(got) == len(wanted)
    for want, line in zip(wanted, got, strict=True):
        cut = min([want.find(s) for s in expected["secrets"] if s in want] or [len(want)])
        assert line.startswith(want[:cut].rstrip(' "$'))
        if cut < len(want):
            assert REMOVED in line
    assert backup_text(case.parts[-4], stored) == stored  # idempotent: stored text read again is the same


# (platform, a line as the device prints it, kept?) — volatile lines from the research notes C.1 (Oxidized's
# models and their recordings), next to lines of the same shape that must stay.
VOLATILE_TABLE = [
    ("cisco_ios", "Building configuration...", False),
    ("cisco_ios", "Current configuration : 20546 bytes", False),
    ("cisco_ios", "! Last configuration change at 09:37:40 CEST Tue Aug 20 2024 by oxidized", False),
    ("cisco_ios", "! NVRAM config last updated at 09:37:37 CEST Tue Aug 20 2024 by oxidized", False),
    ("cisco_ios", "! No configuration change since last restart", False),
    ("cisco_ios", "ntp clock-period 17179878", False),
    ("cisco_ios", "ntp server 10.0.0.1", True),
    ("cisco_ios", "! boot system switch all flash:cat9k_lite_iosxe.17.09.05.SPA.bin", True),
    ("cisco_nxos", "!Time: Mon Dec  1 14:37:04 2025", False),
    ("cisco_nxos", "!Running configuration last done at: Tue Sep 30 09:02:26 2025", True),
    ("cisco_nxos", "!Command: show running-config", True),
    ("arista_eos", "! Time: Mon Dec  1 14:37:04 2025", False),
    ("arista_eos", "! device: eos-test-01 (DCS-7050SX3-48YC8, EOS-4.29.2F)", True),
    ("juniper_junos", "## Last commit: 2024-12-06 11:41:05 UTC by root", False),
    ("juniper_junos", "set system ntp server 10.0.0.1", True),
    ("fortinet", "#conf_file_ver=440000000000001", False),
    ("fortinet", "#buildno=2731", True),
    ("paloalto_panos", "set deviceconfig system hostname fw1", True),
]


@pytest.mark.parametrize(("platform", "line", "kept"), VOLATILE_TABLE)
def test_volatile_lines_per_platform(platform: str, line: str, kept: bool) -> None:
    text = f"hostname-before\n{line}\nhostname-after"
    stored = backup_text(platform, text).split("\n")
    assert (line in stored) is kept
    assert stored[0] == "hostname-before" and stored[-1] == "hostname-after"


def test_fortios_real_header_loses_the_file_version_and_the_reader() -> None:
    raw = (FIXTURES / "fortinet" / "show" / "oxidized_FortiGate-91G_7.4.7.txt").read_text(encoding="utf-8")
    stored = backup_text("fortinet", raw)
    assert "#conf_file_ver=" not in stored
    assert "user=TACACS-USER" not in stored
    assert stored.startswith("#config-version=FGT91G-7.4.7-FW-build2731-250120:opmode=1:vdom=0\n#buildno=2731")
    assert "ENC AAAA" not in stored and leaks(stored) == []


# Secrets in the IOS-like keyword forms (value to remove), and lines of the same words that hold none.
SECRET_TABLE = [
    ("cisco_ios", "username admin privilege 15 secret 9 $9$abcdefgh", "$9$abcdefgh"),
    ("cisco_ios", "enable password 7 0822455D0A16", "0822455D0A16"),
    ("cisco_ios", " neighbor 10.0.0.2 password 7 045802150C2E", "045802150C2E"),
    ("cisco_ios", " key 7 0822455D0A165B4F", "0822455D0A165B4F"),
    ("cisco_ios", " key-string 7 110A1016141D", "110A1016141D"),
    ("cisco_ios", " ip ospf message-digest-key 1 md5 7 0507070D2E4B", "0507070D2E4B"),
    ("cisco_ios", "crypto isakmp key S3cretPSK address 10.1.1.1", "S3cretPSK"),
    ("cisco_ios", "snmp-server host 10.42.0.35 vrf Mgmt-vrf informs version 2c C0mmunity  tty vtp", "C0mmunity"),
    ("cisco_nxos", 'tacacs-server host 10.1.1.5 key 7 "fewhg123"', "fewhg123"),
    ("cisco_nxos", "username admin password 5 $5$KHN$abc  role network-admin", "$5$KHN$abc"),
    ("arista_eos", "username admin privilege 15 role network-admin secret sha512 $6$salt$hash", "$6$salt$hash"),
    ("arista_eos", "service unsupported-transceiver acme 9f1c2b77", "9f1c2b77"),
    ("juniper_junos", 'set snmp community "n0c ro" authorization read-only', "n0c ro"),
    ("juniper_junos", 'set protocols ospf area 0 interface ge-0/0/0.0 authentication md5 1 key "$9$Ab"', "$9$Ab"),
    ("juniper_junos", 'set system login user a authentication ssh-rsa "ssh-rsa AAAAB3Nz a@b"', "AAAAB3Nz"),
]
KEPT_TABLE = [
    ("cisco_ios", "service password-encryption"),
    ("cisco_ios", "password encryption aes"),
    ("cisco_ios", "snmp-server group NMS v3 priv read NMS-VIEW"),
    ("cisco_ios", "snmp-server host 10.42.0.36 vrf Mgmt-vrf informs version 3 auth oxidized  bfd"),
    ("cisco_ios", "key chain OSPF"),
    ("cisco_ios", " key 1"),
    ("cisco_nxos", "no password strength-check"),
    ("juniper_junos", "set system authentication-order tacplus"),
]


@pytest.mark.parametrize(("platform", "line", "secret"), SECRET_TABLE)
def test_keyword_secrets_are_removed(platform: str, line: str, secret: str) -> None:
    stored = get_platform(platform).sanitise_config  # type: ignore[operator]
    out = stored(line)
    assert secret not in out and REMOVED in out


@pytest.mark.parametrize(("platform", "line"), KEPT_TABLE)
def test_lines_without_secrets_are_kept(platform: str, line: str) -> None:
    assert get_platform(platform).sanitise_config(line) == line  # type: ignore[operator]


SWITCHES = {
    "cisco_ios": ("C9300-48P", "17.9.4a", configs.ios_running_config),
    "cisco_nxos": ("N9K-C93180YC-FX", "10.4(5)", configs.nxos_running_config),
    "arista_eos": ("DCS-7050SX3-48YC8", "4.29.2F", configs.eos_running_config),
    "juniper_junos": ("EX4300-48T", "22.4R3-S2.11", configs.junos_running_config),
}


@pytest.mark.parametrize("platform", sorted(SWITCHES))
def test_lab_configuration_holds_planted_secrets_and_none_is_stored(platform: str) -> None:
    model, version, render = SWITCHES[platform]
    device = Device(f"t-{platform}", platform, model, version, "c", "s")
    raw = render(DeviceView(device, None, "admin", 0.0))
    secrets = configs.config_secrets(device)
    planted = [value for value in secrets.values() if value in raw]
    assert len(planted) >= 4  # the lab serves secrets of several kinds
    stored = backup_text(platform, raw)
    assert [value for value in secrets.values() if value in stored] == []
    assert leaks(stored) == []


@pytest.mark.parametrize("platform", sorted(SWITCHES))
def test_lab_configuration_read_twice_is_stored_the_same(platform: str, monkeypatch: pytest.MonkeyPatch) -> None:
    model, version, render = SWITCHES[platform]
    device = Device(f"t-{platform}", platform, model, version, "c", "s")
    view = DeviceView(device, None, "admin", 0.0)
    first = render(view)
    real = time.time()
    monkeypatch.setattr(time, "time", lambda: real + 3671.5)
    monkeypatch.setattr(time, "gmtime", lambda *a: time.localtime(real + 3671.5) if not a else time.localtime(*a))
    second = render(view)
    if platform != "juniper_junos":  # Junos `display set` has no line that changes on its own
        assert first != second
    assert backup_text(platform, first) == backup_text(platform, second)


def test_every_registered_platform_says_whether_it_backs_up() -> None:
    for platform in platforms().values():
        assert isinstance(platform.backup, Backup | Unsupported)
        if isinstance(platform.backup, Backup):
            assert platform.backup.command in platform.commands
            assert not isinstance(platform.sanitise_config, Unsupported)
