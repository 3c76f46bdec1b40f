"""tasks/connection.py translates netmiko, paramiko and socket errors into tasks.errors, once: table-tested."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException, ReadTimeout
from nornir.core.configuration import Config
from paramiko.buffered_pipe import BufferedPipe
from paramiko.ssh_exception import SSHException

from tasks.connection import (
    DEFAULT_COMMAND_TIMEOUT,
    DEFAULT_CONNECT_TIMEOUT,
    TunedNetmiko,
    _open_error,
    handshake_error,
    lighten,
    normalize_when_cr,
    send_command,
    strip_when_escaped,
    timeouts,
)
from tasks.errors import AuthError, CommandError, ConnectError, DeviceError

OPEN_CASES = [
    (NetmikoAuthenticationException("Authentication to device failed."), AuthError, "login rejected for user 'admin'"),
    (NetmikoTimeoutException("TCP connection to device failed."), ConnectError, "no prompt within 3 s after login"),
    (ReadTimeout("Pattern not detected: 'admin@fw1>'"), ConnectError, "no prompt within 3 s after login"),
    (SSHException("Error reading SSH banner\nmore"), ConnectError, "SSH session failed: Error reading SSH banner"),
    (ConnectionResetError("Connection reset by peer"), ConnectError, "SSH session failed: Connection reset by peer"),
    (EOFError(), ConnectError, "SSH session failed: EOFError"),
]  # fmt: skip


@pytest.mark.parametrize(("raised", "kind", "message"), OPEN_CASES, ids=[type(c[0]).__name__ for c in OPEN_CASES])
def test_an_error_while_opening_the_session_becomes_ours(raised: BaseException, kind: type, message: str) -> None:
    error = _open_error(raised, "admin", 3.0)
    assert type(error) is kind and str(error) == message
    assert isinstance(error, DeviceError) and error.stage == {AuthError: "login", ConnectError: "connect"}[kind]


@pytest.mark.parametrize("raised", [ValueError("a bug"), KeyboardInterrupt()])
def test_anything_else_is_left_as_it_is(raised: BaseException) -> None:
    assert _open_error(raised, "admin", 3.0) is raised


# What netmiko's establish_connection raises (paramiko's words wrapped in its paragraph), before any prompt.
WRAPPED = "\nA paramiko SSHException occurred during connection creation:\n\n{}\n\n"
HANDSHAKE_CASES = [
    (NetmikoTimeoutException(WRAPPED.format("Error reading SSH protocol banner")), ConnectError,
     "no SSH banner within 10 s"),
    (NetmikoTimeoutException(WRAPPED.format("Error reading SSH protocol banner[Errno 104] Connection reset by peer")),
     ConnectError, "SSH handshake failed: Error reading SSH protocol banner[Errno 104] Connection reset by peer"),
    (SSHException("Incompatible ssh peer (no acceptable kex algorithm)"), ConnectError,
     "SSH handshake failed: Incompatible ssh peer (no acceptable kex algorithm)"),
    (NetmikoAuthenticationException("Authentication to device failed."), AuthError, "login rejected for user 'admin'"),
    (NetmikoAuthenticationException("Authentication to device failed.\n\nAuthentication timeout."), AuthError,
     "no answer to the login within 10 s"),
    (NetmikoTimeoutException("Paramiko: 'No existing session' error: try increasing 'conn_timeout' to 15 seconds"),
     ConnectError, "SSH handshake not finished within 11 s"),
    (ReadTimeout("Pattern not detected"), ConnectError, "no prompt within 30 s after login"),
]  # fmt: skip


@pytest.mark.parametrize(("raised", "kind", "message"), HANDSHAKE_CASES)
def test_a_handshake_error_says_what_happened(raised: BaseException, kind: type, message: str) -> None:
    error = handshake_error(raised, "admin", 10.0, 30.0)
    assert type(error) is kind and str(error) == message


def test_a_bug_during_the_handshake_is_left_as_it_is() -> None:
    bug = ValueError("a bug")
    assert handshake_error(bug, "admin", 10.0, 30.0) is bug


class Session:
    """A netmiko connection whose send_command raises `error` (or answers `output`)."""

    def __init__(self, error: BaseException | None = None, output: Any = "ok") -> None:
        self.error, self.output = error, output

    def send_command(self, command: str, auto_find_prompt: bool = True) -> Any:
        if self.error is not None:
            raise self.error
        return self.output


SEND_CASES = [
    (ReadTimeout("Pattern not detected"), "'show clock': no prompt within the command timeout"),
    (NetmikoTimeoutException("timed out"), "'show clock': no prompt within the command timeout"),
    (SSHException("Socket is closed"), "'show clock': session lost: Socket is closed"),
    (OSError("Broken pipe"), "'show clock': session lost: Broken pipe"),
    (EOFError(), "'show clock': session lost: EOFError"),
]


@pytest.mark.parametrize(("raised", "message"), SEND_CASES, ids=[type(c[0]).__name__ for c in SEND_CASES])
def test_a_command_error_names_the_command(raised: BaseException, message: str) -> None:
    with pytest.raises(CommandError) as caught:
        send_command(Session(raised), "show clock")
    assert str(caught.value) == message and caught.value.stage == "command"


class Closed:
    """A paramiko channel the device has closed, as netmiko holds it in `remote_conn`."""

    closed = True


def test_a_timeout_on_a_session_the_device_closed_is_a_lost_session() -> None:
    # netmiko reads a closed channel until its timeout; the reason must say the session was lost.
    session = Session(ReadTimeout("Pattern not detected"))
    session.remote_conn = Closed()  # type: ignore[attr-defined]
    with pytest.raises(CommandError) as caught:
        send_command(session, "show clock")
    assert str(caught.value) == "'show clock': session lost: the device closed the connection"


def test_a_command_answers_text() -> None:
    assert send_command(Session(output="up 3 days"), "show clock") == "up 3 days"
    assert send_command(Session(output=["parsed"]), "show clock") == "['parsed']"


def test_timeouts_come_from_the_nornir_configuration() -> None:
    assert timeouts(None) == (DEFAULT_CONNECT_TIMEOUT, DEFAULT_COMMAND_TIMEOUT)
    configured = Config(user_defined={"estate": {"connect_timeout": 5, "command_timeout": "7.5"}})
    assert timeouts(configured) == (5.0, 7.5)


SOCKET_CASES = [
    (TimeoutError(), "no answer from 192.0.2.1:2222 within 10 s"),
    (ConnectionRefusedError(111, "Connection refused"), "192.0.2.1:2222: Connection refused (1 attempt)"),
    (socket.gaierror(-2, "Name or service not known"), "192.0.2.1:2222: Name or service not known"),
]


@pytest.mark.parametrize(("raised", "message"), SOCKET_CASES, ids=[type(c[0]).__name__ for c in SOCKET_CASES])
def test_no_tcp_connection_is_a_connect_error(raised: BaseException, message: str) -> None:
    no_socket = mock.patch("tasks.connection.socket.create_connection", side_effect=raised)  # no socket here
    no_retries = Config(user_defined={"estate": {"retries": 0}})  # tests/unit/test_retry.py retries
    with no_socket, pytest.raises(ConnectError) as caught:
        TunedNetmiko().open("192.0.2.1", "admin", "pw", 2222, "paloalto_panos", None, no_retries)
    assert str(caught.value) == message
    assert isinstance(caught.value, DeviceError) and caught.value.__cause__ is None


def test_no_more_logins_at_once_than_max_concurrent_logins() -> None:
    limit, workers = 3, 12
    in_login, most = 0, 0
    lock = threading.Lock()
    released = threading.Event()

    def slow_login(*_: Any) -> Any:
        nonlocal in_login, most
        with lock:
            in_login += 1
            most = max(most, in_login)
        released.wait(0.05)  # hold the gate long enough for the other threads to pile up behind it
        with lock:
            in_login -= 1
        return mock.Mock()

    configured = Config(user_defined={"estate": {"max_concurrent_logins": limit}})
    with (
        mock.patch.object(TunedNetmiko, "_login", side_effect=slow_login),
        mock.patch("tasks.connection._prepare_session"),
    ):
        threads = [
            threading.Thread(target=TunedNetmiko().open, args=("h", "u", "p", 22, "paloalto_panos", None, configured))
            for _ in range(workers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert most == limit  # the gate was full, never overfull


# Reads as a PAN-OS, IOS or NX-OS session gives them: ANSI sequences, CRs, plain text, empty polls.
READS = [
    "",
    "admin@fw1(active)> ",
    "show system info\r\n\r\nhostname: fw1\r\nmodel: PA-5220\r\n\r\nadmin@fw1(active)> ",
    "\x1b[Kadmin@fw1> \x1b[?25h",
    "\x1b[00;32mgreen\x1b[0m text\x1b[2004h\x1b[1D\x1b[9999B\x1bE next",
    "\x1b[2Lline\r\r\nend\n\rmore\rlast",
    "plain text\nwith LF only\n",
    "tab\there \x08backspace é ü",
]


def _driver(device_type: str) -> Any:
    from netmiko import ConnectHandler

    return ConnectHandler(device_type=device_type, host="192.0.2.1", auto_connect=False)


@pytest.mark.parametrize("device_type", ["paloalto_panos", "cisco_ios", "cisco_nxos", "juniper_junos"])
@pytest.mark.parametrize("text", READS, ids=range(len(READS)))
def test_lighten_reads_exactly_what_netmiko_reads(device_type: str, text: str) -> None:
    plain, light = _driver(device_type), _driver(device_type)
    lighten(light)
    assert light.strip_ansi_escape_codes(text) == plain.strip_ansi_escape_codes(text)
    assert light.normalize_linefeeds(text) == plain.normalize_linefeeds(text)


def test_ansi_sequences_are_still_stripped_and_plain_text_left_alone() -> None:
    light = _driver("paloalto_panos")
    lighten(light)
    assert light.strip_ansi_escape_codes("\x1b[Kadmin@fw1> \x1b[00;32mok\x1b[0m") == "admin@fw1> ok"
    plain = "hostname: fw1\r\nno escape here\r\n"
    assert light.strip_ansi_escape_codes(plain) is plain  # not copied, not scanned by 35 regexes


def test_the_helpers_call_the_wrapped_method_only_when_it_can_change_the_text() -> None:
    strip, normalize = mock.Mock(return_value="x"), mock.Mock(return_value="y")
    assert strip_when_escaped(strip)("abc") == "abc" and normalize_when_cr(normalize)("a\nb") == "a\nb"
    strip.assert_not_called()
    normalize.assert_not_called()
    assert strip_when_escaped(strip)("a\x1b[K") == "x" and normalize_when_cr(normalize)("a\r\n") == "y"


class _Remote:
    """A paramiko channel as wait_for_data sees it: paramiko's own input buffer, closed or not; no fileno()."""

    def __init__(self) -> None:
        self.closed = False
        self.eof_received = False
        self.in_buffer = BufferedPipe()

    def recv_ready(self) -> bool:
        return bool(self.in_buffer.read_ready())


class _Conn:
    """A netmiko connection as wait_for_data sees it: a channel, and the two loops that wait for a pattern."""

    def __init__(self, remote: _Remote) -> None:
        self.channel = type("Channel", (), {})()
        self.channel.remote_conn = remote
        self.reads: list[float] = []  # how long each read took
        self._read_buffer = ""  # netmiko's: text read past a pattern, prepended to the next read

        def read_channel() -> str:
            self.reads.append(time.monotonic())
            return remote.in_buffer.empty().decode()

        self.channel.read_channel = read_channel

    def read_until_pattern(self, pattern: str = "") -> str:
        return str(self.channel.read_channel())

    def send_command(self, command: str) -> str:
        return self.read_until_pattern(command) + str(self.channel.read_channel())


def _timed(call: Callable[[], str]) -> tuple[str, float]:
    start = time.monotonic()
    text = call()
    return text, time.monotonic() - start


WAIT = 1.0  # WAIT_S here: long enough that a busy machine's stall is not taken for a wait


def test_reads_block_for_data_only_inside_a_wait_for_a_pattern(monkeypatch: pytest.MonkeyPatch) -> None:
    import tasks.connection as connection_module

    monkeypatch.setattr(connection_module, "WAIT_S", WAIT)
    remote = _Remote()
    conn = _Conn(remote)
    connection_module.wait_for_data(conn)
    text, took = _timed(conn.channel.read_channel)
    assert text == "" and took < WAIT  # clear_buffer, find_prompt: never block
    text, took = _timed(lambda: conn.read_until_pattern("x"))
    assert text == "" and took >= WAIT  # nothing came: waited WAIT_S once, then netmiko's loop looks again
    remote.in_buffer.feed(b"fw> ")
    text, took = _timed(lambda: conn.read_until_pattern("x"))
    assert text == "fw> " and took < WAIT  # data there: no wait
    text, took = _timed(lambda: conn.send_command("show x"))
    assert text == "" and took >= 2 * WAIT  # nested: the echo read and the read after it both waited
    remote.in_buffer.close()
    text, took = _timed(lambda: conn.read_until_pattern("x"))
    assert took < WAIT  # a closed buffer sets the event: the loop finds the end at once


def test_a_read_does_not_wait_while_netmiko_holds_text_already_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """netmiko keeps what came after a pattern (a fast device's output and prompt, read with the echo) for its
    next read: that read must not wait for more data first."""
    import tasks.connection as connection_module

    monkeypatch.setattr(connection_module, "WAIT_S", 30.0)
    conn = _Conn(_Remote())
    connection_module.wait_for_data(conn)
    conn._read_buffer = "hostname: fw01\nadmin@fw01> "
    text, took = _timed(lambda: conn.read_until_pattern("fw01>"))
    assert text == "" and took < 15  # the channel is empty, netmiko's buffer is not: no wait


def test_netmikos_polling_sleeps_are_skipped_only_inside_a_wait_on_an_open_channel(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Inside a wait for a pattern the next read waits for data itself, so netmiko's sleep between reads is
    skipped; at the channel's end (EOF or closed) a read returns at once, so the sleep stays and the loop does not
    spin; outside a wait every sleep stays."""
    import netmiko.base_connection as netmiko_base

    import tasks.connection as connection_module

    slept: list[float] = []
    monkeypatch.setattr(connection_module.time, "sleep", slept.append)  # what the clock passes on to time.sleep
    remote = _Remote()
    conn = _Conn(remote)

    def loop(pattern: str = "") -> str:  # netmiko's read_until_pattern: read, then sleep its loop delay
        netmiko_base.time.sleep(0.01)
        return ""

    conn.read_until_pattern = loop  # type: ignore[method-assign]
    connection_module.wait_for_data(conn)  # wraps `loop` as it wraps netmiko's own loop
    conn.read_until_pattern()
    assert slept == []  # open channel: skipped
    netmiko_base.time.sleep(0.02)
    assert slept == [0.02]  # outside a wait: slept
    remote.eof_received = True
    conn.read_until_pattern()
    remote.eof_received, remote.closed = False, True
    conn.read_until_pattern()
    assert slept == [0.02, 0.01, 0.01]  # at the channel's end: slept
    assert netmiko_base.time.time() > 0  # the rest of the time module is time's


def test_a_wait_ends_when_the_data_arrives(monkeypatch: pytest.MonkeyPatch) -> None:
    import tasks.connection as connection_module

    monkeypatch.setattr(connection_module, "WAIT_S", 30.0)
    remote = _Remote()
    conn = _Conn(remote)
    connection_module.wait_for_data(conn)
    feeder = threading.Timer(0.05, remote.in_buffer.feed, args=(b"admin@fw01> ",))
    feeder.start()
    text, took = _timed(lambda: conn.read_until_pattern(">"))
    feeder.join()
    assert text == "admin@fw01> " and took < 15  # woken by the data, far from the 30 s bound
