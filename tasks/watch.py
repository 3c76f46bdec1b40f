"""A watch on what a netmiko session reads: the per-host time bound, a pager left on, a prompt that changed.

Every read of the session's channel (netmiko's loops read in small steps, each at most `WAIT_S` long) first
checks the host's `Deadline`, so no loop outlasts `host_timeout_s` by more than one step, whatever the device
sends (a banner that never ends keeps netmiko's own timers from running out). A read whose data ends in a pager
prompt (`--More--`: paging was not disabled, the device waits for a key) is answered with a space, as an
engineer at the terminal (and Oxidized) does, and the prompt and the device's erasing of it are taken out of
what netmiko reads: the command's output arrives whole. netmiko's session preparation disables paging on every
platform, but an account that may not change the terminal (a read-only FortiGate admin cannot `set output
standard`; a command-authorisation rule can deny `terminal length 0`) leaves it on. The last text read is kept,
so a command that timed out can tell a prompt that changed (the device's hostname changed mid-session) from a
silent device.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tasks.retry import Deadline, host_name

log = logging.getLogger(__name__)

TAIL = 400  # characters of the latest reads kept
# Pager prompts that wait for a key, at the very end of what was read: IOS, NX-OS, EOS, FortiOS `--More--`,
# Junos `---(more)---` / `---(more 42%)---`, Cisco `<--- More --->`.
PAGER = re.compile(r" *(?:-- ?More ?--|---\(more(?: \d+%)?\)---|<--- More --->)\s*$")
PAGER_SPAN = 48  # the end of the tail searched for one (the longest prompt and the spaces after it fit)
PROMPT_END = re.compile(r"[>#$%]\s*$")
# How a device erases its pager prompt after the key: FortiOS `\r         \r`, IOS backspaces, spaces, backspaces.
ERASE = re.compile(r"^(?:\r +\r|\x08+ +\x08+)")
PAGER_KEY = " "
PAGE_POLL_S = 0.02  # between two reads that found nothing, while paging through an output


class SessionWatch:
    """What one host's sessions share: the deadline, and the tail of the text read last.

    While `preparing` (the session preparation after the login), a read of a channel the device has closed ends
    the preparation at once (EOFError) instead of leaving netmiko to wait for a prompt until its timeout: a device
    at its session limit closes the session right after the login, and each attempt would cost a timeout.
    """

    def __init__(self, deadline: Deadline, page_wait_s: float = 30.0) -> None:
        self.deadline = deadline
        self.page_wait_s = page_wait_s  # the longest wait for the next page (the command timeout)
        self.tail = ""
        self.preparing = False
        self.pages = 0  # pager prompts answered
        self._erase = False  # a pager prompt was answered: the next data may start with its erasing

    @contextmanager
    def preparation(self) -> Iterator[None]:
        """Mark the session preparation (see the class)."""
        self.preparing = True
        try:
            yield
        finally:
            self.preparing = False

    def seen(self, data: str) -> tuple[str, bool]:
        """`data` as netmiko should read it, and whether it ended in a pager prompt (to be answered).

        >>> watch = SessionWatch(Deadline(0))
        >>> watch.seen("line 1\\nline 2\\n --More-- ")
        ('line 1\\nline 2\\n', True)
        >>> watch.seen("\\x08\\x08  \\x08\\x08line 3\\nsw01#")
        ('line 3\\nsw01#', False)
        """
        if self._erase:
            self._erase = False
            data = ERASE.sub("", data)
        self.tail = (self.tail + data)[-TAIL:]
        found = PAGER.search(self.tail, max(0, len(self.tail) - PAGER_SPAN))
        if found is None:
            return data, False
        self.tail = self.tail[: found.start()]
        self.pages += 1
        self._erase = True
        return PAGER.sub("", data), True

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
            data, paged = watch.seen(data)
            if paged:
                data = _page_through(connection, watch, read, data)
        elif watch.preparing and _closed(connection):
            raise EOFError("the device closed the session")
        return data

    channel.read_channel = read_channel
    connection.estate_watch = watch


def _page_through(connection: Any, watch: SessionWatch, read: Callable[[], str], data: str) -> str:
    """`data` and every page after it, each pager prompt answered with a space, until the session's prompt ends
    the output (or nothing more came for `watch.page_wait_s`): netmiko gets the output in one piece, as from a
    device that does not page, so that a page naming the device cannot end its wait for the prompt early."""
    if watch.pages == 1:
        log.warning(
            "paging was not disabled on the device: answering its pager prompts with a space",
            extra={"host": host_name()},
        )
    paged, last = True, time.monotonic()
    while time.monotonic() - last < watch.page_wait_s:
        if paged:  # one key per pager prompt seen: a read that finds nothing yet must not press another
            connection.channel.write_channel(PAGER_KEY)  # not netmiko's write_channel: it waits for this read's lock
            paged = False
        watch.deadline.check()
        more = str(read())
        if not more:
            time.sleep(PAGE_POLL_S)
            continue
        last = time.monotonic()
        more, paged = watch.seen(more)
        data += more
        ending = data.rstrip().rsplit("\n", 1)[-1]
        if not paged and connection.base_prompt and connection.base_prompt in ending:
            break
    return data


def _closed(connection: Any) -> bool:
    """Whether the device closed the session's channel (nothing more will come)."""
    channel = getattr(connection, "remote_conn", None)
    return bool(getattr(channel, "closed", False))
