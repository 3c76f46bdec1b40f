"""The PAN-OS session preparation: netmiko's, without the two round trips a run does not need."""

from __future__ import annotations

from typing import Any

SCRIPTING_MODE = "set cli scripting-mode on"
TERMINAL_WIDTH = "set cli terminal width 500"
PAGER_OFF = "set cli pager off"
TERMINATORS = (">", "#")  # operational and configuration mode


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


def prepare_session(connection: Any) -> None:
    """Prepare a logged-in PAN-OS session (netmiko's `paloalto_panos` connection) as netmiko's driver does, less
    two round trips: its `find_prompt`, which sends a blank line to read the prompt that the answer to
    `set cli pager off` already ends with (read here, up to the prompt), and its closing `show system info`, sent
    "to make sure we are caught up" with a slow device, which reading that prompt does as well (and every run's
    first command is `show system info` anyway). At 200 ms a reply each is 0.2 s and a few ms of CPU, client and
    device, per device.

    The commands and their order are the driver's: scripting mode on (no `--more--`, plain output), terminal
    width 500, pager off; the base prompt as `set_base_prompt` sets it (the prompt without `>` or `#`).
    """
    pattern = connection.prompt_pattern
    connection.ansi_escape_codes = True
    connection._test_channel_read(pattern=pattern)
    connection.disable_paging(command=SCRIPTING_MODE, cmd_verify=False, pattern=rf"{pattern}.*mode on")
    connection.set_terminal_width(command=TERMINAL_WIDTH, pattern=TERMINAL_WIDTH)
    connection.disable_paging(command=PAGER_OFF)  # read up to its echo
    connection.base_prompt = base_prompt(connection.read_until_pattern(pattern=pattern))
