"""tasks/platforms/paloalto_panos/session.py: the prompt shown after the login is read without an Enter; an
Enter is pressed only for a device that shows none within LOGIN_PROMPT_WAIT_S."""

from __future__ import annotations

import pytest
from netmiko.exceptions import ReadTimeout

from tasks.platforms.paloalto_panos.session import LOGIN_PROMPT_WAIT_S, login_prompt


class _Session:
    """What `login_prompt` uses of a netmiko connection: its reads up to a pattern (each answered in turn by
    `answers`: text, or None for nothing within the read timeout), its writes and its read timeout override."""

    RETURN = "\n"

    def __init__(self, answers: list[str | None], override: float | None = 30.0) -> None:
        self.answers = answers
        self.read_timeout_override = override
        self.writes: list[str] = []
        self.read_timeouts: list[float | None] = []

    def read_until_pattern(self, pattern: str) -> str:
        self.read_timeouts.append(self.read_timeout_override)
        answer = self.answers.pop(0)
        if answer is None:
            raise ReadTimeout(f"Pattern not detected: {pattern!r}")
        return answer

    def write_channel(self, data: str) -> None:
        self.writes.append(data)


def test_a_prompt_shown_after_the_login_is_read_without_an_enter() -> None:
    session = _Session(["Number of failed attempts since last successful login: 0\r\n\r\nadmin@fw01> "])
    login_prompt(session, "[>#]")
    assert session.writes == []
    assert session.read_timeouts == [LOGIN_PROMPT_WAIT_S]
    assert session.read_timeout_override == 30.0  # the command timeout again for every later read


def test_a_device_that_waits_for_a_key_gets_an_enter_after_the_wait() -> None:
    session = _Session([None, "\r\nadmin@fw01> "])
    login_prompt(session, "[>#]")
    assert session.writes == ["\n"]
    assert session.read_timeouts == [LOGIN_PROMPT_WAIT_S, 30.0]  # the prompt answering the Enter: the command timeout
    assert session.read_timeout_override == 30.0


def test_the_wait_is_never_longer_than_the_command_timeout() -> None:
    session = _Session([None, None], override=1.0)
    with pytest.raises(ReadTimeout):  # no prompt even after the Enter: the caller's "no prompt" error
        login_prompt(session, "[>#]")
    assert session.writes == ["\n"]
    assert session.read_timeouts == [1.0, 1.0]
    assert session.read_timeout_override == 1.0
