"""report.html of a real lab run, opened in headless Chromium (Debian's chromium, driven by Playwright): the page
shows the counts of results.json, its filters show the rows results.json says, and it fetches nothing but itself.

The screenshot stays in the run folder (report.png) for a person to look at. `make test` installs chromium first
(the `browser` prerequisite) or says in one line what is missing.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import Lab
from tests.integration.test_audit import audit
from workflows.cli import main

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
# Never Playwright's own browser downloads: the system's chromium, quiet, without any network of its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEVICES = 'section[id$="-devices"]'
OPTICS = 'section[id$="-transceivers"]'


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: make test installs it (apt-get install chromium), or install it yourself")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is missing: make install (it is in the dev extras)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000)
        try:
            yield launched
        finally:
            launched.close()


def rebuilds_its_page(folder: Path) -> bool:
    """Whether `estate report html` writes, from results.json alone, the very page the run wrote (used by the
    tests of each command's run)."""
    written = (folder / "report.html").read_bytes()
    (folder / "report.html").unlink()
    return main(["report", "html", str(folder)]) == 0 and (folder / "report.html").read_bytes() == written


def _visible(page: Any, section: str) -> int:
    return int(page.locator(f"{section} tbody tr:not([hidden])").count())


def test_report_html_shows_the_runs_counts_filters_rows_and_fetches_nothing(
    lab_env: Lab, browser: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    limits = ["--limit", "alpha-*", "--limit", "beta-*", "--limit", "faulty-lab1-refuse"]
    code, folder, _ = audit(lab_env, tmp_path, capsys, *limits, "--target", "10.2.4-h4")
    assert code == 2  # the refusing device could not be checked
    page_path = folder / "report.html"
    hosts: dict[str, Any] = json.loads((folder / "results.json").read_text(encoding="utf-8"))["hosts"]
    verdicts = Counter(host["verdict"] for host in hosts.values())
    assert verdicts["FAIL"] and verdicts["ERROR"] and verdicts["PASS"]  # the page has each kind to show
    assert rebuilds_its_page(folder)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    blocked: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url == page_path.as_uri() or url.startswith("data:"):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_path.as_uri(), wait_until="load")

    # The Summary's counts are results.json's: devices, and devices per verdict.
    assert page.inner_text('[data-count="devices"]') == str(len(hosts))
    for verdict in ("PASS", "WARN", "FAIL", "ERROR", "SKIPPED"):
        assert page.inner_text(f'[data-count="{verdict}"]') == str(verdicts[verdict]), verdict
    assert _visible(page, DEVICES) == len(hosts)
    optics = sum(len(host["transceivers"]) for host in hosts.values())
    assert _visible(page, OPTICS) == optics

    # Filtering: a customer's name in the text box, a verdict in the select, a device's name on the optics.
    page.fill(f"{DEVICES} input.filter-text", "beta")
    assert _visible(page, DEVICES) == sum(1 for host in hosts.values() if host["customer"] == "beta")
    assert page.inner_text(f"{DEVICES} output.shown") == str(_visible(page, DEVICES))
    page.fill(f"{DEVICES} input.filter-text", "")
    page.select_option(f"{DEVICES} select.filter-verdict", "FAIL")
    assert _visible(page, DEVICES) == verdicts["FAIL"]
    page.select_option(f"{DEVICES} select.filter-verdict", "")
    assert _visible(page, DEVICES) == len(hosts)
    page.fill(f"{OPTICS} input.filter-text", "beta-nyc1-fw01")
    assert _visible(page, OPTICS) == len(hosts["beta-nyc1-fw01"]["transceivers"])
    page.fill(f"{OPTICS} input.filter-text", "")

    page.evaluate("window.scrollTo(0, 0)")  # sticky table headers sit where a reader at the top sees them
    page.screenshot(path=str(folder / "report.png"), full_page=True)
    context.close()
    assert (folder / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert page_path.as_uri() in requests  # the listener saw the page itself: not vacuous
    assert blocked == [] and all(url == page_path.as_uri() or url.startswith("data:") for url in requests), requests
