"""Benchmark: `estate audit` over N lab devices at a given latency, beside a plain sequential netmiko loop.

    .venv/bin/python bench/bench_audit.py --devices 500 --latency-ms 200 [--workers W] [--sequential 5]

Prints, for the audit with the project's default settings (or --workers): wall seconds, devices/s, client CPU ms
per device (the estate process, user+sys) and lab CPU ms per device; then the same commands sent by a plain
`for` loop of netmiko ConnectHandler / send_command / disconnect over a few of the devices, and what that loop
would take for all N. Results are also written as JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from netmiko import ConnectHandler

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lab import control  # noqa: E402

# Models and their first SFP+ cage in the lab's port layouts.
MODELS = {"PA-3220": 17, "PA-5220": 5, "PA-850": 13, "PA-1410": 9}
VERSIONS = ["9.1.14", "9.1.17", "10.1.9", "10.1.14-h13"]
OEM_PARTS = [("10GBASE-SR", "PAN-SFP-PLUS-SR"), ("10GBASE-LR", "PAN-SFP-PLUS-LR")]
THIRD_PARTY = [("10GBASE-SR", "FINISAR CORP.", "FTLX8571D3BCL"), ("10GBASE-LR", "FS", "SFP-10GLR-31")]
COMMANDS = ["show system info", "show system state filter sys.s*.p*.phy"]


def make_estate(n: int, latency_ms: int, seed: int = 7) -> dict[str, Any]:
    """N PAN-OS firewalls over 4 customers x 2 sites, two optics each, one in eight with a third-party optic."""
    rng = random.Random(seed)
    customers: dict[str, Any] = {}
    for i in range(n):
        customer, site = f"bench{i % 4}", f"site{(i // 4) % 2}"
        model = rng.choice(sorted(MODELS))
        first = MODELS[model]
        optics = [
            {"port": f"ethernet1/{p}", "type": t, "vendor": "OEM", "part": part, "serial": f"S{i:04d}{p}"}
            for p, (t, part) in enumerate(OEM_PARTS, start=first)
        ]
        if i % 8 == 0:
            t, vendor, part = rng.choice(THIRD_PARTY)
            optics[1] = dict(optics[1], type=t, vendor=vendor, part=part, serial=f"X{i:05d}")
        device = {
            "name": f"bench-fw{i:04d}",
            "platform": "paloalto_panos",
            "model": model,
            "version": rng.choice(VERSIONS),
            "optics": optics,
            "latency_ms": latency_ms,
        }
        sites = customers.setdefault(customer, {"sites": {}})["sites"]
        sites.setdefault(site, {"devices": []})["devices"].append(device)
    return {"customers": customers}


def lab_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_audit(inventory: Path, out: Path, env: dict[str, str], workers: int | None) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "workflows", "audit", "--inventory", str(inventory), "--out", str(out)]
    cmd += ["--target", "10.2.4-h4"]
    if workers:
        cmd += ["--workers", str(workers)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    run_dir = Path(proc.stdout.strip().splitlines()[-1].split("run folder: ")[-1]) if proc.stdout else None
    results = json.loads((run_dir / "results.json").read_text()) if run_dir else {"hosts": {}}
    errors = sum(1 for h in results["hosts"].values() if h["status"] == "error")
    return {
        "exit_code": proc.returncode,
        "wall_s": wall,
        "client_cpu_s": cpu,
        "errors": errors,
        "stderr": proc.stderr,
    }


def run_sequential(devices: dict[str, int], count: int, username: str, password: str) -> dict[str, Any]:
    """A plain netmiko loop with default settings: connect, send the audit's commands, disconnect."""
    names = sorted(devices)[:count]
    start = time.perf_counter()
    cpu0 = time.process_time()
    for name in names:
        conn = ConnectHandler(
            device_type="paloalto_panos",
            host="127.0.0.1",
            port=devices[name],
            username=username,
            password=password,
        )
        for command in COMMANDS:
            conn.send_command(command)
        conn.disconnect()
    wall = time.perf_counter() - start
    return {"devices": len(names), "wall_s": wall, "client_cpu_s": time.process_time() - cpu0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=500)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--workers", type=int, help="override the project's default worker count")
    parser.add_argument("--sequential", type=int, default=5, help="devices for the plain netmiko loop (0 = skip)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="estate-bench-") as tmp:
        work = Path(tmp)
        estate = work / "estate.yaml"
        estate.write_text(yaml.safe_dump(make_estate(args.devices, args.latency_ms), sort_keys=False))
        info = control.start(estate, work / "lab", inventory_out=work / "inventory", max_runtime=3600)
        try:
            env = dict(os.environ, ESTATE_USERNAME=info.username, ESTATE_PASSWORD=info.password)
            env.pop("CI_NODE_INDEX", None)
            env.pop("CI_NODE_TOTAL", None)
            lab0 = lab_cpu_seconds(info.pid)
            audit = run_audit(work / "inventory", work / "output", env, args.workers)
            lab_cpu = lab_cpu_seconds(info.pid) - lab0
            seq = (
                run_sequential(info.devices, args.sequential, info.username, info.password) if args.sequential else None
            )
        finally:
            control.stop(work / "lab")

    n = args.devices
    report: dict[str, Any] = {
        "devices": n,
        "latency_ms": args.latency_ms,
        "workers": args.workers or "default",
        "cpus": os.cpu_count(),
        "audit": {
            "exit_code": audit["exit_code"],
            "errors": audit["errors"],
            "wall_s": round(audit["wall_s"], 2),
            "devices_per_s": round(n / audit["wall_s"], 1),
            "client_cpu_ms_per_device": round(1000 * audit["client_cpu_s"] / n, 1),
            "lab_cpu_ms_per_device": round(1000 * lab_cpu / n, 1),
        },
    }
    print(f"estate audit: {n} devices at {args.latency_ms} ms per reply, workers {report['workers']}")
    a = report["audit"]
    print(f"  wall {a['wall_s']} s (process start included) -> {a['devices_per_s']} devices/s")
    print(f"  client CPU {a['client_cpu_ms_per_device']} ms/device, lab CPU {a['lab_cpu_ms_per_device']} ms/device")
    print(f"  exit code {a['exit_code']}, {a['errors']} devices in ERROR")
    if audit["errors"] or audit["exit_code"] not in (0, 1, 2):
        print(audit["stderr"][-2000:])
    if seq:
        per = seq["wall_s"] / seq["devices"]
        report["sequential_netmiko"] = {
            "devices": seq["devices"],
            "wall_s": round(seq["wall_s"], 2),
            "s_per_device": round(per, 3),
            "devices_per_s": round(1 / per, 2),
            "client_cpu_ms_per_device": round(1000 * seq["client_cpu_s"] / seq["devices"], 1),
            "estimated_wall_for_all_s": round(per * n, 1),
        }
        s = report["sequential_netmiko"]
        print(f"plain netmiko loop (defaults, sequential) over {s['devices']} of the devices:")
        estimate = s["estimated_wall_for_all_s"]
        print(f"  {s['s_per_device']} s/device -> {s['devices_per_s']} devices/s; all {n} would take ~{estimate} s")
        print(f"  speed-up of the audit: x{round(a['devices_per_s'] / s['devices_per_s'], 1)}")
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    (results / f"audit-{n}x{args.latency_ms}ms-{stamp}.json").write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
