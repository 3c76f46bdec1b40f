"""`make replay` / `make replay-unsafe`: the story end to end on the lab's demo estate, through the CLI.

    .venv/bin/python scripts/replay.py [--unsafe] [--max-per-site N] [--customer NAME] [--reboot-s S]

`make replay`: start the lab on a copy of lab/estates/demo.yaml whose reboots are short (`defaults: reboot_s`,
the devices and their optics unchanged), then `estate pre-upgrade` → `estate upgrade --execute` →
`estate post-upgrade` against 10.2.4-h4 on the PAN-OS firewalls (`--filter platform=paloalto_panos`) of
`CUSTOMERS` (every customer by default; `--customer NAME` for one),
and print the devices on the target, the devices held back (named, with their third-party optics) and the
devices boot-looped (`estate lab status --json`). Exit 1 when a device boot-looped or a GO device missed the
target, 3 when the lab could not be started (e.g. one is already running: `make lab-down`).

`make replay-unsafe`: the same lab and pre-upgrade, then `estate upgrade --execute --force` on the devices held
back for their optics only (`--limit` each by name): they boot-loop, as the story's firewall did. The runner
still stops a site after its first failed device, so a site's other held-back devices are taken in the next
round. The lab's status shows them boot-looped; `estate lab ctl replace-optics` then restores each and the status
shows them up again. Exit 1 when a forced device did not boot-loop or did not come back.

The lab is stopped at the end whatever happens (only the lab this script started). The run folders stay under
`--out` (default output/replay-<UTC time>/).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
ESTATE = ROOT / ".venv" / "bin" / "estate"
DEMO = ROOT / "lab" / "estates" / "demo.yaml"
LAB_INVENTORY = ROOT / ".lab" / "inventory"
CREDENTIALS = ROOT / ".lab" / "credentials.env"
TARGET = "10.2.4-h4"
PLATFORM = "paloalto_panos"
# The default scope: every customer of the demo estate (measured: about 4 minutes on a 2-core machine; the HA
# members of a site go one at a time, so the sites with the longest HA chains, 24 hops in a row, set the time).
CUSTOMERS = ("all",)
BOOT_LOOP = "boot-loop"
RUN_FOLDER = re.compile(r"^run folder: (.+)$", re.MULTILINE)
OPTICS_CHECK = "known_issue"
FINDINGS_OK = (0, 1, 2)  # estate: 0 clean, 1 some FAIL, 2 some device not checked; 3 and 4 stop the replay


class ReplayError(Exception):
    """A step of the replay could not run (its command's exit code or output was not what a run gives)."""


def select(names: Sequence[str]) -> list[str]:
    """The selection flags of every run: the customers, the PAN-OS firewalls, the lab's inventory."""
    chosen = [word for name in names for word in ("--customer", name)]
    return [*chosen, "--filter", f"platform={PLATFORM}", "--inventory", str(LAB_INVENTORY)]


def fast_estate(source: Path, reboot_s: float, folder: Path) -> Path:
    """A copy of the estate file `source` whose devices reboot in `reboot_s` seconds (`defaults: reboot_s`);
    devices that set their own `reboot_s` keep it. Nothing else changes."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["defaults"] = {**(data.get("defaults") or {}), "reboot_s": reboot_s}
    path = folder / source.name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def lab_env(base: dict[str, str], settings: dict[str, str]) -> dict[str, str]:
    """`base` with the lab's credentials (.lab/credentials.env: `export KEY=VALUE` lines) and `settings`."""
    env = dict(base)
    for line in CREDENTIALS.read_text(encoding="utf-8").splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        if key.strip():
            env[key.strip()] = value.strip()
    return {**env, **settings}


def estate(args: Sequence[str], env: dict[str, str] | None = None, ok: Iterable[int] = (0,)) -> str:
    """Run `estate ARGS` as a user would (its terminal output shown); its stdout. ReplayError on another code."""
    print(f"$ estate {' '.join(args)}", flush=True)
    started = time.monotonic()
    proc = subprocess.run([str(ESTATE), *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    print(f"  (exit {proc.returncode}, {time.monotonic() - started:.0f} s)", flush=True)
    if proc.returncode not in tuple(ok):
        raise ReplayError(f"estate {args[0]}: exit code {proc.returncode}")
    return proc.stdout


def run_folder(stdout: str) -> Path:
    """The run folder a run names on its last lines."""
    found = RUN_FOLDER.findall(stdout)
    if not found:
        raise ReplayError("the run did not name its run folder")
    return Path(found[-1].strip())


def hosts(run_dir: Path) -> dict[str, dict[str, Any]]:
    """The hosts of a run folder's results.json."""
    data = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    return dict(data["hosts"])


def held_back_optics(pre: dict[str, dict[str, Any]], upgrade: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """{device: its third-party optics that block the target} for the devices the upgrade skipped as NO-GO
    with a known-issue FAIL (the story's optics), in name order."""
    held: dict[str, list[str]] = {}
    for name, host in sorted(upgrade.items()):
        status = (host.get("upgrade") or {}).get("status")
        blocked = any(f["check"] == OPTICS_CHECK and f["verdict"] == "FAIL" for f in pre[name]["findings"])
        if status == "SKIPPED" and blocked:
            optics = [o for o in pre[name].get("transceivers") or [] if not o["oem"] and o["verdict"] == "FAIL"]
            held[name] = [f"{o['port']} {o['vendor']} {o['part']}" for o in optics]
    return held


def lab_status(env: dict[str, str]) -> dict[str, dict[str, Any]]:
    """{device: its lab status} from `estate lab status --json`."""
    proc = subprocess.run(
        [str(ESTATE), "lab", "status", "--json"], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise ReplayError(f"estate lab status --json: exit code {proc.returncode}: {proc.stderr.strip()}")
    return {str(device["name"]): device for device in json.loads(proc.stdout)}


def boot_looped(status: dict[str, dict[str, Any]]) -> list[str]:
    return sorted(name for name, device in status.items() if device.get("state") == BOOT_LOOP)


def describe(name: str, pre: dict[str, dict[str, Any]]) -> str:
    host = pre[name]
    facts = host.get("facts") or {}
    return f"{name} ({host['customer']}/{host['site']}, {facts.get('model')} on {facts.get('version')})"


def _counts(verdicts: Counter[str]) -> str:
    return "  ".join(f"{verdict} {count}" for verdict, count in sorted(verdicts.items())) or "none"


def replay(args: argparse.Namespace, env: dict[str, str], out: Path) -> int:
    """pre-upgrade → upgrade --execute → post-upgrade, then the three figures. 0, or 1 when a device
    boot-looped or a GO device missed the target."""
    selection = [*select(args.customer), "--out", str(out)]
    pre_dir = run_folder(estate(["pre-upgrade", *selection, "--target", TARGET], env, FINDINGS_OK))
    upgrade_args = ["upgrade", "--execute", "--from-run", str(pre_dir), "--max-per-site", str(args.max_per_site)]
    upgrade_dir = run_folder(estate([*upgrade_args, *selection, "--target", TARGET], env, FINDINGS_OK))
    post_args = ["post-upgrade", "--baseline", str(pre_dir), *selection]
    post_dir = run_folder(estate(post_args, env, FINDINGS_OK))
    pre, upgraded, post = hosts(pre_dir), hosts(upgrade_dir), hosts(post_dir)
    on_target = sorted(n for n, h in post.items() if (h.get("facts") or {}).get("version") == TARGET)
    go = sorted(n for n, h in upgraded.items() if (h.get("upgrade") or {}).get("status") not in (None, "SKIPPED"))
    missed = [name for name in go if name not in on_target]
    held = held_back_optics(pre, upgraded)
    reasons = {n: str((h.get("upgrade") or {}).get("reason") or h.get("error")) for n, h in upgraded.items()}
    others = sorted(n for n, why in reasons.items() if n not in held and why.startswith("NO-GO"))
    looped = boot_looped(lab_status(env))
    print(f"\nreplay against {TARGET} ({len(upgraded)} PAN-OS devices; run folders in {out}/):")
    print(f"devices on target: {len(on_target)} (upgraded by this run: {len(go) - len(missed)} of {len(go)} GO)")
    print(f"devices held back for their optics: {len(held)}")
    for name, optics in held.items():
        print(f"  {describe(name, pre)}: {', '.join(optics)}")
    print(f"devices held back for other reasons: {len(others)}")
    for name in others:
        print(f"  {name}: {reasons[name]}")
    print(f"devices boot-looped: {len(looped)}{': ' + ', '.join(looped) if looped else ''}")
    walked = Counter(str(host.get("verdict")) for name, host in post.items() if name in go)
    rest = Counter(str(host.get("verdict")) for name, host in post.items() if name not in go)
    print(f"post-upgrade ({post_dir.name}) of the {len(go)} upgraded: " + _counts(walked))
    print(f"  and of the {sum(rest.values())} held back (not on {TARGET}, so FAIL): " + _counts(rest))
    if missed:
        print(f"GO devices that missed {TARGET}: {len(missed)}: {', '.join(missed)} (see {upgrade_dir})")
    return 1 if looped or missed else 0


def force_round(names: Sequence[str], pre_dir: Path, env: dict[str, str], out: Path) -> dict[str, str]:
    """`estate upgrade --execute --force` on `names` only; {device: its upgrade status}."""
    limits = [word for name in names for word in ("--limit", name)]
    args = ["upgrade", "--execute", "--force", "--from-run", str(pre_dir), "--max-per-site", str(len(names))]
    selection = [*select(["all"]), "--target", TARGET, "--out", str(out)]
    run_dir = run_folder(estate([*args, *limits, *selection], env, FINDINGS_OK))
    return {name: str((host.get("upgrade") or {}).get("status")) for name, host in hosts(run_dir).items()}


def wait_up(names: Sequence[str], env: dict[str, str], bound_s: float) -> dict[str, str]:
    """{device: its lab state} once every one of `names` is up, or at `bound_s`."""
    deadline = time.monotonic() + bound_s
    while True:
        states = {name: str(lab_status(env)[name].get("state")) for name in names}
        if all(state == "up" for state in states.values()) or time.monotonic() >= deadline:
            return states
        time.sleep(0.5)


def unsafe(args: argparse.Namespace, env: dict[str, str], out: Path) -> int:
    """--force on the devices held back for their optics: they boot-loop; replace-optics brings them back.
    0, or 1 when a forced device did not boot-loop or did not come back up."""
    selection = [*select(args.customer), "--out", str(out), "--target", TARGET]
    pre_dir = run_folder(estate(["pre-upgrade", *selection], env, FINDINGS_OK))
    dry = run_folder(estate(["upgrade", "--from-run", str(pre_dir), *selection], env))
    pre = hosts(pre_dir)
    held = held_back_optics(pre, hosts(dry))
    print(f"\nheld back for their optics: {len(held)}; now forced, one round per HA turn of their sites")
    remaining = list(held)
    for _ in range(args.rounds):
        if not remaining:
            break
        statuses = force_round(remaining, pre_dir, env, out)
        remaining = [name for name in remaining if statuses.get(name) == "NOT REACHED"]
    looped = boot_looped(lab_status(env))
    print(f"\n`estate lab status`: devices boot-looped: {len(looped)} of {len(held)} forced")
    for name in held:
        print(
            f"  {describe(name, pre)}: {'boot-loop' if name in looped else 'NOT boot-looped'}: {', '.join(held[name])}"
        )
    for name in looped:
        estate(["lab", "ctl", "replace-optics", name], env)
    states = wait_up(looped, env, bound_s=30 + 4 * args.reboot_s)
    up = sorted(name for name, state in states.items() if state == "up")
    print(f"\nafter `estate lab ctl replace-optics`: {len(up)} of {len(looped)} up again")
    for name, state in sorted(states.items()):
        print(f"  {name}: {state}, running {lab_status(env)[name].get('version')}")
    return 0 if len(looped) == len(held) and len(up) == len(looped) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unsafe", action="store_true", help="--force the held-back devices (they boot-loop)")
    parser.add_argument(
        "--customer", action="append", default=None, help="a customer to replay (repeatable; default: all)"
    )
    parser.add_argument("--max-per-site", type=int, default=4, help="devices of a site at once (default 4)")
    parser.add_argument("--reboot-s", type=float, default=1.0, help="seconds a lab reboot keeps a device away")
    parser.add_argument("--poll-s", type=float, default=0.2, help="ESTATE_UPGRADE_POLL_S for the run")
    parser.add_argument("--rounds", type=int, default=8, help="replay-unsafe: forced upgrade rounds at most")
    parser.add_argument("--estate", type=Path, default=DEMO)
    parser.add_argument("--out", type=Path, default=None, help="default: output/replay-<UTC time>")
    args = parser.parse_args(argv)
    args.customer = args.customer or list(CUSTOMERS)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = (args.out or ROOT / "output" / f"replay-{stamp}").resolve()
    settings = {
        "ESTATE_UPGRADE_POLL_S": str(args.poll_s),
        "ESTATE_UPGRADE_JOB_TIMEOUT_S": "60",
        # a boot-looped device never comes back: the forced run learns it at this bound
        "ESTATE_UPGRADE_REBOOT_TIMEOUT_S": str(max(20.0, 10 * args.reboot_s)),
    }
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="estate-replay-") as folder:
        estate_file = fast_estate(args.estate, args.reboot_s, Path(folder))
        try:
            estate(["lab", "up", "--estate", str(estate_file)])
        except ReplayError as exc:
            print(f"replay: {exc} (is a lab running already? `make lab-down`)", file=sys.stderr)
            return 3
        try:
            env = lab_env(dict(os.environ), settings)
            code = unsafe(args, env, out) if args.unsafe else replay(args, env, out)
        except ReplayError as exc:
            print(f"replay: {exc}", file=sys.stderr)
            code = 3
        finally:
            estate(["lab", "down"])
    print(f"replay: {time.monotonic() - started:.0f} s in all, exit {code}")
    return code


if __name__ == "__main__":
    sys.exit(main())
