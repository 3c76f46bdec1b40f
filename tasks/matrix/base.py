"""What every matrix model shares: strict models, reference tags, release fields checked in the file's scheme."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationInfo

from tasks.versions import parse_version


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_release(value: str | None, info: ValidationInfo) -> str | None:
    """A release field must parse in the version scheme of the file's platform."""
    if value is None:
        return None
    scheme = (info.context or {}).get("scheme")
    if scheme:
        parse_version(value, scheme)  # ValueError -> schema error naming the value
    return value


def glob_matches(globs: Sequence[str], model: str) -> bool:
    """Whether `model` matches any glob, case-insensitively.

    >>> glob_matches(["PA-32*", "PA-5250"], "pa-3220"), glob_matches(["PA-52*"], "PA-3220")
    (True, False)
    """
    return any(fnmatch.fnmatchcase(model.strip().upper(), glob.strip().upper()) for glob in globs)


Tag = Literal["src", "unverified"]


def _url(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise ValueError(f"not an http(s) URL: {value!r}")
    return value


Url = Annotated[str, AfterValidator(_url)]


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression {value!r}: {exc}") from None
    return value


Regex = Annotated[str, AfterValidator(_regex)]


def needs_note(status: str | None, note: str | None, what: str) -> None:
    """An unverified fact must say, in its note, what is not verified."""
    if status == "unverified" and not note:
        raise ValueError(f"an unverified {what} needs a note saying what is not verified")


def same_release(version: str | None, release: str, info: ValidationInfo, field: str) -> None:
    """`version` must belong to feature release `release` (checked when the file's scheme is known)."""
    scheme = (info.context or {}).get("scheme")
    if scheme and version is not None:
        got = parse_version(version, scheme).feature_release
        if got != parse_version(release, scheme).feature_release:
            raise ValueError(f"{field} {version!r} is not a release of {release}")
