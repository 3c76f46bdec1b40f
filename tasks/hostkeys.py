"""SSH host keys: each customer's `known_hosts` (OpenSSH format), checked right after the key exchange.

paramiko calls a client's missing-host-key policy once the key exchange is done and before authentication; netmiko
loads no known keys of its own (`system_host_keys` and `alt_host_keys` off), so the policy set here sees every
connection and decides:

- the device's key is in the customer's file: go on;
- another key is recorded for it: HostKeyError naming both SHA256 fingerprints (as `ssh` prints them); the
  connection is dropped before the password is sent;
- no key is recorded: `tofu` (the default) records it and goes on, `strict` refuses it (HostKeyError too).

A key is recorded at once, not at the end of the run: a run killed later keeps the keys it trusted, and a second
run (another shard, another process) started meanwhile sees them. Many threads and processes may record at the
same moment, so a write holds a lock file beside the file (`.known_hosts.lock`, fcntl.flock, which serialises
threads and processes alike), reads the file again under it (another writer may have recorded this device
meanwhile: its key then decides, as if it had been there before), and replaces the file atomically (temporary
file, fsync, rename): a reader sees the old file or the new one, never half a line. The threads of a process that
record at once share one rewrite (`record`); writes happen only for new devices, so the lock costs nothing at
steady state; reads are cached per file and re-read when it changes.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paramiko

from tasks.errors import HostKeyError

log = logging.getLogger(__name__)

KNOWN_HOSTS = "known_hosts"
LOCK_NAME = ".known_hosts.lock"
TOFU, STRICT = "tofu", "strict"
MODES = (TOFU, STRICT)

_cache: dict[Path, tuple[tuple[int, int], paramiko.HostKeys]] = {}
_cache_lock = threading.Lock()
_write_locks: dict[Path, threading.Lock] = {}
_waiting: dict[Path, dict[str, paramiko.PKey]] = {}  # per file: keys to record, written by the next lock holder


def fingerprint(key: paramiko.PKey) -> str:
    """The key's SHA256 fingerprint as OpenSSH prints it: `SHA256:` and unpadded base64.

    >>> fingerprint(paramiko.Ed25519Key(data=base64.b64decode(
    ...     "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl")))
    'SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU'
    """
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def host_name(hostname: str, port: int) -> str:
    """How known_hosts (and paramiko) name a device: the address, or `[address]:port` off port 22.

    >>> host_name("192.0.2.1", 22), host_name("192.0.2.1", 2201)
    ('192.0.2.1', '[192.0.2.1]:2201')
    """
    return hostname if port == 22 else f"[{hostname}]:{port}"


def check_mode(value: str, where: str) -> str:
    """`value` as a host-key mode (`tofu` or `strict`); ValueError naming `where` otherwise.

    >>> check_mode("Strict", "ESTATE_HOST_KEYS")
    'strict'
    """
    mode = value.strip().lower()
    if mode not in MODES:
        raise ValueError(f"{where}: expected one of {', '.join(MODES)}, got {value!r}")
    return mode


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return (-1, -1)
    return (stat.st_mtime_ns, stat.st_size)


def _load(path: Path) -> paramiko.HostKeys:
    keys = paramiko.HostKeys()
    if path.is_file():
        keys.load(str(path))  # paramiko logs and skips a line it cannot read
    return keys


def _current(path: Path) -> paramiko.HostKeys:
    """The keys of `path` as the file is now: parsed again only when it changed (size or mtime) since last read."""
    stamp = _stamp(path)
    with _cache_lock:
        cached = _cache.get(path)
        if cached is None or cached[0] != stamp:
            cached = (stamp, _load(path))
            _cache[path] = cached
    return cached[1]


def known_keys(path: Path, name: str) -> list[paramiko.PKey]:
    """The keys `path` records for `name` (hashed names included)."""
    found = _current(path).lookup(name)
    return list(found.values()) if found is not None else []


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Held by one thread of one process at a time: a threading lock, then flock on the lock file beside `path`."""
    with _cache_lock:
        local = _write_locks.setdefault(path, threading.Lock())
    with local:
        fd = os.open(path.with_name(LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the flock


def record(path: Path, name: str, key: paramiko.PKey) -> list[paramiko.PKey]:
    """Record `key` for `name` in `path` unless a key is recorded for it already; the keys recorded for `name`
    afterwards (`key` among them, unless another key was recorded first). The file's other lines, comments
    included, are kept as they are.

    The threads of a process that record at the same moment share one rewrite: each puts its key in the waiting
    batch of the file, and whoever takes the lock first writes the whole batch (a first run over a thousand new
    devices rewrites the file a few times, not a thousand).
    """
    with _cache_lock:
        _waiting.setdefault(path, {}).setdefault(name, key)
    with _locked(path):
        with _cache_lock:
            batch = _waiting.pop(path, {})
        keys = _current(path)
        new = {n: k for n, k in batch.items() if keys.lookup(n) is None}
        if new:
            _append(path, [f"{n} {k.get_name()} {k.get_base64()}" for n, k in new.items()])
            updated = paramiko.HostKeys()
            updated._entries = [*keys._entries]  # a copy: readers may be looking up in the cached one
            for n, k in new.items():
                updated.add(n, k.get_name(), k)
            with _cache_lock:
                _cache[path] = (_stamp(path), updated)
            keys = updated
        return list((keys.lookup(name) or {}).values())


def _append(path: Path, lines: list[str]) -> None:
    """`lines` added at the end of `path`, which is replaced atomically (temporary file, fsync, rename)."""
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if text and not text.endswith("\n"):
        text += "\n"
    text += "".join(line + "\n" for line in lines)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def changed(device: str, path: Path, known: list[paramiko.PKey], key: paramiko.PKey) -> HostKeyError:
    """The error for a device whose key is not the one recorded: both fingerprints, the file to fix."""
    same_type = [k for k in known if k.get_name() == key.get_name()]
    expected = (same_type or known)[0]
    return HostKeyError(
        f"host key of {device} changed: {path} has {expected.get_name()} {fingerprint(expected)}, the device "
        f"presented {key.get_name()} {fingerprint(key)}; nothing was sent to it (if the change is expected, "
        f"remove its line from {path.name})"
    )


@dataclass(frozen=True)
class HostKeyGuard(paramiko.MissingHostKeyPolicy):
    """paramiko's missing-host-key policy over one customer's `known_hosts` (`path`), in `mode` (tofu, strict)."""

    path: Path
    mode: str = TOFU

    def missing_host_key(self, client: Any, hostname: str, key: paramiko.PKey) -> None:
        known = known_keys(self.path, hostname)
        if any(k == key for k in known):
            return
        if known:
            raise changed(hostname, self.path, known, key)
        if self.mode == STRICT:
            raise HostKeyError(
                f"host key of {hostname} unknown ({key.get_name()} {fingerprint(key)}) and host_keys is strict: "
                f"nothing was sent to it (add the key to {self.path} once checked)"
            )
        recorded = record(self.path, hostname, key)
        if not any(k == key for k in recorded):
            raise changed(hostname, self.path, recorded, key)  # another run or thread recorded another key first
        log.info("host key of %s recorded in %s: %s %s", hostname, self.path, key.get_name(), fingerprint(key))


def guard_for(estate: dict[str, Any], hostname: str, port: int) -> HostKeyGuard | None:
    """The guard for the device at hostname:port from the run's `user_defined.estate` (`known_hosts`: address:port
    -> its customer's file, `host_keys`: the mode); None when the run configured none for it."""
    files = estate.get("known_hosts") or {}
    path = files.get(f"{hostname}:{port}")
    if path is None:
        return None
    return HostKeyGuard(Path(path), str(estate.get("host_keys", TOFU)))


def known_hosts_files(hosts: Any, inventory: Path) -> dict[str, str]:
    """address:port -> `inventory/<customer>/known_hosts` for every Nornir host of `hosts` (a mapping)."""
    return {f"{h.hostname}:{h.port or 22}": str(inventory / h.data["customer"] / KNOWN_HOSTS) for h in hosts.values()}
