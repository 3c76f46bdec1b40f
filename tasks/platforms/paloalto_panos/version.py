"""PAN-OS version scheme: `X.Y`, `X.Y.Z` and `X.Y.Z-hN` (hotfix)."""

from __future__ import annotations

import re

from tasks.platforms.paloalto_panos.commands import DEVICE_TYPE
from tasks.versions import Version, as_int, numbered

_PANOS_RE = re.compile(r"(?P<major>\d+)\.(?P<minor>\d+)(?:\.(?P<patch>\d+)(?:-h(?P<hotfix>\d+))?)?")


def parse_panos(text: str) -> Version:
    """Parse a PAN-OS version: `X.Y.Z`, `X.Y.Z-hN` (hotfix) or `X.Y` (a feature release).

    The sort key is (major, minor, patch, hotfix); a missing patch or hotfix counts as 0.

    >>> v = parse_panos("10.2.4-h4")
    >>> v.key, v.feature_release
    ((10, 2, 4, 4), '10.2')
    >>> parse_panos("10.2").exact
    False
    >>> parse_panos("10.2.4-h4") < parse_panos("10.2.10")
    True
    >>> sorted(["11.1.4-h7", "9.1.14", "10.2.4-h4", "10.2.4"], key=parse_panos)
    ['9.1.14', '10.2.4', '10.2.4-h4', '11.1.4-h7']
    >>> parse_panos("10.2.x")
    Traceback (most recent call last):
    ...
    ValueError: not a PAN-OS version: '10.2.x' (expected X.Y, X.Y.Z or X.Y.Z-hN)
    """
    if not isinstance(text, str):
        raise ValueError(f"not a PAN-OS version: {text!r} (expected a string)")
    cleaned = text.strip()
    if _PANOS_RE.fullmatch(cleaned) is None:
        raise ValueError(f"not a PAN-OS version: {text!r} (expected X.Y, X.Y.Z or X.Y.Z-hN)")
    return numbered(
        cleaned,
        DEVICE_TYPE,
        _PANOS_RE,
        "X.Y, X.Y.Z or X.Y.Z-hN",
        lambda m: (int(m["major"]), int(m["minor"]), as_int(m["patch"]), as_int(m["hotfix"])),
    )
