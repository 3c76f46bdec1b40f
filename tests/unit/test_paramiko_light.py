"""tasks/paramiko_light.py: paramiko's handshake timeout and host key lookups kept, without a timer thread or a
class made per login."""

from __future__ import annotations

import socket
import threading
import time

import paramiko
import pytest

import tasks.connection  # noqa: F401  (installs the deadline, as every estate connection has it)

# An ssh-ed25519 public key blob (any 32 bytes parse as one; no signature is checked here).
ED25519_PUBLIC = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + bytes(range(32))


def test_a_server_silent_after_its_banner_ends_the_handshake_at_its_timeout_without_a_timer_thread() -> None:
    client, server = socket.socketpair()
    server.sendall(b"SSH-2.0-silent\r\n")  # then no key exchange, ever
    transport = paramiko.Transport(client)
    transport.handshake_timeout = 0.5
    timers: list[threading.Thread] = []
    start = time.monotonic()
    try:
        transport.start_client(event=threading.Event())  # returns at once: the handshake runs in its thread
        while transport.is_active() and time.monotonic() - start < 10:
            timers += [t for t in threading.enumerate() if isinstance(t, threading.Timer)]
            time.sleep(0.02)
        elapsed = time.monotonic() - start
    finally:
        transport.close()
        server.close()
    assert not transport.is_active()
    assert 0.5 <= elapsed < 8  # at the handshake timeout, not at the loop's 10 s bound
    assert timers == []


def test_the_deadline_answers_as_the_timer_did() -> None:
    packetizer = paramiko.Packetizer(socket.socket())
    try:
        assert not packetizer.handshake_timed_out()  # never started: never timed out
        packetizer.start_handshake(0.05)
        assert not packetizer.handshake_timed_out()
        time.sleep(0.06)
        assert packetizer.handshake_timed_out()
        packetizer.start_handshake(10)  # a rekey's: the first handshake's deadline stays
        assert packetizer.handshake_timed_out()
        packetizer.complete_handshake()
        assert not packetizer.handshake_timed_out()
    finally:
        packetizer.close()


@pytest.mark.parametrize("method", ["start_handshake", "handshake_timed_out", "complete_handshake"])
def test_the_methods_are_estates(method: str) -> None:
    assert getattr(paramiko.Packetizer, method).__module__ == "tasks.paramiko_light"


def test_host_key_lookups_answer_as_paramikos() -> None:
    from paramiko.hostkeys import HostKeys

    from tasks.paramiko_light import _lookup

    assert HostKeys.lookup is not _lookup  # estate's, in front of paramiko's
    empty = HostKeys()
    assert empty.lookup("fw1") is None and _lookup(empty, "fw1") is None and empty.get("fw1") is None
    known = HostKeys()
    known.add("[127.0.0.1]:2222", "ssh-ed25519", paramiko.Ed25519Key(data=ED25519_PUBLIC))
    assert known.lookup("fw1") is None and _lookup(known, "fw1") is None
    found = known.lookup("[127.0.0.1]:2222")
    assert found is not None and list(found) == ["ssh-ed25519"]


class _CountingSocket:
    """A socket's recv over a byte string, delivered in the chunks given (one chunk per call at most)."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.calls: list[int] = []
        self.closed = False
        self.shut: int | None = None

    def recv(self, n: int) -> bytes:
        self.calls.append(n)
        if not self.chunks:
            raise TimeoutError  # socket.timeout: nothing arrived
        chunk = self.chunks.pop(0)
        self.chunks[:0] = [chunk[n:]] if len(chunk) > n else []
        return chunk[:n]

    def shutdown(self, how: int) -> None:
        self.shut = how

    def close(self) -> None:
        self.closed = True


def test_reads_ahead_return_the_same_bytes_in_order_with_fewer_socket_calls() -> None:
    from tasks.paramiko_light import READ_AHEAD, _ReadAhead

    stream = bytes(range(256)) * 40  # 10,240 bytes, arriving as two bursts
    raw = _CountingSocket([stream[:6000], stream[6000:]])
    ahead = _ReadAhead(raw)
    got = b""
    for n in [16, 100, 5000, 884, 16, 4224]:  # header, body, ... as paramiko asks
        part = ahead.recv(n)
        assert 0 < len(part) <= n
        got += part
    assert got == stream[: len(got)] and len(got) == 10240
    assert raw.calls == [READ_AHEAD, READ_AHEAD]  # one call per burst, not one per read
    with pytest.raises(TimeoutError):  # nothing buffered and nothing arrived: the socket's own timeout
        ahead.recv(16)
    ahead.close()
    assert raw.closed and raw.shut == socket.SHUT_RDWR


def test_a_packetizer_reads_through_the_read_ahead() -> None:
    from tasks.paramiko_light import _ReadAhead

    client, server = socket.socketpair()
    try:
        packetizer = paramiko.Packetizer(client)
        server.sendall(b"SSH-2.0-lab\r\nrest")
        assert packetizer.readline(1) == "SSH-2.0-lab"
        assert packetizer.read_all(4) == b"rest"
        assert isinstance(packetizer._Packetizer__socket, _ReadAhead)
        server.close()
        with pytest.raises(EOFError):
            packetizer.read_all(1)
    finally:
        client.close()


def test_closing_a_packetizer_wakes_its_blocked_read_with_the_end_of_the_session() -> None:
    """Closing a socket does not wake a thread blocked in its read; the shutdown the read-ahead adds does, and the
    read ends as paramiko's end of file, however long the socket's timeout."""
    client, server = socket.socketpair()
    client.settimeout(60.0)
    packetizer = paramiko.Packetizer(client)
    ended: list[BaseException] = []

    def read() -> None:
        try:
            packetizer.read_all(4)
        except BaseException as exc:  # what ended the read is the result
            ended.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    time.sleep(0.2)  # the reader is in its read
    packetizer.close()
    reader.join(30.0)
    server.close()
    assert not reader.is_alive()
    assert [type(exc) for exc in ended] == [EOFError]


def test_writes_go_out_whole_and_in_order_and_wait_for_room_when_the_buffer_is_full() -> None:
    """A write is one system call while the kernel has room; with its buffer full (a reader slower than the writer)
    it waits for room within the socket's timeout, as paramiko's send did."""
    client, server = socket.socketpair()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    client.settimeout(10.0)
    packetizer = paramiko.Packetizer(client)
    payload = bytes(range(256)) * 4096  # 1 MiB: many times the buffer
    received = bytearray()

    def read_slowly() -> None:
        while len(received) < len(payload):
            chunk = server.recv(8192)
            if not chunk:
                return
            received.extend(chunk)
            time.sleep(0.001)

    reader = threading.Thread(target=read_slowly)
    reader.start()
    try:
        packetizer.write_all(payload)
        reader.join(30.0)
        assert bytes(received) == payload
    finally:
        client.close()
        server.close()


def test_a_write_to_a_closed_connection_ends_the_session() -> None:
    client, server = socket.socketpair()
    client.settimeout(10.0)
    packetizer = paramiko.Packetizer(client)
    server.close()
    try:
        with pytest.raises(EOFError):  # paramiko's answer to a failed send
            for _ in range(100):  # the first writes may still be taken by the kernel
                packetizer.write_all(b"x" * 65536)
    finally:
        client.close()


def test_macs_compare_as_paramikos() -> None:
    from tasks.paramiko_light import _paramiko_bytes_eq

    mac = bytes(range(32))
    pairs = [(mac, mac), (mac, mac[:-1] + b"\x00"), (mac, mac[:31]), (b"", b""), (mac, b"")]
    assert paramiko.util.constant_time_bytes_eq is not _paramiko_bytes_eq  # estate's, installed by tasks.connection
    ours = [paramiko.util.constant_time_bytes_eq(a, b) for a, b in pairs]
    assert ours == [_paramiko_bytes_eq(a, b) for a, b in pairs] == [True, False, False, True, False]


def test_a_kernel_timed_socket_answers_as_a_socket_with_that_timeout() -> None:
    """Reads and writes end as a Python timeout ends them (TimeoutError after the timeout, data at once), with
    the file blocking underneath; None and 0 are Python's blocking and non-blocking modes."""
    from tasks.paramiko_light import kernel_timed

    client, server = socket.socketpair()
    client.settimeout(0.3)
    sock = kernel_timed(client)
    try:
        assert sock.gettimeout() == 0.3 and client.fileno() == -1  # the same file, taken over
        assert sock.getblocking()  # no Python timeout: no poll before a call
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            sock.recv(16)
        assert 0.25 <= time.monotonic() - start < 10
        server.sendall(b"SSH-2.0-x\r\n")
        assert sock.recv(64) == b"SSH-2.0-x\r\n"
        sock.settimeout(None)
        assert sock.gettimeout() is None
        threading.Timer(0.1, server.sendall, args=(b"late",)).start()
        assert sock.recv(16) == b"late"  # blocking: waits past any earlier timeout
        sock.settimeout(0.0)
        with pytest.raises(BlockingIOError):
            sock.recv(16)
        sock.settimeout(0.2)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        with pytest.raises(TimeoutError):  # nobody reads: the buffer fills and a send waits out the timeout
            for _ in range(10_000):
                sock.send(b"x" * 65536)
    finally:
        sock.close()
        server.close()


def test_a_packetizer_over_a_kernel_timed_socket_reads_and_times_out_as_paramiko_expects() -> None:
    from tasks.paramiko_light import kernel_timed

    client, server = socket.socketpair()
    client.settimeout(0.1)
    packetizer = paramiko.Packetizer(kernel_timed(client))
    try:
        threading.Timer(0.35, server.sendall, args=(b"SSH-2.0-lab\r\n",)).start()
        assert packetizer.readline(5) == "SSH-2.0-lab"  # three 0.1 s timeouts of the socket, then the line
        with pytest.raises(TimeoutError):  # paramiko's readline gives up at its own timeout
            packetizer.readline(0.3)
    finally:
        packetizer.close()
        server.close()


def test_a_send_never_reaches_a_socket_that_took_over_the_descriptor_number() -> None:
    """Another thread closing the transport's socket while its thread sends (paramiko's close does not wait for
    it) frees the descriptor number for the next socket any thread opens. A send that read the number first and
    wrote to it then (as `os.write(sock.fileno(), ...)` did) put this session's bytes into that new session."""
    from tasks.paramiko_light import KernelTimedSocket, _ReadAhead

    taken: list[socket.socket] = []

    class ClosedMeanwhile(KernelTimedSocket):
        def fileno(self) -> int:  # the number read, then the close and a new socket, before the write
            number = super().fileno()
            if number >= 0 and not taken:
                self.close()
                taken.extend(socket.socketpair())
                assert number in (taken[0].fileno(), taken[1].fileno())  # the lowest free number: reused
            return number

    client, server = socket.socketpair()
    sock = ClosedMeanwhile(client.family, client.type, client.proto, fileno=client.detach())
    sock.settimeout(1.0)
    try:
        try:
            sent = _ReadAhead(sock).send(b"stale packet")
        except OSError:  # closed meanwhile: the send fails, as paramiko expects of a closed transport
            sent = 0
        for end in taken:  # nothing reached the sockets that took the number over
            end.setblocking(False)
            with pytest.raises(BlockingIOError):
                end.recv(64)
        if sent:  # not closed meanwhile: the bytes went where they belong
            assert server.recv(64) == b"stale packet"
    finally:
        for end in (sock, server, *taken):
            end.close()
