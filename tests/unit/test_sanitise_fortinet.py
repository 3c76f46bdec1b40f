"""The FortiOS configuration sanitiser, table-tested, and the lab's snapshot outputs read back by the parsers."""

from __future__ import annotations

import time

import pytest

from lab.estate import Device, Ha, Optic
from lab.personalities import fortinet as lab_fortinet
from lab.personalities.base import DeviceView
from tasks.models import Facts
from tasks.platforms.fortinet import commands as fortinet
from tasks.platforms.fortinet import snapshot as fortinet_snapshot
from tasks.platforms.fortinet.sanitise import is_secret_key, sanitise_config
from tasks.platforms.text import REMOVED

# (input line, expected output): one row per kind of secret FortiOS writes, and the lines that must stay.
MASKED: list[tuple[str, str]] = [
    ("set password ENC SH2nlSm9ogdCX0SCaN2ja+lvbkTlJ6ImsfS9KpFgjkXgyRIVaOCf2jXpZmhmcA=", f"set password {REMOVED}"),
    ("set psksecret ENC dGhpcyBpcyBhIHBzaw==", f"set psksecret {REMOVED}"),
    ("set passwd ENC cGFzc3dk", f"set passwd {REMOVED}"),
    ("set secret ENC cmFkaXVz", f"set secret {REMOVED}"),
    ("set ppk-secret ENC cHBr", f"set ppk-secret {REMOVED}"),
    ("set auth-pwd ENC YXV0aA==", f"set auth-pwd {REMOVED}"),
    ("set priv-pwd ENC cHJpdg==", f"set priv-pwd {REMOVED}"),
    ("set key ENC a2V5", f"set key {REMOVED}"),
    ("set secondary-key ENC a2V5Mg==", f"set secondary-key {REMOVED}"),
    ("set key-string ENC b3NwZg==", f"set key-string {REMOVED}"),
    ("set psksecret-remote ENC cmVtb3Rl", f"set psksecret-remote {REMOVED}"),
    ('set password "clear-text-typed"', f"set password {REMOVED}"),
    # an encrypted value under a key that does not say so
    ("set sso-password-blob ENC YmxvYg==", f"set sso-password-blob {REMOVED}"),
    ("set fsso-agent-data ENC YmxvYg==", f"set fsso-agent-data {REMOVED}"),
]
KEPT: list[str] = [
    'set hostname "fw-keystone"',
    "set ip 192.0.2.1 255.255.255.0",
    "set keylife 28800",
    "set keepalive 10",
    "set password-expire 2026-01-01 00:00:00",
    'set set-community "65000:100"',
    'set ssh-public-key1 "ssh-ed25519 AAAAC3Nza admin@example"',
    'set ppk-identity "estate"',
    "set ppk enable",
    'edit "admin"',
    "next",
    "end",
    "set password <removed>",  # already sanitised: unchanged
]


@pytest.mark.parametrize(("line", "expected"), MASKED)
def test_secret_values_are_masked(line: str, expected: str) -> None:
    assert sanitise_config(f"        {line}") == f"        {expected}"


@pytest.mark.parametrize("line", KEPT)
def test_ordinary_lines_are_kept(line: str) -> None:
    assert sanitise_config(f"    {line}") == f"    {line}"


def test_a_private_key_quoted_over_several_lines_is_masked_as_one() -> None:
    text = (
        'config vpn certificate local\n    edit "c"\n'
        '        set private-key "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHzBJBgkq\n'
        '-----END ENCRYPTED PRIVATE KEY-----"\n        set comments "kept"\n    next\nend'
    )
    expected = (
        f'config vpn certificate local\n    edit "c"\n        set private-key {REMOVED}\n'
        '        set comments "kept"\n    next\nend'
    )
    assert sanitise_config(text) == expected


def test_a_certificate_over_several_lines_is_kept_and_not_read_as_commands() -> None:
    text = '    set certificate "-----BEGIN CERTIFICATE-----\nset password x\n-----END CERTIFICATE-----"'
    assert sanitise_config(text) == text


def test_an_snmp_community_name_is_a_secret_only_in_its_block() -> None:
    text = (
        'config system snmp community\n    edit 1\n        set name "s3cr3t-comm"\n        config hosts\n'
        "            edit 1\n                set ip 10.0.0.1 255.255.255.255\n            next\n        end\n"
        '    next\nend\nconfig firewall address\n    edit "a"\n        set name "kept"\n    next\nend'
    )
    out = sanitise_config(text)
    assert "s3cr3t-comm" not in out and f"        set name {REMOVED}" in out
    assert '        set name "kept"' in out and "set ip 10.0.0.1 255.255.255.255" in out


def test_echo_and_prompt_are_dropped_and_it_is_idempotent() -> None:
    text = "show\r\r\n#config-version=FGT60F\r\nconfig system admin\r\n    set password ENC abc\r\nend\r\n\r\nfw1 # "
    once = sanitise_config(text)
    assert once == f"#config-version=FGT60F\nconfig system admin\n    set password {REMOVED}\nend"
    assert sanitise_config(once) == once


@pytest.mark.parametrize(
    ("key", "secret"),
    [("psksecret", True), ("auth-pwd", True), ("private-key", True), ("keylife", False), ("monkey", False)],
)
def test_is_secret_key(key: str, secret: bool) -> None:
    assert is_secret_key(key) is secret


# --- the lab's outputs, read back ---------------------------------------------------------------------------

DEVICES = [
    Device(
        "acme-fw01",
        "fortinet",
        "FortiGate-601F",
        "7.4.8",
        "acme",
        "lon1",
        optics=(Optic("x1", "10GBASE-SR", "FORTINET", "FTLX8574D3BCLFTN", "AB12"),),
    ),
    Device("acme-fw02", "fortinet", "FortiGate-1801F", "7.0.13", "acme", "lon1", ha=Ha("acme-fw03", "active")),
    Device("acme-br01", "fortinet", "FortiGate-60F", "7.2.6", "acme", "br1"),
]


def _outputs(device: Device) -> dict[str, str]:
    """What netmiko's send_command returns: the shell's reply with the echo and the prompt."""
    shell = lab_fortinet.FortiShell(DeviceView(device, None, "admin", time.time()))
    outputs = {}
    for purpose in fortinet.SNAPSHOT_COMMANDS:
        command = fortinet.COMMANDS[purpose]
        outputs[purpose] = f"{command}\r\r\n" + shell.handle(command).text.replace("\n", "\r\n") + shell.prompt()
    return outputs


@pytest.mark.parametrize("device", DEVICES, ids=lambda d: d.name)
def test_lab_snapshot_counts_and_config_without_secrets(device: Device) -> None:
    outputs = _outputs(device)
    facts = Facts(hostname=device.name, model=device.model, serial="", version=device.version)
    snap = fortinet_snapshot.read(outputs, facts, [])
    assert snap.routes == lab_fortinet.route_count(device) > 0
    assert snap.arp == lab_fortinet.arp_count(device) > 0
    assert snap.sessions == lab_fortinet.session_count(device) > 0
    assert set(snap.interfaces) == {port for port, _ in lab_fortinet.MODELS[device.model]}
    assert {p for p, state in snap.interfaces.items() if state == "up"} == set(lab_fortinet.up_ports(device))
    config = snap.config
    assert config is not None
    assert config.startswith("#config-version=") and f'    set hostname "{device.name}"' in config
    assert config.count("set psksecret <removed>") == 1 and "set name <removed>" in config
    for what, secret in lab_fortinet.config_secrets(device).items():
        assert secret in outputs["config"].replace("\r\n", "\n"), what
        assert secret not in config, what
    assert "ENC " not in config and "PRIVATE KEY" not in config
    assert _outputs(device) == outputs  # stable between runs
