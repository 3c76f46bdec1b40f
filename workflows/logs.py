"""Logging, configured once at the entry point: run.log in the run folder, warnings on the terminal."""

from __future__ import annotations

import logging
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)-7s run=%(run_id)s host=%(host)s %(name)s: %(message)s"


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
    console.setFormatter(logging.Formatter("%(levelname)s %(host)s: %(message)s"))
    root.addHandler(console)
    for noisy in ("paramiko", "netmiko", "asyncssh"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Nornir logs every failed host's traceback; workflows.processors logs each failure once, with its stage.
    logging.getLogger("nornir").setLevel(logging.CRITICAL)


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
