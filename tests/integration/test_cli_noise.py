"""What the terminal shows when a device or the lab fails: the cause in one line, never a library's traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.integration.test_audit import sheet_rows

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
CONNECT_TIMEOUT_S = 2


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP listener on 127.0.0.1 that accepts connections and never says a word (no SSH banner)."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def estate(*args: str | Path, cwd: Path = REPO, **env: str) -> subprocess.CompletedProcess[str]:
    """The `estate` command in a child process, as a user runs it: what reaches the terminal is what it prints."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("ESTATE_", "CI_NODE_"))}
    return subprocess.run(
        [sys.executable, "-m", "workflows", *map(str, args)],
        cwd=cwd,
        env={**environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_device_that_sends_no_ssh_banner_is_a_connect_error_without_a_traceback(
    silent_server: int, tmp_path: Path
) -> None:
    inventory = tmp_path / "inventory"
    (inventory / "acme").mkdir(parents=True)
    host = {"hostname": "127.0.0.1", "port": silent_server, "platform": "paloalto_panos"}
    host["data"] = {"site": "lon1", "role": "edge-fw"}
    (inventory / "acme" / "hosts.yaml").write_text(yaml.safe_dump({"acme-lon1-fw01": host}))
    config = tmp_path / "config.yaml"
    retries = 1  # a silent server is a transient failure: tried 1 + retries times, the reason says how many
    config.write_text(
        f"user_defined:\n  estate:\n    connect_timeout: {CONNECT_TIMEOUT_S}\n"
        f"    retries: {retries}\n    retry_backoff_s: 0.1\n"
    )
    out = tmp_path / "output"
    done = estate(
        "audit", "--inventory", inventory, "--out", out, "--config", config, ESTATE_USERNAME="u", ESTATE_PASSWORD="p"
    )
    assert done.returncode == 2, done.stderr
    (run_dir,) = [p for p in out.iterdir() if p.is_dir()]  # beside it: the default history.sqlite
    errors = sheet_rows(run_dir / "report.xlsx", "Errors")
    expected = f"no SSH banner within {CONNECT_TIMEOUT_S} s ({1 + retries} attempts)"
    assert [(r["Device"], r["Stage"], r["Error"]) for r in errors] == [("acme-lon1-fw01", "connect", expected)]
    terminal = done.stdout + done.stderr
    assert "Traceback" not in terminal and "paramiko" not in terminal, terminal
    assert f"acme-lon1-fw01: connect: {expected}" in done.stdout
    assert "Error reading SSH protocol banner" in (run_dir / "run.log").read_text()  # the library's words: run.log


def test_lab_up_on_a_port_in_use_prints_its_own_error_not_older_lab_log_lines(tmp_path: Path) -> None:
    estate_file = tmp_path / "estate.yaml"
    device = {"name": "acme-lon1-fw01", "platform": "paloalto_panos", "model": "PA-850", "version": "10.1.9"}
    estate_file.write_text(yaml.safe_dump({"customers": {"acme": {"sites": {"lon1": {"devices": [device]}}}}}))
    (tmp_path / ".lab").mkdir()
    (tmp_path / ".lab" / "lab.log").write_text("error: an earlier lab's failure\nINFO serving 40 devices\n")
    with socket.create_server(("127.0.0.1", 0)) as held:
        port = held.getsockname()[1]
        done = estate("lab", "up", "--estate", estate_file, "--base-port", port, cwd=tmp_path)
    assert done.returncode == 3
    assert done.stderr.splitlines() == [
        f"estate: lab up: acme-lon1-fw01: cannot listen on 127.0.0.1:{port}: address already in use"
    ], done.stderr
    assert done.stdout == ""
