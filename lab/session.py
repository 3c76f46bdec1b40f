"""One interactive SSH session of a simulated device: line splitting, echo, latency and faults."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
from dataclasses import dataclass

import asyncssh

from lab.personalities.base import DeviceView, Reply, Shell, printable, refuses

log = logging.getLogger(__name__)

SLOW_REPLY_S = 60.0
# `max_sessions`: what the device says before it closes a session it has no room for (after the login).
MAX_SESSIONS_TEXT = "\n% Maximum number of sessions reached: closing the connection\n"
# `endless_banner`: a login banner written line after line, never followed by a prompt (no prompt characters).
ENDLESS_BANNER_LINE = "*** Authorised access only: every session is logged and monitored ***\n"
ENDLESS_BANNER_EVERY_S = 0.05
# `pager`: output longer than a page stops at the pager prompt until a key (space: next page, q: the rest is
# dropped), as an IOS terminal does before `terminal length 0`; the prompt is erased with backspaces after it.
PAGE_LINES = 10
PAGER_PROMPT = " --More-- "
PAGER_ERASE = "\b" * len(PAGER_PROMPT) + " " * len(PAGER_PROMPT) + "\b" * len(PAGER_PROMPT)
NO_MORE = "| no-more"  # EOS and Junos: a command ending so is never paged
_GARBAGE_ALPHABET = "abcdef0123456789~!$%^&*()_+=-[]{};,.?/|"


@dataclass(frozen=True)
class SessionSpec:
    """What a session needs: the device view, its shell factory output, its faults and latency."""

    view: DeviceView
    faults: frozenset[str]
    latency_s: float
    refuse_commands: tuple[str, ...] = ()  # answered with the OS's error, as to an account that may not run them
    drop_commands: tuple[str, ...] = ()  # the connection is cut when one of these is sent

    @property
    def delay_s(self) -> float:
        return SLOW_REPLY_S if "slow" in self.faults else self.latency_s


def renamed(name: str) -> str:
    """The hostname a `hostname_change` device takes after its first command: one that does not contain the old
    one (a prompt matched by its old hostname would hide the change).

    >>> renamed("acme-lon1-sw01")
    'renamed-9a4991'
    """
    return "renamed-" + hashlib.sha256(name.encode()).hexdigest()[:6]


class LineSplitter:
    """Split a byte stream into lines on CR, LF or CRLF alike.

    >>> s = LineSplitter()
    >>> s.feed("a\\r\\nb\\rc"), s.feed("\\nd\\n")
    (['a', 'b'], ['c', 'd'])
    """

    def __init__(self) -> None:
        self._buffer = ""
        self._skip_lf = False

    def feed(self, data: str) -> list[str]:
        lines: list[str] = []
        for char in data:
            if char == "\n" and self._skip_lf:
                self._skip_lf = False
                continue
            self._skip_lf = char == "\r"
            if char in "\r\n":
                lines.append(self._buffer)
                self._buffer = ""
            else:
                self._buffer += char
        return lines

    def pending(self) -> bool:
        """Whether part of a line is buffered (no line end yet)."""
        return bool(self._buffer)


def garbage(line: str) -> str:
    """Deterministic junk a parser cannot make sense of (no prompt characters, no ``key: value``)."""
    r = random.Random(hashlib.sha256(line.encode()).digest())
    width = [r.randint(8, 60) for _ in range(r.randint(3, 8))]
    rows = ["".join(r.choice(_GARBAGE_ALPHABET) for _ in range(n)) for n in width]
    return "\n" + "\n".join(rows) + "\n\n"


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


class CliSession(asyncssh.SSHServerSession):
    """PTY shell session: a per-session queue worker answers lines in order, delays never block others."""

    def __init__(self, spec: SessionSpec, shell: Shell) -> None:
        self._spec = spec
        self._shell = shell
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._splitter = LineSplitter()
        self._chan: asyncssh.SSHServerChannel | None = None
        self._task: asyncio.Task[None] | None = None
        self._awaiting_answer = False  # the last reply asked a question: the next key answers it
        self._renamed = False  # `hostname_change`: the prompt shows the new hostname

    def connection_made(self, chan: asyncssh.SSHServerChannel) -> None:
        self._chan = chan

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int], term_modes: object) -> bool:
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        return False

    def session_started(self) -> None:
        name = self._spec.view.device.name
        if "hang" in self._spec.faults:
            log.info("%s: hang fault: session stays silent", name)
            return
        if "max_sessions" in self._spec.faults:
            log.info("%s: max_sessions fault: closing the session after the login", name)
            self._write(MAX_SESSIONS_TEXT)
            assert self._chan is not None
            self._chan.exit(1)
            return
        self._task = asyncio.get_running_loop().create_task(self._run())

    def data_received(self, data: str, datatype: int | None) -> None:
        if self._task is None:
            return
        if self._awaiting_answer and data and not self._splitter.pending():
            # A `(y/n)` question takes one key, Enter or not (as FortiOS and PAN-OS read it): the key is the
            # answer, an Enter right after it is part of the answer.
            self._awaiting_answer = False
            self._queue.put_nowait(data[0])
            data = data[1:].lstrip("\r\n")
        for line in self._splitter.feed(data):
            self._queue.put_nowait(line)

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if self._task is not None:
            self._task.cancel()

    def _prompt(self) -> str:
        prompt = self._shell.prompt()
        if self._renamed:
            name = self._spec.view.device.name
            return prompt.replace(name, renamed(name))
        return prompt

    async def _run(self) -> None:
        await asyncio.sleep(self._spec.delay_s)
        if "endless_banner" in self._spec.faults:
            log.info("%s: endless_banner fault: the banner never ends", self._spec.view.device.name)
            while True:
                self._write(ENDLESS_BANNER_LINE)
                await asyncio.sleep(ENDLESS_BANNER_EVERY_S)
        self._write(self._shell.banner() + self._prompt())
        while await self._answer(await self._queue.get()):
            pass

    async def _answer(self, line: str) -> bool:
        """Echo the line, wait, write the reply and the prompt; False once the session is over."""
        self._write(printable(line) + "\n")
        if not line.strip():
            await asyncio.sleep(self._spec.delay_s)
            self._write(self._prompt())
            return True
        if refuses(self._spec.drop_commands, line):
            self._drop()
            return False
        if refuses(self._spec.refuse_commands, line):
            reply = Reply(text=self._shell.refuse(line.strip()))
        else:
            reply = self._shell.handle(line.strip())
        if "drop" in self._spec.faults and not reply.setup:
            self._drop()
            return False
        text = self._faulty_text(line, reply)
        await asyncio.sleep(self._spec.delay_s)
        if reply.close:
            self._write(text)
            assert self._chan is not None
            self._chan.exit(0)
            return False
        if "hostname_change" in self._spec.faults and not reply.setup and not self._renamed:
            log.info("%s: hostname_change fault: the prompt changes", self._spec.view.device.name)
            self._renamed = True
        # The output's end and the prompt go out in one write, as a device's last segment of a reply carries both.
        prompt = self._prompt() if reply.prompt else ""
        if "pager" in self._spec.faults and not reply.setup and not line.rstrip().endswith(NO_MORE):
            await self._write_paged(text, prompt)
        else:
            self._write(text + prompt)
        if not reply.prompt:
            self._awaiting_answer = True
        return True

    async def _write_paged(self, text: str, prompt: str) -> None:
        """`text` a page at a time, each page but the last followed by the pager prompt and a wait for a key; then
        `prompt`."""
        lines = text.split("\n")
        while len(lines) > PAGE_LINES:
            page, lines = lines[:PAGE_LINES], lines[PAGE_LINES:]
            self._write("\n".join(page) + "\n" + PAGER_PROMPT)
            self._awaiting_answer = True
            key = await self._queue.get()
            self._write(PAGER_ERASE)
            if key[:1] == "q":
                self._write(prompt)
                return
        self._write("\n".join(lines) + prompt)

    def _faulty_text(self, line: str, reply: Reply) -> str:
        if "garbage" in self._spec.faults and not reply.setup and not reply.close:
            return garbage(line)
        return reply.text

    def _drop(self) -> None:
        log.info("%s: drop fault: cutting the connection", self._spec.view.device.name)
        assert self._chan is not None
        conn = self._chan.get_extra_info("connection")
        conn.abort()

    def _write(self, text: str) -> None:
        if self._chan is not None and text:
            self._chan.write(crlf(text))
