"""A case manager finds a candidate's matches, proposes one, and records the employer's yes (issue 4)."""

import re

import pytest

from browser_tests.conftest import assert_accessible, login, path_of

pytestmark = pytest.mark.browser

PERSON = re.compile(r"^/persons/(\d+)/$")


def test_propose_a_match_and_record_the_employer_yes(page):
    login(page, "operatore.sacco")
    page.goto("/")
    rows = page.locator("[data-testid=caseload-row] th a")
    assert rows.count() > 0, "operatore.sacco has no caseload"
    person_paths = [rows.nth(n).get_attribute("href") for n in range(rows.count())]

    # A person of the caseload whose matches can be proposed (a work profile and consent to be proposed).
    for path in person_paths:
        person_pk = PERSON.match(path).group(1)
        response = page.goto(f"/opportunities/candidates/{person_pk}/matches/")
        if response.status == 200 and page.locator("[data-testid=match-card] form button[type=submit]").count():
            break
    else:
        pytest.fail("no person of operatore.sacco's caseload has a match that can be proposed")
    assert_accessible(page)
    card = page.locator("[data-testid=match-card]:has(form)").first
    assert card.locator("text=/\\d/").count(), "the match card shows no score or explanation"

    card.locator("textarea[name=note]").fill("Disponibile da subito, ha già lavorato in magazzino.")
    with page.expect_navigation() as navigation:
        card.locator("button[type=submit]").click()
    assert navigation.value.status == 200
    assert re.match(r"^/opportunities/proposals/\d+/$", path_of(page)), f"landed on {path_of(page)}"
    assert page.locator("[data-testid=proposal-status]").is_visible()
    assert_accessible(page)

    before = page.locator("[data-testid=employer-decision]").inner_text()
    form = page.locator("form[action*='/decide/employer/']")
    form.locator("input[name='employer-decision'][value=yes]").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    after = page.locator("[data-testid=employer-decision]").inner_text()
    assert after != before and re.search(r"\d{2}/\d{2}/\d{4}", after), f"the employer's decision reads {after!r}"
