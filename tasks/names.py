"""The one rule for what estate calls a name: customers, sites, roles, groups and hosts.

The inventory refuses any other name (`workflows.inventory`), and so does what feeds it, such as a new customer's
spreadsheet (`tasks.onboard.source`), so a name that passes here is one the inventory will take.

>>> is_name("fw-01.dc1"), is_name("_fw"), is_name("fw 1"), is_name("")
(True, False, False, False)
"""

from __future__ import annotations

import re

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"  # `re.match` it, or use `is_name`
NAME_RULE = "names use letters, digits, '.', '_' and '-'"  # the rule in words, for error messages
_NAME_RE = re.compile(NAME_PATTERN)


def is_name(text: str) -> bool:
    """Whether `text` is a name by `NAME_PATTERN` (the whole of it: a trailing newline is not allowed)."""
    return _NAME_RE.fullmatch(text) is not None
