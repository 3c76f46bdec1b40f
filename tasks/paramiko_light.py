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

Packets read with fewer socket calls: paramiko reads each packet with two `recv` calls at least (its first block,
then the rest and the MAC), and with a socket timeout each call is a poll and a read, the GIL given up and taken
back around both. The Packetizer's socket is wrapped (`_ReadAhead`) so that a read takes what the kernel holds, up
to READ_AHEAD bytes, and the next reads are served from it: a packet that has arrived whole costs one call. The
bytes, their order, EOF and timeouts are the socket's: only the number of calls changes. Nothing else reads the
transport's socket (paramiko keeps it to itself; its banner read goes through the same Packetizer).

Packets written and read with one system call each: Python implements a socket's timeout (paramiko's sockets
always have one) with a poll before every send and every read, a second call and a second turn at the GIL per
packet. The socket estate connects with is a `KernelTimedSocket`, whose timeouts the kernel keeps (SO_RCVTIMEO,
SO_SNDTIMEO) so that a read and a write are one call each.

MACs compared in C: paramiko checks each packet's MAC with a Python loop over its bytes
(`util.constant_time_bytes_eq`, ~70 Python calls a packet); `hmac.compare_digest` is the standard library's
constant-time comparison, with the same answers.

Closed sockets shut down first: paramiko closes the transport's socket without a shutdown, and closing a socket
does not wake a thread blocked in its read; the transport thread then slept until the device's end of the
connection arrived or its read timed out, so a slow device or a busy machine kept a thread per closed session.
The Packetizer marks itself closed before it closes its socket, so `read_all` takes the error or the end of file
the shutdown wakes it with for the end of file it is (logged at DEBUG, not as a socket error).
"""

from __future__ import annotations

import contextlib
import hmac
import socket
import struct
import time
from typing import Any

import paramiko.util
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


READ_AHEAD = 65536  # bytes asked of the socket when nothing is buffered: a whole burst of packets


class _ReadAhead:
    """A socket whose `recv(n)` returns at most `n` bytes of what one larger read of the real socket returned."""

    __slots__ = ("_at", "_data", "_sock")

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        self._data = b""
        self._at = 0

    def recv(self, n: int) -> bytes:
        if self._at < len(self._data):
            part = self._data[self._at : self._at + n]
            self._at += len(part)
            if self._at == len(self._data):
                self._data, self._at = b"", 0
            return part
        data: bytes = self._sock.recv(max(n, READ_AHEAD))
        if len(data) <= n:
            return data
        self._data, self._at = data, n
        return data[:n]

    def send(self, data: bytes) -> int:
        """The socket's own send: on a KernelTimedSocket one system call, which waits for room within the
        kernel's timeout. Not `os.write` on `fileno()`: that number is read before the write, and a close by
        another thread in between (the transport's, while its thread answers the device) frees it for the next
        socket any thread opens, whose session would then receive this one's bytes (its SSH handshake fails:
        "Negotiation failed."). The socket object's send uses its descriptor only while it is open."""
        return int(self._sock.send(data))

    def close(self) -> None:
        with contextlib.suppress(OSError):  # not connected, or already shut down by the other end: nothing to wake
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()

    def __getattr__(self, name: str) -> Any:  # send, settimeout, ...: the socket's own
        return getattr(self._sock, name)


class KernelTimedSocket(socket.socket):
    """A TCP socket whose timeout the kernel keeps (SO_RCVTIMEO, SO_SNDTIMEO) while Python sees it blocking.

    Python implements a socket's timeout by polling before every call: a read is a poll and a read, each giving up
    the GIL and taking it back, and paramiko's transport thread reads every packet so (~20 a device). Here the
    file stays blocking, the kernel ends a call that waited `timeout` with EAGAIN, and that is raised as the
    TimeoutError a socket with a timeout raises: one system call a read, the same answers at the same moments.
    A timeout of None (blocking) or 0 (non-blocking) is Python's own, without kernel timeouts."""

    __slots__ = ("_kernel_timeout",)

    def settimeout(self, value: float | None) -> None:
        if value is None or value <= 0:
            self._kernel_timeout = None
            self._set_kernel_timeout(0.0)
            super().settimeout(value)
            return
        super().settimeout(None)
        self._set_kernel_timeout(float(value))
        self._kernel_timeout = float(value)

    def gettimeout(self) -> float | None:
        if getattr(self, "_kernel_timeout", None) is not None:
            return self._kernel_timeout
        return super().gettimeout()

    def _set_kernel_timeout(self, seconds: float) -> None:
        whole = int(seconds)
        value = struct.pack("ll", whole, round((seconds - whole) * 1_000_000))  # struct timeval
        self.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, value)
        self.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, value)

    def _ended(self, exc: BlockingIOError) -> OSError:
        """What a call that ended with EAGAIN raises: a timeout if the kernel's ran out, else EAGAIN itself."""
        return exc if getattr(self, "_kernel_timeout", None) is None else TimeoutError("timed out")

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        try:
            return super().recv(bufsize, flags)
        except BlockingIOError as exc:
            raise self._ended(exc) from None

    def send(self, data: Any, flags: int = 0) -> int:
        try:
            return super().send(data, flags)
        except BlockingIOError as exc:
            raise self._ended(exc) from None

    def sendall(self, data: Any, flags: int = 0) -> None:
        try:
            super().sendall(data, flags)
        except BlockingIOError as exc:
            raise self._ended(exc) from None


def kernel_timed(sock: socket.socket) -> KernelTimedSocket:
    """`sock` (connected) as a KernelTimedSocket with the same timeout; `sock` itself is detached."""
    timeout = sock.gettimeout()
    ours = KernelTimedSocket(sock.family, sock.type, sock.proto, fileno=sock.detach())
    ours.settimeout(timeout)
    return ours


_packetizer_init = Packetizer.__init__


def _read_ahead_init(self: Any, socket: Any) -> None:
    _packetizer_init(self, _ReadAhead(socket))


_lookup = HostKeys.lookup


def _lookup_entries(self: Any, hostname: str) -> Any:
    if not self._entries:  # nothing to find: paramiko's answer, without defining its result's class first
        return None
    return _lookup(self, hostname)


_paramiko_bytes_eq = paramiko.util.constant_time_bytes_eq


def _compare_macs(a: bytes, b: bytes) -> bool:
    """paramiko's answer for two MACs (equal bytes), from the standard library's constant-time comparison in C."""
    return hmac.compare_digest(a, b)


def lighten_paramiko() -> None:
    """Replace Packetizer's handshake timer by a deadline, let an empty HostKeys answer at once, read packets
    ahead, write them with one call and compare MACs in C; once per process. (The socket whose timeout the kernel
    keeps is the caller's choice: `kernel_timed`.)"""
    if getattr(Packetizer.start_handshake, "estate_deadline", False):
        return
    _start_handshake.estate_deadline = True  # type: ignore[attr-defined]
    Packetizer.start_handshake = _start_handshake
    Packetizer.handshake_timed_out = _handshake_timed_out
    Packetizer.complete_handshake = _complete_handshake
    HostKeys.lookup = _lookup_entries
    Packetizer.__init__ = _read_ahead_init
    paramiko.util.constant_time_bytes_eq = _compare_macs
