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
threads and processes alike), reads what was added to the file under it (another writer may have recorded this
device meanwhile: its key then decides, as if it had been there before), and appends the new lines (one write).
The write is in the file for every other reader at once (a killed run keeps it: the kernel holds it); it is
fsynced against a power cut unless this process fsynced the file less than SYNC_EVERY_S ago, so a burst of new
devices shares the fsync of its first key and the kernel's own writeback (typically within 30 s) takes the
rest. A first run over a thousand new devices made a thousand fsyncs, each a few ms held inside a login and its
`max_concurrent_logins` slot; a power cut can now lose the keys recorded since the last fsync, which the next
run records again as new devices. A reader reads complete lines only: a line being written is read once it is
whole. The threads of a process that record at once share one write (`record`); writes happen only for new
devices, so the lock costs nothing at steady state. Reads are cached per file as a dictionary by name (a run of
10,000 devices looks each up once; a scan of paramiko's entry list per lookup made a first run quadratic) and
follow the file: what was appended since is read on the next lookup, a file rewritten (by hand) is read again
whole.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paramiko

from tasks.errors import HostKeyError

log = logging.getLogger(__name__)

KNOWN_HOSTS = "known_hosts"
LOCK_NAME = ".known_hosts.lock"
TOFU, STRICT = "tofu", "strict"
MODES = (TOFU, STRICT)

SYNC_EVERY_S = 0.25  # the longest a recorded key waits for its fsync while keys keep coming (see above)

_cache_lock = threading.Lock()
_write_locks: dict[Path, threading.Lock] = {}
_synced: dict[Path, float] = {}  # per file: monotonic time of this process's last fsync of it
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


@dataclass
class _Known:
    """The keys of one known_hosts file as far as it was read: `size` bytes (whole lines), at `mtime`."""

    size: int = 0
    mtime: int = -1
    plain: dict[str, list[paramiko.PKey]] = field(default_factory=dict)
    hashed: paramiko.HostKeys = field(default_factory=paramiko.HostKeys)  # `|1|salt|hash` names: paramiko matches

    def lookup(self, name: str) -> list[paramiko.PKey]:
        found = list(self.plain.get(name, ()))
        if self.hashed._entries:  # rare: estate writes plain names
            more = self.hashed.lookup(name)
            found += [key for key in (more.values() if more is not None else ()) if key not in found]
        return found

    def add_lines(self, text: str) -> None:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                entry = paramiko.hostkeys.HostKeyEntry.from_line(line, number)
            except Exception as exc:  # paramiko's own loader skips such a line too
                log.debug("known_hosts line %d skipped: %s", number, exc)
                continue
            if entry is None or entry.key is None:
                continue
            names = [n for n in entry.hostnames if not n.startswith("|1|")]
            for name in names:
                self.plain.setdefault(name, []).append(entry.key)
            if len(names) < len(entry.hostnames):
                self.hashed._entries.append(entry)


_cache: dict[Path, _Known] = {}


def _current(path: Path) -> _Known:
    """The keys of `path` as the file is now: what was appended since the last read is read; a file that shrank or
    was rewritten is read again whole."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        stat = None
    with _cache_lock:
        known = _cache.get(path)
        if stat is None:
            if known is None or known.size:
                known = _cache[path] = _Known()
            return known
        if (
            known is None
            or stat.st_size < known.size
            or (stat.st_size == known.size and stat.st_mtime_ns != known.mtime)
        ):
            known = _cache[path] = _Known()
        if stat.st_size > known.size:
            with path.open("rb") as handle:
                handle.seek(known.size)
                data = handle.read(stat.st_size - known.size)
            whole = data[: data.rfind(b"\n") + 1]  # a line still being written is read once it is whole
            known.add_lines(whole.decode("utf-8", errors="replace"))
            known.size += len(whole)
        known.mtime = stat.st_mtime_ns
        return known


def known_keys(path: Path, name: str) -> list[paramiko.PKey]:
    """The keys `path` records for `name` (hashed names included)."""
    return _current(path).lookup(name)


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
        known = _current(path)
        new = {n: k for n, k in batch.items() if not known.lookup(n)}
        if new:
            _append(path, [f"{n} {k.get_name()} {k.get_base64()}" for n, k in new.items()])
            _current(path)  # our own lines, read back: the cache is at the end of the file again
        return known_keys(path, name)


def _append(path: Path, lines: list[str]) -> None:
    """`lines` written at the end of `path` in one write (a file that does not end its last line gets a line end
    first), fsynced unless this process fsynced the file less than SYNC_EVERY_S ago. Called under `_locked`."""
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data
        os.write(fd, data)
        now = time.monotonic()
        if now - _synced.get(path, float("-inf")) >= SYNC_EVERY_S:
            os.fsync(fd)
            _synced[path] = now
    finally:
        os.close(fd)


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
