"""The PAN-OS configuration sanitiser, table-tested, and the lab's snapshot outputs read back by the parsers."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.estate import Device, Optic
from lab.personalities import paloalto_panos as lab_panos
from lab.personalities.base import DeviceView
from tasks.models import Facts
from tasks.platforms.paloalto_panos import commands as panos
from tasks.platforms.paloalto_panos import snapshot as panos_snapshot
from tasks.platforms.paloalto_panos.sanitise import is_secret_key, sanitise_config
from tasks.platforms.text import REMOVED
from tests.leaks import leaks

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
    # a value PAN-OS only prints encrypted, under a key that does not say so
    ("auth-key -AQ==YmxvYg==;", f"auth-key {REMOVED};"),
    ("value -AQ==YmxvYg==;", f"value {REMOVED};"),
    ("salt $6$rounds$xyz;", f"salt {REMOVED};"),
    # credentials in a URL, whatever the key (an HTTP server profile's header and parameter values are masked
    # inside their blocks: see the real-config tests below)
    ("url https://edl-user:Edl-pw-1@lists.example.net/ips.txt;", f"url https://{REMOVED}@lists.example.net/ips.txt;"),
    (
        'url-format "/services/collector/raw?channel=ops&token=hec-123";',
        f'url-format "/services/collector/raw?channel=ops&token={REMOVED}";',
    ),
    # a SCEP challenge
    ("scep-challenge none-such-ch4llenge;", f"scep-challenge {REMOVED};"),
    # a bare encrypted or hashed blob under a key the word list does not know
    ("x-opaque-field cGxhbnRlZCBlbmNyeXB0ZWQgYmxvYiAx9Zq;", f"x-opaque-field {REMOVED};"),
    ("digest 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08;", f"digest {REMOVED};"),
    ('note "-AQ==YmxvYg== in a quoted value";', f'note "{REMOVED} in a quoted value";'),
    ("salt $y$j9T$abc$def;", f"salt {REMOVED};"),
]
KEPT: list[str] = [
    "hash [ sha1 sha256 ];",  # an IKE crypto profile's algorithms
    "hash sha384;",
    "authentication sha1;",
    "encryption [ aes-128-cbc 3des ];",
    "subject-hash 1a2b3c4d;",
    'url-format "/services/collector/raw?channel=ops";',
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
    (
        'set shared log-settings http hec format traffic headers Authorization value "Basic ZXN0YXRl"',
        f"set shared log-settings http hec format traffic headers Authorization value {REMOVED}",
    ),
    (
        "set shared log-settings http hec format traffic params channel value hec-123",
        f"set shared log-settings http hec format traffic params channel value {REMOVED}",
    ),
    (
        "set shared external-list bl type ip url https://u:pw@lists.example.net/x.txt",
        f"set shared external-list bl type ip url https://{REMOVED}@lists.example.net/x.txt",
    ),
    ("set shared scep corp scep-challenge fixed ch4ll", f"set shared scep corp scep-challenge {REMOVED}"),
    (
        "set network ike crypto-profiles ike-crypto-profiles p1 hash sha256",
        "set network ike crypto-profiles ike-crypto-profiles p1 hash sha256",
    ),
    ("set shared x opaque cGxhbnRlZCBlbmNyeXB0ZWQgYmxvYiAx9Zq", f"set shared x opaque {REMOVED}"),
]
XML_FORM: list[tuple[str, str]] = [
    ("<phash>$5$abc$def</phash>", f"<phash>{REMOVED}</phash>"),
    (
        "<entry><secret>abc</secret><port>1812</port></entry>",
        f"<entry><secret>{REMOVED}</secret><port>1812</port></entry>",
    ),
    (
        '<headers><entry name="Authorization"><value>Bearer tok-1</value></entry></headers><name>x</name>',
        f'<headers><entry name="Authorization"><value>{REMOVED}</value></entry></headers><name>x</name>',
    ),
    (
        "<scep-challenge><fixed>ch4ll</fixed></scep-challenge><scep-url>https://ca.example.net/</scep-url>",
        f"<scep-challenge><fixed>{REMOVED}</fixed></scep-challenge><scep-url>https://ca.example.net/</scep-url>",
    ),
    ("<hash>sha256</hash>", "<hash>sha256</hash>"),
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


def test_xml_over_several_lines_knows_the_element_a_value_is_in() -> None:
    text = '<headers>\n  <entry name="Authorization">\n    <value>Basic ZXN0YXRl</value>\n  </entry>\n</headers>'
    assert "ZXN0YXRl" not in sanitise_config(text)
    assert f"    <value>{REMOVED}</value>" in sanitise_config(text)


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


# --- real public configurations with secrets of every kind planted in PAN-OS's real syntax ---------------------

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "paloalto_panos" / "show_config_running"

# The secrets this test plants, by what they are: values of its own, not the lab's nor the sanitiser's.
PLANTED: dict[str, str] = {
    "http_server_password": "-AQ==cGxhbnRlZC1odHRwLXB3ZA==Zm9v",
    "http_header_basic": "Basic cGxhbnRlZC11c2VyOnBsYW50ZWQtcHc=",
    "http_header_bearer": "Bearer planted.jwt-Token-77",
    "http_param_value": "planted-param-5e1f",
    "http_url_token": "planted-urltoken-99",
    "edl_url_password": "Planted-EDL-pw",
    "edl_auth_password": "-AQ==cGxhbnRlZC1lZGwtYXV0aA==YmFy",
    "scep_fixed_challenge": "planted-scep-challenge",
    "scep_otp_password": "Planted-OTP-pw",
    "scep_otp_url_password": "Planted-OTP-url-pw",
    "blob_unknown_key": "-AQ==cGxhbnRlZC1ibG9i",
    "bare_base64_blob": "cGxhbnRlZCBlbmNyeXB0ZWQgYmxvYiAx9Zq",
    "bare_hex_blob": "5d41402abc4b2a76b9719d911017c592aa0e14ab",
    "sha512_crypt": "$6$plantsalt$Zk3v9Wq2cPlanted",
}
P = PLANTED
# `shared` and `network` blocks in the brace format: a line kept as it is, or (the line, the line expected).
PLANTED_BRACE: list[str | tuple[str, str]] = [
    "  shared {",
    "    log-settings {",
    "      http {",
    "        splunk-hec {",
    "          server {",
    "            splunk1 {",
    "              address splunk.example.net;",
    "              protocol HTTPS;",
    "              port 8088;",
    "              http-method POST;",
    "              username estate-hec;",
    (f"              password {P['http_server_password']};", f"              password {REMOVED};"),
    "            }",
    "          }",
    "          format {",
    "            traffic {",
    (
        f'              url-format "/services/collector/raw?channel=fw&token={P["http_url_token"]}";',
        f'              url-format "/services/collector/raw?channel=fw&token={REMOVED}";',
    ),
    '              payload "$receive_time $serial $src $dst";',
    "              headers {",
    "                Authorization {",
    (f'                  value "{P["http_header_basic"]}";', f"                  value {REMOVED};"),
    "                }",
    "                X-Forwarded-Auth {",
    (f'                  value "{P["http_header_bearer"]}";', f"                  value {REMOVED};"),
    "                }",
    "              }",
    "              params {",
    "                channel {",
    (f"                  value {P['http_param_value']};", f"                  value {REMOVED};"),
    "                }",
    "              }",
    "            }",
    "          }",
    "        }",
    "      }",
    "    }",
    "    external-list {",
    "      blocklist {",
    "        type {",
    "          ip {",
    "            recurring {",
    "              five-minute;",
    "            }",
    (
        f"            url https://edl-reader:{P['edl_url_password']}@lists.example.net/block.txt;",
        f"            url https://{REMOVED}@lists.example.net/block.txt;",
    ),
    "            auth {",
    "              username edl-reader;",
    (f"              password {P['edl_auth_password']};", f"              password {REMOVED};"),
    "            }",
    "          }",
    "        }",
    "      }",
    "    }",
    "    scep {",
    "      corp-scep {",
    "        scep-challenge {",
    (f"          fixed {P['scep_fixed_challenge']};", f"          fixed {REMOVED};"),
    "        }",
    "        scep-url https://ndes.example.net/certsrv/mscep/mscep.dll;",
    "        ca-identity-name corp-ca;",
    "        digest sha256;",
    "      }",
    "      otp-scep {",
    "        scep-challenge {",
    "          dynamic {",
    (
        f"            otp-server-url https://ndes-admin:{P['scep_otp_url_password']}@ndes.example.net/certsrv/;",
        f"            otp-server-url {REMOVED};",
    ),
    ("            username ndes-admin;", f"            username {REMOVED};"),
    (f"            password {P['scep_otp_password']};", f"            password {REMOVED};"),
    "          }",
    "        }",
    "      }",
    "    }",
    "    x-vendor-extension {",
    (f"      opaque-state {P['blob_unknown_key']};", f"      opaque-state {REMOVED};"),
    (f"      sync-token-id {P['bare_base64_blob']};", f"      sync-token-id {REMOVED};"),
    (f"      checksum {P['bare_hex_blob']};", f"      checksum {REMOVED};"),
    (f"      legacy {P['sha512_crypt']};", f"      legacy {REMOVED};"),
    "    }",
    "  }",
    "  network {",
    "    ike {",
    "      crypto-profiles {",
    "        ike-crypto-profiles {",
    "          default {",
    "            encryption [ aes-128-cbc 3des];",
    "            hash sha1;",
    "            dh-group group2;",
    "          }",
    "          suite-b {",
    "            hash [ sha256 sha384 ];",
    "            encryption aes-256-gcm;",
    "          }",
    "        }",
    "        ipsec-crypto-profiles {",
    "          default {",
    "            esp {",
    "              encryption [ aes-128-cbc 3des];",
    "              authentication sha1;",
    "            }",
    "          }",
    "        }",
    "      }",
    "    }",
    "  }",
]
# The real configuration's own secrets: its password hashes and an SSH public key.
NETUTILS_SECRET_LINES = {
    "        phash *;": f"        phash {REMOVED};",
    "        phash passwordhash;": f"        phash {REMOVED};",
    "        public-key thisisasuperduperlongbase64encodedstring;": f"        public-key {REMOVED};",
}


def test_a_real_brace_config_with_every_kind_of_secret_planted_keeps_everything_else() -> None:
    real = (FIXTURES / "netutils_basic_brace.txt").read_text(encoding="utf-8").split("\n")
    at = real.index("  devices {")  # the planted `shared` and `network` blocks go before the devices
    planted = [row if isinstance(row, str) else row[0] for row in PLANTED_BRACE]
    expected_planted = [row if isinstance(row, str) else row[1] for row in PLANTED_BRACE]
    text = "\n".join(real[:at] + planted + real[at:])
    for value in PLANTED.values():
        assert value in text

    out = sanitise_config(text)

    for what, value in PLANTED.items():
        assert value not in out, what
    expected = [NETUTILS_SECRET_LINES.get(line, line) for line in real]
    assert out.split("\n") == expected[:at] + expected_planted + expected[at:]  # every other line byte-identical
    assert sanitise_config(out) == out


def test_a_real_set_config_with_secrets_planted_keeps_its_ike_profiles() -> None:
    real = (FIXTURES / "batfish_ike-crypto-profiles_set.txt").read_text(encoding="utf-8").split("\n")
    planted = {
        f'set shared log-settings http hec format traffic headers Authorization value "{P["http_header_basic"]}"': (
            f"set shared log-settings http hec format traffic headers Authorization value {REMOVED}"
        ),
        f"set shared log-settings http hec format traffic params channel value {P['http_param_value']}": (
            f"set shared log-settings http hec format traffic params channel value {REMOVED}"
        ),
        f"set shared external-list bl type ip url https://edl:{P['edl_url_password']}@lists.example.net/b.txt": (
            f"set shared external-list bl type ip url https://{REMOVED}@lists.example.net/b.txt"
        ),
        f"set shared scep corp-scep scep-challenge fixed {P['scep_fixed_challenge']}": (
            f"set shared scep corp-scep scep-challenge {REMOVED}"
        ),
        f"set shared x-vendor-extension opaque-state {P['blob_unknown_key']}": (
            f"set shared x-vendor-extension opaque-state {REMOVED}"
        ),
        f"set shared x-vendor-extension sync-token-id {P['bare_base64_blob']}": (
            f"set shared x-vendor-extension sync-token-id {REMOVED}"
        ),
    }
    out = sanitise_config("\n".join([*real, *planted]))
    for what, value in PLANTED.items():
        assert value not in out, what
    assert out.split("\n") == [*real, *planted.values()]


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


# The kinds of secret the lab's running configuration must hold, in PAN-OS's syntax (this test's list, not the
# lab's): with the classic ones, those the sanitiser once let through.
LAB_KINDS = {
    "admin_phash",
    "snmp_auth_password",
    "snmp_priv_password",
    "ike_psk",
    "radius_secret",
    "private_key",
    "http_server_password",
    "http_header_auth",
    "http_param_token",
    "edl_url_password",
    "edl_auth_password",
    "scep_challenge",
    "opaque_blob",
}


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
    secrets = lab_panos.config_secrets(device)
    assert set(secrets) >= LAB_KINDS  # the lab plants every kind this test asks for
    for what, secret in secrets.items():
        assert secret in outputs["config"], what
        assert secret not in config, what
    assert leaks(config) == []
    assert "hash [ sha1 sha256 ];" in [line.strip() for line in config.split("\n")]  # its IKE profile, kept
    assert config.count("{") == config.count("}")
    assert _outputs(device) == outputs  # stable between runs
