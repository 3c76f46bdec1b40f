"""FortiOS configuration sanitiser: `show` with every secret removed (ENC values, PSKs, SNMP communities, keys)."""

from __future__ import annotations

import re

from tasks.errors import ParseError
from tasks.platforms.base import drop_lines
from tasks.platforms.fortinet.commands import COMMANDS, strip_session
from tasks.platforms.text import (
    PEM_PRIVATE_KEY_RE,
    REMOVED,
    first_line,
    looks_like_blob,
    mask_encrypted_forms,
    mask_url_credentials,
    names_secret,
)

# --- show: the configuration sanitiser ---------------------------------------------------------------------

# A `set` key names a secret when one of its `-`-separated words is one of these (`password`, `psksecret`,
# `secondary-key`, `auth-pwd`, `ppk-secret`, `key-string`, `private-key`, ...) or contains one of the substrings.
_SECRET_WORDS = frozenset({"key", "keys", "psk", "pwd", "secret", "psksecret", "passwd", "token"})
_SECRET_SUBSTRINGS = ("password", "passphrase", "secret")
# Keys that read like secrets but hold policy, time or public data.
_NOT_SECRET_KEYS = frozenset({"password-expire", "password-policy", "passwd-policy", "public-key", "keylife"})
# Inside these blocks (the innermost `config` path) these keys hold a secret too: a v1/v2c community's `name`
# is its community string (the FortiGate's own, the FortiSwitches' it manages, a managed switch's); an
# automation action's webhook `uri`, `http-body` and `headers` (and its `http-headers` entries' values) carry
# tokens; an external resource's `username` goes with its password.
_COMMUNITY = frozenset({"name", "community"})
_SECRET_IN_BLOCK: dict[str, frozenset[str]] = {
    "system snmp community": _COMMUNITY,
    "switch-controller snmp-community": _COMMUNITY,
    "snmp-community": _COMMUNITY,
    "system automation-action": frozenset({"uri", "http-body", "headers"}),
    "http-headers": frozenset({"value"}),
    "system external-resource": frozenset({"username"}),
}
# Keys whose value is public even when it looks like a blob.
_PUBLIC_KEYS = frozenset({"uuid", "certificate", "ca", "csr", "fingerprint", "serial", "snmp-index"})
_SET_RE = re.compile(r"^(?P<indent>\s*)set\s+(?P<key>\S+)(?:\s+(?P<value>.*))?$")
_CONFIG_RE = re.compile(r"^\s*config\s+(?P<path>.+?)\s*$")
# A value FortiOS stores encrypted (`ENC <base64>`), wherever it is on the line.
_ENC_RE = re.compile(r'(?:^|[\s"])ENC\s+\S')
# A header comment that carries a key (`#private-encryption-key=...`).
_HEADER_RE = re.compile(r"^(?P<name>#[\w-]+)=(?P<value>.*)$")


def is_secret_key(key: str) -> bool:
    """Whether a FortiOS `set` key names a secret.

    >>> [is_secret_key(k) for k in ("password", "psksecret", "auth-pwd", "secondary-key", "ppk-secret", "hostname")]
    [True, True, True, True, True, False]
    >>> is_secret_key("keylife"), is_secret_key("password-expire"), is_secret_key("keepalive")
    (False, False, False)
    """
    return names_secret(key, _SECRET_WORDS, _SECRET_SUBSTRINGS, _NOT_SECRET_KEYS)


def _quotes_open(value: str) -> bool:
    """Whether `value` leaves a double-quoted string open (FortiOS escapes a quote inside one as `\\"`)."""
    return len(re.findall(r'(?<!\\)"', value.replace("\\\\", ""))) % 2 == 1


def sanitise_config(text: str) -> str:
    """The FortiOS configuration (`show`) with every secret replaced by `<removed>`, its structure kept.

    Masked, on `set` lines: the value of a key that names a secret (`password`, `passwd`, `psksecret`,
    `secret`, `ppk-secret`, `key`, `secondary-key`, `auth-pwd`, `priv-pwd`, `private-key`, `key-string`,
    `token`, ...), any value FortiOS stores encrypted (`ENC <base64>`) and any bare base64 or hex blob
    whatever its key, a community's `name` (`config system snmp community`, `config switch-controller
    snmp-community`), an automation action's webhook `uri`, `http-body`, `headers` and header values, an
    external resource's `username`; a `#...key=` header's value; anywhere, PEM private keys, hashed forms
    (`$6$...`), the user-info of URLs (`https://user:pw@host`) and secret-named query parameters (`?token=`).
    An IKE `set proposal aes256-sha256` is kept. A value quoted over several lines (a private key) is masked
    as one. Pure and idempotent; an echoed command and trailing prompt are dropped.

    >>> print(sanitise_config("config system admin\\n    edit \\"admin\\"\\n        set password ENC SH2abc=\\n"
    ...                       "        set accprofile \\"super_admin\\"\\n    next\\nend"))
    config system admin
        edit "admin"
            set password <removed>
            set accprofile "super_admin"
        next
    end
    """
    lines = strip_session(PEM_PRIVATE_KEY_RE.sub(REMOVED, text), COMMANDS["config"])
    if lines and lines[0].strip() in ("show", "show | grep ."):  # echoed with a filter, or as `show\r\r`
        lines.pop(0)
        while lines and not lines[0].strip():
            lines.pop(0)
    out: list[str] = []
    path: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        header = _HEADER_RE.match(line.strip())
        if header and is_secret_key(header["name"].lstrip("#")) and header["value"] != REMOVED:
            out.append(f"{header['name']}={REMOVED}")
            continue
        block = _CONFIG_RE.match(line)
        if block:
            path.append(block["path"])
            out.append(line)
            continue
        if line.strip() == "end":
            if path:
                path.pop()
            out.append(line)
            continue
        statement = _SET_RE.match(line)
        if statement is None:
            out.append(_mask_anywhere(line))
            continue
        value = statement["value"] or ""
        continued = []
        if _quotes_open(value):  # a value quoted over several lines: take it whole
            while i < len(lines):
                continued.append(lines[i])
                i += 1
                if _quotes_open(continued[-1]):
                    break
        key = statement["key"]
        secret = (
            is_secret_key(key)
            or _ENC_RE.search(value) is not None
            or key.lower() in _SECRET_IN_BLOCK.get(path[-1] if path else "", frozenset())
            or (key.lower() not in _PUBLIC_KEYS and not continued and looks_like_blob(value))
        )
        if secret and value and value != REMOVED:
            out.append(f"{statement['indent']}set {key} {REMOVED}")
        else:
            out += [_mask_anywhere(line), *map(_mask_anywhere, continued)]
    return "\n".join(out)


def _mask_anywhere(line: str) -> str:
    """What is removed on every line whatever its key: encrypted and hashed forms, credentials in URLs."""
    return mask_url_credentials(mask_encrypted_forms(line))


def parse_config(text: str) -> str:
    """The sanitised `show` output; ParseError when it holds no `config` block (not a FortiOS configuration).

    >>> parse_config("config system global\\n    set hostname \\"fw1\\"\\nend")
    'config system global\\n    set hostname "fw1"\\nend'
    """
    sanitised = sanitise_config(text)
    if not any(_CONFIG_RE.match(line) for line in sanitised.split("\n")):
        raise ParseError(f"show: no config block in output starting {first_line(text)!r}")
    return sanitised


# --- the backup: lines that change without a configuration change -------------------------------------------

# `#conf_file_ver=` changes on every save; the `user=` field of `#config-version=` names whoever printed it.
# `ENC` values are re-encrypted on every read and are already removed by `sanitise_config`. Sources: Oxidized's
# fortigate model (lib/oxidized/model/fortigate.rb @ 687ed42, strips `#conf_file_ver=`) and
# docs/Model-Notes/Fortinet.md (research notes C.1, C.2).
VOLATILE = (re.compile(r"^#conf_file_ver="),)
_HEADER_USER_RE = re.compile(r"^(#config-version=.*?):user=[^:\s]*")


def strip_volatile(text: str) -> str:
    """The sanitised `show` without `#conf_file_ver=` and without the header's `user=` field.

    >>> strip_volatile("#config-version=FGT60F-7.2.8-FW-build1639-240313:opmode=0:vdom=0:user=admin\\n"
    ...                "#conf_file_ver=12345\\n#buildno=1639")
    '#config-version=FGT60F-7.2.8-FW-build1639-240313:opmode=0:vdom=0\\n#buildno=1639'
    """
    lines = [_HEADER_USER_RE.sub(r"\1", line) for line in text.split("\n")]
    return drop_lines("\n".join(lines), VOLATILE)
