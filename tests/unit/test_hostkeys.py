"""tasks.hostkeys without sockets: the guard's three answers, and recording from 200 threads in 4 processes at once."""

from __future__ import annotations

import multiprocessing
import os
import threading
from pathlib import Path

import paramiko
import pytest

from tasks.errors import HostKeyError, UsageError
from tasks.hostkeys import STRICT, HostKeyGuard, fingerprint, known_keys, record
from workflows.settings import load_settings


def key(seed: int) -> paramiko.PKey:
    """An ed25519 public key whose 32 bytes are derived from `seed` (only compared, never verified with)."""
    message = paramiko.Message()
    message.add_string("ssh-ed25519")
    message.add_string(seed.to_bytes(4, "big") * 8)
    return paramiko.Ed25519Key(data=message.asbytes())


def test_tofu_records_then_accepts_and_a_changed_key_names_both_fingerprints(tmp_path: Path) -> None:
    path = tmp_path / "known_hosts"
    path.write_text("# the customer's own comment\n", encoding="utf-8")
    guard = HostKeyGuard(path)
    guard.missing_host_key(None, "[192.0.2.1]:2201", key(1))
    assert path.read_text(encoding="utf-8").startswith("# the customer's own comment\n[192.0.2.1]:2201 ssh-ed25519 ")
    guard.missing_host_key(None, "[192.0.2.1]:2201", key(1))  # the same key again: accepted, not written twice
    assert len(path.read_text(encoding="utf-8").splitlines()) == 2
    with pytest.raises(HostKeyError) as caught:
        guard.missing_host_key(None, "[192.0.2.1]:2201", key(2))
    assert fingerprint(key(1)) in str(caught.value) and fingerprint(key(2)) in str(caught.value)
    assert "[192.0.2.1]:2201" in str(caught.value)
    assert [fingerprint(k) for k in known_keys(path, "[192.0.2.1]:2201")] == [fingerprint(key(1))]


def test_the_first_key_recorded_for_a_device_wins(tmp_path: Path) -> None:
    path = tmp_path / "known_hosts"
    assert [fingerprint(k) for k in record(path, "192.0.2.9", key(1))] == [fingerprint(key(1))]
    assert [fingerprint(k) for k in record(path, "192.0.2.9", key(2))] == [fingerprint(key(1))]
    assert len(path.read_text(encoding="utf-8").splitlines()) == 1


def test_strict_refuses_an_unknown_key_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "known_hosts"
    with pytest.raises(HostKeyError, match=r"unknown .*strict"):
        HostKeyGuard(path, STRICT).missing_host_key(None, "192.0.2.7", key(7))
    assert not path.exists()


DEVICES = 60  # 200 threads record 60 devices: each device is raced for by three or four threads


def _write_many(path: Path, first: int, count: int) -> None:
    names = [n % DEVICES for n in range(first, first + count)]
    threads = [threading.Thread(target=record, args=(path, f"[10.0.0.1]:{n}", key(n))) for n in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_200_threads_in_4_processes_record_every_key_once(tmp_path: Path) -> None:
    path = tmp_path / "known_hosts"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_write_many, args=(path, 50 * i, 50)) for i in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == DEVICES and len(set(lines)) == DEVICES
    for n in range(DEVICES):
        assert [fingerprint(k) for k in known_keys(path, f"[10.0.0.1]:{n}")] == [fingerprint(key(n))]
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_the_mode_comes_from_config_or_environment_and_a_bad_one_names_its_source(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("user_defined:\n  estate:\n    host_keys: strict\n", encoding="utf-8")
    assert load_settings(config, environ={}).host_keys == "strict"
    assert load_settings(config, environ={"ESTATE_HOST_KEYS": "tofu"}).host_keys == "tofu"
    with pytest.raises(UsageError, match=r"ESTATE_HOST_KEYS.*tofu or strict"):
        load_settings(config, environ={"ESTATE_HOST_KEYS": "yes"})


def test_lines_another_writer_appends_are_read_whole_lines_only_and_a_rewritten_file_again_whole(
    tmp_path: Path,
) -> None:
    path = tmp_path / "known_hosts"
    record(path, "[192.0.2.1]:22", key(1))
    line = f"[192.0.2.2]:22 ssh-ed25519 {key(2).get_base64()}\n"
    with path.open("a", encoding="utf-8") as handle:  # another process, halfway through its line
        handle.write(line[:20])
    assert known_keys(path, "[192.0.2.2]:22") == []
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line[20:])
    assert [fingerprint(k) for k in known_keys(path, "[192.0.2.2]:22")] == [fingerprint(key(2))]
    hashed = paramiko.HostKeys.hash_host("[192.0.2.3]:22")
    path.write_text(f"{hashed} ssh-ed25519 {key(3).get_base64()}\n", encoding="utf-8")  # rewritten by hand
    assert known_keys(path, "[192.0.2.1]:22") == []  # gone from the file: gone from what is known
    assert [fingerprint(k) for k in known_keys(path, "[192.0.2.3]:22")] == [fingerprint(key(3))]  # hashed name


def test_recorded_keys_are_in_the_file_at_once_and_fsynced_at_most_every_interval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every key is written (and read back by the next lookup) as it is recorded; a burst shares the fsync of its
    first key until SYNC_EVERY_S has passed (a first run over many new devices made one fsync per device)."""
    import tasks.hostkeys as hostkeys

    clock = [1000.0]
    path = tmp_path / "known_hosts"
    synced: list[int] = []  # the number of lines in the file at each fsync
    monkeypatch.setattr(hostkeys.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(hostkeys.os, "fsync", lambda fd: synced.append(len(path.read_text().splitlines())))
    for n in range(1, 6):  # five new devices within 0.05 s
        record(path, f"[192.0.2.{n}]:22", key(n))
        assert [fingerprint(k) for k in known_keys(path, f"[192.0.2.{n}]:22")] == [fingerprint(key(n))]
        clock[0] += 0.01
    assert synced == [1]
    clock[0] += hostkeys.SYNC_EVERY_S
    record(path, "[192.0.2.6]:22", key(6))
    assert synced == [1, 6] and len(path.read_text().splitlines()) == 6
