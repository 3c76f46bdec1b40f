"""PAN-OS configuration sanitiser: `show config running` (set, XML or brace format) with every secret removed."""

from __future__ import annotations

import re

from tasks.platforms.paloalto_panos.commands import strip_session
from tasks.platforms.text import (
    PEM_PRIVATE_KEY_RE,
    REMOVED,
    looks_like_blob,
    mask_encrypted_forms,
    mask_url_credentials,
    names_secret,
)

# --- show config running: the sanitiser ------------------------------------------------------------------


# A configuration key names a secret when one of its `-`/`_`-separated words is one of these, or contains
# one of the substrings (`phash`, `snmp-community-string`, `authpwd`, `pre-shared-key`, `private-key`,
# `scep-challenge`, ...). `hash` alone is an IKE crypto profile's algorithm list (`hash [ sha1 sha256 ]`), not
# a secret: a password hash is a `phash`, and a hashed value is removed by its form whatever its key.
_SECRET_WORDS = frozenset({"key", "keys", "psk", "apikey", "phash"})
_SECRET_SUBSTRINGS = ("secret", "password", "passwd", "pwd", "passphrase", "community", "token", "challenge")
# Keys that read like secrets but hold policy or public data: a password policy, a certificate's name hashes.
_NOT_SECRET_KEYS = frozenset(
    {"password-complexity", "password-profile", "password-change", "subject-hash", "issuer-hash"}
)
# Inside a block of these names (at any depth) these keys hold a secret too: an HTTP server profile's header
# and parameter values (`headers { Authorization { value "Basic ..."; } }`, `params { ... value ...; }`).
_SECRET_IN_BLOCK: dict[str, frozenset[str]] = {"headers": frozenset({"value"}), "params": frozenset({"value"})}
_XML_TAG_RE = re.compile(r"<(?P<close>/?)(?P<tag>[\w-]+)(?P<attrs>[^>]*?)(?P<empty>/?)>")
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


def _secret_here(key: str, ancestors: list[str]) -> bool:
    """Whether `key`, under the blocks `ancestors` (outermost first), holds a secret: it names one, a block
    around it does, or a block around it makes it one (`_SECRET_IN_BLOCK`)."""
    unquoted = [name.strip('"').lower() for name in ancestors]
    return (
        is_secret_key(key)
        or any(is_secret_key(name) for name in unquoted)
        or any(key.strip('"').lower() in _SECRET_IN_BLOCK.get(name, frozenset()) for name in unquoted)
    )


def _mask_set_line(line: str) -> str:
    """`set ... <secret key> <value...>` -> `set ... <secret key> <removed>` (the first secret key decides);
    a value that looks encrypted is removed whatever its key."""
    words = line.split()
    indent = line[: len(line) - len(line.lstrip())]
    for i, word in enumerate(words[1:-1], start=1):
        if _secret_here(word, words[1:i]):
            return indent + " ".join([*words[: i + 1], REMOVED])
    if len(words) > 2 and looks_like_blob(words[-1]):
        return indent + " ".join([*words[:-1], REMOVED])
    return line


def _mask_xml(line: str, stack: list[str]) -> str:
    """`<phash>...</phash>` -> `<phash><removed></phash>` for the text of every element that holds a secret
    (`_secret_here`) or looks encrypted; `stack` holds the elements open before the line and is updated."""
    out: list[str] = []
    pos = 0
    opened = False  # whether the text before the current tag is the content of the innermost open element
    for match in _XML_TAG_RE.finditer(line):
        text = line[pos : match.start()]
        if opened and stack and text.strip() and (_secret_here(stack[-1], stack[:-1]) or looks_like_blob(text)):
            text = REMOVED
        out += [text, match[0]]
        pos = match.end()
        opened = False
        if match["close"]:
            if match["tag"] in stack:
                del stack[len(stack) - 1 - stack[::-1].index(match["tag"]) :]
        elif not match["empty"] and not match["attrs"].rstrip().endswith("?"):
            stack.append(match["tag"])
            opened = True
    out.append(line[pos:])
    return "".join(out)


def _open_quote(value: str) -> bool:
    """Whether a value opens a double-quoted string that does not close on its line."""
    return value.count('"') % 2 == 1


def sanitise_config(text: str) -> str:
    """The configuration text with every secret replaced by `<removed>`, its structure kept.

    Reads the brace format of `show config running` (`config { ... }`), the `set` format and XML elements.
    Masked: the value of every key that names a secret (`phash`, `password`, `pre-shared-key`/`key`,
    `snmp-community-string`, `secret`, `private-key`, `authpwd`, `scep-challenge`, any key with secret/
    password/key/community/token/challenge in it) and everything inside a block so named; an HTTP server
    profile's header and parameter values; any value that is one bare base64 or hex blob, whatever its key;
    anywhere, PEM private keys, PAN-OS `-AQ==` blobs, crypt hashes (`$1$`, `$5$`, `$6$`, ...), the user-info of
    URLs (`https://user:pw@host`) and secret-named query parameters (`?token=`). An IKE profile's
    `hash [ sha1 sha256 ]` is kept. A value quoted over several lines is masked as one. Pure and idempotent;
    an echoed command and trailing prompt are dropped.

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
    blocks: list[str] = []  # the open blocks' keys, outermost first
    xml_stack: list[str] = []  # the open XML elements, outermost first
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        stripped = line.strip()
        if stripped.startswith("set "):
            out.append(_mask_anywhere(_mask_set_line(line)))
            continue
        if stripped.startswith("<"):
            out.append(_mask_anywhere(_mask_xml(line, xml_stack)))
            continue
        if stripped == "}" or stripped == "};":
            if blocks:
                blocks.pop()
            out.append(line)
            continue
        block = _BLOCK_OPEN_RE.match(line)
        if block:
            blocks.append(block["key"])
            out.append(line)
            continue
        inside_secret = any(is_secret_key(name) for name in blocks)
        statement = _STATEMENT_RE.match(line)
        if statement and (_secret_here(statement["key"], blocks) or looks_like_blob(statement["value"])):
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
        out.append(_mask_anywhere(line))
    return "\n".join(out)


def _mask_anywhere(line: str) -> str:
    """What is removed on every line whatever its key: encrypted and hashed forms, credentials in URLs."""
    return mask_url_credentials(mask_encrypted_forms(line))


def strip_volatile(text: str) -> str:
    """The sanitised `show config running` as it is: the configuration itself holds no line that changes on
    its own (Oxidized's panos model strips nothing from it; the noise is in `show system info`, not backed up;
    lib/oxidized/model/panos.rb @ 687ed42, research notes C.1). Blank lines at the ends are dropped.

    >>> strip_volatile("\\nconfig {\\n}\\n")
    'config {\\n}'
    """
    return text.strip("\n")
