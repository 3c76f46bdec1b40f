"""Configuration text in a platform's line form for compliance rules, on netutils' configuration parsers.

netutils (`netutils.config.parser`, the parsers Nautobot Golden Config uses) knows each OS's nesting: IOS-style
indentation and banners, FortiOS `config`/`edit`/`next`/`end`, PAN-OS brace trees (converted to `set` lines).
Each of its `ConfigLine(config_line, parents)` becomes one line here: the parents and the statement, stripped
and joined by `PARENT_SEPARATOR`, so a rule can anchor a regex on the context of a statement.

>>> from netutils.config.parser import IOSConfigParser
>>> parent_lines(IOSConfigParser, "hostname r1\\nline vty 0 4\\n transport input ssh\\n")
['hostname r1', 'line vty 0 4', 'line vty 0 4 > transport input ssh']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from tasks.errors import ParseError
from tasks.platforms.base import PARENT_SEPARATOR, ConfigForm


def one_line(text: str) -> str:
    """A statement whose value spans lines (a banner) as one line, its line breaks written `\\n`.

    >>> one_line('set login-banner "a\\nb"')
    'set login-banner "a\\\\nb"'
    """
    return "\\n".join(part.rstrip() for part in text.strip().split("\n"))


def join_quoted(lines: Iterable[str]) -> list[str]:
    """Lines whose double-quoted value spans several lines (a certificate, a banner) joined into one, the line
    breaks written `\\n`; other lines as they are.

    >>> join_quoted(['set certificate "-----BEGIN', 'abc', '-----END"', 'set port 443'])
    ['set certificate "-----BEGIN\\\\nabc\\\\n-----END"', 'set port 443']
    """
    out: list[str] = []
    pending: list[str] = []
    for line in lines:
        if pending:
            pending.append(line)
            if line.count('"') % 2 == 1:
                out.append("\\n".join(pending))
                pending = []
        elif line.count('"') % 2 == 1:
            pending = [line]
        else:
            out.append(line)
    return out + (["\\n".join(pending)] if pending else [])


def joined(parents: Iterable[str], line: str) -> str:
    """One statement with its parents, each stripped, joined by `PARENT_SEPARATOR`.

    >>> joined(["config system ntp", "    config ntpserver"], "        set server x")
    'config system ntp > config ntpserver > set server x'
    """
    return PARENT_SEPARATOR.join([*(p.strip() for p in parents), one_line(line)])


def parent_lines(parser: Callable[[str], Any], text: str, skip: Callable[[str], bool] = lambda _: False) -> list[str]:
    """`text` parsed by a netutils parser class, one line per statement with its parents (see the module).

    Statements `skip` selects (comments, `end`) are left out; a parser that cannot read the text is a ParseError.
    """
    try:
        config_lines = parser(text).config_lines
    except (ValueError, IndexError, KeyError) as exc:  # netutils raises plain errors on text it cannot nest
        raise ParseError(f"the configuration could not be parsed: {exc}") from None
    return [joined(c.parents, c.config_line) for c in config_lines if not skip(c.config_line.strip())]


# IOS-style `show running-config` (IOS, NX-OS, EOS): statements that are no configuration (the `Building
# configuration` / `Current configuration` header, `!` comments, the final `end`, the version line, the echo).
NOT_STATEMENTS = ("Building configuration", "Current configuration", "!", "end", "version ", "show running-config")


def indented_form(parser: Callable[[str], Any], strip_session: Callable[[str], list[str]], command: str) -> ConfigForm:
    """The compliance line form of an IOS-style `show running-config` read by a netutils parser class: one line per
    statement with its parents (`line vty 0 4 > transport input ssh`), headers, comments and `end` left out.

    >>> from netutils.config.parser import IOSConfigParser
    >>> form = indented_form(IOSConfigParser, lambda t: t.splitlines(), "show running-config")
    >>> form.lines("Building configuration...\\n!\\nline vty 0 4\\n transport input ssh\\nend\\n")
    ['line vty 0 4', 'line vty 0 4 > transport input ssh']
    """

    def lines(text: str) -> list[str]:
        body = "\n".join(strip_session(text))
        return parent_lines(parser, body, skip=lambda line: line.startswith(NOT_STATEMENTS) or not line)

    name = getattr(parser, "__name__", "its parser")
    return ConfigForm(command, lines, f"netutils {name}, statements with their parents")
