"""lab/server.py's changes to asyncssh: the same log messages, and no work for those whose level is off."""

from __future__ import annotations

import logging

import pytest
from asyncssh.logging import logger

import lab.server  # noqa: F401  (installs the changes)


class Counted:
    """A log argument that counts how often it is turned into text."""

    made = 0

    def __str__(self) -> str:
        Counted.made += 1
        return "fw01"


def test_a_log_message_whose_level_is_off_is_not_formatted(caplog: pytest.LogCaptureFixture) -> None:
    conn = logger.get_child("conn", context="conn=1")
    Counted.made = 0
    with caplog.at_level(logging.WARNING, logger="asyncssh"):
        conn.info("Auth for users %s succeeded", [Counted()])  # asyncssh's own logger turns a list into text
    assert Counted.made == 0
    assert not caplog.records


def test_a_log_message_whose_level_is_on_is_logged_as_asyncssh_words_it(caplog: pytest.LogCaptureFixture) -> None:
    conn = logger.get_child("conn", context="conn=1")
    Counted.made = 0
    with caplog.at_level(logging.INFO, logger="asyncssh"):
        conn.info("Auth for users %s succeeded", [Counted(), b"admin"])
    assert [r.getMessage() for r in caplog.records] == ["[conn=1] Auth for users fw01,admin succeeded"]
    assert Counted.made == 1
