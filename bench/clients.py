"""The benchmark's comparison clients, each run as its own process so its CPU and peak RSS are measured apart.

    python bench/clients.py nornir HOSTS_YAML --command CMD [--command CMD ...]
    python bench/clients.py sequential HOSTS_YAML --count 3 --command CMD [--command CMD ...]

`nornir`: plain Nornir + nornir-netmiko with their defaults: InitNornir with the threaded runner and 20 workers
(Nornir's default), SimpleInventory from HOSTS_YAML, one task running `netmiko_send_command` per command, then
`nr.close_connections()`. `sequential`: a `for` loop of netmiko ConnectHandler / send_command / disconnect with
netmiko's defaults over the first COUNT hosts of HOSTS_YAML. Credentials come from ESTATE_USERNAME and
ESTATE_PASSWORD. Each prints one JSON line: {"devices": N, "failed": F}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import yaml

NORNIR_DEFAULT_WORKERS = 20


def run_nornir(hosts_file: Path, commands: list[str]) -> dict[str, int]:
    from nornir import InitNornir
    from nornir.core.task import Result, Task
    from nornir_netmiko.tasks import netmiko_send_command

    def send_commands(task: Task) -> Result:
        for command in commands:
            task.run(task=netmiko_send_command, command_string=command)
        return Result(host=task.host)

    empty = hosts_file.with_name("empty.yaml")
    empty.write_text("{}\n")
    nr = InitNornir(
        runner={"plugin": "threaded", "options": {"num_workers": NORNIR_DEFAULT_WORKERS}},
        inventory={
            "plugin": "SimpleInventory",
            "options": {"host_file": str(hosts_file), "group_file": str(empty), "defaults_file": str(empty)},
        },
    )
    nr.inventory.defaults.username = os.environ["ESTATE_USERNAME"]
    nr.inventory.defaults.password = os.environ["ESTATE_PASSWORD"]
    result = nr.run(task=send_commands)
    nr.close_connections()
    return {"devices": len(nr.inventory.hosts), "failed": len(result.failed_hosts)}


def run_sequential(hosts_file: Path, count: int, commands: list[str]) -> dict[str, int]:
    from netmiko import ConnectHandler

    hosts: dict[str, Any] = yaml.safe_load(hosts_file.read_text())
    names = sorted(hosts)[:count]
    failed = 0
    for name in names:
        host = hosts[name]
        try:
            conn = ConnectHandler(
                device_type=host["platform"],
                host=host["hostname"],
                port=host["port"],
                username=os.environ["ESTATE_USERNAME"],
                password=os.environ["ESTATE_PASSWORD"],
            )
            for command in commands:
                conn.send_command(command)
            conn.disconnect()
        except Exception as exc:  # a benchmark counts failures, it does not stop on them
            print(f"{name}: {exc!r}", file=sys.stderr)
            failed += 1
    return {"devices": len(names), "failed": failed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("client", choices=["nornir", "sequential"])
    parser.add_argument("hosts", type=Path, help="SimpleInventory hosts.yaml")
    parser.add_argument("--command", action="append", required=True, dest="commands")
    parser.add_argument("--count", type=int, default=3, help="sequential: how many hosts")
    args = parser.parse_args()
    if args.client == "nornir":
        outcome = run_nornir(args.hosts, args.commands)
    else:
        outcome = run_sequential(args.hosts, args.count, args.commands)
    print(json.dumps(outcome))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
