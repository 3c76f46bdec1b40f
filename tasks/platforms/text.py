"""Text helpers every platform parser shares: session framing off an output, error snippets, ntc-templates."""

from __future__ import annotations

import collections
import contextlib
import os
import queue
import re
import threading
from collections.abc import Callable, Iterator
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


_templates: dict[tuple[str, str], str | None] = {}
_templates_lock = threading.Lock()


def _template(platform: str, command: str) -> str | None:
    """The path of the one ntc template the index names for (platform, command); None when it names none or
    several (those are left to ntc-templates' `parse_output`). Looked up once per process: the index's match is a
    scan of its ~1,500 rows by regex, which `parse_output` repeats on every call. Under a lock:
    a run's 100-200 threads reach their first parse together, and an unlocked cache would have each of them build
    the index (tens of seconds of CPU at the start of a large run)."""
    key = (platform, command)
    if key in _templates:
        return _templates[key]
    with _templates_lock:
        if key not in _templates:
            _templates[key] = _find_template(platform, command)
        return _templates[key]


_indexes: dict[str, Any] = {}  # platform -> ntc-templates' index (an IndexTable) with that platform's rows compiled


def _index_of(platform: str) -> Any:
    """ntc-templates' index as CliTable reads it (the same rows, `[[...]]` completions, match in file order),
    with the Command regexes compiled only on the rows whose Platform matches `platform`: the other rows stay in
    the table and are still rejected by their Platform. CliTable compiles all ~1,500 rows' (~0.2-0.4 s of CPU,
    in every worker process); a platform has a few dozen. Called under `_templates_lock`."""
    if platform not in _indexes:
        from textfsm import clitable

        wanted = True

        def precompile(column: str, value: str) -> str | None:
            nonlocal wanted
            if column == "Template":
                return None  # as CliTable: a file name, not a pattern
            if column == "Platform":  # read before Command on each row (the index's column order)
                wanted = not value or re.match(value, platform) is not None
            if column == "Command" and not wanted:
                return ""  # left uncompiled; its row's Platform does not match
            return value

        path = os.path.join(_template_dir(), "index")
        reader = clitable.CliTable()  # no index of its own: its `[[...]]` expansion and its compile step
        table = clitable.IndexTable(reader._PreParse, precompile, path)
        header = list(table.index.header)
        if header.index("Platform") > header.index("Command"):  # not the order precompile relies on: all rows
            table = clitable.IndexTable(reader._PreParse, reader._PreCompile, path)
        _indexes[platform] = table
    return _indexes[platform]


def _template_dir() -> str:
    from ntc_templates.parse import _get_template_dir

    return str(_get_template_dir())


def _find_template(platform: str, command: str) -> str | None:
    table = _index_of(platform)
    row = table.GetRowMatch({"Command": command, "Platform": platform})
    if not row:
        return None
    names = str(table.index[row]["Template"]).split(":")
    return os.path.join(_template_dir(), names[0]) if len(names) == 1 else None


# Idle FSMs per template path: an FSM holds its parse state while it runs, so a parse takes one from the pool (or
# builds one) and gives it back. Parsing holds the GIL, so a process needs about as many FSMs as parses that
# overlap (a few), not one per thread: 200 threads each building their own cost ~1 s of CPU for nothing.
_idle: dict[str, queue.SimpleQueue[Any]] = collections.defaultdict(queue.SimpleQueue)


@contextlib.contextmanager
def _fsm(path: str) -> Iterator[Any]:
    import textfsm

    idle = _idle[path]
    try:
        fsm = idle.get_nowait()
    except queue.Empty:
        with open(path) as template:
            fsm = textfsm.TextFSM(template)
        _match_directly(fsm)
    try:
        fsm.Reset()
        yield fsm
    finally:
        idle.put(fsm)


def _match_directly(fsm: Any) -> None:
    """Each rule of `fsm` matched by its compiled expression itself: textfsm keeps it in a wrapper that can be deep
    copied (`CopyableRegexObject`, whose `match` is one more Python call for every rule tried on every line: most of
    a parse's time), and matches through `rule.regex_obj.match` only. A pooled FSM is never copied."""
    for rules in fsm.states.values():
        for rule in rules:
            rule.regex_obj = getattr(rule.regex_obj, "regex", rule.regex_obj)


def _as_text(value: Any) -> Any:
    """A record's value as TextTable stores it (what `parse_output` returns): str, or a list of str."""
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else str(value)


def parse_template(platform: str, command: str, text: str) -> list[dict[str, Any]]:
    """What ntc-templates' `parse_output(platform=, command=, data=)` returns, with the template found once per
    process and its FSMs reused (`parse_output` does both on every call: ~20 ms of CPU).

    Raises what `parse_output` raises: textfsm's errors for a line the template rejects, ntc-templates'
    ParsingException when no template matches.
    """
    path = _template(platform, command)
    if path is None:
        from ntc_templates.parse import parse_output

        return list(parse_output(platform=platform, command=command, data=text))
    with _fsm(path) as fsm:
        header = [name.lower() for name in fsm.header]
        return [dict(zip(header, (_as_text(v) for v in record), strict=True)) for record in fsm.ParseText(text)]


def ntc(platform: str, command: str, text: str, strict: bool = False) -> list[dict[str, Any]]:
    """ntc-templates' records for `command`; when the template rejects a line: [] or, if `strict`, ParseError."""
    try:
        return parse_template(platform, command, text)
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


# The user-info of a URL (`scheme://user:password@host`), and a query parameter whose name says it holds a
# secret (`?token=...`, `&api_key=...`, `&sig=...`).
_URL_USERINFO_RE = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^\s/?#@\"'<>;]+)@")
_URL_SECRET_PARAM_RE = re.compile(
    r"(?P<name>[?&](?:[\w.-]*(?:token|key|secret|pass|pwd|auth|sig|signature|code)[\w.-]*))=(?P<value>[^\s&#\"'<>;]+)",
    re.IGNORECASE,
)
# An encrypted or hashed value in a form that says so whatever its key: PAN-OS's `-AQ==` blobs and crypt(3)
# hashes (`$1$`, `$2b$`, `$5$`, `$6$`, `$y$`, ...), Cisco type 8/9 and Junos `$9$` forms.
_ENCRYPTED_FORM_RE = re.compile(r"-AQ==[A-Za-z0-9+/=]*|\$(?:1|2[abxy]?|5|6|7|8|9|y|gy|sha1|md5)\$[^\s;\"'<]+")
# A bare blob: base64 of 24+ characters mixing upper case, lower case and digits, or hex of 32+ characters.
_BASE64_BLOB_RE = re.compile(r"[A-Za-z0-9+/]{24,}={0,2}")
_HEX_BLOB_RE = re.compile(r"(?:0x)?[0-9A-Fa-f]{32,}")


def mask_url_credentials(text: str) -> str:
    """`text` with the user-info of every URL and every secret-named query parameter's value removed.

    >>> mask_url_credentials('url "https://edl-user:S3cret@lists.example.com/ips.txt";')
    'url "https://<removed>@lists.example.com/ips.txt";'
    >>> mask_url_credentials("uri hooks.example.com/x?channel=ops&token=abc123")
    'uri hooks.example.com/x?channel=ops&token=<removed>'
    """
    text = _URL_USERINFO_RE.sub(lambda m: f"{m['scheme']}{REMOVED}@", text)
    return _URL_SECRET_PARAM_RE.sub(lambda m: f"{m['name']}={REMOVED}", text)


def mask_encrypted_forms(text: str) -> str:
    """`text` with every value in an encrypted or hashed form (`-AQ==...`, `$5$...`) removed, whatever its key.

    >>> mask_encrypted_forms("shared-secret-ish -AQ==c2VjcmV0; salt $6$abc$def")
    'shared-secret-ish <removed>; salt <removed>'
    """
    return _ENCRYPTED_FORM_RE.sub(REMOVED, text)


def looks_like_blob(value: str) -> bool:
    """Whether a value (quotes and a trailing `;` ignored) is one bare token of base64 (24+ characters mixing
    upper case, lower case and digits) or hex (32+ characters): an encrypted or hashed value whatever its key.

    >>> [looks_like_blob(v) for v in ("dGhpcyBpcyBhIHNlY3JldCBibG9i", '"0123456789abcdef0123456789abcdef"')]
    [True, True]
    >>> [looks_like_blob(v) for v in ("aes256-sha256", "[ sha1 sha256 ]", "thisisalongbutlowercaseword", "1.2.3.4")]
    [False, False, False, False]
    """
    token = value.strip().rstrip(";").strip().strip('"')
    if _HEX_BLOB_RE.fullmatch(token):
        return True
    if not _BASE64_BLOB_RE.fullmatch(token):
        return False
    return any(c.isupper() for c in token) and any(c.islower() for c in token) and any(c.isdigit() for c in token)


# --- line-form configurations (IOS, NX-OS, EOS, Junos `display set`): a secret is a value after a keyword --

_VALUE = r"(?P<secret>\"[^\"]*\"|\S+)"
_TYPE = r"(?:(?:\d+|sha512|md5)\s+)?"  # the encryption type before a value: `7`, `5`, `9`, EOS `sha512`


def keyword_secret(keep: str, value: str = _VALUE) -> re.Pattern[str]:
    """A pattern whose group `keep` is what stays and whose group `secret` is the value to remove.

    >>> keyword_secret(r"\\bkey-string\\s+" + r"(?:\\d\\s+)?").sub(r"\\g<keep><removed>", " key-string 7 0822455D")
    ' key-string 7 <removed>'
    """
    return re.compile(f"(?P<keep>{keep}){value}")


# The keyword forms the IOS-like CLIs (IOS/IOS-XE, NX-OS, EOS) share, after Oxidized's `remove_secret` patterns of
# its ios, nxos and eos models (lib/oxidized/model/{ios,nxos,eos}.rb @ 687ed42; research notes C.1): passwords and
# secrets with their type (`username x secret 9 $9$...`, `enable password 7 ...`, `neighbor ... password ...`),
# SNMP communities (`snmp-server community X ro`, `snmp-server host H [vrf V] [traps|informs] [version 1|2c] X`),
# SNMPv3
# auth/priv keys, TACACS+/RADIUS keys (old `tacacs-server ... key` and the indented `key` of `tacacs server NAME`),
# RADIUS `server-key`, key chains' `key-string`, OSPF/IS-IS authentication keys and IKE pre-shared keys.
KEYWORD_SECRETS: tuple[re.Pattern[str], ...] = (
    keyword_secret(r"\b(?:secret|password)\s+(?!encryption\b|strength-check\b)" + _TYPE),
    keyword_secret(r"^\s*snmp-server community\s+"),
    keyword_secret(
        r"^\s*snmp-server host \S+\s+(?:vrf\s+\S+\s+)?(?:(?:traps|informs)\s+)?(?:version\s+(?:1|2c)\s+)?"
        r"(?!(?:version|vrf|traps|informs)\b)"
    ),
    keyword_secret(r"\bauth\s+(?:md5|sha\S*)\s+"),
    keyword_secret(r"\bpriv\s+(?:(?:aes(?:-?\d+)?|des|3des)\s+)?(?:\d+\s+)?(?!(?:read|write|notify|access|context)\b)"),
    keyword_secret(r"^\s*(?:tacacs-server|radius-server)\b.*?\bkey\s+" + _TYPE),
    keyword_secret(r"^\s+key\s+[0-7]\s+"),
    keyword_secret(r"\bserver-key\s+" + _TYPE),
    keyword_secret(r"\bkey-string\s+" + _TYPE),
    keyword_secret(r"\bmessage-digest-key\s+\d+\s+md5\s+" + _TYPE),
    keyword_secret(r"\bauthentication-key\s+" + _TYPE),
    keyword_secret(r"\b(?:isakmp key|pre-shared-key)\s+(?:(?:local|remote)\s+)?" + _TYPE),
)


def mask_keywords(line: str, patterns: tuple[re.Pattern[str], ...]) -> str:
    """`line` with the `secret` group of every match of `patterns` replaced by `<removed>`, and every encrypted
    or hashed form and URL credential removed too (see `mask_encrypted_forms`, `mask_url_credentials`).

    >>> mask_keywords("username admin privilege 15 secret 9 $9$abc", KEYWORD_SECRETS)
    'username admin privilege 15 secret 9 <removed>'
    >>> mask_keywords("snmp-server host 10.1.2.4 version 2c string456", KEYWORD_SECRETS)
    'snmp-server host 10.1.2.4 version 2c <removed>'
    >>> mask_keywords("password encryption aes", KEYWORD_SECRETS)
    'password encryption aes'
    """
    for pattern in patterns:
        line = pattern.sub(rf"\g<keep>{REMOVED}", line)
    return mask_url_credentials(mask_encrypted_forms(line))


def sanitise_lines(lines: list[str], patterns: tuple[re.Pattern[str], ...]) -> str:
    """A line-form configuration (session framing already taken off) with every secret removed: PEM private
    keys, then each line through `mask_keywords`. Pure and idempotent.

    >>> sanitise_lines(["hostname sw1", "snmp-server community publiccom ro"], KEYWORD_SECRETS)
    'hostname sw1\\nsnmp-server community <removed> ro'
    """
    text = PEM_PRIVATE_KEY_RE.sub(REMOVED, "\n".join(lines))
    return "\n".join(mask_keywords(line, patterns) for line in text.split("\n"))
