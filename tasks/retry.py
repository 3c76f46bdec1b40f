"""Retries with exponential backoff and jitter for transient connection failures, and the per-host time bound.

Only a `ConnectError` marked `transient` is retried (tasks.connection marks them: connection refused or reset,
no SSH banner within the timeout, the session closed by the device right after the login, as a device at its
session limit does). An authentication failure is never retried (the account must not be locked out), nor a
device that answered the login and then stayed silent (a hang or a command timeout: another attempt costs the
same timeout again). Each retry is logged; the final error says how many attempts were made.

Each attempt passes the login gate (`tasks.connection.login_gate`) on its own and leaves it before the backoff
wait, so `max_concurrent_logins` bounds the logins in progress, retries included.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from tasks.errors import ConnectError, HostTimeout

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_RETRIES = 2
DEFAULT_BACKOFF_S = 1.0
MAX_BACKOFF_S = 30.0  # no single wait longer than this, however many retries
DEFAULT_HOST_TIMEOUT_S = 600.0

_current = threading.local()  # the Nornir host the running thread works on (set by workflows.processors)


def set_host(name: str | None) -> None:
    """Name the host this thread works on now (Nornir runs one host's task in one thread), for log lines."""
    _current.name = name


def host_name() -> str:
    """The host this thread works on, `-` when none was set."""
    return getattr(_current, "name", None) or "-"


@dataclass(frozen=True)
class RetryPolicy:
    """How often a transient failure is retried (`retries` more attempts) and the first wait (`backoff_s`)."""

    retries: int = DEFAULT_RETRIES
    backoff_s: float = DEFAULT_BACKOFF_S
    max_backoff_s: float = MAX_BACKOFF_S

    @property
    def attempts(self) -> int:
        return self.retries + 1


def policy(estate: dict[str, Any]) -> RetryPolicy:
    """The policy of a Nornir configuration's `user_defined.estate` (workflows.selection.init_nornir)."""
    return RetryPolicy(
        retries=int(estate.get("retries", DEFAULT_RETRIES)),
        backoff_s=float(estate.get("retry_backoff_s", DEFAULT_BACKOFF_S)),
    )


def backoff(policy: RetryPolicy, retry: int, rng: random.Random | None = None) -> float:
    """The wait before retry number `retry` (1 = the second attempt): `backoff_s` doubled per retry, capped at
    `max_backoff_s`, then scaled by a random factor from 0.5 to 1 ("equal jitter": retries of many devices that
    failed together, as a whole site behind one flapping firewall, do not come back together).

    >>> p = RetryPolicy(retries=5, backoff_s=1.0, max_backoff_s=5.0)
    >>> [round(backoff(p, n, random.Random(0)), 2) for n in range(1, 6)]
    [0.92, 1.84, 3.69, 4.61, 4.61]
    """
    if retry < 1:
        raise ValueError(f"retry must be 1 or more, got {retry}")
    ceiling = min(policy.max_backoff_s, policy.backoff_s * 2 ** (retry - 1))
    return ceiling * (0.5 + (rng or random).random() / 2)


def is_transient(exc: BaseException) -> bool:
    """Whether another attempt may succeed: only a ConnectError marked transient."""
    return isinstance(exc, ConnectError) and exc.transient


class Deadline:
    """The per-host bound (`host_timeout_s`; 0 or less: none), started when the first login attempt begins."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends: float | None = None

    def start(self) -> None:
        if self.ends is None and self.seconds > 0:
            self.ends = time.monotonic() + self.seconds

    def left(self) -> float | None:
        """Seconds left, None without a bound."""
        return None if self.ends is None else self.ends - time.monotonic()

    def check(self) -> None:
        """HostTimeout once the bound has run out."""
        left = self.left()
        if left is not None and left <= 0:
            raise HostTimeout(f"host_timeout_s ({self.seconds:g} s) ran out: the device's task was stopped there")


def with_retries(
    attempt: Callable[[], T],
    retry_policy: RetryPolicy,
    deadline: Deadline | None = None,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> T:
    """`attempt()`, retried after a transient failure up to `retry_policy.retries` times with `backoff` waits.

    A wait that would end past `deadline` is not taken: the last error is raised then. The error of the last
    attempt says how many attempts were made, e.g. `...: Connection refused (3 attempts)`.
    """
    for number in range(1, retry_policy.attempts + 1):
        try:
            return attempt()
        except ConnectError as exc:
            if not is_transient(exc):
                raise
            wait = backoff(retry_policy, number, rng) if number < retry_policy.attempts else None
            left = deadline.left() if deadline is not None else None
            if wait is None or (left is not None and wait >= left):
                noun = "attempt" if number == 1 else "attempts"
                log.warning("giving up after %d %s: %s", number, noun, exc, extra={"host": host_name()})
                raise ConnectError(f"{exc} ({number} {noun})", transient=True) from None
            log.warning(
                "attempt %d of %d failed: %s; retrying in %.1f s",
                number,
                retry_policy.attempts,
                exc,
                wait,
                extra={"host": host_name()},
            )
            sleep(wait)
    raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover
