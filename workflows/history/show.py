"""`estate history`: the recorded runs, newest first, as a table on the terminal or as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from tasks.errors import UsageError
from tasks.models.history import RecordedRun
from workflows.history.record import configured_url, open_history
from workflows.history.url import mask
from workflows.settings import Settings

COLUMNS = ("ID", "Command", "Customers", "Started (UTC)", "Devices", "PASS", "WARN", "FAIL", "ERROR", "Run folder")
WIDE = 400  # characters a table may take when the output is not a terminal
STYLES = {"PASS": "green", "WARN": "yellow", "FAIL": "red", "ERROR": "bright_black"}


def list_runs(
    settings: Settings, customer: str | None = None, command: str | None = None, limit: int = 20
) -> list[RecordedRun]:
    """The recorded runs of the configured history, newest first (none when its SQLite file does not exist yet).

    HistoryError (exit 3, the password masked) when the database cannot be reached or read.
    """
    if limit < 1:
        raise UsageError(f"history --limit: must be 1 or more, got {limit}")
    with open_history(settings) as store:
        if not store.exists():
            return []
        return store.runs(customer=customer, command=command, limit=limit)


def history_table(runs: Sequence[RecordedRun], title: str) -> Table:
    """One row per run: id, command, customers, started, devices, verdict counts, run folder."""
    table = Table(title=title)
    for column in COLUMNS:
        folder = column == "Run folder"  # a long path folds onto more lines, never cut; the rest stays whole
        table.add_column(
            column,
            style=STYLES.get(column),
            no_wrap=not folder,
            overflow="fold" if folder else "ellipsis",
            min_width=30 if folder else None,
        )
    for run in runs:
        table.add_row(
            str(run.id),
            run.command,
            ", ".join(run.customers),
            run.started.strftime("%Y-%m-%d %H:%M:%S"),
            str(run.devices),
            *(str(run.counts.get(verdict, 0)) for verdict in ("PASS", "WARN", "FAIL", "ERROR")),
            run.run_dir,
        )
    return table


def show_history(
    settings: Settings,
    console: Console,
    customer: str | None = None,
    command: str | None = None,
    limit: int = 20,
    as_json: bool = False,
) -> None:
    """Print the recorded runs: a table (or `--json`: one object per run, newest first)."""
    runs = list_runs(settings, customer, command, limit)
    if as_json:
        console.print(json.dumps([run.to_dict() for run in runs], indent=2), markup=False, highlight=False)
        return
    where = mask(configured_url(settings))
    if not runs:
        console.print(f"history: no recorded runs in {where}", markup=False, highlight=False)
        return
    table = history_table(runs, f"{len(runs)} runs, newest first ({where})")
    # On a terminal the table fits the window; piped into a file or a CI log, each run stays on one line.
    (console if console.is_terminal else Console(width=WIDE, file=console.file, highlight=False)).print(table)
