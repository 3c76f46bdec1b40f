"""The asyncssh server: one listener per device on 127.0.0.1, in one asyncio process."""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import signal
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import asyncssh

from lab import personalities
from lab.estate import Device, Estate
from lab.inventory import write_inventory
from lab.personalities.base import DeviceView
from lab.session import CliSession, SessionSpec
from lab.state import LabInfo, remove_state, write_state

log = logging.getLogger(__name__)

HOST = "127.0.0.1"


class LabError(RuntimeError):
    """The lab could not start or serve (bad port, bad estate, process died)."""


@dataclass(frozen=True)
class Credentials:
    """The one login every simulated device accepts."""

    username: str
    password: str

    def accept(self, username: str, password: str) -> bool:
        same_user = hmac.compare_digest(username.encode(), self.username.encode())
        return hmac.compare_digest(password.encode(), self.password.encode()) and same_user


class DeviceServer(asyncssh.SSHServer):
    """One SSH connection to one device: password auth (asyncssh also offers it as keyboard-interactive)."""

    def __init__(self, spec: SessionSpec, credentials: Credentials) -> None:
        self._spec = spec
        self._credentials = credentials

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        log.debug("%s: connection from %s", self._spec.view.device.name, conn.get_extra_info("peername"))

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        device = self._spec.view.device
        if "auth_fail" in self._spec.faults or not self._credentials.accept(username, password):
            log.info("%s: login rejected for user %r", device.name, username)
            return False
        return True

    def session_requested(self) -> CliSession:
        personality = personalities.get(self._spec.view.device.platform)
        return CliSession(self._spec, personality.new_shell(self._spec.view))


def session_spec(estate: Estate, device: Device, started_at: float) -> SessionSpec:
    peer = estate.device(device.ha.peer) if device.ha is not None else None
    view = DeviceView(device=device, peer=peer, username=estate.username, started_at=started_at)
    return SessionSpec(
        view=view,
        faults=device.faults,
        latency_s=device.latency_ms / 1000,
        refuse_commands=device.refuse_commands,
        drop_commands=device.drop_commands,
    )


def free_port() -> int:
    """A port that was free a moment ago and is now closed (what a ``refuse`` device answers on)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
    return port


async def _listen(spec: SessionSpec, credentials: Credentials, key: asyncssh.SSHKey, port: int) -> asyncssh.SSHAcceptor:
    def factory() -> DeviceServer:
        return DeviceServer(spec, credentials)

    extra_kex = personalities.get(spec.view.device.platform).extra_kex_algs
    defaults = [alg.decode() for alg in asyncssh.kex.get_default_kex_algs()]
    kex = {"kex_algs": [*extra_kex, *defaults]} if extra_kex else {}
    try:
        return await asyncssh.create_server(
            factory,
            HOST,
            port,
            server_host_keys=[key],
            **kex,
            line_editor=False,
            keepalive_interval=0,
            encoding="utf-8",
            allow_scp=False,
            agent_forwarding=False,
            x11_forwarding=False,
        )
    except OSError as exc:
        # asyncio words it "error while attempting to bind on address (...): address already in use": the cause only
        reason = os.strerror(exc.errno).lower() if exc.errno else exc.strerror
        raise LabError(f"{spec.view.device.name}: cannot listen on {HOST}:{port}: {reason}") from None


def _port_of(acceptor: asyncssh.SSHAcceptor) -> int:
    port: int = acceptor.sockets[0].getsockname()[1]
    return port


async def open_listeners(
    estate: Estate, base_port: int | None, started_at: float
) -> tuple[dict[str, int], list[asyncssh.SSHAcceptor]]:
    """Listen for every device (refuse devices only get a closed port); return ports and acceptors."""
    key = asyncssh.generate_private_key("ssh-ed25519")
    credentials = Credentials(estate.username, estate.password)
    ports: dict[str, int] = {}
    acceptors: list[asyncssh.SSHAcceptor] = []
    for index, device in enumerate(estate.devices):
        wanted = base_port + index if base_port is not None else 0
        if "refuse" in device.faults:
            ports[device.name] = wanted or free_port()
            continue
        acceptor = await _listen(session_spec(estate, device, started_at), credentials, key, wanted)
        acceptors.append(acceptor)
        ports[device.name] = _port_of(acceptor)
    return ports, acceptors


async def _wait_for_stop(max_runtime: float | None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), timeout=max_runtime)
        log.info("stopping on signal")
    except TimeoutError:
        log.info("stopping: --max-runtime of %.0f s reached", max_runtime)


async def serve(
    estate_path: Path,
    state_dir: Path,
    inventory_out: Path | None = None,
    base_port: int | None = None,
    max_runtime: float | None = None,
) -> None:
    """Serve the estate until SIGTERM/SIGINT or ``max_runtime``; publish state once every listener is up."""
    started = time.time()
    estate = personalities.load_estate(estate_path)
    ports, acceptors = await open_listeners(estate, base_port, started)
    if inventory_out is not None:
        write_inventory(inventory_out, estate, ports)
    info = LabInfo(
        pid=os.getpid(),
        devices=ports,
        inventory=inventory_out.resolve() if inventory_out else None,
        username=estate.username,
        password=estate.password,
        estate=estate_path.resolve(),
        state_dir=state_dir.resolve(),
        started=started,
    )
    write_state(info)
    log.info("serving %d devices (%d listeners) in %.2f s", len(ports), len(acceptors), time.time() - started)
    try:
        await _wait_for_stop(max_runtime)
    finally:
        for acceptor in acceptors:
            acceptor.close()
        remove_state(state_dir, pid=os.getpid())
