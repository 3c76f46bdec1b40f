"""The PAN-OS upgrade driver against a scripted session: a download or install taken again after an interrupted
run polls the job that run had asked for (the one of its type above the journalled job mark) instead of asking the
device a second time."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from tasks.errors import CommandRefused, StepFailed
from tasks.models.upgrade import StepKind
from tasks.platforms.base import Context
from tasks.platforms.paloalto_panos.upgrade import perform

JOBS_HEADER = "Enqueued                     ID             Type    Status Result Completed \n" + "-" * 74
INFO_HEADER = "Version                  Size  Released on              Downloaded  Current\n" + "-" * 74


def _row(ident: int, kind: str, status: str, result: str) -> str:
    return f"2026/11/30 18:00:00{ident:>12}{kind:>17}{status:>10}{result:>7} 18:00:05  "


def _info(version: str, downloaded: bool) -> str:
    return f"{INFO_HEADER}\n{version:<25}509MB  2023/05/10 18:32:48  {'yes' if downloaded else 'no':>10}       no"


class ScriptedSession:
    """An `UpgradeSession` whose device answers from `answers` (a callable per command); records what is sent."""

    def __init__(self, answers: dict[str, Callable[[], str]], earlier_mark: int | None = None) -> None:
        self.answers = answers
        self.earlier_mark = earlier_mark
        self.sent: list[str] = []
        self.marks: list[int] = []

    def send(self, command: str) -> str:
        self.sent.append(command)
        answer = self.answers[command]()
        if answer.startswith("Server error"):
            raise CommandRefused(command, answer)
        return answer

    def confirm(self, command: str) -> str:
        return self.send(command)

    def poll(self, what: str, probe: Callable[[], str | None]) -> str:
        for _ in range(10):
            answer = probe()
            if answer is not None:
                return answer
        raise StepFailed(f"{what}: not finished")

    def context(self, purpose: str) -> Context | None:
        return None

    def sent_in(self, context: Context | None, command: str, confirm: bool = False) -> str:
        return self.send(command)

    def job_mark(self, newest: int) -> None:
        self.marks.append(newest)

    def earlier_job_mark(self) -> int | None:
        return self.earlier_mark


def _running(job: int, kind: str, polls_until_fin: int) -> Callable[[], str]:
    """`show jobs id N` of a job that is ACT for `polls_until_fin` looks, then FIN OK."""
    looks = itertools.count()

    def answer() -> str:
        state = ("ACT", "PEND") if next(looks) < polls_until_fin else ("FIN", "OK")
        return "\n".join([JOBS_HEADER, _row(job, kind, *state)])

    return answer


DOWNLOAD = "request system software download version 10.2.0"
INSTALL = "request system software install version 10.2.0"
JOBS = "show jobs all"
HISTORY = [(40, "FqdnRefresh", "FIN", "OK")]


def _jobs(*jobs: tuple[int, str, str, str]) -> Callable[[], str]:
    """`show jobs all` listing `jobs` (newest first)."""
    return lambda: "\n".join([JOBS_HEADER, *(_row(*job) for job in sorted(jobs, reverse=True))])


def test_a_fresh_download_journals_the_newest_job_first_then_polls_its_own() -> None:
    session = ScriptedSession(
        {
            "request system software check": lambda: _info("10.2.0", False),
            "request system software info": lambda: _info("10.2.0", False),
            JOBS: _jobs(*HISTORY),
            DOWNLOAD: lambda: "Download job enqueued with jobid 41",
            "show jobs id 41": _running(41, "Downld", 2),
        }
    )
    assert perform(StepKind.DOWNLOAD, "10.2.0", session) == "download of 10.2.0 job 41 FIN OK"
    assert session.marks == [40] and session.sent.count(DOWNLOAD) == 1
    assert session.sent.index(JOBS) < session.sent.index(DOWNLOAD)  # the mark is journalled before the request


def test_a_download_in_progress_when_the_run_was_killed_is_polled_not_asked_again() -> None:
    session = ScriptedSession(
        {
            "request system software check": lambda: _info("10.2.0", False),
            "request system software info": lambda: _info("10.2.0", False),  # not downloaded: the job runs
            JOBS: _jobs(*HISTORY, (41, "AutoCom", "FIN", "OK"), (42, "Downld", "ACT", "PEND")),
            "show jobs id 42": _running(42, "Downld", 3),
        },
        earlier_mark=40,
    )
    message = perform(StepKind.DOWNLOAD, "10.2.0", session)
    assert message == "download of 10.2.0 job 42 FIN OK (enqueued before the interruption)"
    assert DOWNLOAD not in session.sent


def test_an_image_downloaded_before_the_kill_is_not_asked_for_nor_polled() -> None:
    session = ScriptedSession(
        {
            "request system software check": lambda: _info("10.2.0", True),
            "request system software info": lambda: _info("10.2.0", True),
        },
        earlier_mark=40,
    )
    assert perform(StepKind.DOWNLOAD, "10.2.0", session) == "10.2.0 already downloaded"


def test_an_install_the_device_took_before_the_kill_is_not_sent_again() -> None:
    session = ScriptedSession(
        {
            JOBS: _jobs(*HISTORY, (41, "SWInstall", "FIN", "OK")),
            "show jobs id 41": lambda: "\n".join([JOBS_HEADER, _row(41, "SWInstall", "FIN", "OK")]),
        },
        earlier_mark=40,
    )
    assert perform(StepKind.INSTALL, "10.2.0", session).startswith("install of 10.2.0 job 41 FIN OK")
    assert INSTALL not in session.sent


def test_an_earlier_job_that_failed_fails_the_step() -> None:
    session = ScriptedSession(
        {
            JOBS: _jobs(*HISTORY, (41, "SWInstall", "FIN", "FAIL")),
            "show jobs id 41": lambda: "\n".join([JOBS_HEADER, _row(41, "SWInstall", "FIN", "FAIL")]),
        },
        earlier_mark=40,
    )
    with pytest.raises(StepFailed, match=r"install of 10\.2\.0 job 41 finished FAIL"):
        perform(StepKind.INSTALL, "10.2.0", session)


def test_no_job_of_the_step_above_the_mark_means_the_request_never_reached_the_device() -> None:
    session = ScriptedSession(
        {
            JOBS: _jobs(*HISTORY, (41, "Downld", "FIN", "OK")),  # another step's job: not an install
            INSTALL: lambda: (
                "Software install job enqueued with jobid 42. Run 'show jobs id 42' to monitor its status."
            ),
            "show jobs id 42": _running(42, "SWInstall", 1),
        },
        earlier_mark=40,
    )
    assert perform(StepKind.INSTALL, "10.2.0", session) == "install of 10.2.0 job 42 FIN OK"
    assert session.marks == [41] and session.sent.count(INSTALL) == 1
