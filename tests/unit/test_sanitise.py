"""The PAN-OS configuration sanitiser, table-tested, and the lab's snapshot outputs read back by the parsers."""

from __future__ import annotations

import pytest

from lab.estate import Device, Optic
from lab.personalities import paloalto_panos as lab_panos
from lab.personalities.base import DeviceView
from tasks.models import Facts
from tasks.platforms.paloalto_panos import commands as panos
from tasks.platforms.paloalto_panos import snapshot as panos_snapshot
from tasks.platforms.paloalto_panos.sanitise import is_secret_key, sanitise_config
from tasks.platforms.text import REMOVED

# (input line(s), expected output): one row per kind of secret, and the lines that must stay as they are.
MASKED: list[tuple[str, str]] = [
    ("phash $5$abcdefgh$0123456789;", f"phash {REMOVED};"),
    ("password -AQ==c2VjcmV0=;", f"password {REMOVED};"),
    ("key -AQ==cHNr;", f"key {REMOVED};"),
    ("snmp-community-string public123;", f"snmp-community-string {REMOVED};"),
    ("secret s3cr3t-radius;", f"secret {REMOVED};"),
    ("private-key -AQ==cHJpdmF0ZQ==;", f"private-key {REMOVED};"),
    ("authpwd -AQ==YXV0aA==;", f"authpwd {REMOVED};"),
    ("privpwd -AQ==cHJpdg==;", f"privpwd {REMOVED};"),
    ("api-key LUFRPT1abc=;", f"api-key {REMOVED};"),
    ('"shared-secret" "two words";', f'"shared-secret" {REMOVED};'),
    ("hash [ sha1 sha256 ];", f"hash {REMOVED};"),
    # a value PAN-OS only prints encrypted, under a key that does not say so
    ("auth-key -AQ==YmxvYg==;", f"auth-key {REMOVED};"),
    ("value -AQ==YmxvYg==;", f"value {REMOVED};"),
    ("salt $6$rounds$xyz;", f"salt {REMOVED};"),
]
KEPT: list[str] = [
    "hostname fw-keystone;",
    "ip-address 10.1.1.1;",
    "ntp-server-address 10.0.0.123;",
    'login-banner "Authorised access only";',
    "layer3 [ ethernet1/1 ethernet1/2 ];",
    "10.1.1.1/24;",
    "}",
]
SET_FORM: list[tuple[str, str]] = [
    ("set mgt-config users admin phash $5$abc$def", f"set mgt-config users admin phash {REMOVED}"),
    (
        "set network ike gateway gw1 authentication pre-shared-key key -AQ==abc",
        f"set network ike gateway gw1 authentication pre-shared-key {REMOVED}",
    ),
    ("set deviceconfig system hostname fw01", "set deviceconfig system hostname fw01"),
]
XML_FORM: list[tuple[str, str]] = [
    ("<phash>$5$abc$def</phash>", f"<phash>{REMOVED}</phash>"),
    (
        "<entry><secret>abc</secret><port>1812</port></entry>",
        f"<entry><secret>{REMOVED}</secret><port>1812</port></entry>",
    ),
]


@pytest.mark.parametrize(("line", "expected"), MASKED)
def test_secret_values_are_masked(line: str, expected: str) -> None:
    assert sanitise_config(f"    {line}") == f"    {expected}"


@pytest.mark.parametrize("line", KEPT)
def test_ordinary_lines_are_kept(line: str) -> None:
    assert sanitise_config(line) == line


@pytest.mark.parametrize(("line", "expected"), SET_FORM + XML_FORM)
def test_set_and_xml_forms(line: str, expected: str) -> None:
    assert sanitise_config(line) == expected


def test_everything_inside_a_secret_block_is_masked_and_the_structure_kept() -> None:
    text = "pre-shared-key {\n  key abc;\n  plain-member;\n}\nhostname fw;"
    assert sanitise_config(text) == f"pre-shared-key {{\n  key {REMOVED};\n  {REMOVED};\n}}\nhostname fw;"


def test_a_value_quoted_over_several_lines_is_masked_as_one() -> None:
    text = 'cert {\n  private-key "-----BEGIN X-----\nAAAA\nBBBB\n-----END X-----\n";\n  common-name fw;\n}'
    assert sanitise_config(text) == f"cert {{\n  private-key {REMOVED};\n  common-name fw;\n}}"


def test_a_pem_private_key_is_removed_wherever_it_is() -> None:
    text = 'description "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----";'
    assert "MIIE" not in sanitise_config(text)


def test_a_password_policy_is_not_a_secret() -> None:
    text = "password-complexity {\n  enabled yes;\n  minimum-length 12;\n}"
    assert sanitise_config(text) == text


def test_echo_and_prompt_are_dropped_and_it_is_idempotent() -> None:
    text = "admin@fw01> show config running\n\nconfig {\n  phash $1$a$b;\n}\n\nadmin@fw01> "
    once = sanitise_config(text)
    assert once == f"config {{\n  phash {REMOVED};\n}}"
    assert sanitise_config(once) == once


@pytest.mark.parametrize(
    ("key", "secret"),
    [("phash", True), ("pre-shared-key", True), ("community", True), ("keystone", False), ("monkey", False)],
)
def test_is_secret_key(key: str, secret: bool) -> None:
    assert is_secret_key(key) is secret


# --- the lab's outputs, read back ---------------------------------------------------------------------------

OPTICS = (
    Optic("ethernet1/17", "10GBASE-SR", "OEM", "PAN-SFP-PLUS-SR", "A1"),
    Optic("ethernet1/18", "10GBASE-LR", "FS", "SFP-10GLR-31", "A2"),
)
DEVICES = [
    Device(
        "acme-lon1-fw01", "paloalto_panos", "PA-3220", "10.1.9", "acme", "lon1", "fw", "013201001234", optics=OPTICS
    ),
    Device("beta-nyc1-fw02", "paloalto_panos", "PA-850", "9.1.14", "beta", "nyc1", "fw", "013201005678"),
]


def _outputs(device: Device) -> dict[str, str]:
    shell = lab_panos.PanosShell(DeviceView(device, None, "admin", 0.0))
    return {purpose: shell.handle(panos.COMMANDS[purpose]).text for purpose in panos.SNAPSHOT_COMMANDS}


@pytest.mark.parametrize("device", DEVICES, ids=lambda d: d.name)
def test_lab_snapshot_counts_and_config_without_secrets(device: Device) -> None:
    outputs = _outputs(device)
    facts = Facts(hostname=device.name, model=device.model, serial=device.serial, version=device.version)
    snap = panos_snapshot.read(outputs, facts, [])
    assert snap.routes == lab_panos.route_count(device) > 0
    assert snap.arp == lab_panos.arp_count(device) > 0
    assert snap.sessions == lab_panos.session_count(device) > 0
    config = snap.config
    assert config is not None
    assert config.startswith("config {") and f"hostname {device.name};" in config
    for what, secret in lab_panos.config_secrets(device).items():
        assert secret in outputs["config"], what
        assert secret not in config, what
    assert config.count("{") == config.count("}")
    assert _outputs(device) == outputs  # stable between runs
