"""The platform of a device nobody has named yet: netmiko's `SSHDetect` over a real login, with the customer's
credentials.

SSHDetect logs in, tries each candidate platform's probe command and scores what comes back; it answers a
netmiko device_type or nothing. Ours is the same vocabulary, except that SSHDetect names IOS-XE `cisco_xe`, which
estate drives as `cisco_ios` (one driver for IOS and IOS-XE). A device it cannot reach, that refuses the login,
that it cannot recognise, or that runs a platform estate does not support gets a reason instead of a platform,
so that onboarding can list it and leave it out of the inventory.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netmiko import SSHDetect

from tasks.connection import HANDSHAKE_GRACE_S, handshake_error, login_gate
from tasks.platforms import PLATFORMS

log = logging.getLogger(__name__)

# SSHDetect's names for platforms estate drives under another name (each platform's `aliases`).
ALIASES = {alias: name for name, platform in PLATFORMS.items() for alias in platform.aliases}


@dataclass(frozen=True)
class Detection:
    """What detection made of one device: its platform, or why it has none (`reason`)."""

    platform: str | None
    reason: str = ""


def estate_platform(detected: str | None) -> Detection:
    """SSHDetect's answer in estate's vocabulary.

    >>> estate_platform("cisco_xe"), estate_platform("linux").reason
    (Detection(platform='cisco_ios', reason=''), 'detected linux, which estate does not support')
    >>> estate_platform(None).reason
    'not recognised: no platform answered its probe commands'
    """
    if detected is None:
        return Detection(None, "not recognised: no platform answered its probe commands")
    platform = ALIASES.get(detected, detected)
    if platform not in PLATFORMS:
        return Detection(None, f"detected {detected}, which estate does not support")
    return Detection(platform)


def _connect(address: str, port: int, timeout: float) -> socket.socket | Detection:
    """A TCP connection to the device's SSH port, or why there is none."""
    try:
        sock = socket.create_connection((address, port), timeout=timeout)
    except TimeoutError:
        return Detection(None, f"unreachable: no answer from {address}:{port} within {timeout:g} s")
    except OSError as exc:
        return Detection(None, f"unreachable: {address}:{port}: {exc.strerror or exc}")
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def reachable(address: str, port: int, platform: str, connect_timeout: float) -> Detection:
    """A device whose platform the list gives: only whether its SSH port answers (the list is trusted)."""
    sock = _connect(address, port, connect_timeout)
    if isinstance(sock, Detection):
        return sock
    sock.close()
    return Detection(platform)


def detect(
    address: str,
    port: int,
    username: str,
    password: str,
    connect_timeout: float,
    command_timeout: float,
    detector: Callable[..., Any] = SSHDetect,
    known_hosts: Path | None = None,
) -> Detection:
    """Log in to `address`:`port` and ask SSHDetect which platform answers; never raises for the device's sake.

    With the customer's `known_hosts` (when it exists), a device whose recorded key changed is refused by paramiko
    before the login (no password is sent); an unknown key is accepted, and recorded by the onboarding's baseline.
    """
    sock = _connect(address, port, connect_timeout)
    if isinstance(sock, Detection):
        return sock
    keys = {"alt_host_keys": True, "alt_key_file": str(known_hosts)} if known_hosts and known_hosts.is_file() else {}
    probe = None
    try:
        probe = detector(
            device_type="autodetect",
            host=address,
            port=port,
            username=username,
            password=password,
            sock=sock,
            conn_timeout=connect_timeout + HANDSHAKE_GRACE_S,
            auth_timeout=connect_timeout,
            banner_timeout=connect_timeout,
            read_timeout_override=command_timeout,
            **keys,
        )
        return estate_platform(probe.autodetect())
    except Exception as exc:  # one device's failure is its row in the report, never the run's end
        error = handshake_error(exc, username, connect_timeout, command_timeout)
        if error is exc:
            log.debug("detection of %s:%d failed", address, port, exc_info=exc)
        return Detection(None, f"not detected: {type(error).__name__}: {str(error).strip().splitlines()[0]}")
    finally:
        if probe is not None:
            try:
                probe.connection.disconnect()
            except Exception as exc:  # the session may be gone already; closing must not fail the device
                log.debug("%s:%d: disconnect: %s", address, port, exc)
        sock.close()


def detect_all(
    devices: Sequence[tuple[str, int, str | None]],
    username: str,
    password: str,
    *,
    connect_timeout: float,
    command_timeout: float,
    workers: int,
    max_logins: int,
    known_hosts: Path | None = None,
) -> list[Detection]:
    """For each (address, port, platform from the list): `detect` when the list gives no platform, else
    `reachable`; `workers` at a time, logins through the shared login gate; in order."""

    def one(device: tuple[str, int, str | None]) -> Detection:
        address, port, platform = device
        if platform is not None:
            return reachable(address, port, platform, connect_timeout)
        with login_gate(max_logins):
            return detect(address, port, username, password, connect_timeout, command_timeout, known_hosts=known_hosts)

    if not devices:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(devices)))) as pool:
        return list(pool.map(one, devices))
