"""Logging, configured once at the entry point: run.log in the run folder, warnings on the terminal.

Libraries (paramiko, netmiko, asyncssh, nornir) log to run.log only: their tracebacks never reach the terminal.
A crash of estate itself writes its traceback to the run's run.log, or to a crash log when no run folder exists.
"""

from __future__ import annotations

import logging
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from tasks.errors import InputError

FORMAT = "%(asctime)s %(levelname)-7s run=%(run_id)s host=%(host)s %(name)s: %(message)s"
LIBRARIES = ("paramiko", "netmiko", "asyncssh", "nornir")

log = logging.getLogger(__name__)

# The last exception that went through `run_log`, and the run.log its traceback was written to.
_crashed: tuple[BaseException, Path] | None = None


class _RunContext(logging.Filter):
    """Stamps every record with the run id, and `-` where no host applies."""

    def __init__(self, run_id: str) -> None:
        super().__init__()
        self.run_id = run_id

    def filter(self, record: logging.LogRecord) -> bool:
        record.run_id = self.run_id
        if not hasattr(record, "host"):
            record.host = "-"
        return True


def configure(verbose: int = 0) -> None:
    """Terminal logging: warnings by default, info with -v, debug with -vv (libraries stay at warning)."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    root = logging.getLogger()
    root.setLevel(logging.DEBUG)
    for old in [h for h in root.handlers if getattr(h, "estate_console", False)]:
        root.removeHandler(old)
    console = logging.StreamHandler()
    console.estate_console = True  # type: ignore[attr-defined]
    console.setLevel(level)
    console.addFilter(_RunContext("-"))
    if verbose == 0:
        # Per-device outcomes are in the summary, the report and run.log; keep the terminal to one screen.
        console.addFilter(lambda record: getattr(record, "host", "-") == "-")
    console.addFilter(_for_terminal)
    console.setFormatter(logging.Formatter("%(levelname)s %(host)s: %(message)s"))
    root.addHandler(console)
    for noisy in ("paramiko", "netmiko", "asyncssh", "alembic"):  # alembic: a line per plugin on every migration
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Nornir logs every failed host's traceback; workflows.processors logs each failure once, with its stage.
    logging.getLogger("nornir").setLevel(logging.CRITICAL)


def _for_terminal(record: logging.LogRecord) -> bool:
    """Whether a record may reach the terminal: not a library's (paramiko logs whole tracebacks from its
    transport thread: they go to run.log), and not one marked `terminal=False` (a crash's traceback)."""
    if record.name.partition(".")[0] in LIBRARIES:
        return False
    return getattr(record, "terminal", True)


def attach_run_log(path: Path, run_id: str) -> logging.Handler:
    """Send every record of this run to `path`, with the run id and the host on each line."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.addFilter(_RunContext(run_id))
    handler.setFormatter(logging.Formatter(FORMAT))
    logging.getLogger().addHandler(handler)
    return handler


def detach(handler: logging.Handler) -> None:
    logging.getLogger().removeHandler(handler)
    handler.close()


@contextmanager
def run_log(path: Path, run_id: str) -> Iterator[None]:
    """run.log attached for the block; an unexpected exception leaving it is logged there with its traceback."""
    global _crashed
    handler = attach_run_log(path, run_id)
    try:
        yield
    except Exception as exc:
        if not isinstance(exc, InputError):  # the one exception a run may end with on purpose
            log.error("internal error: %s", _one_line(exc), exc_info=True, extra={"terminal": False})
            _crashed = (exc, path)
        raise
    finally:
        detach(handler)


def _one_line(exc: BaseException) -> str:
    """`Type: first line of the message`.

    >>> _one_line(KeyError("host"))
    "KeyError: 'host'"
    """
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def crash_log(exc: BaseException) -> Path:
    """Where the traceback of `exc` is: the run.log it went through, else a new crash log in the temp folder."""
    if _crashed is not None and _crashed[0] is exc:
        return _crashed[1]
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", prefix=f"estate-crash-{stamp}-", suffix=".log", delete=False
    ) as file:
        file.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    return Path(file.name)


def internal_error(exc: BaseException) -> str:
    """The one line a crash shows on the terminal: what failed and where its traceback is."""
    return f"internal error: {_one_line(exc)} (traceback in {crash_log(exc)})"
