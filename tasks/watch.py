"""A watch on what a netmiko session reads: the per-host time bound, a pager left on, a prompt that changed.

Every read of the session's channel (netmiko's loops read in small steps, each at most `WAIT_S` long) first
checks the host's `Deadline`, so no loop outlasts `host_timeout_s` by more than one step, whatever the device
sends (a banner that never ends keeps netmiko's own timers from running out). A read whose data ends in a pager
prompt (`--More--`: paging was not disabled, the device waits for a key) fails the command at once instead of
waiting for its timeout. The last text read is kept, so a command that timed out can tell a prompt that changed
(the device's hostname changed mid-session) from a silent device.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tasks.errors import CommandError
from tasks.retry import Deadline

TAIL = 400  # characters of the latest reads kept
# Pager prompts that wait for a key, at the very end of what was read: IOS, NX-OS, EOS, FortiOS `--More--`,
# Junos `---(more)---` / `---(more 42%)---`, Cisco `<--- More --->`.
PAGER = re.compile(r"(?:-- ?More ?--|---\(more(?: \d+%)?\)---|<--- More --->)\s*$")
PAGER_SPAN = 48  # the end of the tail searched for one (the longest prompt and the spaces after it fit)
PROMPT_END = re.compile(r"[>#$%]\s*$")


class SessionWatch:
    """What one host's sessions share: the deadline, and the tail of the text read last.

    While `preparing` (the session preparation after the login), a read of a channel the device has closed ends
    the preparation at once (EOFError) instead of leaving netmiko to wait for a prompt until its timeout: a device
    at its session limit closes the session right after the login, and each attempt would cost a timeout.
    """

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        self.tail = ""
        self.preparing = False

    @contextmanager
    def preparation(self) -> Iterator[None]:
        """Mark the session preparation (see the class)."""
        self.preparing = True
        try:
            yield
        finally:
            self.preparing = False

    def seen(self, data: str) -> None:
        """Keep `data`; CommandError when it ends in a pager prompt."""
        self.tail = (self.tail + data)[-TAIL:]
        found = PAGER.search(self.tail, max(0, len(self.tail) - PAGER_SPAN))
        if found:
            self.tail = ""
            marker = found.group(0).strip()
            raise CommandError(f"output paged ({marker!r}, waiting for a key): paging was not disabled on the device")

    def prompt_change(self, base_prompt: str) -> str | None:
        """Why a command saw no prompt when the last line read is a prompt without `base_prompt`, else None.

        >>> watch = SessionWatch(Deadline(0))
        >>> watch.tail = "show version\\nrenamed-1a2b3c#"
        >>> watch.prompt_change("acme-sw01")
        "the prompt changed from 'acme-sw01' to 'renamed-1a2b3c#' (the hostname changed mid-session)"
        >>> watch.tail = "Cisco IOS Software, Version 17.9.4a\\n"
        >>> watch.prompt_change("acme-sw01") is None
        True
        """
        lines = [line.strip() for line in self.tail.replace("\r", "\n").split("\n") if line.strip()]
        last = lines[-1] if lines else ""
        if not base_prompt or base_prompt in last or not PROMPT_END.search(last) or len(last) > 80:
            return None
        return f"the prompt changed from {base_prompt!r} to {last!r} (the hostname changed mid-session)"


def watch_session(connection: Any, watch: SessionWatch) -> None:
    """Route every read of `connection`'s channel through `watch` (call once the SSH channel is open)."""
    channel = connection.channel
    read = channel.read_channel

    def read_channel() -> str:
        watch.deadline.check()
        data = str(read())
        if data:
            watch.seen(data)
        elif watch.preparing and _closed(connection):
            raise EOFError("the device closed the session")
        return data

    channel.read_channel = read_channel
    connection.estate_watch = watch


def _closed(connection: Any) -> bool:
    """Whether the device closed the session's channel (nothing more will come)."""
    channel = getattr(connection, "remote_conn", None)
    return bool(getattr(channel, "closed", False))
