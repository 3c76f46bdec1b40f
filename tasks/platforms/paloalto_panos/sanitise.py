"""PAN-OS configuration sanitiser: `show config running` (set, XML or brace format) with every secret removed."""

from __future__ import annotations

import re

from tasks.platforms.paloalto_panos.commands import strip_session
from tasks.platforms.text import PEM_PRIVATE_KEY_RE, REMOVED, names_secret

# --- show config running: the sanitiser ------------------------------------------------------------------


# A configuration key names a secret when one of its `-`/`_`-separated words is one of these, or contains
# one of the substrings (`phash`, `snmp-community-string`, `authpwd`, `pre-shared-key`, `private-key`, ...).
_SECRET_WORDS = frozenset({"key", "keys", "psk", "apikey"})
_SECRET_SUBSTRINGS = ("secret", "password", "passwd", "pwd", "passphrase", "hash", "community", "token")
# Keys that read like secrets but hold policy or public data: a password policy, a certificate's name hashes.
_NOT_SECRET_KEYS = frozenset(
    {"password-complexity", "password-profile", "password-change", "subject-hash", "issuer-hash"}
)
# Values PAN-OS never prints in clear whatever their key: its encrypted blobs and crypt(3) hashes.
_BLOB_RE = re.compile(r"-AQ==[A-Za-z0-9+/=]*|\$(?:1|2[aby]?|5|6)\$[^\s;\"'<]+")
_XML_SECRET_RE = re.compile(r"<(?P<tag>[\w-]+)(?P<attrs>[^>]*)>(?P<value>[^<]*)</(?P=tag)>")
_BLOCK_OPEN_RE = re.compile(r"^(?P<indent>\s*)(?P<key>\"[^\"]*\"|[^\s{};\[\]\"]+)\s*\{\s*$")
_STATEMENT_RE = re.compile(
    r"^(?P<indent>\s*)(?P<key>\"[^\"]*\"|[^\s{};\[\]\"]+)(?P<sep>\s+)(?P<value>.*?)(?P<end>;?)\s*$"
)


def is_secret_key(key: str) -> bool:
    """Whether a configuration key names a secret (see `_SECRET_WORDS` and `_SECRET_SUBSTRINGS`).

    >>> [is_secret_key(k) for k in ("phash", "pre-shared-key", "snmp-community-string", "hostname", "keystone")]
    [True, True, True, False, False]
    >>> is_secret_key("password-complexity"), is_secret_key("api-key")
    (False, True)
    """
    return names_secret(key, _SECRET_WORDS, _SECRET_SUBSTRINGS, _NOT_SECRET_KEYS)


def _mask_set_line(line: str) -> str:
    """`set ... <secret key> <value...>` -> `set ... <secret key> <removed>` (the first secret key decides)."""
    words = line.split()
    for i, word in enumerate(words[1:-1], start=1):
        if is_secret_key(word):
            indent = line[: len(line) - len(line.lstrip())]
            return indent + " ".join([*words[: i + 1], REMOVED])
    return line


def _mask_xml(line: str) -> str:
    """`<phash>...</phash>` -> `<phash><removed></phash>` for every secret-named element on the line."""

    def repl(match: re.Match[str]) -> str:
        if is_secret_key(match["tag"]) and match["value"].strip():
            return f"<{match['tag']}{match['attrs']}>{REMOVED}</{match['tag']}>"
        return match[0]

    return _XML_SECRET_RE.sub(repl, line)


def _open_quote(value: str) -> bool:
    """Whether a value opens a double-quoted string that does not close on its line."""
    return value.count('"') % 2 == 1


def sanitise_config(text: str) -> str:
    """The configuration text with every secret replaced by `<removed>`, its structure kept.

    Reads the brace format of `show config running` (`config { ... }`), the `set` format and XML elements.
    Masked: the value of every key that names a secret (`phash`, `password`, `pre-shared-key`/`key`,
    `snmp-community-string`, `secret`, `private-key`, `authpwd`, any key with secret/password/key/community/
    hash in it) and everything inside a block so named; anywhere, PEM private keys, PAN-OS `-AQ==` blobs and
    crypt hashes (`$1$`, `$5$`, `$6$`). A value quoted over several lines is masked as one. Pure and
    idempotent; an echoed command and trailing prompt are dropped.

    >>> print(sanitise_config("config {\\n  mgt-config {\\n    users {\\n      admin {\\n"
    ...                       "        phash $5$abc$xyz;\\n      }\\n    }\\n  }\\n}"))
    config {
      mgt-config {
        users {
          admin {
            phash <removed>;
          }
        }
      }
    }
    >>> sanitise_config("set deviceconfig system snmp-setting access-setting version v2c snmp-community-string s3cr3t")
    'set deviceconfig system snmp-setting access-setting version v2c snmp-community-string <removed>'
    """
    lines = strip_session(PEM_PRIVATE_KEY_RE.sub(REMOVED, text))
    out: list[str] = []
    secret_depth: list[bool] = []  # per open block: whether it or an enclosing block names a secret
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        stripped = line.strip()
        inside_secret = bool(secret_depth) and secret_depth[-1]
        if stripped.startswith("set "):
            out.append(_BLOB_RE.sub(REMOVED, _mask_set_line(line)))
            continue
        if stripped.startswith("<"):
            out.append(_BLOB_RE.sub(REMOVED, _mask_xml(line)))
            continue
        if stripped == "}" or stripped == "};":
            if secret_depth:
                secret_depth.pop()
            out.append(line)
            continue
        block = _BLOCK_OPEN_RE.match(line)
        if block:
            secret_depth.append(inside_secret or is_secret_key(block["key"]))
            out.append(line)
            continue
        statement = _STATEMENT_RE.match(line)
        if statement and (inside_secret or is_secret_key(statement["key"])):
            value = statement["value"]
            # a value quoted over several lines, or a list over several lines, ends where its quote/bracket does
            if _open_quote(value):
                while i < len(lines) and not _open_quote(lines[i]):
                    i += 1
                i += 1
            elif value.startswith("[") and "]" not in value:
                while i < len(lines) and "]" not in lines[i]:
                    i += 1
                i += 1
            out.append(f"{statement['indent']}{statement['key']} {REMOVED};")
            continue
        if inside_secret and stripped and stripped not in ("{", "}"):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}{REMOVED};")
            continue
        out.append(_BLOB_RE.sub(REMOVED, line))
    return "\n".join(out)
