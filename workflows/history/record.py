"""Recording a finished run in the history without ever costing the run: a failure is a WARNING, no more."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from tasks.models import RunResult
from workflows.history.url import OFF, clean, history_url, mask

if TYPE_CHECKING:  # store loads SQLAlchemy and Alembic: only when a run is recorded or the history is read
    from workflows.history.store import HistoryStore
    from workflows.settings import Settings

log = logging.getLogger(__name__)


def configured_url(settings: Settings) -> str:
    """The history URL of `settings`: `history.url` / ESTATE_HISTORY_URL, else SQLite beside the run folders."""
    return history_url(settings.history_url, settings.output)


def open_history(settings: Settings) -> HistoryStore:
    """The history store `settings` configure (HistoryError when it is `off`); close it when done."""
    from workflows.history.store import HistoryError, HistoryStore

    url = configured_url(settings)
    if url == OFF:
        raise HistoryError("history: off (history.url / ESTATE_HISTORY_URL); nothing is recorded")
    return HistoryStore(url)


def prepare_recording(settings: Settings) -> None:
    """Import what recording the run will need (SQLAlchemy and Alembic: ~0.4 s) while the run has the time: its
    worker processes are at the devices; and bring a local SQLite history to the newest schema (a new one: ~0.4 s
    more), which `record_run` would do first. A server's database is left to `record_run`: an unreachable one
    would hold this process for its connect timeout. Never raises: `record_run` reports what goes wrong."""
    url = configured_url(settings)
    if url == OFF:
        return
    try:
        from workflows.history.store import HistoryStore

        if url.startswith("sqlite:"):
            with HistoryStore(url) as store:
                store.migrate()
    except Exception as exc:
        log.debug("history: not prepared in advance: %s", exc)


def record_run(settings: Settings, result: RunResult, run_dir: Path) -> bool:
    """Record `result` in the configured history; True when recorded.

    Never raises: a database that cannot be reached (or any other failure) is one WARNING line in run.log and on
    the terminal, with the URL's password masked; the run folder and the exit code stay as they are.
    """
    from workflows.history.store import HistoryError, HistoryStore

    url = configured_url(settings)
    if url == OFF:
        log.info("history: off, run not recorded")
        return False
    try:
        with HistoryStore(url) as store:
            store.record(result, run_dir)
    except HistoryError as exc:
        log.warning("%s; the run is not in the history (its run folder is complete)", exc)
        return False
    except Exception as exc:  # a bug must not cost the run either: its traceback goes to run.log only
        log.warning("history: run not recorded in %s: %s", mask(url), clean(f"{type(exc).__name__}: {exc}", url))
        log.info("history: traceback", exc_info=True, extra={"terminal": False})
        return False
    log.info("history: run recorded in %s", mask(url))
    return True
