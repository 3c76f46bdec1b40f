"""workflows.beside: a function run in a forked child, its result or exception handed back as a call would."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

from workflows.beside import Beside


def _write(path: Path, text: str) -> int:
    path.write_text(text)
    return os.getpid()


def test_the_child_runs_beside_and_returns_what_the_function_returns(tmp_path: Path) -> None:
    beside = Beside(_write, tmp_path / "a.txt", "written in the child")
    pid = beside.result()
    assert pid != os.getpid()  # another process did it
    assert (tmp_path / "a.txt").read_text() == "written in the child"
    assert beside.result() == pid  # asked again: the same answer, no second wait


def test_without_fork_it_runs_here_at_once(tmp_path: Path) -> None:
    beside = Beside(_write, tmp_path / "b.txt", "here", fork=False)
    assert (tmp_path / "b.txt").read_text() == "here"  # before result() is asked
    assert beside.result() == os.getpid()


def _fail(kind: str) -> None:
    if kind == "oserror":
        raise PermissionError(13, "Permission denied", "/runs/x/report.xlsx")
    if kind == "unpicklable":
        error = ValueError("bad cell")
        error.lock = threading.Lock()  # type: ignore[attr-defined]
        raise error
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize("fork", [True, False])
def test_the_functions_exception_is_raised_by_result(fork: bool) -> None:
    beside = Beside(_fail, "oserror", fork=fork)
    with pytest.raises(PermissionError) as raised:
        beside.result()
    assert raised.value.filename == "/runs/x/report.xlsx" and raised.value.errno == 13


def test_an_exception_that_does_not_pickle_comes_back_as_its_type_and_words() -> None:
    with pytest.raises(RuntimeError, match=r"^ValueError: bad cell$"):
        Beside(_fail, "unpicklable").result()


def test_a_child_killed_before_it_answers_is_an_error_naming_the_signal() -> None:
    with pytest.raises(RuntimeError, match=r"^_fail: worker process died: exit code -9 \(SIGKILL\)$"):
        Beside(_fail, "killed").result()
