"""Serve NX-OS and Junos devices with FakeNOS (PyPI `fakenos`, written by others) until stdin closes.

Run by tests/integration/test_fakenos.py with an interpreter that has fakenos: fakenos 1.2.1 pins paramiko<=4.0,
estate runs on paramiko 5, so it lives in a venv of its own (`make fakenos-venv`). Usage:
`python fakenos_server.py USERNAME PASSWORD NAME=PLATFORM:PORT ...`; prints `ready` once every port listens.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> None:
    from fakenos import FakeNOS  # only in FakeNOS's own venv (imported here, so pytest's doctest collection works)

    username, password, *devices = argv
    hosts = {}
    for device in devices:
        name, _, rest = device.partition("=")
        platform, _, port = rest.partition(":")
        hosts[name] = {"port": int(port), "platform": platform}
    inventory = {
        "default": {
            "username": username,
            "password": password,
            "port": min(h["port"] for h in hosts.values()),
            "server": {"plugin": "ParamikoSshServer", "configuration": {"address": "127.0.0.1", "timeout": 1}},
            "shell": {"plugin": "CMDShell", "configuration": {}},
            "nos": {"plugin": "cisco_ios", "configuration": {}},
        },
        "hosts": hosts,
    }
    net = FakeNOS(inventory=inventory)
    net.start()
    print("ready", flush=True)
    try:
        sys.stdin.read()
    finally:
        net.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
