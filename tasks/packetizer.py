"""paramiko's handshake timeout without a thread per connection.

paramiko's `Packetizer.start_handshake` starts a `threading.Timer` for every connection, whose only work is to set
a flag once `handshake_timeout` has passed; `read_all` checks the flag each time its socket read times out or
returns. A thread per login (its stack mapped and unmapped, its start and its cancel each a wake-up and a turn at
the GIL) was ~5 % of the client's CPU at 1,000 devices; a failed login also left its timer running for the whole
timeout. `timed_handshakes()` makes the three methods compare the clock with a deadline instead: the same answers
at the same moments (`read_all` is where the timeout is checked either way), and no thread.
"""

from __future__ import annotations

import time
from typing import Any

from paramiko.packet import Packetizer


def _start_handshake(self: Any, timeout: float) -> None:
    if getattr(self, "_estate_deadline", None) is None:  # paramiko times the first handshake only
        self._estate_deadline = time.monotonic() + float(timeout)


def _handshake_timed_out(self: Any) -> bool:
    deadline = getattr(self, "_estate_deadline", None)
    if deadline is None or getattr(self, "_estate_complete", False):
        return False
    return time.monotonic() >= deadline


def _complete_handshake(self: Any) -> None:
    if getattr(self, "_estate_deadline", None) is not None:
        self._estate_complete = True


def timed_handshakes() -> None:
    """Replace Packetizer's handshake timer by a deadline, once per process."""
    if getattr(Packetizer.start_handshake, "estate_deadline", False):
        return
    _start_handshake.estate_deadline = True  # type: ignore[attr-defined]
    Packetizer.start_handshake = _start_handshake
    Packetizer.handshake_timed_out = _handshake_timed_out
    Packetizer.complete_handshake = _complete_handshake
