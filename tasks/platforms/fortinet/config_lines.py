"""FortiOS configuration in path lines, the form compliance rules are written in.

`show` prints a `config`/`edit`/`set`/`next`/`end` tree. netutils' `FortinetConfigParser` (the one Nautobot
Golden Config uses) nests it and drops `next`/`end`; each statement becomes one line with its parents, joined by
`" > "`: `config system ntp > config ntpserver > edit 1 > set server "10.0.0.1"`. The `#config-version` header
and other `#` comments are left out. In multi-VDOM mode the `config global` / `config vdom > edit root` levels
are part of the path. A value quoted over several lines (a certificate) is one line, its breaks written `\\n`.
"""

from __future__ import annotations

from netutils.config.parser import FortinetConfigParser

from tasks.platforms.config_lines import join_quoted, parent_lines
from tasks.platforms.fortinet.commands import COMMANDS, strip_session


def config_lines(text: str) -> list[str]:
    """The configuration as path lines.

    >>> config_lines("#conf_file_ver=1\\nconfig system ntp\\n    set ntpsync enable\\n    config ntpserver\\n"
    ...              "        edit 1\\n            set server 10.0.0.1\\n        next\\n    end\\nend")[-1]
    'config system ntp > config ntpserver > edit 1 > set server 10.0.0.1'
    """
    body = "\n".join(join_quoted(strip_session(text, COMMANDS["config"])))
    return parent_lines(FortinetConfigParser, body + "\n", skip=lambda line: line.startswith("#"))
