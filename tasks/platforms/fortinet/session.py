"""The end of a FortiOS session: the console's output mode set back to what the session found.

netmiko's session preparation (`FortinetSSH.session_preparation`) reads the console's output mode (`get system
console`, or `show full-configuration system console` before 7.x) and, when it is `more` (FortiOS's own default),
turns paging off with `config system console` / `set output standard` / `end`, inside `config global` on a
multi-VDOM unit. That is a change of the unit's configuration, not of the session: it stays after the session
and shows in the next backup of the configuration. netmiko sets it back in `cleanup()`, which
its `disconnect()` calls; estate closes a session with `exit` instead (tasks/connection.py), so it sets the mode
back here, with the lines netmiko's `cleanup()` sends (shared reference: cli-and-matrices.md, FortiOS
`session_preparation()` [src]).
"""

from __future__ import annotations

from typing import Any

RESTORE = ("config system console", "set output more", "end")


def restore_lines(connection: Any) -> tuple[str, ...]:
    """The lines that set the output mode back, or none when the session changed nothing.

    >>> class Session:
    ...     _original_output_mode, _output_mode, _vdoms = "more", "standard", False
    >>> restore_lines(Session())
    ('config system console', 'set output more', 'end')
    >>> Session._vdoms = True
    >>> restore_lines(Session())[0], restore_lines(Session())[-1]
    ('config global', 'end')
    >>> Session._original_output_mode = "standard"  # already so before the session: nothing was changed
    >>> restore_lines(Session())
    ()
    """
    if getattr(connection, "_original_output_mode", None) != "more":
        return ()
    if getattr(connection, "_output_mode", None) != "standard":
        return ()
    if getattr(connection, "_vdoms", False):
        return ("config global", *RESTORE, "end")
    return RESTORE


KEPT = (
    "console output mode not set back to `more` ({reason}): the unit keeps `set output standard` in its configuration"
)


def restore_output_mode(connection: Any, answering: bool) -> str | None:
    """Send `restore_lines`, each answered by the prompt (`[#$]`, in any config context) before the next; what
    could not be set back (a session that no longer answers is not sent to), or None."""
    lines = restore_lines(connection)
    if lines and not answering:
        return KEPT.format(reason="the session failed before its end")
    for line in lines:
        try:
            connection.send_command(line, expect_string=connection.prompt_pattern, auto_find_prompt=False)
        except Exception as exc:
            said = str(exc).strip().splitlines()
            return KEPT.format(reason=f"{line!r}: {said[0] if said else type(exc).__name__}")
    connection._output_mode = connection._original_output_mode
    return None
