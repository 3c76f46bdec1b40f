"""Text helpers every platform parser shares: session framing off an output, error snippets, ntc-templates."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tasks.errors import ParseError


def session_lines(text: str, is_echo: Callable[[str], bool], is_prompt: Callable[[str], bool]) -> list[str]:
    """The output's lines without an echoed command line, a trailing prompt line and the blanks around them.

    `is_echo` and `is_prompt` see a stripped line. CR, LF and CRLF all end a line.

    >>> is_prompt = "fw>".__eq__
    >>> session_lines("fw> show x\\r\\n\\r\\nvalue: 1\\r\\n\\r\\nfw> ", lambda line: line.startswith("fw>"), is_prompt)
    ['value: 1']
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    _trim(lines)
    if lines and is_echo(lines[0].strip()):
        lines.pop(0)
    _trim(lines)
    if lines and is_prompt(lines[-1].strip()):
        lines.pop()
    _trim(lines)
    return lines


def _trim(lines: list[str]) -> None:
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()


def first_line(text: str) -> str:
    """The first non-blank line, shortened, for error messages.

    >>> first_line("\\n  %%%% garbage %%%%  \\nmore")
    '%%%% garbage %%%%'
    """
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:60]
    return ""


def key_values(lines: list[str], pattern: re.Pattern[str]) -> dict[str, str]:
    """`key: value` lines as a dict (groups `key` and `value` of `pattern`, stripped; the first occurrence
    wins); lines of another shape are ignored.

    >>> key_values(["Hostname: fw1", "junk", "Hostname: fw2"], re.compile(r"^(?P<key>\\w+):(?P<value>.*)$"))
    {'Hostname': 'fw1'}
    """
    result: dict[str, str] = {}
    for line in lines:
        match = pattern.match(line.strip())
        if match:
            result.setdefault(match["key"].strip(), match["value"].strip())
    return result


def ntc(platform: str, command: str, text: str, strict: bool = False) -> list[dict[str, Any]]:
    """ntc-templates' records for `command`; when the template rejects a line: [] or, if `strict`, ParseError."""
    from ntc_templates.parse import parse_output

    try:
        return list(parse_output(platform=platform, command=command, data=text))
    except Exception as exc:  # textfsm's Error state: a line the template does not know
        if strict:
            raise ParseError(f"{command}: {' '.join(str(exc).split())[:120]}") from None
        return []


# --- configuration sanitisers: what every platform's shares ------------------------------------------------

REMOVED = "<removed>"
# A PEM private key (`-----BEGIN [ENCRYPTED|RSA|EC] PRIVATE KEY-----` ... `-----END ...-----`), across lines.
PEM_PRIVATE_KEY_RE = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?-----END [A-Z0-9 ]*PRIVATE KEY-----", re.DOTALL
)


def names_secret(key: str, words: frozenset[str], substrings: tuple[str, ...], exceptions: frozenset[str]) -> bool:
    """Whether a configuration key names a secret: one of its `-`/`_`/`.`-separated words is in `words`, or
    it contains one of `substrings`, and it is not one of `exceptions` (compared lower-cased, unquoted).

    >>> names_secret("pre-shared-key", frozenset({"key"}), (), frozenset())
    True
    >>> names_secret("keystone", frozenset({"key"}), ("secret",), frozenset())
    False
    """
    lowered = key.strip('"').lower()
    if lowered in exceptions:
        return False
    parts = re.split(r"[-_.]", lowered)
    return any(part in words for part in parts) or any(part in lowered for part in substrings)
