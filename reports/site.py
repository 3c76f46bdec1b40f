"""The report site (e.g. for GitLab Pages): `index.html` listing the runs per customer, newest first, each linking
its report.html (and report.xlsx) copied into `runs/<run folder>/` beside it. Self-contained like report.html."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reports.html import render_template
from reports.runfolder import REPORT_HTML, REPORT_XLSX, atomic_write_text
from reports.summary import SUMMARY_VERDICTS, run_targets
from reports.text import natural_key
from tasks.models import RunResult, worst

INDEX_HTML = "index.html"
RUNS_FOLDER = "runs"


@dataclass(frozen=True)
class SiteRun:
    """One run of one customer on the index: where its pages are (relative to the index) and its counts."""

    folder: str
    command: str
    started: str  # ISO 8601 as the run has it (sorts the runs)
    target: str
    devices: int
    counts: dict[str, int]
    verdict: str
    report: str
    workbook: str

    @property
    def when(self) -> str:
        """The start as a person reads it: `2026-12-01 02:56` (UTC, as run ids are).

        >>> SiteRun("r", "audit", "2026-12-01T02:56:16+00:00", "", 0, {}, "", "", "").when
        '2026-12-01 02:56'
        """
        return self.started.replace("T", " ")[:16]


def customer_runs(folder: str, result: RunResult, report: str, workbook: str) -> dict[str, SiteRun]:
    """The index lines of one run: one per customer it covered, counting only that customer's devices."""
    lines: dict[str, SiteRun] = {}
    customers = sorted({h.customer for h in result.hosts} or set(result.run.customers))
    for customer in customers:
        verdicts = [h.verdict for h in result.hosts if h.customer == customer]
        lines[customer] = SiteRun(
            folder=folder,
            command=result.run.command,
            started=result.run.started,
            target=", ".join(run_targets(result)),
            devices=len(verdicts),
            counts={v.value: verdicts.count(v) for v in SUMMARY_VERDICTS},
            verdict=worst(verdicts).value if verdicts else "",
            report=report,
            workbook=workbook,
        )
    return lines


def write_site(out: Path, runs: Sequence[tuple[Path, RunResult]], render: Callable[[Path, RunResult], str]) -> Path:
    """Copy each run's report.html (or `render(folder, result)` when the folder has none) and report.xlsx into
    `out/runs/<folder name>/`, then write `out/index.html`; return its path. Two runs of the same folder name
    (from different roots) get `-2`, `-3`, … ."""
    out.mkdir(parents=True, exist_ok=True)
    by_customer: dict[str, list[SiteRun]] = {}
    used: set[str] = set()
    for folder, result in runs:
        name, attempt = folder.name, 1
        while name in used:
            attempt += 1
            name = f"{folder.name}-{attempt}"
        used.add(name)
        target = out / RUNS_FOLDER / name
        target.mkdir(parents=True, exist_ok=True)
        page = folder / REPORT_HTML
        if page.is_file():
            shutil.copyfile(page, target / REPORT_HTML)
        else:
            atomic_write_text(target / REPORT_HTML, render(folder, result))
        workbook = ""
        if (folder / REPORT_XLSX).is_file():
            shutil.copyfile(folder / REPORT_XLSX, target / REPORT_XLSX)
            workbook = f"{RUNS_FOLDER}/{name}/{REPORT_XLSX}"
        for customer, line in customer_runs(name, result, f"{RUNS_FOLDER}/{name}/{REPORT_HTML}", workbook).items():
            by_customer.setdefault(customer, []).append(line)
    customers = [
        (customer, sorted(lines, key=lambda line: (line.started, line.folder), reverse=True))
        for customer, lines in sorted(by_customer.items(), key=lambda item: natural_key(item[0]))
    ]
    index = out / INDEX_HTML
    page_text = render_template(
        "site.html.j2", customers=customers, verdicts=[v.value for v in SUMMARY_VERDICTS], runs=len(runs)
    )
    atomic_write_text(index, page_text)
    return index
