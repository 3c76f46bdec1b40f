"""The history database's URL: the default beside the run folders, checking one, and masking its password."""

from __future__ import annotations

import re
from pathlib import Path

OFF = "off"  # `history.url: off` (or ESTATE_HISTORY_URL=off) records nothing
DEFAULT_NAME = "history.sqlite"
SCHEMES = ("sqlite", "postgresql")
_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@?#]*):(?P<password>[^@/?#]*)@")
_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9.-]*)(\+[A-Za-z0-9_]+)?://")


def mask(url: str) -> str:
    """`url` with its password replaced by `***`, for messages and logs.

    >>> mask("postgresql://estate:s3cret@db.example:5432/estate")
    'postgresql://estate:***@db.example:5432/estate'
    >>> mask("sqlite:///output/history.sqlite")
    'sqlite:///output/history.sqlite'
    """
    return _PASSWORD.sub(r"\g<head>:***@", url)


def password_of(url: str) -> str | None:
    """The password written in `url`, if any (so that an error message quoting it can be cleaned).

    >>> password_of("postgresql://u:pw@h/db"), password_of("postgresql://u@h/db")
    ('pw', None)
    """
    match = _PASSWORD.search(url)
    return match.group("password") if match and match.group("password") else None


def check_url(url: str, where: str) -> str:
    """`url` when it is `off`, `sqlite:///PATH` or `postgresql[+driver]://…`; ValueError naming `where` otherwise.

    The message shows the URL with its password masked.

    >>> check_url("mysql://u:pw@h/db", "history.url")
    Traceback (most recent call last):
    ...
    ValueError: history.url: expected sqlite:///PATH, postgresql://USER@HOST/DB or off, got 'mysql://u:***@h/db'
    """
    match = _SCHEME.match(url)
    if url == OFF or (match and match.group("scheme") in SCHEMES):
        return url
    raise ValueError(f"{where}: expected sqlite:///PATH, postgresql://USER@HOST/DB or off, got {mask(url)!r}")


def history_url(configured: str | None, output: Path) -> str:
    """The URL to use: the configured one, else `sqlite:///<output>/history.sqlite` (beside the run folders).

    >>> history_url(None, Path("output"))
    'sqlite:///output/history.sqlite'
    >>> history_url(None, Path("/tmp/runs"))
    'sqlite:////tmp/runs/history.sqlite'
    """
    return configured or f"sqlite:///{output / DEFAULT_NAME}"


def clean(text: str, url: str) -> str:
    """`text` (an error message) with the URL's password, wherever it appears, replaced by `***`.

    >>> clean("cannot connect to postgresql://u:pw1@h/db (pw1)", "postgresql://u:pw1@h/db")
    'cannot connect to postgresql://u:***@h/db (***)'
    """
    password = password_of(url)
    text = mask(text)
    return text.replace(password, "***") if password else text
