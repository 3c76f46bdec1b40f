"""`estate report …`: merge shard run folders, rebuild a run's report.html, build the report site (the flags and
what each prints; the work is in workflows.merge and workflows.reporting)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from reports.runfolder import REPORT_HTML, REPORT_XLSX
from workflows.run import EXIT_OK, RunOutcome
from workflows.settings import Settings, check_output, load_settings

DEFAULT_SITE = Path("public")


def print_run_folder(run_dir: Path, console: Console) -> None:
    """Where the run's reports are, then the run folder: the last line every run prints (§5)."""
    for name in (REPORT_HTML, REPORT_XLSX):
        console.print(f"{name}: {run_dir / name}", markup=False, highlight=False)
    console.print(f"run folder: {run_dir}", markup=False, highlight=False)


def add_report_commands(commands: argparse._SubParsersAction, parser_class: type[argparse.ArgumentParser]) -> None:
    """Add `report merge`, `report html` and `report site` to the CLI's subcommands."""
    report = commands.add_parser("report", help="report tools: merge shards, rebuild report.html, build the site")
    report_commands = report.add_subparsers(dest="report_command", required=True, parser_class=parser_class)
    merge = report_commands.add_parser("merge", help="merge shard run folders into one run folder and report")
    merge.add_argument("run_dirs", nargs="+", type=Path, metavar="RUN_DIR")
    merge.add_argument("--out", type=Path, help="where the merged run folder is made (default output/)")
    _config(merge)
    html = report_commands.add_parser("html", help="write a run folder's report.html again from its results.json")
    html.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    _config(html)
    site = report_commands.add_parser("site", help="an index of the runs per customer with their report.html")
    site.add_argument("run_dirs", nargs="*", type=Path, metavar="RUN_DIR", help="run folders to list")
    site.add_argument("--runs", type=Path, metavar="DIR", help="list every run folder under DIR (default output/)")
    site.add_argument("--out", type=Path, default=DEFAULT_SITE, help="the site's folder (default public/)")
    _config(site)


def _config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="configuration file (default ./config.yaml)")
    parser.add_argument("-v", "--verbose", action="count", default=0)


def cmd_report(
    args: argparse.Namespace,
    console: Console,
    settings: Callable[[argparse.Namespace], Settings],
    print_summary: Callable[[RunOutcome, Console], None],
) -> int:
    """Run one `report` subcommand; `settings` reads the configuration and flags, `print_summary` prints a run."""
    if args.report_command == "merge":
        from workflows.merge import merge

        chosen = settings(args)
        outcome = merge(args.run_dirs, chosen.output, chosen.matrices)
        print_summary(outcome, console)
        return outcome.exit_code
    from workflows.reporting import build_site, rebuild_html

    configured = load_settings(args.config)
    if args.report_command == "html":
        path = rebuild_html(args.run_dir, configured)
        console.print(f"report.html: {path}", markup=False, highlight=False)
        return EXIT_OK
    out = check_output(args.out, "--out")
    runs_root = args.runs if args.runs is not None or args.run_dirs else configured.output
    index, count = build_site(out, args.run_dirs, runs_root, configured.matrices)
    console.print(f"site: {count} runs in {out}", markup=False, highlight=False)
    console.print(f"index.html: {index}", markup=False, highlight=False)
    return EXIT_OK
