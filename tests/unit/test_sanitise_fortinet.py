"""The FortiOS configuration sanitiser, table-tested, and the lab's snapshot outputs read back by the parsers."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from lab.estate import Device, Ha, Optic
from lab.personalities import fortinet as lab_fortinet
from lab.personalities.base import DeviceView
from tasks.models import Facts
from tasks.platforms.fortinet import commands as fortinet
from tasks.platforms.fortinet import snapshot as fortinet_snapshot
from tasks.platforms.fortinet.sanitise import is_secret_key, sanitise_config
from tasks.platforms.text import REMOVED
from tests.leaks import leaks

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
    ('set opaque-data "ENC YmxvYg=="', f"set opaque-data {REMOVED}"),  # ENC inside quotes
    # a bare encrypted or hashed blob under a key the word list does not know
    ("set sync-state cGxhbnRlZCBlbmNyeXB0ZWQgYmxvYiAx9Zq", f"set sync-state {REMOVED}"),
    ('set checksum "5d41402abc4b2a76b9719d911017c592aa0e14ab"', f"set checksum {REMOVED}"),
    ("set api-token plain-typed-token", f"set api-token {REMOVED}"),
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
    "set proposal aes256-sha256 aes256gcm-prfsha384",  # IKE algorithms
    "set authalg sha1",
    "set dhgrp 20 21",
    "set uuid 6b8e6d2a-4c3e-51ee-8c2a-5a0c1f0e2b7d",
    'set resource "https://lists.example.net/block.txt"',
    'set uri "https://hooks.example.net/notify"',  # a `uri` outside an automation action
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


def test_a_url_s_credentials_are_removed_whatever_the_key() -> None:
    line = '        set server "ldaps://bind-user:B1nd-pw@ldap.example.net/?token=t0k"'
    assert sanitise_config(line) == f'        set server "ldaps://{REMOVED}@ldap.example.net/?token={REMOVED}"'


def test_a_private_encryption_key_header_is_removed() -> None:
    text = "#config-version=FGT60F-7.4.8:opmode=0:vdom=0\n#private-encryption-key=Zm9vYmFyYmF6cXV4\nconfig x\nend"
    out = sanitise_config(text)
    assert "Zm9vYmFyYmF6cXV4" not in out and f"#private-encryption-key={REMOVED}" in out
    assert out.startswith("#config-version=FGT60F-7.4.8:opmode=0:vdom=0\n")


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


# --- a real public configuration with secrets of every kind planted in FortiOS's real syntax ------------------

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "fortinet" / "show" / "oxidized_FortiGate-91G_7.4.7.txt"

# The secrets this test plants, by what they are: values of its own, not the lab's nor the sanitiser's.
PLANTED: dict[str, str] = {
    "webhook_uri_path": "hooks.example.net/services/T0PLANTED/B0PLANTED/planted-webhook-path",
    "webhook_http_body_token": "planted-body-token-42",
    "webhook_bearer": "planted-webhook-bearer",
    "webhook_header_value": "planted-header-value-9",
    "fsw_snmp_community": "planted-fsw-community",
    "managed_switch_community": "planted-managed-sw-comm",
    "edl_url_password": "Planted-EDL-pw",
    "edl_username": "planted-edl-user",
    "edl_password": "cGxhbnRlZC1lZGwtcGFzc3dvcmQ=",
    "bare_base64_blob": "cGxhbnRlZCBlbmNyeXB0ZWQgYmxvYiAx9Zq",
    "enc_in_quotes": "cGxhbnRlZC1xdW90ZWQtZW5j",
    "private_encryption_key": "cGxhbnRlZC1wcml2YXRlLWVuYw==",
}
P = PLANTED
# Blocks in FortiOS's `show` syntax: a line kept as it is, or (the line, the line expected after sanitising).
PLANTED_BLOCKS: list[str | tuple[str, str]] = [
    "config system automation-action",
    '    edit "notify-ops"',
    "        set action-type webhook",
    "        set protocol https",
    (f'        set uri "{P["webhook_uri_path"]}"', f"        set uri {REMOVED}"),
    (
        f'        set http-body "{{\\"text\\": \\"%%log%%\\", \\"token\\": \\"{P["webhook_http_body_token"]}\\"}}"',
        f"        set http-body {REMOVED}",
    ),
    "        set port 443",
    (f'        set headers "Authorization:Bearer {P["webhook_bearer"]}"', f"        set headers {REMOVED}"),
    "        config http-headers",
    "            edit 1",
    ('                set key "X-Api-Key"', f"                set key {REMOVED}"),
    (f'                set value "{P["webhook_header_value"]}"', f"                set value {REMOVED}"),
    "            next",
    "        end",
    "    next",
    "end",
    "config switch-controller snmp-community",
    "    edit 1",
    (f'        set name "{P["fsw_snmp_community"]}"', f"        set name {REMOVED}"),
    "        config hosts",
    "            edit 1",
    "                set ip 192.0.2.50 255.255.255.255",
    "            next",
    "        end",
    "    next",
    "end",
    "config switch-controller managed-switch",
    '    edit "S148EP0000000001"',
    "        config snmp-community",
    "            edit 1",
    (f'                set name "{P["managed_switch_community"]}"', f"                set name {REMOVED}"),
    "            next",
    "        end",
    "    next",
    "end",
    "config system external-resource",
    '    edit "blocklist"',
    "        set type address",
    (
        f'        set resource "https://edl-reader:{P["edl_url_password"]}@lists.example.net/block.txt"',
        f'        set resource "https://{REMOVED}@lists.example.net/block.txt"',
    ),
    (f'        set username "{P["edl_username"]}"', f"        set username {REMOVED}"),
    (f"        set password ENC {P['edl_password']}", f"        set password {REMOVED}"),
    "        set refresh-rate 5",
    "    next",
    "end",
    "config vpn ipsec phase1-interface",
    '    edit "to-dc"',
    '        set interface "wan1"',
    "        set ike-version 2",
    "        set peertype any",
    "        set net-device disable",
    "        set proposal aes256-sha256 aes256gcm-prfsha384",
    "        set dhgrp 20 21",
    "        set remote-gw 198.51.100.7",
    "    next",
    "end",
    "config vpn ipsec phase2-interface",
    '    edit "to-dc"',
    '        set phase1name "to-dc"',
    "        set proposal aes256-sha256",
    "    next",
    "end",
    "config system sdn-vendor-extension",
    '    edit "x"',
    (f"        set sync-state {P['bare_base64_blob']}", f"        set sync-state {REMOVED}"),
    (f'        set opaque-data "ENC {P["enc_in_quotes"]}"', f"        set opaque-data {REMOVED}"),
    "    next",
    "end",
]


def test_a_real_config_with_every_kind_of_secret_planted_keeps_everything_else() -> None:
    real = REAL.read_text(encoding="utf-8").replace("\r\n", "\n").split("\n")
    at = real.index("config firewall ssh local-key")  # the planted blocks go before it
    header = real.index("#global_vdom=1")
    planted = [row if isinstance(row, str) else row[0] for row in PLANTED_BLOCKS]
    expected_planted = [row if isinstance(row, str) else row[1] for row in PLANTED_BLOCKS]
    key_line = f"#private-encryption-key={P['private_encryption_key']}"
    text = "\n".join([*real[: header + 1], key_line, *real[header + 1 : at], *planted, *real[at:]])
    for value in PLANTED.values():
        assert value in text

    out = sanitise_config(text)

    for what, value in PLANTED.items():
        assert value not in out, what
    alone = sanitise_config(REAL.read_text(encoding="utf-8")).split("\n")  # the real config's lines, sanitised
    cut, head = alone.index("config firewall ssh local-key"), alone.index("#global_vdom=1")
    removed_key = f"#private-encryption-key={REMOVED}"
    assert out.split("\n") == [*alone[: head + 1], removed_key, *alone[head + 1 : cut], *expected_planted, *alone[cut:]]
    assert {line for line in alone if REMOVED not in line} <= set(real)  # the real config's other lines as they were
    assert sanitise_config(out) == out


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


# The kinds of secret the lab's configuration must hold, in FortiOS's syntax (this test's list, not the lab's):
# with the classic ones, those the sanitiser once let through.
LAB_KINDS = {
    "admin_password",
    "snmp_auth_pwd",
    "snmp_priv_pwd",
    "ipsec_psksecret",
    "private_key",
    "webhook_uri_token",
    "webhook_body_token",
    "webhook_bearer",
    "fsw_snmp_community",
    "edl_url_password",
    "edl_username",
    "edl_password",
    "opaque_blob",
}


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
    secrets = lab_fortinet.config_secrets(device)
    assert set(secrets) >= LAB_KINDS  # the lab plants every kind this test asks for
    for what, secret in secrets.items():
        assert secret in outputs["config"].replace("\r\n", "\n"), what
        assert secret not in config, what
    assert "ENC " not in config and "PRIVATE KEY" not in config
    assert leaks(config) == []
    assert "        set proposal aes256-sha256" in config.split("\n")  # IKE algorithms, kept
    assert _outputs(device) == outputs  # stable between runs
