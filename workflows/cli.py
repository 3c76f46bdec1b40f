"""The `estate` command line: parse flags, call a workflow, print a one-screen summary, exit with §5's codes.

Exit codes: 0 nothing failed, 1 a device FAILs, 2 a device could not be checked (ERROR), 3 bad input (one line
on stderr, nothing written), 4 estate itself failed (one line on stderr naming the log that holds the traceback;
the traceback on stderr too with -v).
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.table import Table

from reports.sheets import host_order
from reports.summary import SUMMARY_VERDICTS
from tasks.checks.decision import Decision, decide_run
from tasks.errors import InputError, UsageError
from tasks.models import RunResult, Severity, Verdict
from tasks.oslimits import raise_open_files_limit
from workflows import logs
from workflows.report_cli import add_report_commands, cmd_report, print_run_folder
from workflows.run import EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, RunOutcome, RunRequest
from workflows.selection import Selection, init_nornir, parse_filters, parse_shard
from workflows.settings import Settings, check_output, check_processes, check_workers, load_settings
from workflows.upgrade_print import print_upgrade, short

LAB_STATE = Path(".lab")
VERDICT_STYLE = {"PASS": "green", "WARN": "yellow", "FAIL": "red", "ERROR": "bright_black", "SKIPPED": "dim"}


class _Parser(argparse.ArgumentParser):
    """argparse that raises UsageError (one line, exit 3) instead of printing usage and exiting 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        command = self.prog.partition(" ")[2]  # "estate audit" -> "audit"; main() adds "estate: "
        raise UsageError(f"{command}: {message}" if command else message)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--customer", action="append", default=[], help="customer (repeatable); 'all' = every one")
    parser.add_argument("--site", action="append", default=[], help="site name (repeatable)")
    parser.add_argument("--group", action="append", default=[], help="inventory group (repeatable)")
    parser.add_argument("--filter", action="append", default=[], metavar="KEY=VALUE", help="host data match")
    parser.add_argument("--limit", action="append", default=[], metavar="GLOB", help="host name glob (repeatable)")
    parser.add_argument("--workers", type=int, help="parallel devices (default 200, ESTATE_WORKERS)")
    parser.add_argument("--processes", type=int, help="worker processes (default: the cores, ESTATE_PROCESSES)")
    parser.add_argument("--shard", metavar="K/N", help="take the K-th of N slices (default: CI_NODE_INDEX/TOTAL)")
    parser.add_argument("--out", type=Path, help="where run folders are made (default output/)")
    _inventory_flag(parser)


def _target_flag(parser: argparse.ArgumentParser, required: bool) -> None:
    parser.add_argument(
        "--target",
        action="append",
        default=[],
        required=required,
        metavar="VERSION",
        help="target release per platform: a bare version (10.2.4-h4) or PLATFORM=VERSION (repeatable)",
    )


def _resume_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--resume", type=Path, metavar="RUN_DIR", help="finish an interrupted run: only the hosts it did not finish"
    )


def _inventory_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--inventory", type=Path, help="inventory root (default inventory/)")
    parser.add_argument("--config", type=Path, help="configuration file (default ./config.yaml)")
    parser.add_argument("-v", "--verbose", action="count", default=0)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="estate", description="Audit, upgrade and keep compliant an estate of network devices.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    lab = commands.add_parser("lab", help="the built-in SSH device lab")
    lab_commands = lab.add_subparsers(dest="lab_command", required=True, parser_class=_Parser)
    up = lab_commands.add_parser("up", help="start the lab in the background and write its inventory")
    up.add_argument("--estate", type=Path, default=Path("lab/estates/demo.yaml"))
    up.add_argument("--inventory-out", type=Path, default=LAB_STATE / "inventory")
    up.add_argument("--base-port", type=int, help="first port (default: free ports chosen by the system)")
    lab_commands.add_parser("down", help="stop the lab")
    lab_status = lab_commands.add_parser("status", help="show what the lab serves")
    lab_status.add_argument("--json", action="store_true", help="one object per device: version, state, HA, optics")
    lab_status.add_argument("--state-dir", type=Path, default=LAB_STATE, help=argparse.SUPPRESS)
    lab_ctl = lab_commands.add_parser("ctl", help="change a running lab device (replace-optics, fault, ...)")
    lab_ctl.add_argument(
        "verb", help="replace-optics, fault, link-down, pull-optic, insert-optic, [re]set-config, rekey"
    )
    lab_ctl.add_argument("device")
    lab_ctl.add_argument(
        "args", nargs="*", help="fault: KIND; link-down, pull-optic: PORT; insert-optic: PORT TYPE VENDOR PART"
    )
    lab_ctl.add_argument("--add", action="append", default=[], metavar="LINE", help="set-config: a line to add")
    lab_ctl.add_argument("--remove", action="append", default=[], metavar="REGEX", help="set-config: lines to drop")
    lab_ctl.add_argument("--state-dir", type=Path, default=LAB_STATE, help=argparse.SUPPRESS)

    inventory = commands.add_parser("inventory", help="inventory tools")
    inventory_commands = inventory.add_subparsers(dest="inventory_command", required=True, parser_class=_Parser)
    check = inventory_commands.add_parser("check", help="validate the inventory and print counts")
    _inventory_flag(check)

    audit = commands.add_parser("audit", help="transceiver audit, optionally judged against a target release")
    _target_flag(audit, required=False)
    _resume_flag(audit)
    _common(audit)

    pre = commands.add_parser("pre-upgrade", help="readiness checks, upgrade path per device, GO / NO-GO, snapshot")
    _target_flag(pre, required=False)  # required unless --resume: run_preupgrade says so
    _resume_flag(pre)
    pre.add_argument("--via", metavar="V1,V2", help="force these intermediate hops (each checked against the rules)")
    pre.add_argument("--checks", help="readiness checks: all (default), names, !name to drop one (docs/checks.md)")
    _common(pre)

    post = commands.add_parser("post-upgrade", help="snapshot again and compare with the pre-upgrade snapshot")
    post.add_argument(
        "--baseline",
        type=Path,
        metavar="RUN_DIR",
        help="the pre-upgrade run folder to compare with (default: the newest under --out covering the hosts)",
    )
    _common(post)

    up = commands.add_parser("upgrade", help="walk each GO device along its upgrade path (a dry run unless --execute)")
    _target_flag(up, required=False)
    up.add_argument("--execute", action="store_true", help="change the devices (without it: a dry run)")
    up.add_argument("--from-run", type=Path, metavar="DIR", help="the pre-upgrade run folder to start from")
    up.add_argument("--max-per-site", type=int, default=1, metavar="N", help="devices of a site at once (default 1)")
    up.add_argument(
        "--resume", type=Path, metavar="RUN_DIR", help="continue an interrupted --execute run (its devices and targets)"
    )
    up.add_argument("--force", action="store_true", help="skip the gate and the known-issue re-check (a warning)")
    _common(up)

    backup = commands.add_parser("backup", help="running configurations, sanitised, into a git repository per customer")
    backup.add_argument(
        "--repo-root", type=Path, metavar="DIR", help="where the customers' repositories live (default backups/)"
    )
    _resume_flag(backup)
    _common(backup)
    comp = commands.add_parser("compliance", help="configuration rules, software and optics against the standards")
    comp.add_argument("--rules", type=Path, metavar="DIR", help="rule files folder (default compliance/)")
    _common(comp)

    onboard = commands.add_parser("onboard", help="a new customer from its device list: inventory, then a baseline")
    onboard.add_argument("--customer", required=True, help="the new customer (its inventory folder's name)")
    onboard.add_argument("--source", type=Path, required=True, metavar="FILE", help="the device list: .csv or .xlsx")
    onboard.add_argument("--sheet", help="the worksheet of an .xlsx list (default: the first)")
    onboard.add_argument("--dry-run", action="store_true", help="check and detect, print the files; write nothing")
    _target_flag(onboard, required=False)
    onboard.add_argument("--workers", type=int, help="parallel devices (default 200, ESTATE_WORKERS)")
    onboard.add_argument("--out", type=Path, help="where run folders are made (default output/)")
    _inventory_flag(onboard)

    history = commands.add_parser("history", help="the recorded runs, newest first (docs/history.md)")
    history.add_argument("--customer", help="only runs that covered this customer")
    history.add_argument("--command", dest="command_name", help="only runs of this command (audit, pre-upgrade, ...)")
    history.add_argument("--limit", type=int, default=20, metavar="N", help="at most N runs (default 20)")
    history.add_argument("--json", action="store_true", help="one object per run instead of a table")
    history.add_argument("--out", type=Path, help="run folders' root: the default history is OUT/history.sqlite")
    history.add_argument("--config", type=Path, help="configuration file (default ./config.yaml)")
    history.add_argument("-v", "--verbose", action="count", default=0)

    add_report_commands(commands, _Parser)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(getattr(args, "config", None))
    if getattr(args, "out", None) is not None:
        check_output(args.out, "--out")
    if getattr(args, "workers", None) is not None:
        check_workers(args.workers, "--workers")
    if getattr(args, "processes", None) is not None:
        check_processes(args.processes, "--processes")
    return settings.override(
        inventory=getattr(args, "inventory", None),
        output=getattr(args, "out", None),
        workers=getattr(args, "workers", None),
        processes=getattr(args, "processes", None),
    )


def _selection(args: argparse.Namespace) -> Selection:
    return Selection(
        customers=tuple(args.customer),
        sites=tuple(args.site),
        groups=tuple(args.group),
        filters=parse_filters(args.filter),
        limits=tuple(args.limit),
        shard=parse_shard(args.shard),
    )


def _cmd_lab(args: argparse.Namespace, console: Console) -> int:
    from lab import control  # the lab is only imported when asked for
    from lab.estate import EstateFileError as EstateError

    if args.lab_command == "up":
        try:
            info = control.start(args.estate, LAB_STATE, inventory_out=args.inventory_out, base_port=args.base_port)
        except (EstateError, control.LabError) as exc:
            raise UsageError(f"lab up: {exc}") from None
        console.print(f"lab: {len(info.devices)} devices on 127.0.0.1 (pid {info.pid}), inventory in {info.inventory}")
        # The lab's own throwaway credentials (estate file or its documented default), not a real secret.
        console.print(f"export ESTATE_USERNAME={info.username} ESTATE_PASSWORD={info.password}", markup=False)
        return EXIT_OK
    if args.lab_command == "down":
        stopped = control.stop(LAB_STATE)
        console.print("lab: stopped" if stopped else "lab: not running")
        return EXIT_OK
    if args.lab_command == "ctl":
        try:
            pairs = [*(("--add", line) for line in args.add), *(("--remove", regex) for regex in args.remove)]
            extra = [word for pair in pairs for word in pair]
            message = control.ctl(args.state_dir, args.verb, args.device, *args.args, *extra)
        except control.LabError as exc:
            raise UsageError(f"lab ctl: {exc}") from None
        console.print(f"lab: {message}", markup=False, highlight=False)
        return EXIT_OK
    status = control.status(args.state_dir)
    if args.json:
        try:
            devices = control.status_json(args.state_dir) if status is not None else []
        except control.LabError as exc:
            raise UsageError(f"lab status: {exc}") from None
        console.print(json.dumps(devices, indent=2), markup=False, highlight=False, soft_wrap=True)
        return EXIT_OK
    if status is None:
        console.print("lab: not running")
        return EXIT_OK
    console.print(f"lab: pid {status.pid}, {len(status.devices)} devices from {status.estate}")
    console.print(f"inventory: {status.inventory}")
    return EXIT_OK


def _cmd_inventory_check(args: argparse.Namespace, console: Console) -> int:
    settings = _settings(args)
    nr = init_nornir(settings, credentials=False)
    hosts = list(nr.inventory.hosts.values())
    table = Table(title=f"{settings.inventory}: {len(hosts)} hosts")
    for column in ("Customer", "Site", "Platform", "Hosts"):
        table.add_column(column)
    counts = Counter((h.data["customer"], h.data["site"], h.platform) for h in hosts)
    for (customer, site, platform), n in sorted(counts.items()):
        table.add_row(customer, site, platform, str(n))
    console.print(table)
    console.print(f"inventory OK: {len({h.data['customer'] for h in hosts})} customers, {len(hosts)} hosts")
    return EXIT_OK


def _cmd_audit(args: argparse.Namespace, console: Console) -> int:
    from workflows.audit import run_audit

    request = RunRequest(
        settings=_settings(args),
        selection=_selection(args),
        targets=tuple(args.target),
        progress=True,
    )
    outcome = run_audit(request, resume=args.resume)
    print_summary(outcome, console)
    return outcome.exit_code


def _cmd_preupgrade(args: argparse.Namespace, console: Console) -> int:
    from workflows.preupgrade import run_preupgrade

    request = RunRequest(
        settings=_settings(args), selection=_selection(args), targets=tuple(args.target), progress=True
    )
    outcome = run_preupgrade(request, via=_via(args.via), checks=args.checks, resume=args.resume)
    print_summary(outcome, console)
    return outcome.exit_code


def _cmd_postupgrade(args: argparse.Namespace, console: Console) -> int:
    from workflows.postupgrade import run_postupgrade

    request = RunRequest(settings=_settings(args), selection=_selection(args), progress=True)
    outcome, baseline = run_postupgrade(request, baseline_dir=args.baseline)
    how = "the newest pre-upgrade run covering the hosts" if baseline.searched else "--baseline"
    console.print(f"baseline: {baseline.folder} ({how})", markup=False, highlight=False)
    print_summary(outcome, console)
    return outcome.exit_code


def _cmd_backup(args: argparse.Namespace, console: Console) -> int:
    from workflows.backup import run_backup

    if args.repo_root is not None:
        check_output(args.repo_root, "--repo-root")
    request = RunRequest(settings=_settings(args), selection=_selection(args), progress=True)
    outcome = run_backup(request, repo_root=args.repo_root, resume=args.resume)
    counts = Counter(h.backup.status.value for h in outcome.result.hosts if h.backup is not None)
    console.print(
        f"backup: {counts['changed']} changed, {counts['unchanged']} unchanged, {counts['failed']} failed",
        markup=False,
    )
    print_summary(outcome, console)
    return outcome.exit_code


def _cmd_upgrade(args: argparse.Namespace, console: Console) -> int:
    from workflows.upgrade import UpgradeOptions, check_options, run_upgrade

    options = UpgradeOptions(
        from_run=args.from_run,
        max_per_site=args.max_per_site,
        force=args.force,
        execute=args.execute,
        resume=args.resume,
    )
    check_options(options)  # bad flags are refused before anything is read or written
    if not args.target and args.resume is None:
        raise UsageError("--target: give the release to upgrade to (a bare version or PLATFORM=VERSION)")
    request = RunRequest(
        settings=_settings(args), selection=_selection(args), targets=tuple(args.target), progress=True
    )
    outcome, how = run_upgrade(request, options)
    print_upgrade(outcome, how, console)
    return outcome.exit_code


def _via(text: str | None) -> str | None:
    """`--via V1,V2` as given, once every hop is a release (an empty one is a usage error, not "no hops").

    >>> _via("10.0.12,10.1.9"), _via(None)
    ('10.0.12,10.1.9', None)
    """
    if text is None:
        return None
    hops = [hop.strip() for hop in text.split(",")]
    if not all(hops):
        raise UsageError(f"--via: expected releases separated by commas (V1,V2), got {text!r}")
    return ",".join(hops)


def _blockers(result: RunResult) -> list[tuple[str, str]]:
    rows = []
    for host in result.hosts:
        for finding in host.findings:
            if finding.verdict is Verdict.FAIL and finding.severity is Severity.BLOCKER:
                rows.append((host.name, f"{finding.check}: {finding.message}"))
                break
    return rows


def print_summary(outcome: RunOutcome, console: Console) -> None:
    """One screen: devices checked, verdict counts, then either the GO / NO-GO of a run that decides an upgrade
    (`outcome.go_no_go`: per site, then the NO-GO devices with their first reason) or the first blockers and
    errors; the run folder last."""
    result = outcome.result
    counts = result.counts()
    target = f" against {result.run.target}" if result.run.target else ""
    console.print(f"[bold]{result.run.command}[/bold]: {len(result.hosts)} devices checked{target}")
    verdicts = [v.value for v in SUMMARY_VERDICTS]  # the Summary sheet's columns, SKIPPED apart from PASS
    console.print("  ".join(f"[{VERDICT_STYLE[v]}]{v} {counts[v]}[/]" for v in verdicts))
    if outcome.go_no_go:
        _print_decision(result, console)
    else:
        _print_problems(result, console)
    print_run_folder(outcome.run_dir, console)


def _print_decision(result: RunResult, console: Console) -> None:
    """The same GO / NO-GO as the Summary sheet: sites, devices, and the first NO-GO devices with their reason."""
    decided = decide_run(host_order(result.hosts))
    sites, devices = decided.site_counts(), decided.device_counts()
    go, no_go = Decision.GO, Decision.NO_GO
    console.print(
        f"[green]GO {sites[go]} sites[/], [red]NO-GO {sites[no_go]} sites[/] "
        f"(devices: GO {devices[go]}, NO-GO {devices[no_go]})"
    )
    if decided.no_go:
        console.print(f"{len(decided.no_go)} devices are NO-GO, e.g.:")
        for device in decided.no_go[:5]:
            console.print(f"  {device.name}: {short(device.reason)}", markup=False)


def _print_problems(result: RunResult, console: Console) -> None:
    blockers = _blockers(result)
    if blockers:
        console.print(f"{len(blockers)} devices block the upgrade, e.g.:")
        for name, message in blockers[:5]:
            console.print(f"  {name}: {short(message)}", markup=False)
    errors = [h for h in result.hosts if h.status == "error"]
    if errors:
        console.print(f"{len(errors)} devices could not be checked:")
        for host in errors[:5]:
            console.print(f"  {host.name}: {host.error_stage}: {host.error}", markup=False)


NOTICE_COMMANDS = ("audit", "pre-upgrade", "post-upgrade", "upgrade", "backup", "compliance", "history")


def _notice_interrupted(args: argparse.Namespace) -> None:
    """One line on stderr for each interrupted run under --out (workflows.resume), but the one being resumed."""
    from workflows.resume import interrupted

    for run in interrupted(_settings(args).output, skip=getattr(args, "resume", None)):
        print(f"estate: {run.notice()}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return §5's exit code (an unexpected exception is 4, never a verdict's 1 or 2)."""
    console = Console(highlight=False, soft_wrap=True)
    verbose = 0
    try:
        args = build_parser().parse_args(argv)
        verbose = getattr(args, "verbose", 0)
        raise_open_files_limit()
        logs.configure(verbose)
        if args.command in NOTICE_COMMANDS:
            _notice_interrupted(args)
        if args.command == "lab":
            return _cmd_lab(args, console)
        if args.command == "inventory":
            return _cmd_inventory_check(args, console)
        if args.command == "report":
            return cmd_report(args, console, _settings, print_summary)
        if args.command == "history":
            from workflows.history.show import show_history

            show_history(_settings(args), console, args.customer, args.command_name, args.limit, args.json)
            return EXIT_OK
        if args.command == "pre-upgrade":
            return _cmd_preupgrade(args, console)
        if args.command == "post-upgrade":
            return _cmd_postupgrade(args, console)
        if args.command == "upgrade":
            return _cmd_upgrade(args, console)
        if args.command == "backup":
            return _cmd_backup(args, console)
        if args.command == "onboard":
            from workflows.onboard import OnboardRequest, run_onboard

            request = OnboardRequest(_settings(args), args.customer, args.source, args.sheet, tuple(args.target))
            return run_onboard(replace(request, dry_run=args.dry_run), console)
        if args.command == "compliance":
            from workflows.compliance import cli_compliance

            return cli_compliance(args.rules, _settings(args), _selection(args), console)
        return _cmd_audit(args, console)
    except InputError as exc:
        print(f"estate: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print(
            "estate: interrupted; hosts finished so far are in the run folder's journal.jsonl",
            file=sys.stderr,
        )
        return 130
    except Exception as exc:  # a bug in estate or a library: not findings, so not exit 1 or 2
        if verbose:
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
        print(f"estate: {logs.internal_error(exc)}", file=sys.stderr)
        return EXIT_INTERNAL
