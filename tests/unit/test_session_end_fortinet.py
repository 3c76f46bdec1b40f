"""The end of a FortiOS session (tasks/platforms/fortinet/session.py, TunedNetmiko.close): the console's output
mode netmiko's session preparation changed is set back with the lines netmiko's `cleanup()` sends, only on a
session that still answers; what cannot be set back is said, never raised."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from netmiko.exceptions import ReadTimeout

from tasks.connection import FAILED, TunedNetmiko
from tasks.platforms.fortinet import PLATFORM
from tasks.platforms.fortinet.session import restore_output_mode

RESTORE = ["config system console", "set output more", "end"]


class Session:
    """The parts of netmiko's FortinetSSH the end of a session reads and sends through."""

    prompt_pattern = r"[#$]"
    RETURN = "\n"

    def __init__(self, original: str = "more", vdoms: bool = False, fail_at: str | None = None) -> None:
        self._original_output_mode, self._output_mode, self._vdoms = original, "standard", vdoms
        self.sent: list[str] = []
        self.written: list[str] = []
        self.fail_at = fail_at

    def send_command(self, line: str, expect_string: str, auto_find_prompt: bool) -> str:
        assert expect_string == self.prompt_pattern and auto_find_prompt is False
        self.sent.append(line)
        if line == self.fail_at:
            raise ReadTimeout("Pattern not detected: '[#$]' in output.\n\nThings you might try...")
        return ""

    def write_channel(self, text: str) -> None:
        self.written.append(text)

    def paramiko_cleanup(self) -> None:
        pass


def test_the_mode_netmiko_changed_is_set_back_with_netmikos_lines() -> None:
    session = Session()
    assert restore_output_mode(session, True) is None
    assert session.sent == RESTORE and session._output_mode == "more"
    assert restore_output_mode(session, True) is None and session.sent == RESTORE  # once


def test_a_multi_vdom_unit_is_set_back_in_config_global() -> None:
    session = Session(vdoms=True)
    assert restore_output_mode(session, True) is None
    assert session.sent == ["config global", *RESTORE, "end"]


def test_a_unit_already_on_standard_is_sent_nothing() -> None:
    session = Session(original="standard")
    assert restore_output_mode(session, True) is None and restore_output_mode(session, False) is None
    assert session.sent == []


def test_a_session_that_no_longer_answers_is_sent_nothing_and_says_what_the_unit_keeps() -> None:
    session = Session()
    kept = restore_output_mode(session, False)
    assert session.sent == [] and session._output_mode == "standard"
    assert kept == (
        "console output mode not set back to `more` (the session failed before its end): the unit keeps"
        " `set output standard` in its configuration"
    )


def test_an_unanswered_line_stops_the_rest_and_is_named() -> None:
    session = Session(fail_at="set output more")
    kept = restore_output_mode(session, True)
    assert session.sent == RESTORE[:2] and session._output_mode == "standard"
    assert kept is not None and "('set output more': Pattern not detected: '[#$]' in output.)" in kept


def _plugin(session: Session) -> TunedNetmiko:
    plugin = TunedNetmiko()
    plugin.connection, plugin.platform, plugin.session_log = session, PLATFORM.device_type, None
    return plugin


@pytest.mark.parametrize("failed", [False, True])
def test_close_sets_the_mode_back_before_its_exit_unless_a_command_failed(
    failed: bool, caplog: pytest.LogCaptureFixture
) -> None:
    session = Session()
    if failed:  # as tasks.connection.send_command marks a session whose command found no prompt
        setattr(session, FAILED, True)
    with caplog.at_level(logging.WARNING, logger="tasks.connection"):
        _plugin(session).close()
    assert session.sent == ([] if failed else RESTORE)
    assert session.written == ["exit\n"]
    warnings: list[Any] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == (["console output mode not set back to `more` (the session failed before its end): the unit"
                         " keeps `set output standard` in its configuration"] if failed else [])  # fmt: skip


def test_a_command_without_its_prompt_marks_the_session_failed() -> None:
    from tasks.connection import send_command
    from tasks.errors import CommandError

    class Hung(Session):
        base_prompt = "fw01"

        def send_command(self, line: str, **kwargs: Any) -> str:  # type: ignore[override]
            raise ReadTimeout("Pattern not detected")

    session = Hung()
    assert not getattr(session, FAILED, False)
    with pytest.raises(CommandError):
        send_command(session, "get system status")
    assert getattr(session, FAILED) is True
