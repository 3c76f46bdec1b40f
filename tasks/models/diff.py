"""One row of a post-upgrade comparison: what one area or item of a device was before and after, and its verdict.

It round-trips through results.json (`host.diff`), so a post-upgrade run folder can be read back.

>>> from tasks.models import Verdict
>>> row = DiffRow("interfaces", "ethernet1/1", "up", "down", Verdict.FAIL, "link went down")
>>> DiffRow.from_dict(row.to_dict()) == row
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tasks.models import Verdict


@dataclass(frozen=True)
class DiffRow:
    """`area` (release, interfaces, optics, ha, routes, arp, sessions, config), the `item` in it (a port, or ""
    for the area as a whole), the values before and after as text (None when absent), the verdict and why."""

    area: str
    item: str
    before: str | None
    after: str | None
    verdict: Verdict
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "item": self.item,
            "before": self.before,
            "after": self.after,
            "verdict": self.verdict.value,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DiffRow:
        """The inverse of `to_dict`; KeyError or ValueError when `data` is not that shape."""
        return cls(
            data["area"], data["item"], data.get("before"), data.get("after"), Verdict(data["verdict"]), data["message"]
        )
