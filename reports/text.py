"""Small text helpers shared by the writers: XML-safe text and natural sort keys."""

from __future__ import annotations

import functools
import re

# XML 1.0 forbids C0 controls other than tab, LF, CR, lone surrogates and U+FFFE/U+FFFF; a device that prints
# garbage must not make the workbook or junit.xml unreadable.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DIGITS = re.compile(r"(\d+)")


def clean_text(text: str, limit: int | None = None) -> str:
    """`text` without characters XML cannot carry, cut to `limit` characters (ending in '…') when longer.

    >>> clean_text("bad\\x00byte\\x1b[0m")
    'badbyte[0m'
    >>> clean_text("abcdef", limit=4)
    'abc…'
    """
    text = _XML_ILLEGAL.sub("", text)
    if limit is not None and len(text) > limit:
        return text[: limit - 1] + "…"
    return text


def first_line(text: str, limit: int = 200) -> str:
    """The first non-empty line of `text`, cleaned and cut to `limit` characters.

    >>> first_line("\\n  timed out after 30s\\ntraceback...")
    'timed out after 30s'
    """
    for line in text.splitlines():
        if line.strip():
            return clean_text(line.strip(), limit)
    return ""


@functools.lru_cache(maxsize=1 << 16)  # the reports sort the same names, sites and ports many times over
def natural_key(text: str) -> tuple[tuple[str | int, ...], str]:
    """A sort key that orders embedded numbers by value, so `fw2` < `fw10` and `ethernet1/2` < `ethernet1/10`.

    Case is ignored, then the text itself breaks ties, so the order is total and deterministic.

    >>> sorted(["ethernet1/10", "ethernet1/2", "Ethernet1/1"], key=natural_key)
    ['Ethernet1/1', 'ethernet1/2', 'ethernet1/10']
    """
    parts = _DIGITS.split(text)
    return tuple(int(part) if index % 2 else part.lower() for index, part in enumerate(parts)), text
