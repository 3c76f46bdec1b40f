"""Software version strings parsed into comparable values; each platform registers its own scheme.

A scheme is a parse function from text to `Version`, registered under a name (the platform's device_type)
by `tasks.platforms.register`. Nothing here knows a vendor, and no function has a default scheme.

>>> _ = register_scheme("demo", dotted("demo"))
>>> compare("1.10.0", "1.9.3", "demo"), feature_release("1.9.3", "demo")
(1, '1.9')
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import total_ordering
from typing import Any

Parse = Callable[[str], "Version"]


@total_ordering
@dataclass(frozen=True, eq=False)
class Version:
    """A parsed version: `key` orders it within its `scheme`; `text` is what the device or user wrote.

    Two versions of different schemes do not compare (TypeError). Equality and hashing use
    (scheme, key), so `10.2` and `10.2.0` are equal: a bare feature release stands for its first release.

    >>> parse = dotted("demo")
    >>> parse("10.2.4") < parse("10.2.10"), parse("10.2") == parse("10.2.0")
    (True, True)
    >>> sorted(["11.1.4", "9.1.14", "10.2.4", "10.2"], key=parse)
    ['9.1.14', '10.2', '10.2.4', '11.1.4']
    """

    text: str
    scheme: str
    key: tuple[int, ...]
    feature_release: str
    exact: bool = True  # False for a bare feature release such as "10.2"

    def _check(self, other: object) -> Version:
        if not isinstance(other, Version):
            raise TypeError(f"cannot compare a version with {type(other).__name__}")
        if other.scheme != self.scheme:
            raise TypeError(f"cannot compare {self.scheme} version {self.text!r} with {other.scheme} {other.text!r}")
        return other

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return (self.scheme, self.key) == (other.scheme, other.key)

    def __hash__(self) -> int:
        return hash((self.scheme, self.key))

    def __lt__(self, other: object) -> bool:
        return self.key < self._check(other).key

    def __str__(self) -> str:
        return self.text


# --- the shared helper most schemes are written with ----------------------------------------------------


def numbered(
    text: Any,
    scheme: str,
    pattern: re.Pattern[str],
    expected: str,
    key: Callable[[re.Match[str]], tuple[int, ...]],
    patch: tuple[str, ...] = ("patch",),
) -> Version:
    """Parse `text` with `pattern` (groups `major`, `minor` and the `patch` groups) into a Version of `scheme`.

    The version is exact (not a bare release train) when one of the `patch` groups matched; ValueError
    naming the text when it does not match.

    >>> numbered("2.x", "demo", DOTTED_RE, "X.Y[.Z]", lambda m: (0,))
    Traceback (most recent call last):
    ...
    ValueError: not a demo version: '2.x' (expected X.Y[.Z])
    """
    if not isinstance(text, str):
        raise ValueError(f"not a {scheme} version: {text!r} (expected a string)")
    cleaned = text.strip()
    match = pattern.fullmatch(cleaned)
    if match is None:
        raise ValueError(f"not a {scheme} version: {text!r} (expected {expected})")
    return Version(
        text=cleaned,
        scheme=scheme,
        key=key(match),
        feature_release=f"{int(match['major'])}.{int(match['minor'])}",
        exact=any(match[group] is not None for group in patch),
    )


def as_int(value: str | None) -> int:
    """A matched number, or 0 when the group did not match.

    >>> as_int("07"), as_int(None)
    (7, 0)
    """
    return int(value) if value else 0


def letter_number(value: str | None) -> int:
    """A rebuild letter as a number: none 0, `a` 1, `b` 2, ... (case-insensitive).

    >>> letter_number("a"), letter_number("C"), letter_number(None)
    (1, 3, 0)
    """
    return ord(value.lower()) - ord("a") + 1 if value else 0


DOTTED_RE = re.compile(r"(?P<major>\d+)\.(?P<minor>\d+)(?:\.(?P<patch>\d+))?")


def dotted(scheme: str) -> Parse:
    """A parse function for plain `X.Y` / `X.Y.Z` versions of `scheme` (a new or a test platform's start).

    >>> dotted("demo")("4.2.1").key, dotted("demo")("4.2").exact
    ((4, 2, 1), False)
    """

    def parse(text: str) -> Version:
        return numbered(
            text,
            scheme,
            DOTTED_RE,
            "X.Y or X.Y.Z",
            lambda m: (int(m["major"]), int(m["minor"]), as_int(m["patch"])),
        )

    return parse


# --- the scheme registry ----------------------------------------------------------------------------------

_PLATFORMS_PACKAGE = "tasks.platforms"  # registers every discovered platform's scheme when imported


class _Schemes(Mapping[str, Parse]):
    """Scheme name -> parse function. The platforms register their schemes; the first lookup imports the
    platform package so that a caller that never imported it (a matrix loader) still finds them."""

    def __init__(self) -> None:
        self._parsers: dict[str, Parse] = {}
        self._loaded = False

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            importlib.import_module(_PLATFORMS_PACKAGE)

    def __getitem__(self, name: str) -> Parse:
        if name not in self._parsers:
            self._load()
        return self._parsers[name]

    def __iter__(self) -> Iterator[str]:
        self._load()
        return iter(dict(self._parsers))

    def __len__(self) -> int:
        self._load()
        return len(self._parsers)

    def __contains__(self, name: object) -> bool:
        if name not in self._parsers:
            self._load()
        return name in self._parsers

    def register(self, name: str, parse: Parse) -> None:
        self._parsers[name] = parse


SCHEMES = _Schemes()


def register_scheme(name: str, parse: Parse) -> Parse:
    """Register (or replace) the parse function of scheme `name`; returns it."""
    SCHEMES.register(name, parse)
    return parse


def parse_version(text: str | Version, scheme: str) -> Version:
    """Parse `text` with scheme `scheme`; a `Version` of that scheme is returned as is.

    >>> _ = register_scheme("demo", dotted("demo"))
    >>> parse_version("9.1.14", "demo").key
    (9, 1, 14)
    >>> parse_version("1.2", "no-such-scheme")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: no version scheme for platform 'no-such-scheme' (known: ...)
    """
    if isinstance(text, Version):
        if text.scheme != scheme:
            raise ValueError(f"version {text.text!r} is a {text.scheme} version, not {scheme}")
        return text
    try:
        parser = SCHEMES[scheme]
    except KeyError:
        known = ", ".join(sorted(SCHEMES))
        raise ValueError(f"no version scheme for platform {scheme!r} (known: {known})") from None
    if not isinstance(text, str):  # the parser says what is wrong with it
        return parser(text)
    key = (parser, text)
    parsed = _PARSED.get(key)
    if parsed is None:
        parsed = parser(text)
        if len(_PARSED) < _PARSED_MAX:
            _PARSED[key] = parsed
    return parsed


# Versions already parsed (a Version is immutable): a run judges every optic of every device against the same
# few releases. Keyed by the parser, so a scheme registered again is not answered from the old one's parses.
_PARSED: dict[tuple[Parse, str], Version] = {}
_PARSED_MAX = 4096


def feature_release(version: str | Version, scheme: str) -> str:
    """The feature release a version belongs to.

    >>> _ = register_scheme("demo", dotted("demo"))
    >>> feature_release("11.1.4", "demo"), feature_release("10.2", "demo")
    ('11.1', '10.2')
    """
    return parse_version(version, scheme).feature_release


def compare(a: str | Version, b: str | Version, scheme: str) -> int:
    """-1, 0 or 1 as `a` is older than, the same as, or newer than `b`.

    >>> _ = register_scheme("demo", dotted("demo"))
    >>> compare("10.2.4", "10.2.3", "demo"), compare("9.1.14", "10.0.12", "demo"), compare("10.2", "10.2.0", "demo")
    (1, -1, 0)
    """
    va, vb = parse_version(a, scheme), parse_version(b, scheme)
    return (va > vb) - (va < vb)


def is_at_least(version: str | Version, minimum: str | Version, scheme: str) -> bool:
    """True when `version` is `minimum` or newer; a bare `X.Y` minimum means `X.Y.0`.

    >>> _ = register_scheme("demo", dotted("demo"))
    >>> [is_at_least(v, m, "demo") for v, m in (("10.2.4", "10.2.0"), ("10.1.14", "10.2"), ("10.2.0", "10.2"))]
    [True, False, True]
    """
    return parse_version(version, scheme) >= parse_version(minimum, scheme)


def is_at_most(version: str | Version, maximum: str | Version, scheme: str) -> bool:
    """True when `version` is `maximum` or older; a bare `X.Y` maximum includes every `X.Y.*` release.

    >>> _ = register_scheme("demo", dotted("demo"))
    >>> [is_at_most(v, m, "demo") for v, m in (("11.1.4", "11.1"), ("11.2.0", "11.1"), ("10.2.5", "10.2.4"))]
    [True, False, False]
    """
    v, limit = parse_version(version, scheme), parse_version(maximum, scheme)
    if not limit.exact:
        return v.key[:2] <= limit.key[:2]
    return v <= limit


def is_before(version: str | Version, bound: str | Version, scheme: str) -> bool:
    """True when `version` is strictly older than `bound` (e.g. a fix release); `X.Y` means `X.Y.0`.

    >>> _ = register_scheme("demo", dotted("demo"))
    >>> is_before("10.2.3", "10.2.4", "demo"), is_before("10.2.4", "10.2.4", "demo")
    (True, False)
    """
    return parse_version(version, scheme) < parse_version(bound, scheme)
