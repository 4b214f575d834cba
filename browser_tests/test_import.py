"""A coordinator imports a legacy spreadsheet in chromium: upload a file with an error, read the preview, fix the
file, import it, see the counts; importing it again changes nothing.

Selectors rest on form field names, URLs and data-testid attributes, not on the interface's wording.
"""

import csv
import datetime
import io
import re
import secrets

import pytest
from codicefiscale import codicefiscale

from browser_tests.conftest import login, path_of

pytestmark = pytest.mark.browser

RUN_PAGE = re.compile(r"^/imports/(\d+)/$")
_SYLLABLES = ["ba", "ce", "do", "fa", "gi", "lo", "ma", "ne", "pi", "ro", "sa", "te", "va", "zo", "bru"]


def _row(source_id: str, sex: str, first_name: str, **over) -> dict:
    last_name = "".join(secrets.choice(_SYLLABLES) for _ in range(3)).capitalize() + "tti"
    born = datetime.date(1965, 1, 1) + datetime.timedelta(days=secrets.randbelow(35 * 365))
    code = codicefiscale.encode(
        lastname=last_name, firstname=first_name, gender=sex, birthdate=born.strftime("%d/%m/%Y"), birthplace="Milano"
    )
    row = {
        "source_system": "SIAL",
        "source_id": source_id,
        "fiscal_code": code,
        "last_name": last_name,
        "first_name": first_name,
        "sex": sex,
        "birth_date": born.strftime("%d/%m/%Y"),
        "birth_place": "Milano",
        "civil_invalidity_percent": "67",
        "law68_registered": "sì",
        "consent_care_given_on": "01/02/2020",
    }
    row.update(over)
    return row


def _csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("cp1252")


def _upload(page, name: str, data: bytes, layout: str = "persons") -> None:
    page.goto("/imports/")
    page.locator("select[name=entity]").select_option(layout)
    page.locator("input[name=file]").set_input_files({"name": name, "mimeType": "text/csv", "buffer": data})
    with page.expect_navigation():
        page.locator("form:has(input[name=file]) [type=submit]").click()
    assert RUN_PAGE.match(path_of(page)), f"after uploading the browser is on {page.url}"


def _count(page, code: str) -> int:
    return int(page.locator(f"[data-testid=counts] [data-count={code}]").inner_text().strip())


def test_a_coordinator_fixes_a_file_and_imports_it(page):
    suffix = secrets.token_hex(3)
    good = _row(f"A{suffix}", "F", "Giulia")
    bad = _row(f"B{suffix}", "M", "Marco", civil_invalidity_percent="120")
    login(page, "coordinatore.sacco")

    _upload(page, "anagrafiche.csv", _csv([good, bad]))
    errors = page.locator("[data-testid=error-row]")
    assert errors.count() == 1
    assert "civil_invalidity_percent" in errors.first.inner_text() and "100" in errors.first.inner_text()
    assert (_count(page, "create"), _count(page, "error")) == (1, 1)

    fixed = dict(bad, civil_invalidity_percent="67")
    _upload(page, "anagrafiche-corrette.csv", _csv([good, fixed]))
    assert page.locator("[data-testid=error-row]").count() == 0
    assert _count(page, "create") == 2
    with page.expect_navigation():
        page.locator("[data-testid=commit]").click()
    assert (_count(page, "create"), _count(page, "error")) == (2, 0)
    assert page.locator("[data-testid=commit]").count() == 0

    _upload(page, "anagrafiche-corrette.csv", _csv([good, fixed]))
    assert (_count(page, "unchanged"), _count(page, "create")) == (2, 0)

    page.goto("/persons/?q=" + good["last_name"])
    assert page.locator("[data-testid=person-row]").count() == 1


def test_a_coordinator_imports_the_history_of_cases_after_the_persons(page):
    suffix = secrets.token_hex(3)
    person = _row(f"P{suffix}", "F", "Giulia")
    login(page, "coordinatore.sacco")
    _upload(page, "anagrafiche.csv", _csv([person]))
    with page.expect_navigation():
        page.locator("[data-testid=commit]").click()
    assert _count(page, "create") == 1

    past = {"source_system": "SIAL", "source_id": f"C1{suffix}", "person_source_id": person["source_id"],
            "unit": "Polo Lavoro Sacco", "area": "lavoro", "opened_on": "15/09/2012", "status": "chiusa",
            "closed_on": "30/06/2017", "closing_reason": "obiettivi raggiunti"}  # fmt: skip
    current = dict(past, source_id=f"C2{suffix}", area="golf", opened_on="01/02/2024", status="aperta",
                   closed_on="", closing_reason="")  # fmt: skip
    _upload(page, "prese-in-carico.csv", _csv([past, current]), layout="cases")
    assert page.locator("[data-testid=run-layout]").count() == 1
    errors = page.locator("[data-testid=error-row]")
    assert errors.count() == 1 and "area" in errors.first.inner_text()
    assert (_count(page, "create"), _count(page, "error")) == (1, 1)

    fixed = dict(current, area="casa")
    _upload(page, "prese-in-carico-corrette.csv", _csv([past, fixed]), layout="cases")
    with page.expect_navigation():
        page.locator("[data-testid=commit]").click()
    assert (_count(page, "create"), _count(page, "error")) == (2, 0)

    _upload(page, "prese-in-carico-corrette.csv", _csv([past, fixed]), layout="cases")
    assert (_count(page, "unchanged"), _count(page, "create")) == (2, 0)
