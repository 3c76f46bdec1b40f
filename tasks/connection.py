"""A tuned netmiko connection for Nornir; netmiko, paramiko and socket errors are translated here, once.

Two changes over nornir-netmiko's plugin, measured in bench/ and in the feasibility study:
- the TCP socket is made here with TCP_NODELAY (paramiko leaves Nagle on: ~85 ms per login on a fast link);
- close writes `exit` and drops the transport instead of netmiko's `disconnect()`, whose config-mode check
  sleeps 2.2 s per PAN-OS device. Read-only runs never enter config mode; what the driver's `cleanup()` would
  set back on the device (FortiOS's console output mode) the platform's `end_session` sets back first.
Timeouts come from the Nornir configuration (`user_defined.estate`): a hung device costs at most one timeout.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from netmiko import ConnectHandler
from netmiko import base_connection as netmiko_base_connection
from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException, ReadTimeout
from nornir.core.configuration import Config
from nornir.core.plugins.connections import ConnectionPluginRegister
from paramiko.ssh_exception import SSHException

from tasks import retry
from tasks.errors import AuthError, CommandError, ConnectError, DeviceError
from tasks.hostkeys import guard_for
from tasks.paramiko_light import kernel_timed, lighten_paramiko
from tasks.platforms import get_platform
from tasks.platforms.base import Context, available
from tasks.session_log import RedactedSessionLog, session_log_path
from tasks.watch import SessionWatch, watch_session

log = logging.getLogger(__name__)

lighten_paramiko()  # no timer thread and no class made per login (tasks/paramiko_light.py)

CONNECTION_NAME = "estate_netmiko"
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_COMMAND_TIMEOUT = 30.0
HANDSHAKE_GRACE_S = 1.0  # the key exchange after the banner, on top of the connect timeout
DEFAULT_MAX_CONCURRENT_LOGINS = 16

_gates: dict[int, threading.BoundedSemaphore] = {}
_gates_lock = threading.Lock()


def _new_gates() -> None:
    """Fresh login gates: at start, and in a forked worker process (`workflows.spread`), whose copies of the
    parent's could be held by a thread that does not exist there, and whose bound is its own share."""
    global _gates_lock
    _gates.clear()
    _gates_lock = threading.Lock()


os.register_at_fork(after_in_child=_new_gates)


def login_gate(limit: int) -> threading.BoundedSemaphore:
    """The process-wide bound on logins in progress (`max_concurrent_logins`): one semaphore per limit.

    A login's timeouts start once it passes the gate, so 200 workers starting together on a small machine do not
    all wait for banners at once (and a customer's TACACS server sees at most `limit` logins at a time). A run
    spread over processes gives each its share of the limit (`workflows.spread.per_process`).
    """
    with _gates_lock:
        return _gates.setdefault(limit, threading.BoundedSemaphore(limit))


def _estate(configuration: Config | None) -> dict[str, Any]:
    if configuration is None:
        return {}
    return dict((configuration.user_defined or {}).get("estate", {}) or {})


def timeouts(configuration: Config | None) -> tuple[float, float]:
    estate = _estate(configuration)
    return (
        float(estate.get("connect_timeout", DEFAULT_CONNECT_TIMEOUT)),
        float(estate.get("command_timeout", DEFAULT_COMMAND_TIMEOUT)),
    )


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class TunedNetmiko:
    """Nornir connection plugin: netmiko over our own TCP_NODELAY socket, with a quick close."""

    def open(
        self,
        hostname: str | None,
        username: str | None,
        password: str | None,
        port: int | None,
        platform: str | None,
        extras: dict[str, Any] | None = None,
        configuration: Config | None = None,
    ) -> None:
        estate = _estate(configuration)
        self.platform = platform or ""
        self.session_log: RedactedSessionLog | None = None
        limit = int(estate.get("max_concurrent_logins", DEFAULT_MAX_CONCURRENT_LOGINS))
        deadline = retry.Deadline(float(estate.get("host_timeout_s", retry.DEFAULT_HOST_TIMEOUT_S)))
        watch = SessionWatch(deadline, page_wait_s=timeouts(configuration)[1])

        def attempt() -> Any:  # one login and session preparation; tasks.retry retries the transient failures
            with login_gate(limit):
                watch.deadline.start()
                watch.deadline.check()  # a retry that waited for the gate past the bound goes no further
                connection = self._login(hostname, username, password, port, platform, extras, configuration)
            watch_session(connection, watch)
            try:
                with watch.preparation():
                    _prepare_session(connection, platform or "")
            except BaseException as exc:
                gone = not isinstance(exc, DeviceError) and closed(connection)
                _drop(connection, connection.sock)
                self._close_session_log(connection)
                if gone:  # as a device at its session (VTY) limit does
                    raise ConnectError("the device closed the session right after the login", transient=True) from None
                raise _open_error(exc, username, timeouts(configuration)[1]) from None
            return connection

        self.connection = retry.with_retries(attempt, retry.policy(estate), watch.deadline)

    def _login(
        self,
        hostname: str | None,
        username: str | None,
        password: str | None,
        port: int | None,
        platform: str | None,
        extras: dict[str, Any] | None,
        configuration: Config | None,
    ) -> Any:
        """TCP connect, SSH handshake, authentication and the shell channel: a netmiko connection not yet prepared."""
        connect_timeout, command_timeout = timeouts(configuration)
        driver = get_platform(platform or "").driver  # the inventory loader has checked the platform
        address = (hostname or "", port or 22)
        try:
            sock = socket.create_connection(address, timeout=connect_timeout)
        except TimeoutError:
            raise ConnectError(f"no answer from {address[0]}:{address[1]} within {connect_timeout:g} s") from None
        except OSError as exc:
            transient = isinstance(exc, (ConnectionRefusedError, ConnectionResetError))
            raise ConnectError(f"{address[0]}:{address[1]}: {exc.strerror or _reason(exc)}", transient) from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock = kernel_timed(sock)  # one system call per read of paramiko's transport thread (tasks/paramiko_light.py)
        self.session_log = _session_log(configuration, hostname, port, platform or "", password)
        parameters: dict[str, Any] = {
            "device_type": driver,
            "host": hostname,
            "port": port or 22,
            "username": username,
            "password": password,
            "sock": sock,
            # paramiko's wait for the handshake (conn_timeout: the TCP socket is ours) must outlast its wait for
            # the banner, or a silent server ends as "No existing session" instead of "no SSH banner".
            "conn_timeout": connect_timeout + HANDSHAKE_GRACE_S,
            "auth_timeout": connect_timeout,
            "banner_timeout": connect_timeout,
            "read_timeout_override": command_timeout,
            "fast_cli": True,
            "auto_connect": False,
            **(extras or {}),
        }
        if self.session_log is not None:  # netmiko hides the password it sent; the sink the device's own secrets
            parameters |= {"session_log": self.session_log, "session_log_record_writes": True}
        connection = ConnectHandler(**parameters)
        guard = guard_for(_estate(configuration), address[0], address[1])
        if guard is not None:
            connection.key_policy = guard  # the key is checked after the key exchange, before the login
        lighten(connection)
        try:
            _handshake(connection)
        except BaseException as exc:
            _drop(connection, sock)
            self._close_session_log(connection)
            raise handshake_error(exc, username, connect_timeout, command_timeout) from None
        wait_for_data(connection)
        sock.settimeout(TRANSPORT_WAKE_S)
        return connection

    def close(self) -> None:
        self._end_session()
        try:
            self.connection.write_channel("exit" + self.connection.RETURN)
        except Exception as exc:  # the session may already be gone; closing must not fail a host
            log.debug("exit not sent: %s", _reason(exc))
        try:
            self.connection.paramiko_cleanup()
        except (EOFError, OSError, SSHException) as exc:  # the device closed first, after our `exit`: done anyway
            log.debug("closed by the device first: %s", _reason(exc))
        self._close_session_log(self.connection)

    def _end_session(self) -> None:
        """The platform's `end_session` (what the session preparation changed on the device, set back), sent
        only on a session still answering: not after a command that found no prompt or lost the session, whose
        device would keep the close waiting one more timeout. What it could not set back: a run.log WARNING."""
        connection = self.connection
        end = get_platform(self.platform).end_session
        if end is not None:
            kept = end(connection, not getattr(connection, FAILED, False) and not closed(connection))
            if kept:
                log.warning("%s", kept, extra={"host": retry.host_name()})

    def _close_session_log(self, connection: Any) -> None:
        """Write the session log, if this session keeps one (netmiko's SessionLog first hands on what it held)."""
        sink = self.session_log
        if sink is None:
            return
        if connection.session_log is not None:
            connection.session_log.close()
        sink.close()


def _session_log(
    configuration: Config | None, hostname: str | None, port: int | None, platform: str, password: str | None
) -> RedactedSessionLog | None:
    """The redacted session log of this connection when the run keeps them (`session_log: true`), else None."""
    path = session_log_path(_estate(configuration), hostname, port)
    if path is None:
        return None
    return RedactedSessionLog(path, available(get_platform(platform).sanitise_config), (password or "",))


ESC = "\x1b"  # every ANSI escape sequence netmiko strips starts with it


def strip_when_escaped(strip: Callable[[str], str]) -> Callable[[str], str]:
    """`strip` (netmiko's `strip_ansi_escape_codes`) run only on text that holds an ESC character.

    Every one of netmiko's ~35 patterns starts with ESC, so text without one comes back unchanged from them; the
    PAN-OS driver runs them on every read, empty polls included (a third of the client's CPU on PAN-OS).

    >>> strip = strip_when_escaped(lambda text: text.replace(ESC + "[K", ""))
    >>> strip("fw> " + ESC + "[K"), strip("plain\\r\\n")
    ('fw> ', 'plain\\r\\n')
    """

    def strip_escaped(text: str) -> str:
        return strip(text) if ESC in text else text

    return strip_escaped


def normalize_when_cr(normalize: Callable[[str], str]) -> Callable[[str], str]:
    """`normalize` (netmiko's `normalize_linefeeds`) run only on text that holds a CR.

    Its substitutions all turn a CR (`\\r\\n`, `\\r\\r\\n`, `\\n\\r`, a lone `\\r`) into the driver's line end: text
    without a CR comes back unchanged. netmiko calls it on every read, empty polls included.

    >>> normalize = normalize_when_cr(lambda text: text.replace("\\r\\n", "\\n"))
    >>> normalize("a\\r\\nb"), normalize("")
    ('a\\nb', '')
    """

    def normalize_crs(text: str) -> str:
        return normalize(text) if "\r" in text else text

    return normalize_crs


def lighten(connection: Any) -> None:
    """Skip the work netmiko does on every read when the read cannot need it: ANSI stripping without an ESC in
    the data, line-feed normalisation without a CR. What is read is unchanged (tests/unit/test_connection.py)."""
    connection.strip_ansi_escape_codes = strip_when_escaped(connection.strip_ansi_escape_codes)
    connection.normalize_linefeeds = normalize_when_cr(connection.normalize_linefeeds)


WAIT_S = 0.2  # the longest a read inside a wait for a pattern blocks for data before netmiko's loop looks again
# paramiko's transport thread reads the socket with a 0.1 s timeout, only to look whether the transport was closed
# meanwhile: ten wake-ups a second for each session waiting on a slow device (~15 per device at 200 ms a reply, each
# a context switch and a turn at the GIL). Once logged in, a session is closed by its `exit`, whose end of the
# connection wakes the thread at once, or by dropping the transport, whose socket is shut down as it is closed
# (tasks.paramiko_light): the thread wakes at once either way, without waiting for the device.
TRANSPORT_WAKE_S = 1.0
_WAITING = ("read_until_pattern", "send_command")  # netmiko's loops that wait for a prompt or a pattern
_in_wait = threading.local()  # `remote`: the paramiko channel of the wait for a pattern this thread is in


class _LoopClock:
    """netmiko.base_connection's `time` module: a sleep of its loops inside a wait for a pattern on an open
    channel (no end of file) is skipped, since the loop's next read waits for data itself (`wait_for_data`):
    after each read that did not complete its pattern netmiko slept 10 ms (25 ms in `send_command`), ~10 sleeps
    a device, each a system call and a turn at the GIL, and a fast device's data waited for it. Everything else,
    sleeps outside such a wait or on a channel at its end included, is the time module's."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        remote = getattr(_in_wait, "remote", None)
        if remote is not None and not remote.closed and not remote.eof_received:
            return
        time.sleep(seconds)


netmiko_base_connection.time = _LoopClock()  # type: ignore[assignment]


def wait_for_data(connection: Any) -> None:
    """Inside netmiko's loops that wait for a pattern (`read_until_pattern`, `send_command`), a read that finds
    no data blocks until data arrives, at most WAIT_S, instead of returning at once to a 10-25 ms sleep: with 200 ms
    replies a device's waits cost a few reads instead of dozens of polls, each of which reads, normalises and
    searches. Data is taken the moment it arrives, so no wait grows; netmiko's own timeouts still end the loops
    (WAIT_S later at most). Other reads (`clear_buffer`, `find_prompt`, our upgrade session) stay non-blocking:
    they read until nothing is there and must not wait for data that is not coming. Nor does a read block while
    netmiko holds text it has read already: `read_until_pattern` keeps what came after its pattern (the output
    and prompt that arrived with a command's echo) in `_read_buffer` and hands it on with the next read, which
    would otherwise wait WAIT_S for more data before returning text that was there all along (a fast device's
    every command then took 0.2 s longer). Call once the SSH channel is open.

    The wait is a `threading.Event` that paramiko's channel buffer sets when data (or the end) arrives and clears
    when it is read empty (`BufferedPipe.set_event`). Not the channel's `fileno()`: that OS pipe is closed with
    the channel while paramiko's transport thread may still set it, and its clear() reads it without checking
    that it is open: a descriptor number reused meanwhile by another session's new socket loses or gains a byte,
    and that session's SSH handshake fails ("Negotiation failed.", one device in a few hundred under load)."""
    channel = connection.channel
    read = channel.read_channel
    depth = [0]  # how many waiting loops are running (send_command reads the echo with read_until_pattern)
    arrived = threading.Event()
    channel.remote_conn.in_buffer.set_event(arrived)

    def read_channel() -> str:
        remote = channel.remote_conn
        held = connection._read_buffer  # netmiko's text read past a pattern: this read returns it
        if depth[0] and not held and remote is not None and not remote.closed and not remote.recv_ready():
            arrived.wait(WAIT_S)
        return str(read())

    def waiting(method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            depth[0] += 1
            outer = getattr(_in_wait, "remote", None)
            _in_wait.remote = channel.remote_conn
            try:
                return method(*args, **kwargs)
            finally:
                depth[0] -= 1
                _in_wait.remote = outer

        return call

    channel.read_channel = read_channel
    for name in _WAITING:
        setattr(connection, name, waiting(getattr(connection, name)))


def _drop(connection: Any, sock: socket.socket) -> None:
    connection.paramiko_cleanup()
    sock.close()


# What paramiko raises when the server sent no banner line before the banner timeout (any other banner error
# carries the socket error after these words).
NO_BANNER = "Error reading SSH protocol banner"
# What netmiko says when paramiko's handshake wait (conn_timeout) ran out before the key exchange finished.
NO_SESSION = "'No existing session'"
# What the handshake's error says when the device reset or closed the connection (transient: tasks.retry).
RESET = ("reset by peer", "EOFError", "Connection reset")
# What paramiko says when the server did not answer the authentication request within auth_timeout.
AUTH_TIMEOUT = "Authentication timeout."


def _paramiko_reason(exc: BaseException) -> str:
    """The library's own words: netmiko wraps a paramiko error in a paragraph ("A paramiko SSHException occurred
    during connection creation:" then the message); keep the message.

    >>> _paramiko_reason(NetmikoTimeoutException("\\nA paramiko SSHException occurred during ...:\\n\\nBad\\n\\n"))
    'Bad'
    """
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].startswith("A paramiko"):
        return lines[1]
    return lines[0] if lines else type(exc).__name__


def handshake_error(
    exc: BaseException, username: str | None, connect_timeout: float, command_timeout: float
) -> BaseException:
    """Our exception for a failed SSH handshake or login, before any prompt was read: a server that never sends
    its banner is "no SSH banner", not "no prompt after login"; the rest as `_open_error`."""
    if isinstance(exc, NetmikoAuthenticationException) and AUTH_TIMEOUT in str(exc):
        return AuthError(f"no answer to the login within {connect_timeout:g} s")  # not a rejected password
    handshake = (NetmikoTimeoutException, SSHException, OSError, EOFError)
    if isinstance(exc, handshake) and not isinstance(exc, NetmikoAuthenticationException):
        reason = _paramiko_reason(exc)
        if reason == NO_BANNER:
            return ConnectError(f"no SSH banner within {connect_timeout:g} s", transient=True)
        if NO_SESSION in reason:
            return ConnectError(f"SSH handshake not finished within {connect_timeout + HANDSHAKE_GRACE_S:g} s")
        return ConnectError(f"SSH handshake failed: {reason}", transient=any(r in reason for r in RESET))
    return _open_error(exc, username, command_timeout)


def _open_error(exc: BaseException, username: str | None, command_timeout: float) -> BaseException:
    """Our exception for what went wrong while preparing a logged-in session; anything unknown is returned as is."""
    if isinstance(exc, NetmikoAuthenticationException):
        return AuthError(f"login rejected for user {username!r}")
    if isinstance(exc, (NetmikoTimeoutException, ReadTimeout)):
        return ConnectError(f"no prompt within {command_timeout:g} s after login")
    if isinstance(exc, (SSHException, OSError, EOFError)):
        return ConnectError(f"SSH session failed: {_reason(exc)}")
    return exc


def _handshake(connection: Any) -> None:
    """The first half of netmiko's `_open()`: the SSH handshake, the login and the shell channel."""
    connection._modify_connection_params()
    connection.establish_connection()


def _prepare_session(connection: Any, platform: str) -> None:
    """The second half of netmiko's `_open()`, without its clean-up on failure: find the prompt, set the terminal
    (the platform's own preparation where it has one, else the driver's after an Enter, as netmiko presses one
    "to force data" before it).

    netmiko answers a failed session preparation with `disconnect()`, whose config-mode check waits one more
    read timeout: a hung device would cost twice its timeout. The caller drops the transport instead.
    """
    prepare = get_platform(platform).prepare_session
    if prepare is not None:
        prepare(connection)
    else:
        connection.write_channel(connection.RETURN)
        connection.session_preparation()


def closed(connection: Any) -> bool:
    """Whether the device closed the session: netmiko does not notice a closed channel while it reads, it
    waits for the prompt until its timeout."""
    try:
        channel = connection.remote_conn
        return bool(channel.closed or not channel.get_transport().is_active())
    except AttributeError:  # no paramiko channel (a fake session in tests, or not opened): not known closed
        return False


FAILED = "estate_failed"  # set on a connection whose command found no prompt or lost the session


def send_command(connection: Any, command: str) -> str:
    """Send one command on an open netmiko connection; its errors become CommandError."""
    try:
        output = connection.send_command(command, auto_find_prompt=False)
    except (NetmikoTimeoutException, ReadTimeout):
        setattr(connection, FAILED, True)
        if closed(connection):
            raise CommandError(f"{command!r}: session lost: the device closed the connection") from None
        watch = getattr(connection, "estate_watch", None)
        changed = watch.prompt_change(connection.base_prompt) if watch is not None else None
        raise CommandError(f"{command!r}: {changed or 'no prompt within the command timeout'}") from None
    except (SSHException, OSError, EOFError) as exc:
        setattr(connection, FAILED, True)
        raise CommandError(f"{command!r}: session lost: {_reason(exc)}") from None
    return str(output)


ConnectionPluginRegister.register(CONNECTION_NAME, TunedNetmiko)


@contextmanager
def in_context(connection: Any, context: Context | None) -> Iterator[None]:
    """Inside `context` (entered on entry, left on exit); None stays where the session is.

    A context that refuses this session (an entering command's output contains one of `context.failed_when`)
    is a CommandError naming it; nothing is sent in it.
    """
    if context is None:
        yield
        return
    for command in context.enter:
        answer = send_command(connection, command)
        if any(text in answer for text in context.failed_when):
            said = [line.strip() for line in answer.splitlines() if line.strip() and line.strip() != command]
            raise CommandError(f"{command!r} refused: {'; '.join(said[:2])}")
    try:
        yield
    finally:
        for command in context.leave:
            send_command(connection, command)


def send_in_context(connection: Any, context: Context | None, commands: list[tuple[str, str]]) -> dict[str, str]:
    """Send each (key, command) inside `context` (entered once, left once); {key: output}."""
    with in_context(connection, context):
        return {key: send_command(connection, command) for key, command in commands}
