"""FortiOS version scheme: `7.4.8`, `v7.4.8`, `v7.4.8,build2795` or the branch `7.4`."""

from __future__ import annotations

import re

from tasks.platforms.fortinet.commands import DEVICE_TYPE
from tasks.versions import Version, as_int, numbered

_FORTIOS_RE = re.compile(r"v?(?P<major>\d+)\.(?P<minor>\d+)(?:\.(?P<patch>\d+))?(?:,build(?P<build>\d+)\S*)?")


def parse_fortios(text: str) -> Version:
    """FortiOS: `7.4.8`, `v7.4.8`, `v7.4.8,build2795` or the branch `7.4`; the key is (major, minor, patch).

    >>> parse_fortios("v7.4.8,build2795").key, parse_fortios("7.4").feature_release
    ((7, 4, 8), '7.4')
    """
    return numbered(
        text,
        DEVICE_TYPE,
        _FORTIOS_RE,
        "X.Y, X.Y.Z or vX.Y.Z,buildN",
        lambda m: (int(m["major"]), int(m["minor"]), as_int(m["patch"])),
    )
