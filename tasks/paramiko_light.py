"""paramiko made lighter per login, without changing what it does (`lighten_paramiko()`, once per process).

The handshake timeout without a thread per connection: paramiko's `Packetizer.start_handshake` starts a
`threading.Timer` for every connection, whose only work is to set a flag once `handshake_timeout` has passed;
`read_all` checks the flag each time its socket read times out or returns. A thread per login (its stack mapped
and unmapped, its start and its cancel each a wake-up and a turn at the GIL) was ~5 % of a worker's samples
holding the GIL (py-spy, 1,000 devices); a failed login also left its timer running for the whole timeout. The
three methods compare the clock with a deadline instead: the same answers at the same moments (`read_all` is
where the timeout is checked either way), and no thread.

Host key lookups without a class per call: `HostKeys.lookup` defines its result's class (a MutableMapping, made by
ABCMeta) each time it is called, before it looks; `SSHClient.connect` looks the server up in two HostKeys
per login, both empty for estate (`tasks.hostkeys` checks the key against known_hosts itself). An empty HostKeys
now answers None at once, as paramiko's loop over no entries does (the class made per call: ~4 % of the same
samples).
"""

from __future__ import annotations

import time
from typing import Any

from paramiko.hostkeys import HostKeys
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


_lookup = HostKeys.lookup


def _lookup_entries(self: Any, hostname: str) -> Any:
    if not self._entries:  # nothing to find: paramiko's answer, without defining its result's class first
        return None
    return _lookup(self, hostname)


def lighten_paramiko() -> None:
    """Replace Packetizer's handshake timer by a deadline and let an empty HostKeys answer at once; once."""
    if getattr(Packetizer.start_handshake, "estate_deadline", False):
        return
    _start_handshake.estate_deadline = True  # type: ignore[attr-defined]
    Packetizer.start_handshake = _start_handshake
    Packetizer.handshake_timed_out = _handshake_timed_out
    Packetizer.complete_handshake = _complete_handshake
    HostKeys.lookup = _lookup_entries
