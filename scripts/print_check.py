"""`make print-check`: the demo's workbooks printed through LibreOffice; fails when a Summary takes more than 2 pages.

    .venv/bin/python scripts/print_check.py [--target T ...] [--preupgrade-target T ...] [--out DIR] [--max-pages N]

Starts the lab on lab/estates/demo.yaml (127.0.0.1, free ports, stopped at the end), runs the demo's audit
(`--target`, as `make demo` passes them) and a pre-upgrade of its firewalls (`--preupgrade-target`), then exports
each report.xlsx to PDF with `soffice --headless --convert-to pdf`: the whole workbook, and a copy holding only
its Summary. `pdfinfo` counts the pages. Prints one line per workbook (Summary pages, whole-workbook pages, the
PDF paths) and exits 1 when a Summary takes more than `--max-pages` (2) pages.

LibreOffice Calc and poppler come from Debian's `libreoffice-calc-nogui` and `poppler-utils`: installed with
apt-get when missing and running as root; otherwise one line says what is missing (exit 3). Not part of
`make test`: a LibreOffice export of the demo workbooks takes a minute or more.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import load_workbook  # noqa: E402  (after the repo root is importable)

from lab import control  # noqa: E402

ESTATE = ROOT / ".venv" / "bin" / "estate"
DEMO = ROOT / "lab" / "estates" / "demo.yaml"
TOOLS = {"soffice": "libreoffice-calc-nogui", "pdfinfo": "poppler-utils"}
DEMO_TARGETS = ("10.2.4-h4", "fortinet=7.4.8", "cisco_ios=17.12.4", "cisco_nxos=10.4(5)", "arista_eos=4.31.2F",
                "juniper_junos=23.2R1.13")  # fmt: skip
PREUPGRADE_TARGETS = ("10.2.4-h4", "fortinet=7.4.8")  # the platforms estate upgrades
RUN_FOLDER = re.compile(r"^run folder: (.+)$", re.MULTILINE)
SOFFICE_TIMEOUT_S = 600
FINDINGS_OK = (0, 1, 2)  # estate: 0 clean, 1 some FAIL, 2 some device not checked


class CheckError(Exception):
    """The check could not run: a tool is missing, the lab did not start, a run or an export failed."""


def ensure_tools() -> None:
    """Install the missing tools with apt-get when root; CheckError naming them otherwise."""
    missing = sorted({package for tool, package in TOOLS.items() if shutil.which(tool) is None})
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise CheckError(f"missing {', '.join(missing)} (apt-get install {' '.join(missing)}, as root)")
    print(f"print-check: installing {', '.join(missing)} with apt-get", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    done = subprocess.run(["apt-get", "install", "-y", "-qq", *missing], env=env, capture_output=True, text=True)
    if done.returncode != 0 or any(shutil.which(tool) is None for tool in TOOLS):
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise CheckError(f"apt-get install {' '.join(missing)} failed: {tail[0]}")


def run_estate(args: list[str], env: dict[str, str]) -> Path:
    """Run one estate command; the run folder its last line names."""
    done = subprocess.run([str(ESTATE), *args], env=env, capture_output=True, text=True, cwd=ROOT)
    found = RUN_FOLDER.findall(done.stdout)
    if done.returncode not in FINDINGS_OK or not found:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise CheckError(f"estate {args[0]} exited {done.returncode}: {tail[0]}")
    return Path(found[-1])


def summary_only(workbook: Path, out: Path) -> Path:
    """A copy of `workbook` holding only its Summary sheet (its chart included)."""
    book = load_workbook(workbook)
    for title in book.sheetnames[1:]:
        del book[title]
    book.save(out)
    return out


def to_pdf(workbook: Path, folder: Path, profile: Path) -> Path:
    """Export `workbook` to `folder`/<name>.pdf with LibreOffice (its own profile: no clash with a running one)."""
    command = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
               "--outdir", str(folder), str(workbook)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=SOFFICE_TIMEOUT_S)
    pdf = folder / f"{workbook.stem}.pdf"
    if done.returncode != 0 or not pdf.is_file():
        raise CheckError(f"soffice could not export {workbook}: {(done.stderr or done.stdout).strip()[-200:]}")
    return pdf


def pages(pdf: Path) -> int:
    """The page count pdfinfo reads."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    if found is None:
        raise CheckError(f"pdfinfo could not read {pdf}")
    return int(found.group(1))


def check(workbook: Path, name: str, folder: Path, profile: Path) -> tuple[int, int]:
    """(Summary pages, whole-workbook pages) of `workbook`; the PDFs are kept in `folder`."""
    whole = folder / f"{name}.xlsx"
    shutil.copyfile(workbook, whole)
    summary = summary_only(workbook, folder / f"{name}-summary.xlsx")
    return pages(to_pdf(summary, folder, profile)), pages(to_pdf(whole, folder, profile))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The demo's workbooks printed through LibreOffice.")
    parser.add_argument("--target", action="append", help="the audit's targets (default: the demo's)")
    parser.add_argument("--preupgrade-target", action="append", help="the pre-upgrade's targets")
    parser.add_argument("--out", type=Path, help="where run folders and PDFs go (default output/print-check-<UTC>)")
    parser.add_argument("--max-pages", type=int, default=2, help="most pages a Summary may take (2)")
    args = parser.parse_args(argv)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = (args.out or ROOT / "output" / f"print-check-{stamp}").resolve()
    try:
        ensure_tools()
        out.mkdir(parents=True, exist_ok=True)
        results = run_demo(out, args.target or list(DEMO_TARGETS), args.preupgrade_target or list(PREUPGRADE_TARGETS))
        with tempfile.TemporaryDirectory(prefix="print-check-lo-") as profile:
            counts = {name: check(book, name, out, Path(profile)) for name, book in results.items()}
    except (CheckError, control.LabError, subprocess.TimeoutExpired) as exc:
        print(f"print-check: {exc}", file=sys.stderr)
        return 3
    failed = False
    for name, (summary, whole) in counts.items():
        verdict = "ok" if summary <= args.max_pages else f"FAIL: more than {args.max_pages}"
        failed = failed or summary > args.max_pages
        print(f"print-check: {name}: Summary {summary} page(s) ({verdict}), whole workbook {whole} pages; "
              f"PDFs in {out}")  # fmt: skip
    return 1 if failed else 0


def run_demo(out: Path, targets: list[str], preupgrade_targets: list[str]) -> dict[str, Path]:
    """The demo's audit and pre-upgrade on a lab of its own; {name: report.xlsx}."""
    state = out / "lab"
    info = control.start(DEMO, state, inventory_out=state / "inventory", max_runtime=1800)
    try:
        env = dict(os.environ, ESTATE_USERNAME=info.username, ESTATE_PASSWORD=info.password)
        for name in ("CI_NODE_INDEX", "CI_NODE_TOTAL"):
            env.pop(name, None)
        common = ["--customer", "all", "--inventory", str(state / "inventory"), "--out", str(out / "runs")]
        audit = run_estate(["audit", *common, *(f"--target={t}" for t in targets)], env)
        upgrade = run_estate(["pre-upgrade", *common, *(f"--target={t}" for t in preupgrade_targets)], env)
    finally:
        control.stop(state)
    return {"audit": audit / "report.xlsx", "pre-upgrade": upgrade / "report.xlsx"}


if __name__ == "__main__":
    sys.exit(main())
