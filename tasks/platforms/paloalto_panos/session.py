"""The PAN-OS session preparation: netmiko's, without the three round trips a run does not need."""

from __future__ import annotations

from typing import Any

from netmiko.exceptions import ReadTimeout

SCRIPTING_MODE = "set cli scripting-mode on"
SCRIPTING_ECHO = "scripting-mode on"  # the command's echo
TERMINAL_WIDTH = "set cli terminal width 500"
PAGER_OFF = "set cli pager off"
TERMINATORS = (">", "#")  # operational and configuration mode
# How long the prompt shown after the login is waited for before an Enter is pressed to ask for one. A firewall
# that shows it by itself (the lab's do) needs no Enter: the one netmiko always presses only brings a second
# prompt, one more round trip. A device that waits for a key gets its Enter this much later.
LOGIN_PROMPT_WAIT_S = 2.0


def base_prompt(text: str) -> str:
    """The prompt without its terminator, from what was read up to and including a prompt (its last line).

    >>> base_prompt("\\r\\nadmin@fw01(active)> ")
    'admin@fw01(active)'
    >>> base_prompt("\\nadmin@fw01#")
    'admin@fw01'
    """
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip()]
    prompt = lines[-1] if lines else ""
    if not prompt or prompt[-1] not in TERMINATORS:
        raise ValueError(f"Router prompt not found: {prompt!r}")
    return prompt[:-1] if len(prompt) > 1 else prompt


def login_prompt(connection: Any, pattern: str) -> None:
    """Read up to the prompt the firewall shows after the login (after its "Last login" and "Number of failed
    attempts" lines); press Enter only if none has come within LOGIN_PROMPT_WAIT_S (at most the command timeout),
    then read up to the prompt that answers it (the command timeout)."""
    override = connection.read_timeout_override  # netmiko's read timeout for every read: the command timeout
    connection.read_timeout_override = min(LOGIN_PROMPT_WAIT_S, override or LOGIN_PROMPT_WAIT_S)
    try:
        connection.read_until_pattern(pattern=pattern)
        return
    except ReadTimeout:
        pass
    finally:
        connection.read_timeout_override = override
    connection.write_channel(connection.RETURN)
    connection.read_until_pattern(pattern=pattern)


def prepare_session(connection: Any) -> None:
    """Prepare a logged-in PAN-OS session (netmiko's `paloalto_panos` connection) as netmiko's driver does, less
    three round trips: the Enter netmiko presses before it "to force data", whose answer is a second prompt when
    the firewall shows one after the login by itself (read here, `login_prompt`); its `find_prompt`, which
    sends a blank line to read the prompt that the answer to `set cli pager off` already ends with (read here, up
    to the prompt); and its closing `show system info`, sent "to make sure we are caught up" with a slow device,
    which reading that prompt does as well (and every run's first command is `show system info` anyway). At 200 ms
    a reply each is 0.2 s and a few ms of CPU, client and device, per device.

    The commands and their order are the driver's: scripting mode on (no `--more--`, plain output), terminal
    width 500, pager off; the base prompt as `set_base_prompt` sets it (the prompt without `>` or `#`). The
    driver reads the answer to scripting mode up to a prompt followed by `mode on` (the prompt answering its Enter,
    then the command's echo); here it is read up to the echo, the login prompt having been read already.
    """
    pattern = connection.prompt_pattern
    connection.ansi_escape_codes = True
    login_prompt(connection, pattern)
    connection.disable_paging(command=SCRIPTING_MODE, cmd_verify=False, pattern=SCRIPTING_ECHO)
    connection.set_terminal_width(command=TERMINAL_WIDTH, pattern=TERMINAL_WIDTH)
    connection.disable_paging(command=PAGER_OFF)  # read up to its echo
    connection.base_prompt = base_prompt(connection.read_until_pattern(pattern=pattern))
