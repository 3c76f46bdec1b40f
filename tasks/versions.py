"""Software version strings parsed into comparable values, one parse function per vendor scheme."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import total_ordering
from typing import Any

PANOS = "paloalto_panos"

_PANOS_RE = re.compile(r"(?P<major>\d+)\.(?P<minor>\d+)(?:\.(?P<patch>\d+)(?:-h(?P<hotfix>\d+))?)?")


@total_ordering
@dataclass(frozen=True, eq=False)
class Version:
    """A parsed version: `key` orders it within its `scheme`; `text` is what the device or user wrote.

    Two versions of different schemes do not compare (TypeError). Equality and hashing use
    (scheme, key), so `10.2` and `10.2.0` are equal: a bare feature release stands for its first release.

    >>> parse_version("10.2.4-h4") < parse_version("10.2.10")
    True
    >>> sorted(["11.1.4-h7", "9.1.14", "10.2.4-h4", "10.2.4"], key=parse_version)
    ['9.1.14', '10.2.4', '10.2.4-h4', '11.1.4-h7']
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


def parse_panos(text: str) -> Version:
    """Parse a PAN-OS version: `X.Y.Z`, `X.Y.Z-hN` (hotfix) or `X.Y` (a feature release).

    The sort key is (major, minor, patch, hotfix); a missing patch or hotfix counts as 0.

    >>> v = parse_panos("10.2.4-h4")
    >>> v.key, v.feature_release
    ((10, 2, 4, 4), '10.2')
    >>> parse_panos("10.2").exact
    False
    >>> parse_panos("10.2.x")
    Traceback (most recent call last):
    ...
    ValueError: not a PAN-OS version: '10.2.x' (expected X.Y, X.Y.Z or X.Y.Z-hN)
    """
    if not isinstance(text, str):
        raise ValueError(f"not a PAN-OS version: {text!r} (expected a string)")
    cleaned = text.strip()
    match = _PANOS_RE.fullmatch(cleaned)
    if match is None:
        raise ValueError(f"not a PAN-OS version: {text!r} (expected X.Y, X.Y.Z or X.Y.Z-hN)")
    major, minor = int(match["major"]), int(match["minor"])
    patch = int(match["patch"]) if match["patch"] is not None else 0
    hotfix = int(match["hotfix"]) if match["hotfix"] is not None else 0
    return Version(
        text=cleaned,
        scheme=PANOS,
        key=(major, minor, patch, hotfix),
        feature_release=f"{major}.{minor}",
        exact=match["patch"] is not None,
    )


def _numbered(
    text: Any,
    scheme: str,
    pattern: re.Pattern[str],
    expected: str,
    key: Callable[[re.Match[str]], tuple[int, ...]],
    patch: tuple[str, ...] = ("patch",),
) -> Version:
    """Parse `text` with `pattern` (groups `major`, `minor` and the `patch` groups) into a Version of `scheme`.

    The version is exact (not a bare release train) when one of the `patch` groups matched.
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


def _int(value: str | None) -> int:
    return int(value) if value else 0


def _letter(value: str | None) -> int:
    """A rebuild letter as a number: none 0, `a` 1, `b` 2, ... (case-insensitive)."""
    return ord(value.lower()) - ord("a") + 1 if value else 0


_FORTIOS_RE = re.compile(r"v?(?P<major>\d+)\.(?P<minor>\d+)(?:\.(?P<patch>\d+))?(?:,build(?P<build>\d+)\S*)?")


def parse_fortios(text: str) -> Version:
    """FortiOS: `7.4.8`, `v7.4.8`, `v7.4.8,build2795` or the branch `7.4`; the key is (major, minor, patch).

    >>> parse_fortios("v7.4.8,build2795").key, parse_fortios("7.4").feature_release
    ((7, 4, 8), '7.4')
    """
    return _numbered(
        text,
        "fortinet",
        _FORTIOS_RE,
        "X.Y, X.Y.Z or vX.Y.Z,buildN",
        lambda m: (int(m["major"]), int(m["minor"]), _int(m["patch"])),
    )


# IOS-XE `17.9.4a` / `17.09.04a` / `16.12.04`, classic IOS `15.2(7)E3` / `12.2(55)SE12`.
_IOS_RE = re.compile(
    r"(?P<major>\d+)\.(?P<minor>\d+)"
    r"(?:(?:\.(?P<patch>\d+)(?P<rebuild>[a-z])?)|(?:\((?P<maint>\d+)\)(?P<train>[A-Z]*)(?P<trainrel>\d*)[a-z]?))?"
)


def parse_ios(text: str) -> Version:
    """Cisco IOS and IOS-XE: `17.9.4a`, `17.09.04a`, `16.12.04`, `15.2(7)E3`, or a train `17.9`.

    >>> parse_ios("17.09.04a") == parse_ios("17.9.4a"), parse_ios("17.9.4a") > parse_ios("17.9.4")
    (True, True)
    >>> parse_ios("15.2(7)E3").key, parse_ios("15.2(7)E3").feature_release
    ((15, 2, 7, 0, 3), '15.2')
    """
    return _numbered(
        text,
        "cisco_ios",
        _IOS_RE,
        "X.Y.Z[a] or X.Y(Z)TrainN",
        lambda m: (
            int(m["major"]),
            int(m["minor"]),
            _int(m["patch"] or m["maint"]),
            _letter(m["rebuild"]),
            _int(m["trainrel"]),
        ),
        patch=("patch", "maint"),
    )


# NX-OS `10.4(5)`, `9.3(10)`, `7.3(13)N1(1)`, `10.2(3)F`, or `9.3.10`.
_NXOS_RE = re.compile(
    r"(?P<major>\d+)\.(?P<minor>\d+)(?:(?:\((?P<patch>\d+)(?P<letter>[a-z])?\)(?P<suffix>[A-Z]*)(?:(?P<sub>\d+)(?:\((?P<subpatch>\d+)\))?)?)"
    r"|(?:\.(?P<dotpatch>\d+)))?"
)


def parse_nxos(text: str) -> Version:
    """Cisco NX-OS: `10.4(5)`, `9.3(10)`, `7.3(13)N1(1)`, `10.2(3)F`, `9.3.10`, or a release `10.4`.

    >>> parse_nxos("10.4(5)").key, parse_nxos("9.3.10") == parse_nxos("9.3(10)")
    ((10, 4, 5, 0, 0, 0), True)
    >>> parse_nxos("9.3(7a)") > parse_nxos("9.3(7)")
    True
    """
    return _numbered(
        text,
        "cisco_nxos",
        _NXOS_RE,
        "X.Y(Z), X.Y(Z)SuffixN(M) or X.Y.Z",
        lambda m: (
            int(m["major"]),
            int(m["minor"]),
            _int(m["patch"] or m["dotpatch"]),
            _letter(m["letter"]),
            _int(m["sub"]),
            _int(m["subpatch"]),
        ),
        patch=("patch", "dotpatch"),
    )


_EOS_RE = re.compile(r"(?P<major>\d+)\.(?P<minor>\d+)(?:\.(?P<patch>\d+)(?P<train>[A-Z]*)(?:-(?P<extra>[\d.]+))?)?")


def parse_eos(text: str) -> Version:
    """Arista EOS: `4.29.2F`, `4.30.4M`, `4.28.3M-28.1` or a train `4.29`; F/M do not order.

    >>> parse_eos("4.29.2F").key, parse_eos("4.30.1M") > parse_eos("4.29.9F")
    ((4, 29, 2), True)
    """
    return _numbered(
        text,
        "arista_eos",
        _EOS_RE,
        "X.Y.Z[F|M]",
        lambda m: (int(m["major"]), int(m["minor"]), _int(m["patch"])),
    )


# Junos `21.4R3-S5.4`, `23.2R1.13`, `18.4R2-S5`, `15.1X49-D200.5`, or a release `21.4`.
_JUNOS_RE = re.compile(
    r"(?P<major>\d+)\.(?P<minor>\d+)(?:(?P<type>[RXF])(?P<patch>\d+)(?:-[SD](?P<service>\d+))?(?:\.(?P<build>\d+))?)?"
)


def parse_junos(text: str) -> Version:
    """Juniper Junos: `21.4R3-S5.4`, `23.2R1.13`, `15.1X49-D200.5`, or a release `21.4`.

    The key is (major, minor, release, service release, build).

    >>> parse_junos("21.4R3-S5.4").key, parse_junos("21.4R3-S5.4") > parse_junos("21.4R3.13")
    ((21, 4, 3, 5, 4), True)
    """
    return _numbered(
        text,
        "juniper_junos",
        _JUNOS_RE,
        "X.YRn[-Sm][.b]",
        lambda m: (int(m["major"]), int(m["minor"]), _int(m["patch"]), _int(m["service"]), _int(m["build"])),
    )


# One parse function per version scheme, keyed by netmiko device_type; add a vendor by adding a line.
SCHEMES: dict[str, Callable[[str], Version]] = {
    PANOS: parse_panos,
    "fortinet": parse_fortios,
    "cisco_ios": parse_ios,
    "cisco_nxos": parse_nxos,
    "arista_eos": parse_eos,
    "juniper_junos": parse_junos,
}


def parse_version(text: str | Version, scheme: str = PANOS) -> Version:
    """Parse `text` with the scheme of platform `scheme`; a `Version` of that scheme is returned as is.

    >>> parse_version("9.1.14").key
    (9, 1, 14, 0)
    >>> parse_version("1.2", scheme="cisco_wlc")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: no version scheme for platform 'cisco_wlc' (known: arista_eos, cisco_ios, ...)
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
    return parser(text)


def feature_release(version: str | Version, scheme: str = PANOS) -> str:
    """The feature release a version belongs to.

    >>> feature_release("11.1.4-h7")
    '11.1'
    >>> feature_release("10.2")
    '10.2'
    """
    return parse_version(version, scheme).feature_release


def compare(a: str | Version, b: str | Version, scheme: str = PANOS) -> int:
    """-1, 0 or 1 as `a` is older than, the same as, or newer than `b`.

    >>> compare("10.2.4-h4", "10.2.4"), compare("9.1.14", "10.0.12-h3"), compare("10.2", "10.2.0")
    (1, -1, 0)
    """
    va, vb = parse_version(a, scheme), parse_version(b, scheme)
    return (va > vb) - (va < vb)


def is_at_least(version: str | Version, minimum: str | Version, scheme: str = PANOS) -> bool:
    """True when `version` is `minimum` or newer; a bare `X.Y` minimum means `X.Y.0`.

    >>> is_at_least("10.2.4-h4", "10.2.0"), is_at_least("10.1.14-h20", "10.2"), is_at_least("10.2.0", "10.2")
    (True, False, True)
    """
    return parse_version(version, scheme) >= parse_version(minimum, scheme)


def is_at_most(version: str | Version, maximum: str | Version, scheme: str = PANOS) -> bool:
    """True when `version` is `maximum` or older; a bare `X.Y` maximum includes every `X.Y.*` release.

    >>> is_at_most("11.1.4-h7", "11.1"), is_at_most("11.2.0", "11.1"), is_at_most("10.2.4-h4", "10.2.4")
    (True, False, False)
    """
    v, limit = parse_version(version, scheme), parse_version(maximum, scheme)
    if not limit.exact:
        return v.key[:2] <= limit.key[:2]
    return v <= limit


def is_before(version: str | Version, bound: str | Version, scheme: str = PANOS) -> bool:
    """True when `version` is strictly older than `bound` (e.g. a fix release); `X.Y` means `X.Y.0`.

    >>> is_before("10.2.3-h9", "10.2.4"), is_before("10.2.4", "10.2.4")
    (True, False)
    """
    return parse_version(version, scheme) < parse_version(bound, scheme)
