"""The asyncssh server: one listener per device on 127.0.0.1, in one asyncio process."""

from __future__ import annotations

import asyncio
import gc
import hmac
import logging
import os
import resource
import signal
import socket
import struct
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncssh
from asyncssh.constants import MSG_IGNORE

from lab import personalities
from lab.ctlserver import CONTROL_SOCKET, start_control
from lab.estate import Device, Estate
from lab.estates.platforms import demo_data
from lab.inventory import write_inventory
from lab.personalities.base import DeviceView
from lab.runtime import DeviceRuntime, State
from lab.session import CliSession, SessionSpec
from lab.state import LabInfo, remove_state, write_state
from tasks.oslimits import raise_open_files_limit

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
REBOOT_DROP_S = 0.2  # after `request restart system` is confirmed, the sessions drop this much later
FLAP_RESETS = 2  # `flap`: the first connections a device resets at once (as a restarting SSH daemon), then serves


def _no_ignore_padding() -> None:
    """Send no SSH_MSG_IGNORE of asyncssh's own: asyncssh puts an empty one before every encrypted packet after the
    key exchange (its `SSHConnection.send_packet`), which the OpenSSH servers of the devices the lab imitates do
    not. It doubled the packets of every reply, the lab's writes and the client's reads with them. The lab never
    sends an ignore message itself, so every one dropped here is asyncssh's padding."""
    connection = asyncssh.connection.SSHConnection
    send_packet = connection.send_packet
    if getattr(send_packet, "lab_no_ignore", False):
        return

    def send(self: asyncssh.connection.SSHConnection, pkttype: int, *args: bytes, **kwargs: Any) -> None:
        if pkttype != MSG_IGNORE:
            send_packet(self, pkttype, *args, **kwargs)

    send.lab_no_ignore = True  # type: ignore[attr-defined]
    connection.send_packet = send  # type: ignore[method-assign]


def _no_config_reload() -> None:
    """Re-read no sshd configuration at each login: asyncssh's server rebuilds its whole connection options in a
    thread of its executor when a client begins to authenticate, to apply `Match` blocks of a server config
    file. The lab's listeners have no config file (their options are built once, at `listen`), so the rebuild
    could only give the same options back, at the cost of a thread hand-off and a rebuild per login."""
    connection = asyncssh.connection.SSHServerConnection
    if getattr(connection.reload_config, "lab_no_reload", False):
        return

    async def reload_config(self: asyncssh.connection.SSHServerConnection) -> None:
        return None

    reload_config.lab_no_reload = True  # type: ignore[attr-defined]
    connection.reload_config = reload_config  # type: ignore[method-assign]


def _no_disabled_log_work() -> None:
    """Format nothing for a log message whose level is off: asyncssh's logger turns every argument of every log call
    into text, and names every packet it sends or receives with its size, before the standard logger decides that
    the level is off (the lab keeps asyncssh at WARNING). The same messages are logged when their level is on."""
    adapter = asyncssh.logging.SSHLogger
    if getattr(adapter.log, "lab_enabled_only", False):
        return
    log_message = adapter.log
    log_packet = asyncssh.packet.SSHPacketHandler._log_packet

    def log(self: asyncssh.logging.SSHLogger, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        if self.isEnabledFor(level):
            log_message(self, level, msg, *args, **kwargs)

    def packet(self: Any, *args: Any) -> None:
        if self.logger._debug_level >= 3 and self.logger.isEnabledFor(logging.DEBUG):  # as SSHLogger.packet decides
            log_packet(self, *args)

    log.lab_enabled_only = True  # type: ignore[attr-defined]
    adapter.log = log  # type: ignore[method-assign]
    asyncssh.packet.SSHPacketHandler._log_packet = packet  # type: ignore[method-assign, assignment]


_no_ignore_padding()
_no_config_reload()
_no_disabled_log_work()


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

    def __init__(self, spec: SessionSpec, credentials: Credentials, live: LiveDevice | None = None) -> None:
        self._spec = spec
        self._credentials = credentials
        self._live = live
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        log.debug("%s: connection from %s", self._spec.view.device.name, conn.get_extra_info("peername"))
        if self._live is not None and self._live.flaps_left > 0:
            self._live.flaps_left -= 1
            log.info("%s: flap fault: connection reset (%d more)", self._spec.view.device.name, self._live.flaps_left)
            reset(conn)
            return
        self._conn = conn
        if self._live is not None:
            self._live.connections.add(conn)
            self._live.runtime.connections += 1

    def connection_lost(self, exc: Exception | None) -> None:
        if self._live is not None and self._conn is not None:
            self._live.connections.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        device = self._spec.view.device
        if "auth_fail" in self._spec.faults or not self._credentials.accept(username, password):
            log.info("%s: login rejected for user %r", device.name, username)
            return False
        if self._live is not None:
            self._live.runtime.logins += 1
        return True

    def session_requested(self) -> CliSession:
        personality = personalities.get(self._spec.view.device.platform)
        return CliSession(self._spec, personality.new_shell(self._spec.view))


def session_spec(
    estate: Estate, device: Device, started_at: float, runtimes: dict[str, DeviceRuntime] | None = None
) -> SessionSpec:
    peer = estate.device(device.ha.peer) if device.ha is not None else None
    runtime = runtimes.get(device.name) if runtimes is not None else None
    peer_runtime = runtimes.get(peer.name) if runtimes is not None and peer is not None else None
    view = DeviceView(device, peer, estate.username, started_at, runtime, peer_runtime)
    return SessionSpec(
        view=view,
        faults=device.faults,
        latency_s=device.latency_ms / 1000,
        refuse_commands=device.refuse_commands,
        drop_commands=device.drop_commands,
    )


def runtimes_for(estate: Estate) -> dict[str, DeviceRuntime]:
    """A runtime per device, HA peers linked, OEM part numbers from the platform's demo data."""
    runtimes: dict[str, DeviceRuntime] = {}
    for device in estate.devices:
        runtimes[device.name] = DeviceRuntime(device, reboot_s=device.reboot_s, oem_parts=oem_parts(device.platform))
    for runtime in runtimes.values():
        if runtime.base.ha is not None:
            runtime.peer = runtimes.get(runtime.base.ha.peer)
    return runtimes


def oem_parts(platform: str) -> dict[str, str]:
    """Optic type -> the platform vendor's own part (lab/estates/platforms/PLATFORM.yaml ``oem_optics``)."""
    try:
        return {optic["type"]: optic["part"] for optic in demo_data(platform).oem_optics}
    except (KeyError, OSError, ValueError, TypeError):
        return {}


def reset(conn: asyncssh.SSHServerConnection) -> None:
    """Cut `conn` with a TCP reset, before the SSH version line is sent (SO_LINGER 0, then abort)."""
    sock = conn.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.abort()


class LiveDevice:
    """One served device: its runtime, its SSH listener (closed while it reboots) and its open connections."""

    def __init__(self, spec: SessionSpec, credentials: Credentials, key: asyncssh.SSHKey, runtime: DeviceRuntime):
        self.spec = spec
        self.credentials = credentials
        self.key = key
        self.runtime = runtime
        runtime.host_key = key.get_fingerprint("sha256")
        self.port = 0
        self.acceptor: asyncssh.SSHAcceptor | None = None
        self.held: socket.socket | None = None  # the port, held while the device is down (`reserve`)
        self.connections: set[asyncssh.SSHServerConnection] = set()
        self.flaps_left = FLAP_RESETS if "flap" in spec.faults else 0
        self._tasks: set[asyncio.Task[None]] = set()
        runtime.on_reboot = self._on_reboot
        runtime.on_boot = self._on_boot
        runtime.on_rekey = self._on_rekey

    async def open(self, port: int) -> None:
        self.acceptor = await _listen(self.spec, self.credentials, self.key, port, self)
        self.port = _port_of(self.acceptor)

    def close(self) -> None:
        if self.acceptor is not None:
            self.acceptor.close()
            self.acceptor = None

    def _on_rekey(self, runtime: DeviceRuntime) -> None:
        """A new host key of its own for this device, served from the next connection on (`lab ctl rekey`)."""
        self.key = asyncssh.generate_private_key("ssh-ed25519")
        runtime.host_key = self.key.get_fingerprint("sha256")
        if self.acceptor is not None:
            self.acceptor.update(server_host_keys=[self.key])

    def _on_reboot(self, runtime: DeviceRuntime) -> None:
        loop = asyncio.get_running_loop()
        task = loop.create_task(self._go_down(runtime.up_at))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _go_down(self, up_at: float) -> None:
        await asyncio.sleep(REBOOT_DROP_S)  # let the session write the broadcast first
        self.close()
        self.held = reserve(self.port)
        for conn in list(self.connections):
            conn.abort()
        self.connections.clear()
        log.info("%s: rebooting, port %d closed", self.runtime.base.name, self.port)
        await asyncio.sleep(max(0.0, up_at - time.time()))
        self.runtime.tick(time.time())
        log.info("%s: state after reboot: %s", self.runtime.base.name, self.runtime.state.value)

    def _on_boot(self, runtime: DeviceRuntime) -> None:
        loop = asyncio.get_running_loop()
        task = loop.create_task(self._come_up())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _come_up(self) -> None:
        if self.acceptor is None:
            if self.held is not None:
                self.held.close()
                self.held = None
            await self.open(self.port)
            log.info("%s: up on port %d running %s", self.runtime.base.name, self.port, self.runtime.version)


def reserve(port: int = 0) -> socket.socket | None:
    """A socket bound to ``port`` (0: any free one) and not listening: a connection to it is refused, and no other
    listener takes the port while it is held (a lab or test started beside this one picks free ports, and must
    not answer in the place of a device that is down). None when the port cannot be bound now."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, port))
    except OSError:
        sock.close()
        return None
    return sock


_HELD: list[socket.socket] = []  # the closed ports of `refuse` devices, held for the lab's life


async def _listen(
    spec: SessionSpec, credentials: Credentials, key: asyncssh.SSHKey, port: int, live: LiveDevice | None = None
) -> asyncssh.SSHAcceptor:
    def factory() -> DeviceServer:
        return DeviceServer(spec, credentials, live)

    personality = personalities.get(spec.view.device.platform)
    kex = {}
    if personality.kex_algs or personality.extra_kex_algs:
        offered = personality.kex_algs or [alg.decode() for alg in asyncssh.kex.get_default_kex_algs()]
        kex = {"kex_algs": [*personality.extra_kex_algs, *offered]}
    try:
        return await asyncssh.create_server(
            factory,
            HOST,
            port,
            server_host_keys=[key],
            **kex,
            line_editor=False,
            keepalive_interval=0,
            gss_host=None,  # no Kerberos: by default asyncssh looks the machine's name up again at every login
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
) -> tuple[dict[str, int], dict[str, LiveDevice], dict[str, DeviceRuntime]]:
    """Listen for every device (refuse devices only get a closed port); return ports, live devices, runtimes."""
    key = asyncssh.generate_private_key("ssh-ed25519")
    credentials = Credentials(estate.username, estate.password)
    runtimes = runtimes_for(estate)
    ports: dict[str, int] = {}
    live: dict[str, LiveDevice] = {}
    for index, device in enumerate(estate.devices):
        wanted = base_port + index if base_port is not None else 0
        runtime = runtimes[device.name]
        if "refuse" in device.faults:
            held = reserve(wanted)
            if held is not None:
                _HELD.append(held)
            ports[device.name] = held.getsockname()[1] if held is not None else wanted
            runtime.state = State.DOWN
            continue
        served = LiveDevice(session_spec(estate, device, started_at, runtimes), credentials, key, runtime)
        await served.open(wanted)
        live[device.name] = served
        ports[device.name] = served.port
    return ports, live, runtimes


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
    limit = raise_open_files_limit()
    if limit != resource.RLIM_INFINITY and limit < len(estate.devices) + 100:
        log.warning("open-file limit %d is tight for %d listeners (ulimit -n)", limit, len(estate.devices))
    ports, live, runtimes = await open_listeners(estate, base_port, started)
    control = await start_control(state_dir, runtimes, estate)
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
    log.info("serving %d devices (%d listeners) in %.2f s", len(ports), len(live), time.time() - started)
    gc.freeze()  # the estate and its listeners live as long as the lab: out of every garbage collection
    try:
        await _wait_for_stop(max_runtime)
    finally:
        if control is not None:
            control.close()
            (state_dir / CONTROL_SOCKET).unlink(missing_ok=True)  # Python < 3.13 leaves the socket file
        for served in live.values():
            served.close()
        remove_state(state_dir, pid=os.getpid())
