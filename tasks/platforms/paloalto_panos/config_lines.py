"""PAN-OS configuration in `set` lines, the form compliance rules are written in.

`show config running` prints the brace tree by default; estate converts it with netutils'
`paloalto_panos_brace_to_set` (the one Nautobot Golden Config uses) rather than switch the session to
`set cli config-output-format set`: it needs no CLI mode change (which another engineer's session or a
read-only role may not allow) and reads backups and older captures the same way. The conversion drops the
`devices localhost.localdomain` level, so a line reads as the PAN-OS CLI's own `set` form
(`set deviceconfig system ntp-servers primary-ntp-server ntp-server-address 10.0.0.1`). Text already in the set
format is taken as it is. A value quoted over several lines (the login banner) becomes one line.
"""

from __future__ import annotations

from netutils.config.conversion import paloalto_panos_brace_to_set

from tasks.errors import ParseError
from tasks.platforms.config_lines import one_line
from tasks.platforms.paloalto_panos.commands import strip_session


def _statements(lines: list[str]) -> list[str]:
    """`set` statements, a quoted value that spans lines joined into its statement."""
    out: list[str] = []
    pending: list[str] = []
    for line in lines:
        if pending:
            pending.append(line)
            if line.count('"') % 2 == 1:
                out.append(one_line("\n".join(pending)))
                pending = []
            continue
        if not line.strip().startswith("set "):
            continue  # `#` separators of the set format, blank lines
        if line.count('"') % 2 == 1:
            pending = [line.strip()]
            continue
        out.append(line.strip())
    return out


def config_lines(text: str) -> list[str]:
    """The configuration as `set` lines (from the brace tree or the set format).

    >>> config_lines("config {\\n  deviceconfig {\\n    system {\\n      hostname fw1;\\n    }\\n  }\\n}")
    ['set deviceconfig system hostname fw1']
    >>> config_lines('set deviceconfig system login-banner "Authorised\\nonly"')
    ['set deviceconfig system login-banner "Authorised\\\\nonly"']
    """
    lines = strip_session(text)
    if any(line.strip().startswith("set ") for line in lines):
        return _statements(lines)
    try:
        converted = paloalto_panos_brace_to_set("\n".join(lines), cfg_type="string")
    except (ValueError, IndexError, KeyError) as exc:
        raise ParseError(f"'show config running': not a brace configuration: {exc}") from None
    return _statements(converted.splitlines())
