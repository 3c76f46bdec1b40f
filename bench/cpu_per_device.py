"""Client CPU per device, per platform: `estate audit` over N lab devices of one platform at a time.

    .venv/bin/python bench/cpu_per_device.py [--devices 100] [--latency-ms 200] [--workers 20]
                                            [--platform cisco_ios ...] [--repeat 1] [--profile]

For each platform a lab of N devices of that platform (every reply waits --latency-ms) is started, `estate audit`
runs over them as a separate process with a fixed worker count, and the client's CPU (user + sys of that process,
all its threads) is divided by N. Interpreter start, imports and report writing are included, the same for every
platform and before/after a change. The numbers go to bench/results/cpu-per-device-<stamp>.json (git-ignored).

`--profile` runs the audit under cProfile instead (one profile per thread, timed by thread CPU time, merged) and
writes bench/results/cpu-<platform>.prof; its CPU figure then includes the profiler's own overhead.
"""

from __future__ import annotations

import argparse
import importlib
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lab import control  # noqa: E402
from lab.estates.multivendor import optics_for  # noqa: E402

PLATFORMS = ("paloalto_panos", "fortinet", "cisco_ios", "cisco_nxos", "arista_eos", "juniper_junos")
# The demo's targets (Makefile DEMO_TARGETS): the audit judges against a release, as a customer's run does.
TARGETS = {
    "paloalto_panos": "10.2.4-h4",
    "fortinet": "7.4.8",
    "cisco_ios": "17.12.4",
    "cisco_nxos": "10.4(5)",
    "arista_eos": "4.31.2F",
    "juniper_junos": "23.2R1.13",
}
RESULTS = ROOT / "bench" / "results"

# Run in the audit's process with --profile: a cProfile per thread (thread CPU time), merged at exit.
PROFILE_CHILD = """
import atexit, cProfile, pstats, runpy, sys, threading, time
out = sys.argv.pop(1)
profiles = []
def profiled(run):
    def wrapper(self):
        profile = cProfile.Profile(time.thread_time)
        profiles.append(profile)
        profile.runcall(run, self)
    return wrapper
threading.Thread.run = profiled(threading.Thread.run)
main = cProfile.Profile(time.thread_time)
profiles.append(main)
def dump():
    main.disable()
    stats = pstats.Stats(profiles[0])
    for profile in profiles[1:]:
        stats.add(profile)
    stats.dump_stats(out)
atexit.register(dump)
sys.argv[0] = "workflows"
main.enable()
runpy.run_module("workflows", run_name="__main__", alter_sys=True)
"""


def device(platform: str, index: int, latency_ms: int, rng: random.Random) -> dict[str, Any]:
    """One lab device of `platform` (its first demo model with optic cages), one in eight with third-party optics."""
    module = importlib.import_module(f"lab.personalities.{platform}")
    optics: list[dict[str, str]] = []
    model = ""
    for model in sorted(module.DEMO_MODELS):
        optics = optics_for(rng, platform, model, third_party=index % 8 == 0)
        if optics:
            break
    return {
        "name": f"{platform.replace('_', '-')}-{index:04d}",
        "platform": platform,
        "model": model,
        "version": module.DEMO_VERSIONS[0],
        "optics": optics,
        "latency_ms": latency_ms,
    }


def make_estate(platform: str, n: int, latency_ms: int, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    devices = [device(platform, i, latency_ms, rng) for i in range(n)]
    return {"customers": {"bench": {"sites": {"site0": {"devices": devices}}}}}


def audit_command(inventory: Path, out: Path, platform: str, workers: int, profile: Path | None) -> list[str]:
    args = ["audit", "--inventory", str(inventory), "--out", str(out), "--workers", str(workers)]
    args += ["--target", f"{platform}={TARGETS[platform]}"]
    if profile is None:
        return [sys.executable, "-m", "workflows", *args]
    return [sys.executable, "-c", PROFILE_CHILD, str(profile), *args]


def run_audit(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run the audit process; its CPU (user + sys, from the children's rusage), wall time and ERROR hosts."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
    lines = proc.stdout.strip().splitlines()
    run_dir = Path(lines[-1].split("run folder: ")[-1]) if lines and "run folder: " in lines[-1] else None
    hosts = json.loads((run_dir / "results.json").read_text())["hosts"] if run_dir else {}
    return {
        "exit_code": proc.returncode,
        "wall_s": wall,
        "user_s": user,
        "sys_s": system,
        "hosts": len(hosts),
        "errors": sum(1 for h in hosts.values() if h["status"] == "error"),
        "stderr": proc.stderr[-2000:],
    }


def measure(platform: str, n: int, latency_ms: int, workers: int, repeat: int, profile: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="estate-cpu-") as tmp:
        work = Path(tmp)
        estate = work / "estate.yaml"
        estate.write_text(yaml.safe_dump(make_estate(platform, n, latency_ms), sort_keys=False))
        info = control.start(estate, work / "lab", inventory_out=work / "inventory", max_runtime=1800)
        try:
            env = dict(os.environ, ESTATE_USERNAME=info.username, ESTATE_PASSWORD=info.password)
            env.pop("CI_NODE_INDEX", None)
            env.pop("CI_NODE_TOTAL", None)
            prof = RESULTS / f"cpu-{platform}.prof" if profile else None
            runs = []
            for _ in range(1 if profile else repeat):
                cmd = audit_command(work / "inventory", work / "output", platform, workers, prof)
                runs.append(run_audit(cmd, env))
        finally:
            control.stop(work / "lab")
    per_device = sorted(1000 * (r["user_s"] + r["sys_s"]) / n for r in runs)
    return {
        "platform": platform,
        "devices": n,
        "cpu_ms_per_device": round(per_device[len(per_device) // 2], 1),
        "cpu_ms_per_device_runs": [round(v, 1) for v in per_device],
        "runs": [{k: round(v, 3) if isinstance(v, float) else v for k, v in r.items() if k != "stderr"} for r in runs],
        "stderr": runs[-1]["stderr"] if runs[-1]["errors"] or runs[-1]["exit_code"] not in (0, 1, 2) else "",
        "profile": str(prof) if profile else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--workers", type=int, default=20)
    parser.add_argument("--platform", action="append", choices=PLATFORMS, help="repeatable (default: all six)")
    parser.add_argument("--repeat", type=int, default=1, help="audit runs per platform (the median is reported)")
    parser.add_argument("--profile", action="store_true", help="write a cProfile of the client per platform")
    parser.add_argument("--label", default="", help="a name for this measurement (e.g. before, after)")
    args = parser.parse_args()

    RESULTS.mkdir(parents=True, exist_ok=True)
    rows = []
    for platform in args.platform or PLATFORMS:
        row = measure(platform, args.devices, args.latency_ms, args.workers, args.repeat, args.profile)
        rows.append(row)
        last = row["runs"][-1]
        print(
            f"{platform:15} {row['cpu_ms_per_device']:6.1f} ms CPU/device  runs {row['cpu_ms_per_device_runs']}"
            f"  wall {last['wall_s']:.1f} s  hosts {last['hosts']}  errors {last['errors']}  exit {last['exit_code']}",
            flush=True,
        )
        if row["stderr"]:
            print(row["stderr"])
    report = {
        "label": args.label,
        "devices": args.devices,
        "latency_ms": args.latency_ms,
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "profile": args.profile,
        "platforms": rows,
    }
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    name = f"cpu-per-device-{args.label + '-' if args.label else ''}{stamp}.json"
    (RESULTS / name).write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
