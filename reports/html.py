"""report.html: the run's report as one self-contained page for a person (and for the customer an MSSP hands it to).

Built from the same data as report.xlsx: the Summary of `reports.summary` (or the one a workflow gives, as the
upgrade does), the table sheets of `reports.sheets` and any workflow's own sheets (`SheetSpec`s), rendered with
Jinja2 (autoescape on) from `reports/templates/`. Nothing is fetched: the CSS and the small filter script are
inlined, the charts are inline SVG drawn by `reports.charts`, and no URL of ours appears in the page.

Top to bottom: the Summary (verdict counts, GO / NO-GO for a run that decides an upgrade, per customer and per
site, a chart of verdicts per site, the blocking devices with their reasons, the run), the optional Replacements
section (what to buy; built elsewhere and passed in as a `SheetSpec`), the compliance trend when given, then one
filterable table per sheet (a text box and a verdict filter).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache
from html import escape as _escape
from pathlib import Path

import jinja2
from markupsafe import Markup

from reports.charts import trend_lines, verdict_bars
from reports.replacements import REPLACEMENTS_TITLE
from reports.runfolder import atomic_write_text
from reports.sheets import CellValue, Row, SheetSpec, standard_sheets
from reports.summary import DECISION_HEADER, SUMMARY_VERDICTS, SummaryData, run_targets, summary_data
from reports.text import clean_text
from reports.trend import trend_table
from tasks.matrix import Matrix
from tasks.models import HostRecord, RunResult, Verdict, worst
from tasks.models.history import TrendPoint

TEMPLATES = Path(__file__).with_name("templates")
TABLE_TITLES = {"Transceivers": "Optics"}  # the workbook's sheet title -> the page's, where a person says it otherwise
MAX_CELL_CHARS = 4_000  # a cell of the page; the full text stays in results.json and the workbook
_VERDICTS = frozenset(v.value for v in Verdict)
_DECISIONS = {"GO": "PASS", "NO-GO": "FAIL"}  # coloured like the verdicts they stand for
_COLOURED = _VERDICTS | set(_DECISIONS)


@dataclass(frozen=True)
class Cell:
    """One table cell: its text, and the verdict it is coloured by (empty for plain text)."""

    text: str
    verdict: str = ""


@dataclass(frozen=True)
class Table:
    """One filterable table of the page: `key` is its HTML id; `verdicts` the ones its rows have (the filter's).

    `body` is its rows as markup, every text escaped by `html_table`: a run of 10,000 devices has hundreds of
    thousands of cells, which a template loop renders ten times slower.
    """

    key: str
    title: str
    headers: tuple[str, ...]
    body: Markup
    count: int
    verdicts: list[str]


@dataclass(frozen=True)
class CustomerLine:
    """A customer's devices per verdict, and its worst device verdict."""

    name: str
    devices: int
    counts: dict[str, int]
    verdict: str


def cell_text(value: CellValue | Enum) -> str:
    """A value as the page shows it: enums by value, None as empty, text cleaned and capped.

    >>> cell_text(Verdict.FAIL), cell_text(None), cell_text(3)
    ('FAIL', '', '3')
    """
    raw = value.value if isinstance(value, Enum) else value
    if raw is None:
        return ""
    return clean_text(str(raw), MAX_CELL_CHARS)


def html_table(spec: SheetSpec, key: str) -> Table:
    """A sheet as a page table: cells in verdict columns coloured; each row carries its first verdict column's
    value in `data-verdict` for the filter; long-text columns wrap.

    >>> spec = SheetSpec("Findings", ("Device", "Verdict"), [("a<b", Verdict.FAIL)], verdict_columns=(1,))
    >>> str(html_table(spec, "t").body)
    '<tr data-verdict="FAIL"><td>a&lt;b</td><td class="v-FAIL">FAIL</td></tr>'
    """
    coloured, wrap = set(spec.verdict_columns), set(spec.wrap_columns)
    first = spec.verdict_columns[0] if spec.verdict_columns else None
    lines: list[str] = []
    seen: set[str] = set()
    for row in spec.rows:
        verdict = ""
        cells = []
        for index, value in enumerate(row):
            text = cell_text(value)
            shade = _DECISIONS.get(text, text) if index in coloured and text in _COLOURED else ""
            if index == first:
                verdict = shade
            css = f' class="v-{shade}"' if shade else (' class="wrap"' if index in wrap else "")
            cells.append(f"<td{css}>{_escape(text, quote=False)}</td>")
        seen.add(verdict)
        lines.append(f'<tr data-verdict="{verdict}">{"".join(cells)}</tr>')
    order = [v.value for v in SUMMARY_VERDICTS]
    present = [v for v in order if v in seen] + sorted(seen - set(order) - {""})
    title = TABLE_TITLES.get(spec.title, spec.title)
    return Table(key, title, spec.headers, Markup("\n".join(lines)), len(lines), present)


def summary_cells(data: SummaryData, row: Row) -> list[Cell]:
    """A Summary site (or total) row: counts coloured by their column's verdict when not zero, the decision
    GO green and NO-GO red."""
    cells = []
    for header, value in zip(data.headers, row, strict=False):
        text = cell_text(value)
        if header in _VERDICTS and isinstance(value, int) and value > 0:
            cells.append(Cell(text, header))
        elif header == DECISION_HEADER and text in _DECISIONS:
            cells.append(Cell(text, _DECISIONS[text]))
        else:
            cells.append(Cell(text))
    return cells


def customer_lines(hosts: Sequence[HostRecord]) -> list[CustomerLine]:
    """One line per customer: devices, devices per verdict (as the Summary counts them), the worst verdict."""
    groups: dict[str, list[HostRecord]] = {}
    for host in hosts:
        groups.setdefault(host.customer, []).append(host)
    lines = []
    for name in sorted(groups):
        verdicts = [h.verdict for h in groups[name]]
        counts = {v.value: verdicts.count(v) for v in SUMMARY_VERDICTS}
        lines.append(CustomerLine(name, len(verdicts), counts, worst(verdicts).value))
    return lines


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_template(name: str, **context: object) -> str:
    """Render one of `reports/templates/` with autoescape; its CSS and script are inlined by the template."""
    return _environment().get_template(name).render(**context)


def render_report(
    result: RunResult,
    extra_sheets: Sequence[SheetSpec] = (),
    go_no_go: bool = False,
    summary: SummaryData | None = None,
    trend: Mapping[str, Sequence[TrendPoint]] | None = None,
    replacements: SheetSpec | None = None,
    matrices: Mapping[str, Matrix] | None = None,
) -> str:
    """The page of `result` as text; the arguments are `write_workbook`'s, plus the compliance `trend` (per
    customer, from the run history) and `replacements` (the parts that replace the blocking optics; by default the
    run's own Replacements sheet, shown right after the Summary instead of among the tables)."""
    data = summary or summary_data(result, go_no_go, matrices)
    if replacements is None:
        replacements = next((s for s in extra_sheets if s.title == REPLACEMENTS_TITLE), None)
    extra_sheets = [s for s in extra_sheets if s is not replacements]
    sheets = [*standard_sheets(result), *extra_sheets]
    tables = [html_table(spec, f"t{index}-{spec.title.lower().replace(' ', '-')}") for index, spec in enumerate(sheets)]
    decision = str(data.total[-1]) if data.headers[-1] == DECISION_HEADER else ""
    counts = result.counts()
    return render_template(
        "report.html.j2",
        run=result.run,
        targets=", ".join(run_targets(result)),
        devices=len(result.hosts),
        counts=[(v.value, counts[v.value]) for v in SUMMARY_VERDICTS],
        decision=decision,
        decision_verdict=_DECISIONS.get(decision, ""),
        customers=customer_lines(result.hosts),
        summary=data,
        site_rows=[summary_cells(data, row) for row in data.sites],
        total_row=summary_cells(data, data.total),
        sites_chart=verdict_bars(data.sites),
        trend_chart=trend_lines(trend_table(trend)) if trend else Markup(""),
        replacements=html_table(replacements, "replacements") if replacements is not None else None,
        tables=[t for t in tables if t.count or t.title != "Errors"],
    )


def write_html(
    result: RunResult,
    path: Path,
    extra_sheets: Sequence[SheetSpec] = (),
    go_no_go: bool = False,
    summary: SummaryData | None = None,
    trend: Mapping[str, Sequence[TrendPoint]] | None = None,
    replacements: SheetSpec | None = None,
    matrices: Mapping[str, Matrix] | None = None,
) -> None:
    """Write the page of `result` to `path` atomically (see `render_report` for the arguments)."""
    page = render_report(result, extra_sheets, go_no_go, summary, trend, replacements, matrices)
    atomic_write_text(path, page)
