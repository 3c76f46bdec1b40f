"""Benchmark: `estate audit` against plain Nornir + nornir-netmiko and a sequential netmiko loop, in one run.

    .venv/bin/python bench/bench_audit.py --devices 1000 --latency-ms 200 [--workers W] [--lab-processes K]
        [--nornir-devices M] [--sequential 3] [--skip-nornir] [--skip-sequential]

Generates an estate of N PAN-OS lab firewalls whose every reply waits the given latency, serves it from K lab
processes (each a slice of the estate; their inventories merged into one folder), then measures, each as its
own process: `estate audit --target 10.2.4-h4` with the project's defaults; plain Nornir + nornir-netmiko with
their defaults (threaded runner, 20 workers, `netmiko_send_command` for the audit's PAN-OS commands,
`nr.close_connections()` at the end; over M of the devices if --nornir-devices); and a sequential netmiko loop
over a few devices, extrapolated to N. For each: wall s, devices/s, client CPU ms per device, lab CPU ms per
device, peak RSS of the client (its own, through /usr/bin/time or a small wrapper), and the ratios.
Results are also written as JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import compileall
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lab import control  # noqa: E402
from lab.state import LabInfo  # noqa: E402
from tasks.oslimits import raise_open_files_limit  # noqa: E402
from tasks.platforms.paloalto_panos.commands import COMMANDS as PANOS_COMMANDS  # noqa: E402

# Models and their first SFP+ cage in the lab's port layouts.
MODELS = {"PA-3220": 17, "PA-5220": 5, "PA-850": 13, "PA-1410": 9}
VERSIONS = ["9.1.14", "9.1.17", "10.1.9", "10.1.14-h13"]
OEM_PARTS = [("10GBASE-SR", "PAN-SFP-PLUS-SR"), ("10GBASE-LR", "PAN-SFP-PLUS-LR")]
THIRD_PARTY = [("10GBASE-SR", "FINISAR CORP.", "FTLX8571D3BCL"), ("10GBASE-LR", "FS", "SFP-10GLR-31")]
# What `estate audit` sends to a PAN-OS device (the HA state is read from the prompt).
COMMANDS = [PANOS_COMMANDS["facts"], PANOS_COMMANDS["transceivers"]]
DEVICES_PER_LAB = 5_000  # default --lab-processes: one lab process per this many devices
LAB_MAX_RUNTIME_S = 4 * 3600


def make_estate(n: int, latency_ms: int, seed: int = 7, slice_index: int = 0, slices: int = 1) -> dict[str, Any]:
    """N PAN-OS firewalls over 4 customers x 2 sites, two optics each, one in eight with a third-party optic.

    With `slices` > 1, only the devices of slice `slice_index` (index modulo `slices`): one estate over labs.
    """
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
        if i % slices != slice_index:
            continue
        sites = customers.setdefault(customer, {"sites": {}})["sites"]
        sites.setdefault(site, {"devices": []})["devices"].append(device)
    return {"customers": customers}


def lab_cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


@dataclass(frozen=True)
class Measured:
    """One client process: its wall time, its own CPU and peak RSS, the labs' CPU meanwhile, and the peak memory
    of its whole process tree (its worker processes and the workbook's child with it)."""

    exit_code: int
    wall_s: float
    cpu_s: float
    max_rss_mb: float
    lab_cpu_s: float
    stdout: str
    stderr: str
    tree_pss_mb: float = float("nan")
    tree_rss_mb: float = float("nan")


# How often the process tree's memory is read while the client runs: each read of a process's smaps_rollup costs
# the kernel a walk of its page tables (~4 ms of CPU for 200 MB), taken from the cores the client is measured on.
TREE_SAMPLE_S = 1.0


def _children(pid: int) -> list[int]:
    """The child processes of `pid`, from each of its threads' /proc children list (empty once it has ended)."""
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids += [int(child) for child in (task / "children").read_text().split()]
        except OSError:  # ended meanwhile
            continue
    return kids


def tree_memory_kib(root: int) -> tuple[int, int]:
    """(PSS, RSS) in KiB summed over `root` and its descendants, from /proc/PID/smaps_rollup. PSS shares each page
    among the processes that map it (a forked worker's pages shared with its parent count once in all); the sum
    of RSS counts them in each."""
    todo, pss, rss = [root], 0, 0
    while todo:
        pid = todo.pop()
        todo += _children(pid)
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
        except (OSError, ValueError):  # ended meanwhile
            continue
    return pss, rss


class TreePeak(threading.Thread):
    """The peak (PSS, RSS) of a process tree, read every TREE_SAMPLE_S until `stop()`."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root, self.pss, self.rss = root, 0, 0
        self._stop_event = threading.Event()
        self.start()

    def run(self) -> None:
        while not self._stop_event.wait(TREE_SAMPLE_S):
            pss, rss = tree_memory_kib(self.root)
            self.pss, self.rss = max(self.pss, pss), max(self.rss, rss)

    def stop(self) -> tuple[float, float]:
        self._stop_event.set()
        self.join()
        return self.pss / 1024, self.rss / 1024


GNU_TIME = Path("/usr/bin/time")
# Fallback when GNU time is absent: run the command, print its own peak RSS (KiB) to the file in argv[1].
PY_TIME = (
    "import os, subprocess, sys; p = subprocess.Popen(sys.argv[2:]); _, status, usage = os.wait4(p.pid, 0); "
    "open(sys.argv[1], 'w').write(str(usage.ru_maxrss)); sys.exit(os.waitstatus_to_exitcode(status))"
)


def timed(cmd: list[str], rss_file: Path) -> list[str]:
    """`cmd` under a small wrapper that writes the command's own peak RSS (KiB) to `rss_file`.

    A child's ru_maxrss starts from the RSS of the process it was forked from (Linux keeps the high-water mark
    across exec), so measured straight from this (large) process it would never read lower than this process.
    """
    if GNU_TIME.exists():
        return [str(GNU_TIME), "-f", "%M", "-o", str(rss_file), *cmd]
    return [sys.executable, "-c", PY_TIME, str(rss_file), *cmd]


def measure(cmd: list[str], cwd: Path, env: dict[str, str], lab_pids: list[int], logs: Path) -> Measured:
    """Run `cmd` to its end: wall time, its CPU (os.wait4: this child's own rusage), its peak RSS (the wrapper)."""
    logs.mkdir(parents=True, exist_ok=True)
    out, err, rss = logs / "stdout.txt", logs / "stderr.txt", logs / "maxrss.txt"
    lab0 = lab_cpu_seconds(lab_pids)
    start = time.perf_counter()
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        proc = subprocess.Popen(
            timed(cmd, rss), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr
        )
        peak = TreePeak(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    tree_pss, tree_rss = peak.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: tell Popen
    text = rss.read_text().strip().splitlines() if rss.exists() else []
    return Measured(
        exit_code=proc.returncode,
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,  # the wrapper's own few ms included
        max_rss_mb=int(text[-1]) / 1024 if text and text[-1].isdigit() else float("nan"),  # KiB on Linux
        lab_cpu_s=lab_cpu_seconds(lab_pids) - lab0,
        stdout=out.read_text(errors="replace"),
        stderr=err.read_text(errors="replace"),
        tree_pss_mb=tree_pss,
        tree_rss_mb=tree_rss,
    )


# estate's own packages (installed editable): measured as a user's second run finds them, with their bytecode, which
# `make install` writes too. Under PYTHONDONTWRITEBYTECODE (some CI images) nothing else would, and every run would
# compile ~90 modules from source before its first connection.
PACKAGES = ("tasks", "workflows", "reports", "lab")


def compile_packages() -> None:
    for package in PACKAGES:
        if not compileall.compile_dir(ROOT / package, quiet=1, workers=0):
            raise SystemExit(f"{package}: does not compile")


def start_labs(work: Path, n: int, latency_ms: int, count: int) -> list[LabInfo]:
    """Start `count` lab processes, each serving one slice of the estate from its own estate file and state dir."""
    labs: list[LabInfo] = []
    try:
        for k in range(count):
            estate = work / f"estate-{k}.yaml"
            estate.write_text(yaml.safe_dump(make_estate(n, latency_ms, slice_index=k, slices=count), sort_keys=False))
            labs.append(
                control.start(
                    estate, work / f"lab-{k}", inventory_out=work / f"inventory-{k}", max_runtime=LAB_MAX_RUNTIME_S
                )
            )
    except BaseException:
        stop_labs(work, count)
        raise
    if len({(lab.username, lab.password) for lab in labs}) != 1:
        stop_labs(work, count)
        raise SystemExit("the lab processes disagree on the credentials")
    return labs


def stop_labs(work: Path, count: int) -> None:
    for k in range(count):
        control.stop(work / f"lab-{k}")


def _merge_yaml(target: Path, source: Path) -> None:
    data = yaml.safe_load(target.read_text()) if target.exists() else {}
    data = {**(data or {}), **(yaml.safe_load(source.read_text()) or {})}
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(data, sort_keys=False, default_flow_style=False))


def merge_inventories(folders: list[Path], out: Path) -> None:
    """One estate inventory folder from the labs' folders: every YAML file at the same relative path merged."""
    for folder in folders:
        for source in sorted(folder.rglob("*.yaml")):
            _merge_yaml(out / source.relative_to(folder), source)


def write_simple_hosts(path: Path, devices: dict[str, int], limit: int | None) -> int:
    """A Nornir SimpleInventory hosts.yaml of the first `limit` devices (by name); how many it holds."""
    names = sorted(devices)[:limit] if limit else sorted(devices)
    hosts = {name: {"hostname": "127.0.0.1", "port": devices[name], "platform": "paloalto_panos"} for name in names}
    path.write_text(yaml.safe_dump(hosts, sort_keys=False))
    return len(names)


def audit_errors(stdout: str) -> int | None:
    """Devices in ERROR in the run's results.json (None if the run folder is not found)."""
    lines = stdout.strip().splitlines()
    if not lines or "run folder: " not in lines[-1]:
        return None
    results = Path(lines[-1].split("run folder: ")[-1]) / "results.json"
    if not results.exists():
        return None
    hosts = json.loads(results.read_text())["hosts"]
    return sum(1 for h in hosts.values() if h["status"] == "error")


def client_failed(stdout: str) -> int | None:
    lines = stdout.strip().splitlines()
    try:
        return int(json.loads(lines[-1])["failed"]) if lines else None
    except (ValueError, KeyError):
        return None


def figures(m: Measured, devices: int) -> dict[str, Any]:
    return {
        "devices": devices,
        "exit_code": m.exit_code,
        "wall_s": round(m.wall_s, 2),
        "devices_per_s": round(devices / m.wall_s, 2),
        "client_cpu_ms_per_device": round(1000 * m.cpu_s / devices, 1),
        "lab_cpu_ms_per_device": round(1000 * m.lab_cpu_s / devices, 1),
        "peak_rss_mb": round(m.max_rss_mb, 1),
        "peak_tree_pss_mb": round(m.tree_pss_mb, 1),
        "peak_tree_rss_mb": round(m.tree_rss_mb, 1),
    }


def ratios(estate: dict[str, Any], other: dict[str, Any]) -> dict[str, float | None]:
    def ratio(key: str) -> float | None:
        return round(estate[key] / other[key], 2) if other[key] else None

    return {
        "devices_per_s": ratio("devices_per_s"),
        "client_cpu_ms_per_device": ratio("client_cpu_ms_per_device"),
        "lab_cpu_ms_per_device": ratio("lab_cpu_ms_per_device"),
        "peak_rss_mb": ratio("peak_rss_mb"),
    }


def print_report(report: dict[str, Any]) -> None:
    n = report["devices"]
    print(
        f"{n} PAN-OS lab devices at {report['latency_ms']} ms per reply; {report['lab_processes']} lab process(es); "
        f"open-file limit {report['fd_limit']}; {report['cpus']} CPUs"
    )
    header = f"{'client':<38} {'devices':>8} {'wall s':>9} {'dev/s':>8} {'client CPU ms/dev':>18} "
    header += f"{'lab CPU ms/dev':>15} {'peak RSS MB':>12} {'tree PSS MB':>12} {'failed':>7}"
    print(header)
    for key, label in (
        ("estate", f"estate audit (workers {report['workers']})"),
        ("nornir", "nornir + nornir-netmiko (20 workers)"),
        ("sequential", "netmiko sequential loop"),
    ):
        row = report.get(key)
        if row is None:
            continue
        print(
            f"{label:<38} {row['devices']:>8} {row['wall_s']:>9} {row['devices_per_s']:>8} "
            f"{row['client_cpu_ms_per_device']:>18} {row['lab_cpu_ms_per_device']:>15} {row['peak_rss_mb']:>12} "
            f"{row['peak_tree_pss_mb']:>12} {'?' if row['failed'] is None else row['failed']:>7}"
        )
    if "sequential" in report:
        print(
            f"  sequential loop extrapolated to all {n} devices: ~{report['sequential']['estimated_wall_for_all_s']} s"
        )
    if "nornir" in report and report["nornir"]["devices"] != n:
        print(f"  nornir ran over {report['nornir']['devices']} of the {n} devices (--nornir-devices); rates compared")
    for key in ("nornir", "sequential"):
        if f"estate_vs_{key}" in report:
            r = report[f"estate_vs_{key}"]
            print(
                f"estate / {key}: devices/s x{r['devices_per_s']}, "
                f"client CPU per device x{r['client_cpu_ms_per_device']}, "
                f"lab CPU per device x{r['lab_cpu_ms_per_device']}, peak RSS x{r['peak_rss_mb']}"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--workers", type=int, help="override estate's default worker count")
    parser.add_argument("--lab-processes", type=int, help=f"default: one per {DEVICES_PER_LAB} devices")
    parser.add_argument("--nornir-devices", type=int, help="run the Nornir client over only this many devices")
    parser.add_argument("--sequential", type=int, default=3, help="devices timed in the sequential netmiko loop")
    parser.add_argument("--skip-nornir", action="store_true")
    parser.add_argument("--skip-sequential", action="store_true")
    args = parser.parse_args()
    n = args.devices
    lab_count = args.lab_processes or max(1, math.ceil(n / DEVICES_PER_LAB))
    fd_limit = raise_open_files_limit()
    report: dict[str, Any] = {
        "devices": n,
        "latency_ms": args.latency_ms,
        "workers": args.workers or "default",
        "lab_processes": lab_count,
        "fd_limit": fd_limit,
        "cpus": os.cpu_count(),
        "commands": COMMANDS,
    }
    compile_packages()
    command_args = [arg for command in COMMANDS for arg in ("--command", command)]
    clients = Path(__file__).resolve().parent / "clients.py"

    with tempfile.TemporaryDirectory(prefix="estate-bench-") as tmp:
        work = Path(tmp)
        labs = start_labs(work, n, args.latency_ms, lab_count)
        try:
            pids = [lab.pid for lab in labs]
            devices = {name: port for lab in labs for name, port in lab.devices.items()}
            merge_inventories([work / f"inventory-{k}" for k in range(lab_count)], work / "inventory")
            env = dict(os.environ, ESTATE_USERNAME=labs[0].username, ESTATE_PASSWORD=labs[0].password)
            env.pop("CI_NODE_INDEX", None)
            env.pop("CI_NODE_TOTAL", None)

            cmd = [sys.executable, "-m", "workflows", "audit", "--inventory", str(work / "inventory")]
            cmd += ["--out", str(work / "output"), "--target", "10.2.4-h4"]
            if args.workers:
                cmd += ["--workers", str(args.workers)]
            audit = measure(cmd, ROOT, env, pids, work / "logs-estate")
            report["estate"] = dict(figures(audit, n), failed=audit_errors(audit.stdout))
            if report["estate"]["failed"] is None or audit.exit_code not in (0, 1, 2):
                print(audit.stderr[-2000:], file=sys.stderr)

            if not args.skip_nornir:
                count = write_simple_hosts(work / "nornir-hosts.yaml", devices, args.nornir_devices)
                cmd = [sys.executable, str(clients), "nornir", str(work / "nornir-hosts.yaml"), *command_args]
                nornir = measure(cmd, work, env, pids, work / "logs-nornir")
                report["nornir"] = dict(figures(nornir, count), failed=client_failed(nornir.stdout))
                if nornir.exit_code:
                    print(nornir.stderr[-2000:], file=sys.stderr)

            if not args.skip_sequential and args.sequential > 0:
                count = write_simple_hosts(work / "sequential-hosts.yaml", devices, args.sequential)
                cmd = [sys.executable, str(clients), "sequential", str(work / "sequential-hosts.yaml")]
                cmd += ["--count", str(count), *command_args]
                seq = measure(cmd, work, env, pids, work / "logs-sequential")
                row = dict(figures(seq, count), failed=client_failed(seq.stdout))
                row["estimated_wall_for_all_s"] = round(seq.wall_s / count * n, 1)
                report["sequential"] = row
                if seq.exit_code:
                    print(seq.stderr[-2000:], file=sys.stderr)
        finally:
            stop_labs(work, lab_count)

    for key in ("nornir", "sequential"):
        if key in report:
            report[f"estate_vs_{key}"] = ratios(report["estate"], report[key])
    print_report(report)
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out = results / f"audit-{n}x{args.latency_ms}ms-{stamp}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"results: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
