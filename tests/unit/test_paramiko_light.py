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
    assert 0.5 <= elapsed < 3
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
