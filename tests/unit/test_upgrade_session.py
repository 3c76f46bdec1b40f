"""Every wait of an executed upgrade is bounded: jobs, the device going down, coming back, getting ready.

The clock is fake (time passes only when the session sleeps), so each bound is tested exactly, without waiting.
"""

from __future__ import annotations

from typing import Any

import pytest

from tasks.errors import ConnectError, StepFailed
from tasks.platforms import get_platform
from tasks.platforms.base import UpgradeDriver
from tasks.upgrade.session import BACKOFF, MAX_BACKOFF_S, Bounds, Clock, DeviceSession


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> Clock:
        return Clock(now=lambda: self.now, sleep=self.sleep)


class ScriptedSession(DeviceSession):
    """A session whose device goes down at `down_at` and answers again from `up_at` (fake seconds); ready
    `ready_after` seconds after it answers."""

    def __init__(self, time: FakeTime, bounds: Bounds, down_at: float, up_at: float, ready_after: float = 0.0) -> None:
        platform = get_platform("paloalto_panos")
        driver = platform.upgrade
        assert isinstance(driver, UpgradeDriver)
        self.up_at, self.ready_after = up_at, ready_after

        def not_ready(session: Any) -> str | None:
            return "chassis not ready" if time.now < up_at + ready_after else None

        driver = UpgradeDriver(driver.steps, perform=driver.perform, not_ready=not_ready)
        super().__init__(task=None, platform=platform, driver=driver, bounds=bounds, clock=time.clock())  # type: ignore[arg-type]
        self.time, self.down_at = time, down_at
        self.logins = 0

    def drop(self) -> None:
        return None

    def reachable(self) -> bool:
        return not (self.down_at <= self.time.now < self.up_at)

    def connection(self) -> Any:
        if not self.reachable():
            raise ConnectError("refused")
        self.logins += 1
        return object()


BOUNDS = Bounds(poll_s=1.0, job_timeout_s=30.0, reboot_timeout_s=100.0)


def test_a_job_is_polled_every_poll_interval_until_it_answers() -> None:
    time = FakeTime()
    session = ScriptedSession(time, BOUNDS, down_at=0, up_at=0)
    answers = iter([None, None, "OK"])
    assert session.poll("download job 7", lambda: next(answers)) == "OK"
    assert time.sleeps == [1.0, 1.0]


def test_a_job_that_never_ends_fails_the_step_at_its_bound() -> None:
    time = FakeTime()
    session = ScriptedSession(time, BOUNDS, down_at=0, up_at=0)
    with pytest.raises(StepFailed, match=r"^download job 7: not finished within 30 s$"):
        session.poll("download job 7", lambda: None)
    assert time.now == pytest.approx(30.0)


def test_a_rebooting_device_is_awaited_with_backoff_until_back_and_ready() -> None:
    time = FakeTime()
    session = ScriptedSession(time, BOUNDS, down_at=0, up_at=12.0, ready_after=5.0)
    message = session.wait_back()
    assert message.startswith("back after ") and time.now >= 17.0
    assert time.sleeps[:3] == pytest.approx([1.0, BACKOFF, BACKOFF**2])  # waits that grow while it is away
    assert all(w <= MAX_BACKOFF_S for w in time.sleeps) and session.logins == 1  # one login, once it answered


def test_a_device_that_never_goes_down_fails_at_the_reboot_bound() -> None:
    time = FakeTime()
    session = ScriptedSession(time, BOUNDS, down_at=1e9, up_at=1e9)
    with pytest.raises(StepFailed, match=r"^still answering 100 s after the reboot: it did not go down$"):
        session.wait_back()


def test_a_device_that_never_comes_back_fails_at_the_reboot_bound() -> None:
    time = FakeTime()
    session = ScriptedSession(time, BOUNDS, down_at=0, up_at=1e9)
    with pytest.raises(StepFailed, match=r"^did not come back within 100 s of the reboot$"):
        session.wait_back()
    assert time.now == pytest.approx(100.0)


def test_a_device_back_but_never_ready_says_what_it_waits_for() -> None:
    time = FakeTime()
    session = ScriptedSession(time, BOUNDS, down_at=0, up_at=10.0, ready_after=1e9)
    with pytest.raises(StepFailed, match=r"^back after \d+ s, but chassis not ready at 100 s after the reboot$"):
        session.wait_back()


def test_a_device_known_gone_is_not_awaited_going_down() -> None:
    time = FakeTime()
    # already back when the wait starts (its going down was seen as the session dropping): no bound runs out
    session = ScriptedSession(time, BOUNDS, down_at=-2.0, up_at=-1.0)
    assert session.wait_back(expect_gone=False).startswith("back after")
    assert time.now < BOUNDS.reboot_timeout_s
