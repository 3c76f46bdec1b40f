"""The audit of devices served by FakeNOS (PyPI `fakenos`, a simulator written by others) degrades, never dies.

FakeNOS is started by this test on 127.0.0.1 (free ports) with an NX-OS and a Junos device, from the interpreter
of a venv of its own (fakenos 1.2.1 pins paramiko<=4.0, estate runs on paramiko 5): `ESTATE_FAKENOS_PYTHON`, else
`.venv-fakenos/bin/python` (`make fakenos-venv`); without one the test is skipped, saying so. The inventory is
written here by hand. What FakeNOS serves is not what the real OSes print (docs/reliability.md, "FakeNOS"): its
NX-OS refuses `show version` (`% Invalid input`, to netmiko itself too); its Junos prompt has no `user@`. The
contract: no crash (exit 2: a device could not be checked), each device a row with its verdict, an ERROR naming the
stage and a one-line reason, and whatever facts a device did answer kept in results.json.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_audit import run_cli, run_folder

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
SERVER = REPO / "tests" / "fakenos_server.py"
DEVICES = {"fn-lab1-nx01": "cisco_nxos", "fn-lab1-jn01": "juniper_junos"}
USERNAME, PASSWORD = "ops", "fakenos-pw-7"


def fakenos_python() -> str | None:
    """An interpreter that can import fakenos, or None."""
    for candidate in (os.environ.get("ESTATE_FAKENOS_PYTHON"), str(REPO / ".venv-fakenos" / "bin" / "python")):
        if candidate and Path(candidate).is_file():
            return candidate
    return sys.executable if _imports_fakenos(sys.executable) else None


def _imports_fakenos(python: str) -> bool:
    return subprocess.run([python, "-c", "import fakenos"], capture_output=True).returncode == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_inventory(root: Path, ports: dict[str, int]) -> None:
    (root / "fn").mkdir(parents=True)
    (root / "defaults.yaml").write_text("port: 22\n", encoding="utf-8")
    platforms = "".join(f"{p}:\n  platform: {p}\n" for p in sorted(set(DEVICES.values())))
    (root / "groups.yaml").write_text(platforms, encoding="utf-8")
    groups = "fn:\n  data:\n    customer: fn\nfn-lab1:\n  groups: [fn]\n  data:\n    site: lab1\n"
    (root / "fn" / "groups.yaml").write_text(groups, encoding="utf-8")
    hosts = "".join(
        f"{name}:\n  hostname: 127.0.0.1\n  port: {ports[name]}\n  groups: [fn-lab1, {platform}]\n  data:\n"
        f"    role: core\n"
        for name, platform in DEVICES.items()
    )
    (root / "fn" / "hosts.yaml").write_text(hosts, encoding="utf-8")


@pytest.fixture(scope="module")
def fakenos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    python = fakenos_python()
    if python is None:
        pytest.skip("fakenos is not installed: make fakenos-venv (its paramiko<=4.0 pin keeps it out of .venv)")
    root = tmp_path_factory.mktemp("fakenos")
    ports = {name: free_port() for name in DEVICES}
    args = [f"{name}={platform}:{ports[name]}" for name, platform in DEVICES.items()]
    server = subprocess.Popen(
        [python, str(SERVER), USERNAME, PASSWORD, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        write_inventory(root / "inventory", ports)
        yield root
    finally:
        if server.stdin:
            server.stdin.close()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def test_the_audit_of_fakenos_devices_degrades_and_does_not_die(
    fakenos: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, value in {"ESTATE_USERNAME": USERNAME, "ESTATE_PASSWORD": PASSWORD, "ESTATE_PROCESSES": "1"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("ESTATE_CONNECT_TIMEOUT", "2")  # FakeNOS answers at once, or never (Junos: its prompt)
    monkeypatch.setenv("ESTATE_COMMAND_TIMEOUT", "3")
    args = ["audit", "--customer", "fn", "--inventory", str(fakenos / "inventory"), "--out", str(fakenos / "out")]
    code, out, err = run_cli(args, capsys)
    assert err == "" and "Traceback" not in out
    folder = run_folder(out)
    hosts = json.loads((folder / "results.json").read_text(encoding="utf-8"))["hosts"]
    assert set(hosts) == set(DEVICES)
    errors = {name: h for name, h in hosts.items() if h["status"] == "error"}
    assert code == (2 if errors else 0 if all(h["verdict"] != "FAIL" for h in hosts.values()) else 1)
    for name, host in errors.items():
        assert host["verdict"] == "ERROR" and host["error"] and "\n" not in host["error"], (name, host)
        assert f"{name}: " in out  # the terminal names it with its stage and reason
    for name, host in hosts.items():
        if host["status"] == "ok":  # what FakeNOS did serve is kept
            assert host["facts"]["version"], (name, host)
