"""`make ci-local`: .gitlab-ci.yml run for real by gitlab-ci-local against the lab, its merged report checked.

    .venv/bin/python scripts/ci_local.py [--estate FILE] [--target VERSION]

1. Rules: `gitlab-ci-local --list-json` for each kind of pipeline the file's header names (push, merge request,
   the AUDIT / COMPLIANCE / BACKUP schedules, PRE_UPGRADE, UPGRADE and ONBOARD runs, on the default branch and
   off it) must select exactly the jobs that header promises, manual ones as manual.
2. The AUDIT=1 schedule: the lab serves `--estate` (default the demo estate) on 127.0.0.1; gitlab-ci-local runs
   the `audit` shards and `audit-report` (and `pages` once `estate report site` exists) with the shell executor,
   each job in its own copy of the tracked files (`--shell-isolation`), so the merge job sees the shards only
   through their artifacts. The jobs reach the lab through variables only: ESTATE_INVENTORY (the lab's inventory),
   ESTATE_USERNAME / ESTATE_PASSWORD (a variables file, as masked CI/CD variables would be), ESTATE_VENV (this
   checkout's venv, so no job installs anything).
3. The result: every shard ends PASS or WARN 1/2 (allowed), the artifacts are where the file's `paths` and
   `reports: junit` say, and the merged run equals one unsharded `estate audit` of the same lab: the same hosts,
   each with the same status, verdict, facts, transceivers and findings, and the same workbook sheets and rows
   (the Summary's run id and times apart).
4. Exit codes: the shards again with an inventory that does not exist must each end FAIL 3 (not allowed).

Everything goes to output/ci-local/ (wiped first): the lab's state and inventory, gitlab-ci-local's state dir
(`gitlab-ci-local/`: builds, artifacts), pipeline.log, the unsharded run. Exit 0 when every check holds, 1 with the
failed checks listed, 3 when something it needs is missing (one line).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from lab import control
from lab.state import LabInfo

ROOT = Path(__file__).resolve().parent.parent
GITLAB_CI_LOCAL = ROOT / ".ci" / "node_modules" / ".bin" / "gitlab-ci-local"
PIPELINE = ROOT / ".gitlab-ci.yml"
ESTATE = ROOT / ".venv" / "bin" / "estate"
WORK = ROOT / "output" / "ci-local"
INVENTORY = WORK / "inventory"  # the lab writes its inventory here
DEMO = ROOT / "lab" / "estates" / "demo.yaml"
TARGET = "10.2.4-h4"  # PAN-OS: the demo's third-party optics FAIL against it, so the merge carries FAILs too
PIPELINE_TIMEOUT_S = 900.0
# gitlab-ci-local's line for a job's end: "audit: [1/4] finished in 1.1 min  WARN 2" (WARN or FAIL with the exit
# code; nothing after the time when the job passed). Job names are padded to one width.
JOB_END = re.compile(r"^(?P<job>\S.*?)\s+finished in [^\n]*?(?:\s(?P<outcome>WARN \d+|FAIL \d+))?\s*$", re.MULTILINE)
# The Summary rows that name the run itself rather than what it found.
RUN_IDENTITY = {"Run id", "Started", "Finished"}
VOLATILE_FACT = "uptime"
SCHEDULE = {"CI_PIPELINE_SOURCE": "schedule"}
WEB = {"CI_PIPELINE_SOURCE": "web"}


class CheckFailed(Exception):
    """A step could not run at all (gitlab-ci-local or estate did not give a result to check)."""


def shard_jobs(pipeline: dict[str, Any]) -> list[str]:
    """The names GitLab gives the audit's `parallel: N` jobs: `audit: [1/N]` … `audit: [N/N]`."""
    total = int(pipeline["audit"]["parallel"])
    return [f"audit: [{k}/{total}]" for k in range(1, total + 1)]


def matrix_jobs(pipeline: dict[str, Any], job: str) -> list[str]:
    """The names of a `parallel: matrix` job's jobs with one variable: `compliance: [example-corp]`, …"""
    names = []
    for entry in pipeline[job]["parallel"]["matrix"]:
        ((_, values),) = entry.items()
        names += [f"{job}: [{value}]" for value in values]
    return names


def expected_pipelines(pipeline: dict[str, Any]) -> list[tuple[str, dict[str, str], dict[str, str]]]:
    """(what, variables, {job: when}) for each kind of pipeline in the header of .gitlab-ci.yml."""
    on_main = {"CI_COMMIT_BRANCH": "main", "CI_DEFAULT_BRANCH": "main"}
    on_topic = {"CI_COMMIT_BRANCH": "topic", "CI_DEFAULT_BRANCH": "main"}
    audit = dict.fromkeys([*shard_jobs(pipeline), "audit-report"], "on_success")
    audit["audit-report"] = "always"  # the merge runs even when a shard failed: it reports what there is
    compliance = dict.fromkeys(matrix_jobs(pipeline, "compliance"), "on_success")
    pages = {"pages": "on_success"}
    return [
        ("push", {"CI_PIPELINE_SOURCE": "push", **on_topic}, {"test": "on_success"}),
        ("merge request", {"CI_PIPELINE_SOURCE": "merge_request_event", **on_topic}, {"test": "on_success"}),
        ("AUDIT=1 schedule, default branch", {**SCHEDULE, **on_main, "AUDIT": "1"}, {**audit, **pages}),
        ("AUDIT=1 schedule, other branch", {**SCHEDULE, **on_topic, "AUDIT": "1"}, audit),
        ("COMPLIANCE=1 schedule", {**SCHEDULE, **on_main, "COMPLIANCE": "1"}, {**compliance, **pages}),
        ("BACKUP=1 schedule", {**SCHEDULE, **on_main, "BACKUP": "1"}, {"backup": "on_success"}),
        ("schedule without a variable", {**SCHEDULE, **on_main}, {}),
        (
            "PRE_UPGRADE=1 TARGET",
            {**WEB, **on_main, "PRE_UPGRADE": "1", "TARGET": TARGET},
            {"pre-upgrade": "on_success"},
        ),
        ("PRE_UPGRADE=1 without TARGET", {**WEB, **on_main, "PRE_UPGRADE": "1"}, {}),
        (
            "UPGRADE=1 CUSTOMER TARGET",
            {**WEB, **on_main, "UPGRADE": "1", "CUSTOMER": "acme-bank", "TARGET": TARGET},
            {"upgrade": "manual"},
        ),
        ("UPGRADE=1 for all customers", {**WEB, **on_main, "UPGRADE": "1", "TARGET": TARGET}, {}),
        (
            "ONBOARD=1 CUSTOMER SOURCE",
            {**WEB, **on_main, "ONBOARD": "1", "CUSTOMER": "newco", "SOURCE": "newco.csv"},
            {"onboard": "manual"},
        ),
    ]


def gitlab_ci_local(
    args: Sequence[str],
    variables: dict[str, str],
    log: Path | None = None,
    state: str = "gitlab-ci-local",
    say: bool = True,
) -> str:
    """Run gitlab-ci-local in the repository with `variables` (`--variable`): its standard output, or with `log`
    all it printed (also written there)."""
    words = [str(GITLAB_CI_LOCAL), "--state-dir", str((WORK / state).relative_to(ROOT))]
    words += ["--home", str(WORK / "home"), "--color=false"]
    predefined = sorted(name for name in variables if name.startswith("CI_"))
    if predefined:  # the pipeline's source and branches, set as GitLab would for that kind of pipeline
        words += ["--ignore-predefined-vars", ",".join(predefined)]
    for name, value in variables.items():
        words += ["--variable", f"{name}={value}"]
    env = {key: value for key, value in os.environ.items() if not key.startswith("GCL_")}  # no user defaults
    started = time.monotonic()
    proc = subprocess.run(
        [*words, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=PIPELINE_TIMEOUT_S, check=False
    )
    output = proc.stdout + proc.stderr
    if log is not None:
        log.write_text(output)
    if proc.returncode != 0:
        raise CheckFailed(f"gitlab-ci-local {' '.join(args)} exited {proc.returncode}: {_tail(output)}")
    if say:
        print(f"ci-local: gitlab-ci-local {' '.join(args)[:60]} ({time.monotonic() - started:.0f} s)")
    return output if log is not None else proc.stdout


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def check_rules(pipeline: dict[str, Any]) -> list[str]:
    """Each kind of pipeline selects the jobs the header of .gitlab-ci.yml promises (and nothing else)."""
    failures, started, kinds = [], time.monotonic(), expected_pipelines(pipeline)
    for what, variables, expected in kinds:
        listed = json.loads(gitlab_ci_local(["--list-json", "--no-json-schema-validation"], variables, say=False))
        selected = {job["name"]: job["when"] for job in listed if job["when"] != "never"}
        if selected != expected:
            failures.append(f"rules, {what}: jobs {selected}, expected {expected}")
    print(f"ci-local: the jobs of {len(kinds)} kinds of pipeline listed ({time.monotonic() - started:.0f} s)")
    return failures


def job_outcomes(output: str) -> dict[str, str]:
    """{job: PASS | WARN n | FAIL n} from gitlab-ci-local's output (its own timings, which end alike, left out)."""
    own = {"pipeline", "parsing and downloads"}
    return {m["job"]: m["outcome"] or "PASS" for m in JOB_END.finditer(output) if m["job"] not in own}


def has_command(*words: str) -> bool:
    """True when `estate WORDS --help` exists (e.g. `report html`, from another branch)."""
    proc = subprocess.run([str(ESTATE), *words, "--help"], capture_output=True, check=False)
    return proc.returncode == 0


def artifacts_of(job: str) -> Path:
    """gitlab-ci-local's artifacts folder of a job that is not parallel (a parallel job's names are mangled)."""
    return WORK / "gitlab-ci-local" / "artifacts" / job


def shard_artifacts() -> list[Path]:
    """The artifacts folders of the audit's shards: each holds `shards/<CI_NODE_INDEX>/`."""
    root = WORK / "gitlab-ci-local" / "artifacts"
    return sorted(p for p in root.iterdir() if (p / "shards").is_dir())


def run_folders(root: Path) -> list[Path]:
    """The run folders under `root` (folders holding a results.json), sorted."""
    return sorted(p.parent for p in root.rglob("results.json"))


def hosts_of(run_dir: Path) -> dict[str, Any]:
    """results.json's hosts, each device's uptime left out (it grows between two reads, as a real device's does)."""
    hosts: dict[str, Any] = json.loads((run_dir / "results.json").read_text())["hosts"]
    for host in hosts.values():
        (host.get("facts") or {}).pop(VOLATILE_FACT, None)
    return hosts


def workbook_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's rows as values; on the Summary, the rows naming the run itself (id, times) left out."""
    from openpyxl import load_workbook  # the venv's; imported here so that --help needs nothing

    book = load_workbook(path, read_only=True)
    sheets = {}
    for name in book.sheetnames:
        rows = [tuple(row) for row in book[name].iter_rows(values_only=True)]
        sheets[name] = [row for row in rows if not (name == "Summary" and row and row[0] in RUN_IDENTITY)]
    book.close()
    return sheets


def compare_runs(merged: Path, single: Path) -> list[str]:
    """What differs between the merged run folder and the unsharded one (results.json hosts, workbook)."""
    failures = []
    left, right = hosts_of(merged), hosts_of(single)
    if sorted(left) != sorted(right):
        only_merged, only_single = sorted(set(left) - set(right)), sorted(set(right) - set(left))
        failures.append(f"hosts: only in the merge {only_merged[:5]}, only in the single run {only_single[:5]}")
    for name in sorted(set(left) & set(right)):
        keys = sorted(key for key in set(left[name]) | set(right[name]) if left[name].get(key) != right[name].get(key))
        if keys:
            failures.append(f"host {name}: {', '.join(keys)} differ")
    merged_run = json.loads((merged / "results.json").read_text())["run"]
    single_run = json.loads((single / "results.json").read_text())["run"]
    for key in ("command", "customers", "target"):
        if merged_run[key] != single_run[key]:
            failures.append(f"run.{key}: {merged_run[key]!r} merged, {single_run[key]!r} single")
    books = workbook_rows(merged / "report.xlsx"), workbook_rows(single / "report.xlsx")
    if list(books[0]) != list(books[1]):
        failures.append(f"workbook sheets: {list(books[0])} merged, {list(books[1])} single")
    for sheet in set(books[0]) & set(books[1]):
        if books[0][sheet] != books[1][sheet]:
            diff = [row for row in books[0][sheet] if row not in books[1][sheet]][:2]
            failures.append(f"workbook sheet {sheet}: rows differ, e.g. {diff}")
    return failures[:20]


def check_artifacts(pipeline: dict[str, Any], total: int, html: bool) -> tuple[list[str], Path | None]:
    """The shards' and the merge's artifacts hold what `paths` and `reports: junit` name; the merged run folder."""
    failures = []
    shards = shard_artifacts()
    indexes = sorted(int(sub.name) for folder in shards for sub in (folder / "shards").iterdir() if sub.is_dir())
    if indexes != list(range(1, total + 1)):
        failures.append(f"shard artifacts: shards/{indexes}, expected shards/1 … shards/{total}")
    junit = pipeline["audit"]["artifacts"]["reports"]["junit"]
    for folder in shards:
        if not list(folder.glob(junit)):
            failures.append(f"{folder.name}: no file matches its junit report {junit}")
        for run_dir in run_folders(folder / "shards"):
            shard = json.loads((run_dir / "results.json").read_text())["run"]["shard"]
            if shard != f"{run_dir.parent.name}/{total}":
                failures.append(f"{run_dir}: run.shard {shard!r}, expected {run_dir.parent.name}/{total}")
    report = artifacts_of("audit-report")
    merged = run_folders(report / "output")
    if len(merged) != 1:
        failures.append(f"audit-report: {len(merged)} run folders in its artifacts output/, expected 1")
        return failures, None
    junit = pipeline["audit-report"]["artifacts"]["reports"]["junit"]
    if not list(report.glob(junit)):
        failures.append(f"audit-report: no file matches its junit report {junit}")
    for name in ("report.xlsx", "results.json", "junit.xml", *(["report.html"] if html else [])):
        if not (merged[0] / name).is_file():
            failures.append(f"audit-report: {name} missing from {merged[0].name}")
    return failures, merged[0]


def ensure_rsync() -> None:
    """gitlab-ci-local copies each job's files with rsync: install Debian's when missing and apt-get is there."""
    if shutil.which("rsync"):
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        raise SystemExit("ci-local: rsync is missing (gitlab-ci-local copies each job's files with it): install it")
    print("ci-local: installing rsync (apt-get), which gitlab-ci-local copies each job's files with")
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "rsync"]):
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def audit_pipeline(lab: LabInfo, target: str) -> dict[str, str]:
    """The variables of the AUDIT=1 schedule pointed at the lab (credentials go in the variables file)."""
    return {
        **SCHEDULE,
        "AUDIT": "1",
        "CUSTOMER": "all",
        "TARGET": target,
        "ESTATE_INVENTORY": str(INVENTORY),
        "ESTATE_VENV": str(ROOT / ".venv"),
    }


def run_checks(args: argparse.Namespace, pipeline: dict[str, Any], lab: LabInfo) -> list[str]:
    failures = check_rules(pipeline)
    variables_file = WORK / "variables.yml"  # what masked CI/CD variables give a job, never on a command line
    variables_file.write_text(yaml.safe_dump({"ESTATE_USERNAME": lab.username, "ESTATE_PASSWORD": lab.password}))
    variables_file.chmod(0o600)
    run = ["--force-shell-executor", "--shell-isolation", "--no-artifacts-to-source"]
    run += ["--variables-file", str(variables_file.relative_to(ROOT))]  # gitlab-ci-local joins it to the cwd
    html, site = has_command("report", "html"), has_command("report", "site")
    jobs = ["audit-report", *(["pages"] if site else []), "--needs"]
    output = gitlab_ci_local([*run, *jobs], audit_pipeline(lab, args.target), WORK / "pipeline.log")
    outcomes = job_outcomes(output)
    total = len(shard_jobs(pipeline))
    for job in [*shard_jobs(pipeline), "audit-report", *(["pages"] if site else [])]:
        if outcomes.get(job) not in ("PASS", "WARN 1", "WARN 2"):
            failures.append(f"job {job}: {outcomes.get(job, 'did not run')} (see {WORK / 'pipeline.log'})")
    found, merged = check_artifacts(pipeline, total, html)
    failures += found
    if site and not (artifacts_of("pages") / "public" / "index.html").is_file():
        failures.append("pages: public/index.html missing from its artifacts")
    started = time.monotonic()
    single = unsharded_audit(lab, args.target)
    print(f"ci-local: the unsharded estate audit ({time.monotonic() - started:.0f} s)")
    if merged is not None:
        failures += compare_runs(merged, single)
    print(f"ci-local: merged {len(hosts_of(single))} hosts from {total} shards, compared with {single.name}")
    bad = {**audit_pipeline(lab, args.target), "ESTATE_INVENTORY": str(WORK / "no-such-inventory")}
    output = gitlab_ci_local([*run, "audit"], bad, WORK / "pipeline-bad-input.log", state="gitlab-ci-local-bad-input")
    outcomes = job_outcomes(output)
    for job in shard_jobs(pipeline):
        if outcomes.get(job) != "FAIL 3":
            failures.append(f"bad input, job {job}: {outcomes.get(job, 'did not run')}, expected FAIL 3")
    return failures


def unsharded_audit(lab: LabInfo, target: str) -> Path:
    """One `estate audit` of the whole lab, as the shards ran it (the same target and customer)."""
    env = {**os.environ, "ESTATE_USERNAME": lab.username, "ESTATE_PASSWORD": lab.password}
    for name in ("CI_NODE_INDEX", "CI_NODE_TOTAL"):  # a shard of nothing: the whole lab
        env.pop(name, None)
    out = WORK / "single"
    words = [str(ESTATE), "audit", "--customer", "all", "--target", target, "--inventory", str(INVENTORY)]
    proc = subprocess.run([*words, "--out", str(out)], env=env, capture_output=True, text=True, check=False)
    folders = run_folders(out)
    if proc.returncode not in (0, 1, 2) or len(folders) != 1:
        raise CheckFailed(f"estate audit exited {proc.returncode}: {_tail(proc.stdout + proc.stderr)}")
    return folders[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--estate", type=Path, default=DEMO, help="the lab's estate file (default the demo's)")
    parser.add_argument("--target", default=TARGET, help=f"the audit's target (default {TARGET})")
    args = parser.parse_args(argv)
    if not GITLAB_CI_LOCAL.exists():
        print("ci-local: .ci/node_modules has no gitlab-ci-local: run `make ci-local` (npm ci --prefix .ci)")
        return 3
    try:
        ensure_rsync()
    except subprocess.CalledProcessError as exc:
        print(f"ci-local: could not install rsync: {exc}")
        return 3
    started = time.monotonic()
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "home").mkdir(parents=True)
    pipeline = yaml.safe_load(PIPELINE.read_text())
    lab = control.start(args.estate, WORK / "lab", inventory_out=INVENTORY)
    print(f"ci-local: the lab serves {len(lab.devices)} devices ({time.monotonic() - started:.0f} s)")
    try:
        failures = run_checks(args, pipeline, lab)
    except (CheckFailed, subprocess.TimeoutExpired) as exc:
        failures = [str(exc)]
    finally:
        control.stop(WORK / "lab")
    for failure in failures:
        print(f"ci-local: FAILED {failure}")
    elapsed = time.monotonic() - started
    if failures:
        print(f"ci-local: {len(failures)} checks failed ({elapsed:.0f} s)")
        return 1
    print(f"ci-local: the pipeline's rules, artifacts and exit codes hold; merged = unsharded ({elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
