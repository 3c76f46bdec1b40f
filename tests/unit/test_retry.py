"""tasks.retry and tasks.watch: the backoff schedule, which errors are retried, the login gate across retries, the
per-host bound on reads, the pager and prompt watch, and their settings (no socket: fakes stand for sessions)."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException
from nornir.core.configuration import Config
from paramiko.ssh_exception import SSHException

from tasks.connection import NO_BANNER, TunedNetmiko, handshake_error
from tasks.errors import AuthError, CommandError, ConnectError, HostTimeout, UsageError
from tasks.retry import Deadline, RetryPolicy, backoff, is_transient, with_retries
from tasks.watch import SessionWatch, watch_session
from workflows.settings import load_settings

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("seed", range(20))
def test_each_wait_doubles_within_its_jitter_and_stops_at_the_cap(seed: int) -> None:
    policy = RetryPolicy(retries=8, backoff_s=0.5, max_backoff_s=10.0)
    rng = random.Random(seed)
    for retry in range(1, 9):
        ceiling = min(10.0, 0.5 * 2 ** (retry - 1))  # 0.5, 1, 2, 4, 8, 10, 10, 10
        assert ceiling / 2 <= backoff(policy, retry, rng) <= ceiling


def test_the_jitter_spreads_devices_that_failed_together() -> None:
    waits = {round(backoff(RetryPolicy(backoff_s=1.0), 1, random.Random(seed)), 3) for seed in range(50)}
    assert len(waits) > 40 and min(waits) >= 0.5 and max(waits) <= 1.0


class Attempts:
    """An attempt that fails with the given errors in turn, then succeeds."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "session"


def refused() -> ConnectError:
    return ConnectError("192.0.2.1:22: Connection refused", transient=True)


def test_a_transient_failure_is_retried_until_it_recovers() -> None:
    waits: list[float] = []
    attempt = Attempts(refused(), refused())
    assert with_retries(attempt, RetryPolicy(retries=2, backoff_s=1.0), sleep=waits.append) == "session"
    assert attempt.calls == 3 and len(waits) == 2
    assert 0.5 <= waits[0] <= 1.0 and 1.0 <= waits[1] <= 2.0


def test_the_last_error_says_how_many_attempts_were_made() -> None:
    attempt = Attempts(*(refused() for _ in range(5)))
    with pytest.raises(ConnectError) as caught:
        with_retries(attempt, RetryPolicy(retries=3, backoff_s=0.01), sleep=lambda s: None)
    assert str(caught.value) == "192.0.2.1:22: Connection refused (4 attempts)"
    assert attempt.calls == 4


@pytest.mark.parametrize(
    "error",
    [
        AuthError("login rejected for user 'admin'"),  # never: the account must not be locked out
        ConnectError("no prompt within 30 s after login"),  # a hang: another attempt costs the same timeout
        CommandError("'show version': no prompt within the command timeout"),
        HostTimeout("host_timeout_s (5 s) ran out"),
    ],
    ids=["auth", "hang", "command", "host-timeout"],
)
def test_no_retry_for_an_authentication_failure_or_a_hang(error: BaseException) -> None:
    attempt = Attempts(error)
    with pytest.raises(type(error)) as caught:
        with_retries(attempt, RetryPolicy(retries=3, backoff_s=0.01), sleep=lambda s: None)
    assert attempt.calls == 1 and caught.value is error and "attempt" not in str(caught.value)


def test_no_wait_past_the_host_deadline() -> None:
    deadline = Deadline(0.5)
    deadline.start()
    attempt = Attempts(refused(), refused())
    with pytest.raises(ConnectError, match=r"\(1 attempt\)$"):
        with_retries(attempt, RetryPolicy(retries=2, backoff_s=5.0), deadline, sleep=lambda s: None)
    assert attempt.calls == 1


def _wrapped(message: str) -> NetmikoTimeoutException:
    return NetmikoTimeoutException(f"\nA paramiko SSHException occurred during connection creation:\n\n{message}\n")


@pytest.mark.parametrize(
    ("raised", "transient"),
    [
        (_wrapped(NO_BANNER), True),  # banner timeout
        (_wrapped("Error reading SSH protocol banner[Errno 104] Connection reset by peer"), True),
        (SSHException("EOFError"), True),  # closed during the key exchange
        (_wrapped("Incompatible ssh peer (no acceptable kex algorithm)"), False),
        (NetmikoAuthenticationException("Authentication to device failed."), False),
    ],
    ids=["no-banner", "reset", "eof", "kex", "auth"],
)
def test_which_handshake_failures_are_transient(raised: BaseException, transient: bool) -> None:
    assert is_transient(handshake_error(raised, "admin", 10.0, 30.0)) is transient


def test_each_retry_passes_the_login_gate_again() -> None:
    limit, workers, failures = 2, 8, 2
    in_login, most, calls = 0, 0, 0
    lock = threading.Lock()
    tries: dict[int, int] = {}

    def flapping_login(*_: Any) -> Any:  # each thread's first logins are reset, as a flapping device's
        nonlocal in_login, most, calls
        with lock:
            in_login += 1
            most = max(most, in_login)
            calls += 1
            me = threading.get_ident()
            tries[me] = tries.get(me, 0) + 1
            fail = tries[me] <= failures
        time.sleep(0.02)
        with lock:
            in_login -= 1
        if fail:
            raise ConnectError("reset", transient=True)
        return mock.Mock()

    configured = Config(user_defined={"estate": {"max_concurrent_logins": limit, "retry_backoff_s": 0.01}})
    with (
        mock.patch.object(TunedNetmiko, "_login", side_effect=flapping_login),
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
    assert calls == workers * (failures + 1)
    assert most == limit  # retries included, never more logins at once than the gate allows


class EndlessChannel:
    """A session channel that always has more to say (a banner that never ends)."""

    def read_channel(self) -> str:
        time.sleep(0.01)
        return "*** Authorised access only ***\n"


def test_reads_stop_once_the_host_deadline_has_passed() -> None:
    deadline = Deadline(0.3)
    deadline.start()
    connection = mock.Mock(channel=EndlessChannel())
    watch_session(connection, SessionWatch(deadline))
    started = time.monotonic()
    with pytest.raises(HostTimeout, match=r"host_timeout_s \(0.3 s\)"):
        while True:
            connection.channel.read_channel()
    assert time.monotonic() - started < 0.3 + 5  # ended by the deadline, not by the endless banner


def test_no_deadline_without_host_timeout() -> None:
    deadline = Deadline(0)
    deadline.start()
    assert deadline.left() is None
    deadline.check()


class PagedChannel:
    """A session channel that pages its output: each page ends in `marker` until a key comes."""

    def __init__(self, marker: str, erase: str) -> None:
        self.chunks = ["line 1\nline 2\n" + marker, erase + "line 3\n" + marker, erase + "line 4\nsw01#"]
        self.keys: list[str] = []

    def read_channel(self) -> str:
        return self.chunks.pop(0) if self.chunks else ""

    def write_channel(self, text: str) -> None:
        self.keys.append(text)


@pytest.mark.parametrize(
    ("marker", "erase"),
    [
        (" --More-- ", "\x08" * 10 + " " * 10 + "\x08" * 10),  # IOS, and the lab's `pager` fault
        ("--More-- ", "\r         \r"),  # FortiOS (Oxidized's transcripts)
        ("---(more 42%)---", "\r                \r"),  # Junos
        ("<--- More --->", "\x08" * 14 + " " * 14 + "\x08" * 14),
    ],
)
def test_a_pager_prompt_is_answered_and_the_output_arrives_whole(marker: str, erase: str) -> None:
    channel = PagedChannel(marker, erase)
    connection = mock.Mock(channel=channel, base_prompt="sw01")
    watch = SessionWatch(Deadline(0), page_wait_s=1.0)
    watch_session(connection, watch)
    # one read: every page, up to the prompt (a page naming the device must not end netmiko's wait early)
    assert connection.channel.read_channel() == "line 1\nline 2\nline 3\nline 4\nsw01#"
    assert channel.keys == [" ", " "]  # on the channel itself: netmiko's write_channel would wait for its lock
    assert watch.pages == 2


def test_more_inside_a_line_is_not_a_pager() -> None:
    text = "banner: press --More-- to go on\nsw01#"
    assert SessionWatch(Deadline(0)).seen(text) == (text, False)


def test_retry_settings_from_config_then_environment(tmp_path: Path) -> None:
    defaults = load_settings(REPO / "config.yaml", {})
    assert (defaults.retries, defaults.retry_backoff_s, defaults.host_timeout_s) == (2, 1.0, 600.0)
    path = tmp_path / "config.yaml"
    path.write_text("user_defined:\n  estate:\n    retries: 5\n    retry_backoff_s: 0.5\n    host_timeout_s: 0\n")
    settings = load_settings(path, {"ESTATE_RETRIES": "0"})
    assert (settings.retries, settings.retry_backoff_s, settings.host_timeout_s) == (0, 0.5, 0.0)


@pytest.mark.parametrize(
    ("text", "environ", "expected"),
    [
        ("retries: -1", {}, ":3: user_defined.estate.retries: must be 0 or more, got -1"),
        ("retries: many", {}, ":3: user_defined.estate.retries: expected int, got 'many'"),
        ("host_timeout_s: -5", {}, ":3: user_defined.estate.host_timeout_s: must be 0 or more"),
        ("{}", {"ESTATE_RETRY_BACKOFF_S": "soon"}, "ESTATE_RETRY_BACKOFF_S (environment): expected float, got 'soon'"),
    ],
)
def test_bad_retry_settings_are_one_line(tmp_path: Path, text: str, environ: dict[str, str], expected: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(f"user_defined:\n  estate:\n    {text}\n" if text != "{}" else "user_defined: {estate: {}}\n")
    with pytest.raises(UsageError) as caught:
        load_settings(path, environ)
    assert expected in str(caught.value) and "\n" not in str(caught.value)


class ClosedChannel:
    """A session channel the device closed right after the login (nothing left to read)."""

    def __init__(self) -> None:
        self.remote_conn = mock.Mock(closed=True)

    def read_channel(self) -> str:
        return ""


def test_a_session_closed_during_its_preparation_ends_the_attempt_at_once() -> None:
    connection = mock.Mock(channel=ClosedChannel())
    connection.remote_conn = connection.channel.remote_conn
    watch = SessionWatch(Deadline(0))
    watch_session(connection, watch)
    assert connection.channel.read_channel() == ""  # after the preparation: netmiko's own timeouts decide
    with watch.preparation(), pytest.raises(EOFError, match="closed the session"):
        connection.channel.read_channel()
