"""A coordinator opens a programme, drills down from a number to its records, and downloads the annual report as
PDF (issue 6). The report is written by the task worker that runs beside the server, as with `make run`.
"""

import io
import re

import pytest
from pypdf import PdfReader

from browser_tests.conftest import assert_accessible, login, path_of

pytestmark = pytest.mark.browser

RECORDS = re.compile(r"^/programmes/indicators/[\w.]+/records/$")
REPORT = re.compile(r"^/programmes/reports/(\d+)/$")


def test_programme_dashboard_drill_down_and_annual_report(page):
    login(page, "coordinatore.sacco")
    assert page.goto("/programmes/").status == 200
    link = page.locator("main a[href^='/programmes/']:not([href^='/programmes/indicators']):not([href*='territor'])")
    assert link.count(), "the programme list links to no programme"
    with page.expect_navigation():
        link.first.click()
    programme_path = path_of(page)
    title = page.locator("main h1").first.inner_text().strip()
    assert page.locator("[data-testid=indicator-table]").count() == 1, "the programme page shows no indicators"
    page.locator("[data-testid=trends]").wait_for()  # the trends section, loaded through htmx
    assert_accessible(page)

    # Every number links to the records behind it: from the programme page or, failing one there, the indicators.
    records = page.locator("[data-testid=indicator-table] a[href*='/records/']")
    if not records.count():
        page.goto("/programmes/indicators/")
        records = page.locator("main a[href*='/records/']")
    assert records.count(), "no figure links to its records"
    with page.expect_navigation() as navigation:
        records.first.click()
    assert navigation.value.status == 200
    assert RECORDS.match(path_of(page)), f"landed on {path_of(page)}"
    assert page.locator("[data-testid=records-count]").is_visible()
    assert page.locator("[data-testid=record-row]").count() > 0, "the drill-down lists no record"
    assert_accessible(page)

    # The annual report: start it, watch it finish, download the PDF.
    page.goto(programme_path)
    with page.expect_navigation():
        page.locator("[data-testid=report-link]").click()
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("[data-testid=start-report]").click()
    assert REPORT.match(path_of(page)), f"landed on {path_of(page)}"
    page.locator("[data-testid=download-pdf]").wait_for(timeout=180_000)
    assert_accessible(page)
    with page.expect_download() as download:
        page.locator("[data-testid=download-pdf]").click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF"), "the download is not a PDF"
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    assert " ".join(title.split()[:3]) in " ".join(text.split()), "the PDF does not name the programme"
