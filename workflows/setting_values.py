"""The values of estate's settings: each kind's converter and its one-line error, and the range checks that the
command-line flags share (`workflows.settings` maps each key to its kind)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tasks.errors import UsageError
from tasks.hostkeys import check_mode

MAX_WORKERS = 1000  # parallel SSH sessions from one runner: more is a typo, and each costs a thread and a socket
MAX_PROCESSES = 64  # worker processes of one run (workflows.spread): more is a typo on any machine we run on


def _flag(value: Any) -> bool:
    """A yes/no setting: YAML true/false, or (from the environment) 1/0, true/false, yes/no, on/off.

    >>> _flag(True), _flag("1"), _flag("off")
    (True, True, False)
    """
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if isinstance(value, (str, int)) and text in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        return text in ("1", "true", "yes", "on")
    raise ValueError(text)


def _text(value: Any) -> str:
    """A setting that is text: a YAML list (e.g. of checks) is joined with commas."""
    return ",".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _host_keys(value: Any) -> str:
    """A host-key mode: `tofu` or `strict` (any case); ValueError otherwise.

    >>> _host_keys("STRICT")
    'strict'
    """
    return check_mode(str(value), "host_keys")


def _content(value: Any) -> str:
    """A content version (`8635` or `8635-7675`, as `show system info` prints app-version); ValueError otherwise.

    >>> _content(8700), _content("8635-7675")
    ('8700', '8635-7675')
    """
    text = str(value).strip()
    if isinstance(value, (list, float)) or not re.fullmatch(r"\d+(-\d+)?", text):
        raise ValueError(text)
    return text


_KIND_NAMES = {Path: "a path", int: "int", float: "float", _text: "text"}
_KIND_NAMES[str] = "text"
_KIND_NAMES[_host_keys] = "tofu or strict"
_KIND_NAMES[_flag] = "true or false"
_KIND_NAMES[_content] = "a content version such as 8635 or 8635-7675"


def _coerce(value: Any, kind: Any, where: str, zero: bool = False) -> Any:
    """`value` converted by `kind`; UsageError `where: expected ..., got ...` when it does not convert.

    A number must be greater than 0, or at least 0 with `zero` (a count of retries, a bound that 0 turns off).
    """
    if kind is _flag:
        try:
            return _flag(value)
        except ValueError:
            raise UsageError(f"{where}: expected true or false, got {value!r}") from None
    if isinstance(value, (dict, bool)) or (isinstance(value, list) and kind is not _text):
        result = None
    else:
        try:
            result = kind(value)
        except (TypeError, ValueError):
            result = None
    if result is None:
        raise UsageError(f"{where}: expected {_KIND_NAMES.get(kind, kind)}, got {value!r}")
    if kind in (int, float) and (result < 0 if zero else result <= 0):
        raise UsageError(f"{where}: must be {'0 or more' if zero else 'greater than 0'}, got {value!r}")
    return result


def check_workers(workers: int, where: str) -> int:
    """`workers` when it is 1 to MAX_WORKERS; UsageError naming `where` otherwise.

    >>> check_workers(2000, "--workers")
    Traceback (most recent call last):
    ...
    tasks.errors.UsageError: --workers: must be 1 to 1000, got 2000
    """
    return _in_range(workers, MAX_WORKERS, where)


def check_processes(processes: int, where: str) -> int:
    """`processes` when it is 1 to MAX_PROCESSES; UsageError naming `where` otherwise.

    >>> check_processes(0, "--processes")
    Traceback (most recent call last):
    ...
    tasks.errors.UsageError: --processes: must be 1 to 64, got 0
    """
    return _in_range(processes, MAX_PROCESSES, where)


def _in_range(value: int, highest: int, where: str) -> int:
    if not 1 <= value <= highest:
        raise UsageError(f"{where}: must be 1 to {highest}, got {value}")
    return value


def check_output(folder: Path, where: str) -> Path:
    """`folder` when run folders can be made in it: it, or the first of its parents that exists, is a folder.

    Checked before anything is written, so a bad `--out` is one line and exit 3, not a traceback at mkdir.
    """
    for existing in (folder, *folder.parents):
        if existing.exists():
            if not existing.is_dir():
                raise UsageError(f"{where}: {existing} is a file, not a folder")
            break
    return folder
