"""Shapes of secrets no sanitised configuration, results.json or run.log may hold, whatever planted them.

Independent of the sanitiser and of the lab: a test that knows the planted values checks them by value, and these
catch a kind the test did not think to plant.

>>> leaks('phash <removed>; url https://<removed>@lists.example.net/x; hash [ sha1 sha256 ];')
[]
>>> leaks('url https://u:pw@lists.example.net/x; value "Bearer abcdefgh1234"; set key ENC AAAA')
['credentials in a URL', 'HTTP Basic/Bearer credentials', 'FortiOS ENC value']
"""

from __future__ import annotations

import re

LEAK_PATTERNS: dict[str, re.Pattern[str]] = {
    "PAN-OS encrypted value": re.compile(r"-AQ=="),
    "crypt(3) hash": re.compile(r"\$(?:1|2[abxy]?|5|6|y)\$[^\s;\"'<$]+\$"),
    "credentials in a URL": re.compile(r"://[^\s/@\"'<>;]+:[^\s/@\"'<>;]+@"),
    "HTTP Basic/Bearer credentials": re.compile(r"\b(?:Basic|Bearer)\s+(?!<removed>)[A-Za-z0-9+/=._-]{8,}"),
    "FortiOS ENC value": re.compile(r"\bENC\s+(?!<removed>)\S"),
    "PEM private key": re.compile(r"PRIVATE KEY-----"),
}


def leaks(text: str) -> list[str]:
    """The kinds of secret whose shape appears in `text`."""
    return [what for what, pattern in LEAK_PATTERNS.items() if pattern.search(text)]
