"""The session an upgrade driver talks through: commands, confirmations, bounded polling, and the wait for a
rebooting device to go away and come back.

Every wait is bounded (`Bounds`, from config.yaml `upgrade:`); the clock and the sleep are injected so the
bounds are tested without waiting. A bound that runs out is a `StepFailed` naming what was waited for.
"""

from __future__ import annotations

import logging
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from netmiko.exceptions import NetmikoTimeoutException, ReadTimeout
from nornir.core.task import Task

from tasks.connection import CONNECTION_NAME, closed, send_command, timeouts
from tasks.errors import AuthError, CommandError, CommandRefused, DeviceError, StepFailed
from tasks.models import Facts
from tasks.models.upgrade import ImageServer, ImageSource
from tasks.platforms.base import SESSION_DROPPED, Context, Platform, UpgradeDriver, rejection
from tasks.upgrade.journal import JOB_MARK, StepJournal

log = logging.getLogger(__name__)

QUESTION = re.compile(r"\(y(?: or |/)n\)\s*$", re.IGNORECASE)  # PAN-OS `(y or n)`, FortiOS `(y/n)`
MAX_QUESTIONS = 5  # FortiOS may ask twice (e.g. a downgrade warning, then the confirmation)
BACKOFF = 1.5  # each wait for a rebooting device is this much longer than the one before
MAX_BACKOFF_S = 30.0
PROBE_TIMEOUT_S = 2.0  # one TCP probe of a rebooting device
READ_S = 0.1  # between two reads of an answer that is still coming
# The last line of an answer that is a prompt: `admin@fw1(active)>`, `FGT60F #`, `FGT60F (global) #`, `sw1#`.
PROMPT_LINE = re.compile(r"^[\w.@()/:-]+(?: \([\w.-]+\))? ?[>#$]$")


def _ends_with_prompt(text: str) -> bool:
    lines = text.rstrip().splitlines()
    return bool(lines) and PROMPT_LINE.match(lines[-1].strip()) is not None


def _command_timeout(task: Task) -> float:
    return timeouts(getattr(getattr(task, "nornir", None), "config", None))[1]


@dataclass(frozen=True)
class Bounds:
    """How long an upgrade waits (config.yaml `upgrade:`; seconds).

    poll_s: between two looks at a job or a booting device (the first wait of the backoff);
    job_timeout_s: a download or install job, from enqueued to FIN;
    reboot_timeout_s: from the reboot until the device is back and ready.
    """

    poll_s: float = 10.0
    job_timeout_s: float = 3600.0
    reboot_timeout_s: float = 1800.0


@dataclass
class Clock:
    """Time as the session sees it (replaced in tests)."""

    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


class DeviceSession:
    """`tasks.platforms.base.UpgradeSession` over the host's Nornir connection (reopened after a reboot)."""

    def __init__(
        self,
        task: Task,
        platform: Platform,
        driver: UpgradeDriver,
        bounds: Bounds,
        clock: Clock | None = None,
        image_server: ImageServer | None = None,
        journal: StepJournal | None = None,
    ) -> None:
        self.task = task
        self.platform = platform
        self.driver = driver
        self.bounds = bounds
        self.clock = clock or Clock()
        self.image_server = image_server  # the device's customer's (config.yaml upgrade.image_server[s])
        self.outputs: dict[str, str] = {}  # what the device answered to the facts commands (contexts use them)
        self.facts: Facts | None = None  # read from them (the model names the image)
        self.journal = journal
        self._unit: int | None = None  # the unit being performed (the index of its first step)
        self._earlier_mark: int | None = None

    def begin(self, unit: int, earlier_mark: int | None = None) -> None:
        """The walk performs unit `unit` now; `earlier_mark`: the job mark an interrupted run journalled for it."""
        self._unit, self._earlier_mark = unit, earlier_mark

    # --- UpgradeSession ----------------------------------------------------------------------------------

    def connection(self) -> Any:
        return self.task.host.get_connection(CONNECTION_NAME, self.task.nornir.config)

    def send(self, command: str) -> str:
        output = send_command(self.connection(), command)
        refused = rejection(output, self.platform.error_markers)
        if refused is not None:
            raise CommandRefused(command, refused)
        return output

    def confirm(self, command: str, until: tuple[str, ...] = ()) -> str:
        connection = self.connection()
        try:
            output = self._converse(connection, command, until)
        except (OSError, EOFError) as exc:  # the device went down while answering (a restart drops the session)
            log.info("session ended after %r: %s", command, exc)
            return SESSION_DROPPED
        if until and closed(connection) and not any(text in output for text in until):
            log.info("session ended after %r", command)
            return SESSION_DROPPED
        if not until and not closed(connection):
            self._learn_prompt(connection)
        refused = rejection(output, self.platform.error_markers)
        if refused is not None:
            raise CommandRefused(command, refused, output)
        return output

    def _converse(self, connection: Any, command: str, until: tuple[str, ...]) -> str:
        """Send `command`, answer each question with y, and read on until the answer has ended: one of `until`
        is in it (within the job bound), else a prompt ends it (within the command timeout); or the device
        dropped the session. Read as it comes (no wait for silence): the caller judges what it got."""
        connection.write_channel(command + connection.RETURN)
        output, answered_at, questions = "", 0, 0
        bound = self.bounds.job_timeout_s if until else _command_timeout(self.task)
        deadline = self.clock.now() + bound
        while True:
            chunk = str(connection.read_channel())
            output += chunk
            fresh = output[answered_at:]
            if questions < MAX_QUESTIONS and QUESTION.search(fresh.rstrip()):
                connection.write_channel("y" + connection.RETURN)
                answered_at, questions = len(output), questions + 1
                continue
            if any(text in fresh for text in until) or (not until and _ends_with_prompt(fresh)):
                return output
            if closed(connection):
                return output
            if self.clock.now() >= deadline:
                log.info("%r: no end of its answer within %g s", command, bound)
                return output
            if not chunk:
                self.clock.sleep(min(READ_S, self.bounds.poll_s))

    @staticmethod
    def _learn_prompt(connection: Any) -> None:
        """Read the prompt again: PAN-OS shows the HA state in it (`admin@fw(suspended)>`), so a command that
        changes the state changes the prompt the next commands end with."""
        try:
            connection.set_base_prompt()
        except (OSError, EOFError, ValueError, NetmikoTimeoutException, ReadTimeout) as exc:
            log.info("prompt not read again: %s", exc)

    def poll(self, what: str, probe: Callable[[], str | None]) -> str:
        deadline = self.clock.now() + self.bounds.job_timeout_s
        while True:
            answer = probe()
            if answer is not None:
                return answer
            if self.clock.now() >= deadline:
                raise StepFailed(f"{what}: not finished within {self.bounds.job_timeout_s:g} s")
            self.clock.sleep(self.bounds.poll_s)

    def context(self, purpose: str) -> Context | None:
        return self.platform.context(purpose, self.outputs)

    def job_mark(self, newest: int) -> None:
        if self.journal is not None and self._unit is not None:
            self.journal.write(self.task.host.name, self._unit, JOB_MARK, newest=newest)

    def earlier_job_mark(self) -> int | None:
        return self._earlier_mark

    def sent_in(self, context: Context | None, command: str, confirm: bool = False, until: tuple[str, ...] = ()) -> str:
        """`command` inside `context`; leaving it is skipped when the device dropped the session meanwhile."""
        for enter in context.enter if context else ():
            answer = self.send(enter)
            if context is not None and any(text in answer for text in context.failed_when):
                raise StepFailed(f"{enter!r} refused: {answer.strip().splitlines()[-1:]}")
        output = self.confirm(command, until) if confirm else self.send(command)
        if context is not None and output != SESSION_DROPPED and not self.session_ended():
            try:
                for leave in context.leave:
                    self.send(leave)
            except CommandError as exc:
                log.info("left %s without its closing command: %s", context.name, exc)
        return output

    def image_source(self, version: str) -> ImageSource:
        customer = self.task.host.data.get("customer") or "its customer"
        if self.image_server is None:
            raise StepFailed(
                f"no image server: set upgrade.image_server in config.yaml (or upgrade.image_servers.{customer})"
            )
        if self.facts is None:
            raise StepFailed("the model is not known (its facts were not read): no image to name")
        model = self.driver.image_model(self.facts.model)
        return self.image_server.source(version, model, self.driver.image_file)

    # --- the reboot ---------------------------------------------------------------------------------------

    def end_session(self) -> None:
        """Before a command that reboots the device: what the session preparation changed on it, set back
        (`Platform.end_session`; FortiOS: the console's output mode), since the reboot ends the session without
        its close. What cannot be set back is a WARNING in run.log; the step goes on."""
        end, host = self.platform.end_session, self.task.host
        if end is not None and CONNECTION_NAME in host.connections:
            kept = end(host.connections[CONNECTION_NAME].connection, not self.session_ended())
            if kept:
                log.warning("%s", kept, extra={"host": host.name})

    def drop(self) -> None:
        """Forget the session (the device is going down): closing it must not fail the step."""
        host = self.task.host
        if CONNECTION_NAME in host.connections:
            try:
                host.close_connection(CONNECTION_NAME)
            except Exception as exc:  # a session the device closed may fail to close
                log.debug("closing the dropped session: %s", exc)
                host.connections.pop(CONNECTION_NAME, None)

    def session_ended(self) -> bool:
        """Whether the device closed our session (a restart does): it has started going down."""
        host = self.task.host
        if CONNECTION_NAME not in host.connections:
            return False
        return closed(host.connections[CONNECTION_NAME].connection)

    def reachable(self) -> bool:
        """Whether the device's SSH port accepts a TCP connection now."""
        host = self.task.host
        try:
            with socket.create_connection((host.hostname or "", host.port or 22), timeout=PROBE_TIMEOUT_S):
                return True
        except OSError:
            return False

    def wait_back(self, expect_gone: bool = True) -> str:
        """After a reboot: wait until the device has gone away (unless already known gone), answers a login again,
        and says it is ready (`driver.not_ready`); all within `reboot_timeout_s`. What happened, one line."""
        self.drop()
        bound = self.bounds.reboot_timeout_s
        start = self.clock.now()
        deadline = start + bound
        if expect_gone:
            while self.reachable():
                if self.clock.now() >= deadline:
                    raise StepFailed(f"still answering {bound:g} s after the reboot: it did not go down")
                self.clock.sleep(self.bounds.poll_s)
        delay = self.bounds.poll_s
        while True:
            if self.clock.now() >= deadline:
                raise StepFailed(f"did not come back within {bound:g} s of the reboot")
            self.clock.sleep(min(delay, max(0.0, deadline - self.clock.now())))
            delay = min(delay * BACKOFF, MAX_BACKOFF_S)
            if not self.reachable():
                continue
            try:
                self.connection()
                break
            except AuthError:
                raise
            except DeviceError as exc:  # still booting: banner, login or prompt not there yet
                log.info("not back yet: %s", exc)
                self.drop()
        back = self.clock.now() - start
        while (pending := self.driver.not_ready(self)) is not None:
            if self.clock.now() >= deadline:
                raise StepFailed(f"back after {back:.0f} s, but {pending} at {bound:g} s after the reboot")
            self.clock.sleep(self.bounds.poll_s)
        return f"back after {back:.0f} s, ready after {self.clock.now() - start:.0f} s"
