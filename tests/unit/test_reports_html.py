"""report.html and the report site, read back with html.parser: counts, tables, escaping, nothing fetched; and the
`estate report html` / `estate report site` commands on run folders written here."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reports.html import write_html
from reports.json_report import write_results_json
from reports.runfolder import REPORT_HTML
from reports.sheets import SheetSpec
from tasks.models import (
    Facts,
    Finding,
    HostRecord,
    OpticVerdict,
    RunInfo,
    RunResult,
    Severity,
    Support,
    Transceiver,
    Verdict,
)
from tests.history_cases import fill, three_compliance_runs
from workflows.cli import main
from workflows.history.store import HistoryStore

EVIL = "acme-lon1-fw01<script>alert(1)</script>"
URL = re.compile(r"https?:", re.IGNORECASE)


class Page(HTMLParser):
    """The parts of a page the tests read: elements by id, each table section's rows, every script, every link."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: dict[str, str] = {}  # id -> its text
        self.counts: dict[str, str] = {}  # data-count tile -> its number
        self.rows: dict[str, list[list[str]]] = {}  # filterable section id -> rows of cell texts
        self.verdicts: dict[str, list[str]] = {}  # filterable section id -> each row's data-verdict
        self.scripts: list[str] = []
        self.links: list[str] = []
        self.sources: list[str] = []
        self._open: list[tuple[str, dict[str, str]]] = []
        self._section = ""
        self._row: list[str] | None = None
        self._text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag in ("meta", "input", "br", "rect", "line", "polyline", "circle"):
            self._void(tag, attributes)
            return
        self._open.append((tag, attributes))
        if tag == "section" and "data-filterable" in attributes:
            self._section = attributes["id"]
            self.rows[self._section], self.verdicts[self._section] = [], []
        if tag == "tr" and self._section and "data-verdict" in attributes:
            self._row = []
            self.verdicts[self._section].append(attributes["data-verdict"])
        self._text.append("")

    def _void(self, tag: str, attributes: dict[str, str]) -> None:
        for name in ("src", "href", "action", "poster"):
            if name in attributes:
                self.sources.append(attributes[name])

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, attributes = self._open.pop()
            text = self._text.pop()
            if self._text:
                self._text[-1] += text
            if "id" in attributes:
                self.ids[attributes["id"]] = text.strip()
            if "data-count" in attributes:
                self.counts[attributes["data-count"]] = text.strip()
            if "href" in attributes:
                self.links.append(attributes["href"])
            if "src" in attributes:
                self.sources.append(attributes["src"])
            if open_tag == "script":
                self.scripts.append(text)
            if open_tag == "td" and self._row is not None:
                self._row.append(text)
            if open_tag == "tr" and self._row is not None and self._section:
                self.rows[self._section].append(self._row)
                self._row = None
            if open_tag == "section":
                self._section = ""
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._text:
            self._text[-1] += data

    def table(self, title: str) -> list[list[str]]:
        """The rows of the filterable table whose section id ends with the sheet's title."""
        keys = [key for key in self.rows if key.endswith(f"-{title.lower().replace(' ', '-')}") or key == title]
        assert len(keys) == 1, (title, list(self.rows))
        return self.rows[keys[0]]


def _optic(port: str, vendor: str, verdict: Verdict) -> OpticVerdict:
    oem = vendor == "OEM"
    transceiver = Transceiver(port, "10GBASE-SR", vendor, "PAN-SFP-PLUS-SR" if oem else "FTLX8571D3BCL", "S1")
    return OpticVerdict(transceiver, oem, Support.YES if oem else Support.NO, verdict, "why")


def sample_run(command: str = "audit") -> RunResult:
    """Two customers, three sites: FAIL (third-party optic, blocker), WARN, PASS, and one device not checked."""
    facts = Facts("h", "PA-3220", "SN1", "10.1.9")
    blocker = Finding("known_issue", Severity.BLOCKER, Verdict.FAIL, "boot loop from 10.2.0 <b>field report</b>")
    hosts = [
        HostRecord(
            EVIL, "acme", "lon1", "paloalto", facts=facts,
            optics=[_optic("ethernet1/1", "OEM", Verdict.PASS), _optic("ethernet1/2", "FS", Verdict.FAIL)],
            findings=[Finding("optic_support", Severity.INFO, Verdict.PASS, "ok"), blocker],
        ),
        HostRecord(
            "acme-lon1-fw02", "acme", "lon1", "paloalto", facts=facts,
            optics=[_optic("ethernet1/1", "FS", Verdict.WARN)],
            findings=[Finding("optic_support", Severity.WARNING, Verdict.WARN, "third-party")],
        ),
        HostRecord(
            "globex-par1-fw01", "globex", "par1", "paloalto", facts=facts,
            optics=[_optic("ethernet1/1", "OEM", Verdict.PASS)],
            findings=[Finding("optic_support", Severity.INFO, Verdict.PASS, "ok")],
        ),
        HostRecord("globex-nyc1-fw01", "globex", "nyc1", "paloalto", status="error", error_stage="login", error="no"),
    ]  # fmt: skip
    info = RunInfo(f"20261201T000000Z-{command}-acme+globex", command, ["acme", "globex"], "10.2.4-h4",
                   "2026-12-01T00:00:00+00:00", "2026-12-01T00:01:00+00:00", None, "0.1.0")  # fmt: skip
    return RunResult(info, hosts)


def test_the_page_counts_lists_and_escapes_as_the_run_says(tmp_path: Path) -> None:
    path = tmp_path / REPORT_HTML
    write_html(sample_run(), path)
    text = path.read_text(encoding="utf-8")
    page = Page(text)
    assert page.counts == {"devices": "4", "PASS": "1", "WARN": "1", "FAIL": "1", "ERROR": "1", "SKIPPED": "0"}
    devices = page.table("Devices")
    assert [row[0] for row in devices] == [EVIL, "acme-lon1-fw02", "globex-nyc1-fw01", "globex-par1-fw01"]
    assert page.verdicts[next(k for k in page.rows if k.endswith("-devices"))] == ["FAIL", "WARN", "ERROR", "PASS"]
    assert len(page.table("Transceivers")) == 4  # the workbook's Transceivers, called Optics on the page
    assert len(page.table("Findings")) == 4 and len(page.table("Errors")) == 1
    # The device name with a script tag is text everywhere: the page has one script, the filter.
    assert "<script>alert" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert len(page.scripts) == 1 and "alert" not in page.scripts[0]
    assert "<b>field report</b>" not in text
    # The blockers: the FAIL device with its first blocker, and the note about the device not checked.
    assert "Upgrade blockers (1)" in page.ids["blockers"]
    assert "could not be checked" in text
    # Nothing fetched: no URL, no src, links only to the page's own sections.
    assert URL.search(text) is None
    assert page.sources == []
    assert page.links and all(link.startswith("#") for link in page.links)


def test_a_pre_upgrade_page_says_no_go_and_a_clean_run_says_go(tmp_path: Path) -> None:
    result = sample_run("pre-upgrade")
    write_html(result, tmp_path / "no-go.html", go_no_go=True)
    assert Page((tmp_path / "no-go.html").read_text(encoding="utf-8")).ids["decision"] == "NO-GO"
    result.hosts = [h for h in result.hosts if h.customer == "globex" and h.status == "ok"]
    write_html(result, tmp_path / "go.html", go_no_go=True)
    assert Page((tmp_path / "go.html").read_text(encoding="utf-8")).ids["decision"] == "GO"
    write_html(result, tmp_path / "audit.html")
    assert "decision" not in Page((tmp_path / "audit.html").read_text(encoding="utf-8")).ids


def test_the_replacements_section_shows_the_rows_passed_in(tmp_path: Path) -> None:
    rows = [("acme", "lon1", "PAN-SFP-PLUS-SR", 3)]
    spec = SheetSpec("Replacements", ("Customer", "Site", "Part number", "Count"), rows)
    write_html(sample_run(), tmp_path / "with.html", replacements=spec)
    page = Page((tmp_path / "with.html").read_text(encoding="utf-8"))
    assert page.table("replacements") == [["acme", "lon1", "PAN-SFP-PLUS-SR", "3"]]
    write_html(sample_run(), tmp_path / "without.html")
    assert "replacements" not in Page((tmp_path / "without.html").read_text(encoding="utf-8")).rows


def _runs_folder(root: Path, results: list[RunResult]) -> list[Path]:
    folders = []
    for result in results:
        folder = root / result.run.id
        folder.mkdir(parents=True)
        write_results_json(result, folder / "results.json")
        folders.append(folder)
    return folders


def _trend_points(text: str) -> dict[str, list[str]]:
    """The trend chart's points per customer, from their tooltips ("acme r1-compliance: 50.0%")."""
    trend = text[text.index('id="trend"') :]
    points: dict[str, list[str]] = {}
    for customer, value in re.findall(r"<circle[^>]*><title>(\w+) [\w-]+: ([\d.]+)%</title>", trend):
        points.setdefault(customer, []).append(value)
    return points


def test_report_html_rebuilds_a_compliance_page_with_the_trend_up_to_that_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = three_compliance_runs()  # acme: 50, 75, 100 %; globex: 0 %, not covered, 50 %
    out = tmp_path / "output"
    out.mkdir()
    with HistoryStore(f"sqlite:///{out / 'history.sqlite'}") as store:
        fill(store, runs, out)
    third, fourth = _runs_folder(out, [runs[2], runs[3]])
    assert main(["report", "html", str(third)]) == 0
    assert capsys.readouterr().out.strip() == f"report.html: {third / REPORT_HTML}"
    assert _trend_points((third / REPORT_HTML).read_text(encoding="utf-8")) == {"acme": ["50.0", "75.0"]}
    assert main(["report", "html", str(fourth)]) == 0
    points = _trend_points((fourth / REPORT_HTML).read_text(encoding="utf-8"))
    assert points == {"acme": ["50.0", "75.0", "100.0"], "globex": ["0.0", "50.0"]}


def test_report_html_of_a_folder_without_results_is_one_line_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "html", str(tmp_path)]) == 3
    _, err = capsys.readouterr()
    assert err.strip() == f"estate: {tmp_path / 'results.json'}: not found (is {tmp_path} a run folder?)"
    assert not (tmp_path / REPORT_HTML).exists()


def test_report_site_lists_each_customers_runs_newest_first_and_copies_their_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    older, newer = sample_run(), sample_run("pre-upgrade")
    newer.run.started = "2026-12-02T00:00:00+00:00"
    newer.run.id = "20261202T000000Z-pre-upgrade-acme+globex"
    newer.hosts = [h for h in newer.hosts if h.customer == "globex"]
    runs = tmp_path / "output"
    first, second = _runs_folder(runs, [older, newer])
    write_html(older, first / REPORT_HTML)  # the second has no report.html yet: the site builds one
    (runs / "not-a-run").mkdir()
    site = tmp_path / "public"
    assert main(["report", "site", "--out", str(site), "--runs", str(runs), str(second)]) == 0  # listed once
    assert capsys.readouterr().out.splitlines()[-1] == f"index.html: {site / 'index.html'}"
    index = (site / "index.html").read_text(encoding="utf-8")
    page = Page(index)
    assert page.links == [
        "#customer-1",
        "#customer-2",
        f"runs/{first.name}/report.html",
        f"runs/{second.name}/report.html",
        f"runs/{first.name}/report.html",
    ]  # acme: the older run only; globex: the newer run first
    assert URL.search(index) is None
    assert (site / "runs" / first.name / REPORT_HTML).read_bytes() == (first / REPORT_HTML).read_bytes()
    built = Page((site / "runs" / second.name / REPORT_HTML).read_text(encoding="utf-8"))
    assert built.ids["decision"] == "NO-GO" and built.counts["devices"] == "2"
    assert not (second / REPORT_HTML).exists()  # the run folder itself is left as it was
