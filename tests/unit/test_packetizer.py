"""tasks/packetizer.py: paramiko's handshake timeout kept, without its timer thread."""

from __future__ import annotations

import socket
import threading
import time

import paramiko
import pytest

import tasks.connection  # noqa: F401  (installs the deadline, as every estate connection has it)


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
    assert getattr(paramiko.Packetizer, method).__module__ == "tasks.packetizer"
